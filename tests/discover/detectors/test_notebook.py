"""Notebook detector: code cells only, lines in the .ipynb itself, magics neutralised."""

from __future__ import annotations

import json

import pytest

from modeldeps.discover.detectors.interface import SourceFile
from modeldeps.discover.detectors.notebook import NotebookDetector, neutralise_magics
from modeldeps.errors import DetectorError
from modeldeps.model import ModelReference


def cell(
    kind: str, source: list[str] | str, outputs: list[object] | None = None
) -> dict[str, object]:
    c: dict[str, object] = {"cell_type": kind, "metadata": {}, "source": source}
    if kind == "code":
        c["execution_count"] = None
        c["outputs"] = outputs or []
    return c


def notebook(*cells: dict[str, object]) -> str:
    doc = {"cells": list(cells), "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    return json.dumps(doc, indent=1) + "\n"


def refs(text: str) -> list[ModelReference]:
    found = NotebookDetector().detect(SourceFile("nb/demo.ipynb", text))
    return [r for r in found if isinstance(r, ModelReference)]


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_code_cells_give_lines_in_the_ipynb_and_cell_index() -> None:
    text = notebook(
        cell(
            "markdown", ["We use `gpt-4o` and\n", 'AutoModel.from_pretrained("bert-base-uncased")']
        ),
        cell(
            "code",
            [
                "!pip install -q transformers\n",
                "%load_ext autoreload\n",
                'REPO = "google/gemma-2-2b-it"',
            ],
        ),
        cell(
            "code",
            [
                "from transformers import AutoModel\n",
                "for i in range(2):\n",
                "    !nvidia-smi\n",
                "m = AutoModel.from_pretrained(REPO)",
            ],
            outputs=[
                {
                    "output_type": "stream",
                    "name": "stdout",
                    "text": ['OpenAI().chat.completions.create(model="gpt-4")\n'],
                }
            ],
        ),
    )
    found = refs(text)
    assert [(r.kind.value, r.value, r.location.line, r.context["cell"]) for r in found] == [
        # reported where the string is written, in the cell that writes it
        ("hub_model", "google/gemma-2-2b-it", line_of(text, "REPO = "), 1)
    ]
    assert found[0].context["used_at"] == line_of(text, "m = AutoModel")
    assert found[0].detector == "notebook"


def test_single_string_source_and_a_broken_cell() -> None:
    text = notebook(
        cell("code", "def broken(:\n    pass"),
        cell("code", "import ollama\nollama.pull('qwen2.5:0.5b')"),
    )
    (ref,) = refs(text)
    assert (ref.kind.value, ref.value, ref.context["cell"]) == ("ollama_model", "qwen2.5:0.5b", 1)
    assert ref.location.line == line_of(text, "ollama.pull")


def test_non_python_cell_magic_is_skipped() -> None:
    text = notebook(
        cell(
            "code",
            [
                "%%bash\n",
                'python -c "from openai import OpenAI; '
                "OpenAI().embeddings.create(model='text-embedding-3-small')\"",
            ],
        )
    )
    assert refs(text) == []


def test_magics_keep_line_numbers() -> None:
    code = "%time x = 1\nfiles = !ls\nif x:\n    %pip install foo\ny = 2"
    out = neutralise_magics(code)
    assert out is not None
    assert out.split("\n") == ["pass", "pass", "if x:", "    pass", "y = 2"]
    compile(out, "cell", "exec")


def test_invalid_json_is_a_detector_error() -> None:
    with pytest.raises(DetectorError, match=r"demo\.ipynb"):
        refs('{"cells": [')
