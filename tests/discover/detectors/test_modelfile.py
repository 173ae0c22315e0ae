"""Ollama Modelfiles: FROM and ADAPTER."""

from __future__ import annotations

from modeldeps.discover.detectors.interface import SourceFile
from modeldeps.discover.detectors.modelfile import ModelfileDetector
from modeldeps.model import ModelReference


def refs(rel: str, text: str) -> list[tuple[str, str, int | None]]:
    found = ModelfileDetector().detect(SourceFile(rel, text, text.encode()))
    return [
        (r.kind.value, r.value, r.location.line) for r in found if isinstance(r, ModelReference)
    ]


def test_from_library_tag_local_file_and_hf() -> None:
    assert refs("Modelfile", "FROM llama3.1:8b\nPARAMETER temperature 0\n") == [
        ("ollama_model", "llama3.1:8b", 1)
    ]
    assert refs("x.Modelfile", "# comment\nFROM ./w/model-q4.gguf\nADAPTER ./lora.gguf\n") == [
        ("local_artifact", "./w/model-q4.gguf", 2),
        ("local_artifact", "./lora.gguf", 3),
    ]
    assert refs("Modelfile.coder", "from hf.co/bartowski/Qwen2.5-7B-GGUF:Q4_K_M\n") == [
        ("ollama_model", "hf.co/bartowski/Qwen2.5-7B-GGUF:Q4_K_M", 1)
    ]


def test_prose_in_system_prompt_is_not_a_base() -> None:
    text = 'FROM qwen2.5\nSYSTEM """Answer briefly.\nFrom now on, be kind."""\n'
    assert refs("Modelfile", text) == [("ollama_model", "qwen2.5", 1)]


def test_accepts_modelfile_names_only() -> None:
    det = ModelfileDetector()
    assert det.accepts("ollama/Modelfile")
    assert det.accepts("deploy/support.Modelfile")
    assert not det.accepts("src/model.py")
