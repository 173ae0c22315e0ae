"""Generate src/modeldeps/discover/inspectors/gguf_tables.py from the `gguf` package's enums.

The GGUF inspector needs three small tables (file-type names, tensor-type names, and the block
and type sizes of each tensor type). They used to come from importing `gguf` (and numpy with it)
on every inspection; they are facts of the GGUF format, so they are generated once from the
reference implementation and shipped as data.

    pip install gguf            # the dev extra installs it
    python tools/gen_gguf_tables.py

tests/discover/inspectors/test_gguf_tables.py fails when the installed `gguf` disagrees with the
generated copy (a new llama.cpp tensor type, say): run this script again and commit the result.
"""

from __future__ import annotations

import importlib.metadata
import sys
from pathlib import Path

TARGET = Path(__file__).resolve().parents[1] / "src/modeldeps/discover/inspectors/gguf_tables.py"


def render() -> str:
    import gguf

    version = importlib.metadata.version("gguf")
    ftypes = {int(t.value): t.name.removeprefix("MOSTLY_") for t in gguf.LlamaFileType}
    qtypes = {int(t.value): t.name for t in gguf.GGMLQuantizationType}
    sizes = {int(k): (int(v[0]), int(v[1])) for k, v in gguf.GGML_QUANT_SIZES.items()}
    out = [
        '"""GGUF type tables, generated from the `gguf` package; do not edit by hand.',
        "",
        f"Source: gguf-py {version} (llama.cpp, https://github.com/ggml-org/llama.cpp, MIT",
        "licence): gguf.LlamaFileType, gguf.GGMLQuantizationType and gguf.GGML_QUANT_SIZES.",
        "Regenerate with `python tools/gen_gguf_tables.py`; a test fails when they drift.",
        '"""',
        "",
        "from __future__ import annotations",
        "",
        f'GGUF_PACKAGE_VERSION = "{version}"',
        "",
        "#: general.file_type values -> names (MOSTLY_ prefix dropped).",
        "FILE_TYPES: dict[int, str] = {",
        *(f'    {k}: "{v}",' for k, v in sorted(ftypes.items())),
        "}",
        "",
        "#: Tensor type ids -> names.",
        "TENSOR_TYPES: dict[int, str] = {",
        *(f'    {k}: "{v}",' for k, v in sorted(qtypes.items())),
        "}",
        "",
        "#: Tensor type id -> (elements per block, bytes per block).",
        "BLOCK_SIZES: dict[int, tuple[int, int]] = {",
        *(f"    {k}: ({b}, {n})," for k, (b, n) in sorted(sizes.items())),
        "}",
        "",
    ]
    return "\n".join(out)


def main() -> int:
    TARGET.write_text(render(), encoding="utf-8")
    print(f"wrote {TARGET}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
