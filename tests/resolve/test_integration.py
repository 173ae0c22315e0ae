"""The resolve stage inside the commands: inspect of a weightless model folder, scan of a GGUF
file, a model folder's shards and a code reference, each carrying the documented identity."""

from __future__ import annotations

import json
import struct
from pathlib import Path
from typing import Any

import pytest

from modeldeps.cli import main
from tests.resolve.helpers import gguf_file, model_dir

IDENTITY_KEYS = {
    "family",
    "publisher",
    "licenses",
    "lineage",
    "lineage_countries",
    "open_weights",
    "evidence",
    "confidence",
}
CARD = "---\nlicense: mit\nbase_model: Qwen/Qwen2.5-7B-Instruct\n---\n# support bot\n"
QWEN_CONFIG = {"model_type": "qwen2", "architectures": ["Qwen2ForCausalLM"], "vocab_size": 152064}
QWEN_TOKENIZER = {"eos_token": "<|im_end|>", "chat_template": "{{ '<|im_start|>' }}"}


def _json(args: list[str], capsys: pytest.CaptureFixture[str]) -> Any:
    assert main(args) in (0, 1)
    return json.loads(capsys.readouterr().out)


def _check_shape(ident: dict[str, Any]) -> None:
    assert set(ident) >= IDENTITY_KEYS
    assert set(ident["publisher"] or {"id": 0, "name": 0, "country": 0}) == {
        "id",
        "name",
        "country",
    }
    for edge in ident["lineage"]:
        assert {"relation", "base", "country"} <= set(edge)


def _folder(root: Path) -> Path:
    return model_dir(root, "bot", config=QWEN_CONFIG, tokenizer=QWEN_TOKENIZER, card=CARD)


def test_inspect_weightless_model_folder_prints_identity(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    d = _folder(tmp_path)
    assert main(["inspect", str(d), "--fail-on", "none"]) == 0
    out = capsys.readouterr().out
    assert "family qwen" in out and "card-base-model" in out
    doc = _json(["inspect", str(d), "--format", "json", "--fail-on", "none"], capsys)
    (folder,) = doc["model_dirs"]
    ident = folder["identity"]
    _check_shape(ident)
    assert ident["family"] == "qwen" and ident["lineage_countries"] == ["CN"]
    assert (
        ident["licenses"][0] == "mit" and ident["lineage"][0]["base"] == "Qwen/Qwen2.5-7B-Instruct"
    )
    # the folder's tokenizer_config.json is an artifact too, and it is the same model
    (tok,) = doc["artifacts"]
    assert tok["identity"]["family"] == "qwen" and tok["identity"]["lineage_countries"] == ["CN"]


def test_scan_attaches_identity_to_gguf_and_references(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "models").mkdir()
    gguf_file(
        tmp_path / "models" / "bot.gguf",
        "qwen2",
        "Qwen2.5 7B Instruct",
        "qwen2",
        ["a", "<|im_start|>"],
    )
    (tmp_path / "app.py").write_text(
        "from transformers import AutoModel\n"
        'AutoModel.from_pretrained("meta-llama/Llama-3.1-8B")\n',
        encoding="utf-8",
    )
    doc = _json(["scan", str(tmp_path), "--format", "json", "--fail-on", "none"], capsys)
    (art,) = [a for a in doc["artifacts"] if a["location"]["path"].endswith("bot.gguf")]
    _check_shape(art["identity"])
    assert art["identity"]["family"] == "qwen" and art["identity"]["publisher"]["country"] == "CN"
    (ref,) = [r for r in doc["references"] if r["value"] == "meta-llama/Llama-3.1-8B"]
    _check_shape(ref["identity"])
    assert ref["identity"]["publisher"] == {"id": "meta", "name": "Meta", "country": "US"}
    assert doc["kb_version"]


def _safetensors(path: Path) -> None:
    header = json.dumps({"w": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}).encode()
    path.write_bytes(struct.pack("<Q", len(header)) + header + b"\0" * 8)


def test_scan_gives_a_model_folders_shards_the_folders_identity(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    d = _folder(tmp_path)
    _safetensors(d / "model-00001-of-00002.safetensors")
    _safetensors(d / "model-00002-of-00002.safetensors")
    doc = _json(["scan", str(tmp_path), "--format", "json", "--fail-on", "none"], capsys)
    shards = [a for a in doc["artifacts"] if a["location"]["path"].endswith(".safetensors")]
    assert len(shards) == 2
    for art in shards:
        _check_shape(art["identity"])
        assert art["identity"]["family"] == "qwen" and art["identity"]["lineage_countries"] == [
            "CN"
        ]
