"""The GGUF type tables shipped with modeldeps match the `gguf` package they were generated from.

When this fails, llama.cpp has added or renamed a type: run `python tools/gen_gguf_tables.py`.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys

import gguf

from modeldeps.discover.inspectors import gguf_tables


def test_generated_tables_match_the_gguf_package() -> None:
    assert {
        int(t.value): t.name.removeprefix("MOSTLY_") for t in gguf.LlamaFileType
    } == gguf_tables.FILE_TYPES
    assert {int(t.value): t.name for t in gguf.GGMLQuantizationType} == gguf_tables.TENSOR_TYPES
    assert {
        int(k): (int(v[0]), int(v[1])) for k, v in gguf.GGML_QUANT_SIZES.items()
    } == gguf_tables.BLOCK_SIZES


def test_inspecting_gguf_needs_neither_gguf_nor_numpy() -> None:
    code = (
        "import sys\n"
        "sys.modules['gguf'] = None\n"
        "sys.modules['numpy'] = None\n"
        "from modeldeps.discover.inspectors.gguf import _names\n"
        "assert _names()[1][12] == 'Q4_K'\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert importlib.util.find_spec("modeldeps.discover.inspectors.gguf_tables") is not None
