"""The JSON report validates against the shipped JSON Schema, for real scans and edge cases."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema

from modeldeps.model import (
    ArtifactInfo,
    Confidence,
    Evidence,
    Finding,
    Identity,
    LineageEdge,
    Location,
    ModelReference,
    PublisherRef,
    RefKind,
    ScanResult,
    Severity,
    Skipped,
    Stage,
)
from modeldeps.options import ScanOptions
from modeldeps.pipeline import scan
from modeldeps.report import RenderOptions, render


def _schema() -> dict[str, Any]:
    text = resources.files("modeldeps.report").joinpath("schemas/modeldeps-report.schema.json")
    data: dict[str, Any] = json.loads(text.read_text(encoding="utf-8"))
    return data


def _validate(doc: dict[str, Any]) -> None:
    schema = _schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(schema).validate(doc)


def _result() -> ScanResult:
    qwen = Identity(
        canonical_id="Qwen/Qwen2.5-7B-Instruct",
        family="qwen2.5",
        publisher=PublisherRef("alibaba-qwen", "Alibaba Cloud (Qwen)", "CN"),
        licenses=("apache-2.0",),
        open_weights=True,
        lineage=(LineageEdge("finetune", "Qwen/Qwen2.5-7B", "alibaba-qwen", "CN"),),
        lineage_countries=("CN",),
        evidence=(Evidence("bundled-kb", "exact", "hub id", "https://huggingface.co/Qwen"),),
        confidence=Confidence.HIGH,
        decided_by="exact",
    )
    ref = ModelReference(
        RefKind.HUB_MODEL,
        "Qwen/Qwen2.5-7B-Instruct",
        Location("app/main.py", 3, 9),
        "python",
        {"loader": "transformers.AutoModel.from_pretrained", "trust_remote_code": True},
        identity=qwen,
    )
    endpoint = ModelReference(
        RefKind.ENDPOINT,
        "https://user:secret@api.deepseek.com/v1?api_key=abc",
        Location(".env", 1),
        "config",
    )
    finding = Finding(
        "MD201",
        Severity.CRITICAL,
        Confidence.HIGH,
        "Unsafe pickle",
        "posix.system",
        Location("m.pkl"),
        subject="posix.system",
    ).with_fingerprint()
    art = ArtifactInfo(
        Location("m.pkl"), "pickle", 10, findings=(finding,), metadata={"a": b"\x00"}
    )
    return ScanResult(
        roots=("/somewhere",),
        started_at="2026-01-01T00:00:00+00:00",
        tool_version="0",
        kb_version="2026.11",
        references=(ref, endpoint),
        artifacts=(art,),
        findings=(finding,),
        skipped=(Skipped(Location("bad.py"), Stage.DETECT, "python: SyntaxError"),),
    )


def test_constructed_result_is_schema_valid_and_redacted() -> None:
    doc = json.loads(render(_result(), "json"))
    _validate(doc)
    by_kind = {r["kind"]: r for r in doc["references"]}
    assert by_kind["endpoint"]["value"] == "https://***@api.deepseek.com/v1?api_key=***"
    assert by_kind["hub_model"]["identity"]["publisher"]["country"] == "CN"
    assert doc["summary"]["by_country"][0] == {"key": "CN", "count": 1, "share": 0.5}


def test_reproducible_drops_time_and_paths() -> None:
    a = render(_result(), "json", RenderOptions(reproducible=True))
    doc = json.loads(a)
    assert doc["started_at"] is None and doc["roots"] == ["."]
    assert doc["stats"]["duration_s"] is None
    assert "/somewhere" not in a


def test_real_scan_is_schema_valid(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(
        "from transformers import AutoModelForCausalLM\n"
        'model = AutoModelForCausalLM.from_pretrained("Qwen/Qwen2.5-7B-Instruct")\n'
    )
    (tmp_path / "broken.py").write_text("def (:\n  from_pretrained('x/y')\n")
    (tmp_path / "w.safetensors").write_bytes(b"\x00" * 3)
    result = scan([tmp_path], ScanOptions(use_cache=False))
    doc = json.loads(render(result, "json"))
    _validate(doc)
    assert any(r["value"] == "Qwen/Qwen2.5-7B-Instruct" for r in doc["references"])
    assert doc["stats"]["files_seen"] == 3
