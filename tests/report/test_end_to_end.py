"""A real scan of a small generated project, rendered in every format through the CLI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator

from modeldeps.cli import main
from tests.report.test_sarif import _schema as sarif_schema

# A pickle that would call posix.system("ls") if loaded. It is only ever parsed, never loaded.
EVIL_PICKLE = b"\x80\x02cposix\nsystem\nq\x00X\x02\x00\x00\x00lsq\x01\x85q\x02Rq\x03."


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("proj")
    (root / "app").mkdir()
    (root / "app" / "chat.py").write_text(
        "from transformers import AutoModelForCausalLM\n\n"
        'model = AutoModelForCausalLM.from_pretrained("Qwen/Qwen2.5-7B-Instruct", '
        "trust_remote_code=True)\n"
    )
    (root / "Modelfile").write_text("FROM llama3.1:8b\n")
    (root / "requirements.txt").write_text("transformers>=4.40\nopenai==1.51.0\n")
    (root / "models").mkdir()
    (root / "models" / "head.pkl").write_bytes(EVIL_PICKLE)
    return root


def _scan(project: Path, tmp_path: Path, fmt: str, *extra: str) -> tuple[int, str]:
    out = tmp_path / f"report.{fmt}"
    code = main(["scan", str(project), "-f", fmt, "-o", str(out), "-q", "--no-cache", *extra])
    return code, out.read_text(encoding="utf-8")


def test_sarif_of_a_real_scan(project: Path, tmp_path: Path) -> None:
    code, text = _scan(project, tmp_path, "sarif", "--reproducible")
    assert code == 1  # a critical pickle finding fails the default threshold
    log: dict[str, Any] = json.loads(text)
    jsonschema.Draft4Validator(sarif_schema()).validate(log)
    results = log["runs"][0]["results"]
    trust = [r for r in results if "trust_remote_code" in r["message"]["text"]]
    assert trust, [r["ruleId"] for r in results]
    phys = trust[0]["locations"][0]["physicalLocation"]
    assert phys["artifactLocation"]["uri"] == "app/chat.py"
    assert phys["region"]["startLine"] == 3
    assert all(r["partialFingerprints"]["modeldeps/v2"] for r in results)
    assert str(project) not in text


def test_cyclonedx_of_a_real_scan(project: Path, tmp_path: Path) -> None:
    _, text = _scan(project, tmp_path, "cyclonedx", "--reproducible", "--fail-on", "none")
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(text) is None
    doc = json.loads(text)
    refs = {c["bom-ref"]: c for c in doc["components"]}
    qwen = refs["pkg:huggingface/Qwen/Qwen2.5-7B-Instruct"]
    assert qwen["type"] == "machine-learning-model"
    assert qwen["evidence"]["occurrences"] == [{"location": "app/chat.py", "line": 3}]
    assert {"name": "modeldeps:country", "value": "CN"} in qwen["properties"]
    pickle = refs["artifact:models/head.pkl"]
    assert any(p["value"].startswith("MD201") for p in pickle["properties"])
    assert {c["name"] for c in doc["components"] if c["type"] == "library"} >= {"openai"}
    again = _scan(project, tmp_path, "cyclonedx", "--reproducible", "--fail-on", "none")[1]
    assert again == text


def test_markdown_and_html_of_a_real_scan(project: Path, tmp_path: Path) -> None:
    _, md = _scan(project, tmp_path, "markdown", "--reproducible", "--fail-on", "none")
    assert md.startswith("## modeldeps:") and "| critical | MD201 |" in md
    _, html = _scan(project, tmp_path, "html", "--reproducible", "--fail-on", "none")
    assert html.startswith("<!DOCTYPE html>") and "Qwen/Qwen2.5-7B-Instruct" in html
    assert 'id="chart-country"' in html and "MD201" in html
