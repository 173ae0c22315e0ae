"""The inspect command, run in-process: table, JSON, stores and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from modeldeps.cli import main
from tests.discover.inspectors.builders import (
    fake_hf_cache,
    fake_ollama,
    onnx_bytes,
    safetensors_bytes,
    write_gguf,
)


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / "models").mkdir(parents=True)
    (root / "models" / "m.safetensors").write_bytes(safetensors_bytes({"w": ("F32", [8, 8])}))
    write_gguf(root / "models" / "q.gguf")
    (root / "app.py").write_text("print('hi')\n")
    return root


def test_json_report(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["inspect", str(tree), "--format", "json", "-q"]) == 0
    doc = json.loads(capsys.readouterr().out)
    arts = {a["location"]["path"]: a for a in doc["artifacts"]}
    assert set(arts) == {"models/m.safetensors", "models/q.gguf"}
    assert arts["models/m.safetensors"]["params"] == 64
    assert arts["models/m.safetensors"]["format"] == "safetensors"
    assert arts["models/q.gguf"]["size_bytes"] == (tree / "models" / "q.gguf").stat().st_size


def test_findings_set_exit_code_and_fail_on(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tree / "models" / "bad.onnx").write_bytes(onnx_bytes(external="../../../etc/passwd"))
    assert main(["inspect", str(tree), "-q", "--format", "json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    (bad,) = [a for a in doc["artifacts"] if a["location"]["path"] == "models/bad.onnx"]
    (f,) = bad["findings"]
    assert (f["rule_id"], f["severity"]) == ("MD208", "high")
    assert f["message"]
    assert main(["inspect", str(tree), "-q", "--fail-on", "critical"]) == 0
    table = capsys.readouterr().out
    assert "bad.onnx" in table and "MD208" in table


def test_table_lists_format_params_family(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["inspect", str(tree), "-q"]) == 0
    out = capsys.readouterr().out
    assert "safetensors" in out and "gguf" in out and "llama" in out


def test_stores(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    hf = tmp_path / "hf"
    fake_hf_cache(hf, "org/m", {"model.safetensors": safetensors_bytes({"w": ("F16", [2])})})
    store = tmp_path / "ollama"
    fake_ollama(store, "tiny", "latest", write_gguf(tmp_path / "t.gguf").read_bytes())
    code = main(
        ["inspect", "--hf-cache-dir", str(hf), "--ollama-dir", str(store), "--format", "json", "-q"]
    )
    assert code == 0
    arts = json.loads(capsys.readouterr().out)["artifacts"]
    assert {a["metadata"].get("repo_id") for a in arts} >= {"org/m"}
    assert {a["metadata"].get("ollama.model") for a in arts} >= {"tiny:latest"}


def test_usage_errors(tmp_path: Path) -> None:
    assert main(["inspect"]) == 2
    assert main(["inspect", str(tmp_path / "missing")]) == 2
    assert main(["inspect", str(tmp_path), "--format", "xml"]) == 2
    assert main(["inspect", str(tmp_path), "--fail-on", "bogus"]) == 2


def test_strict_exit_3_when_something_skipped(tmp_path: Path) -> None:
    assert main(["inspect", "--ollama-dir", str(tmp_path / "none"), "-q", "--strict"]) == 3


def test_output_file(tree: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    assert main(["inspect", str(tree), "-f", "json", "-o", str(out), "-q"]) == 0
    assert len(json.loads(out.read_text())["artifacts"]) == 2
