"""CycloneDX 1.6: snapshot, official-schema validation, and the fields the issue asks for."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator

from modeldeps.errors import ReportError
from modeldeps.model import ScanResult
from modeldeps.report import RenderOptions, render
from modeldeps.report.cyclonedx_bom import hub_purl, validate
from tests.report.snapshot import assert_snapshot

REPRO = RenderOptions(reproducible=True)


def _doc(result: ScanResult, options: RenderOptions = REPRO) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(render(result, "cyclonedx", options))
    return data


def _component(doc: dict[str, Any], bom_ref: str) -> dict[str, Any]:
    found: list[dict[str, Any]] = [c for c in doc["components"] if c["bom-ref"] == bom_ref]
    assert len(found) == 1, [c["bom-ref"] for c in doc["components"]]
    return found[0]


def _props(comp: dict[str, Any], name: str) -> list[str]:
    return [p["value"] for p in comp.get("properties", []) if p["name"] == f"modeldeps:{name}"]


def test_snapshot(scan_result: ScanResult) -> None:
    assert_snapshot("report.cdx.json", render(scan_result, "cyclonedx", REPRO))


@pytest.mark.parametrize("reproducible", [True, False])
def test_valid_against_the_official_schema(scan_result: ScanResult, reproducible: bool) -> None:
    text = render(scan_result, "cyclonedx", RenderOptions(reproducible=reproducible))
    error = JsonStrictValidator(SchemaVersion.V1_6).validate_str(text)
    assert error is None, str(error)
    assert json.loads(text)["specVersion"] == "1.6"


def test_empty_result_is_valid(empty_result: ScanResult) -> None:
    text = render(empty_result, "cyclonedx", REPRO)
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(text) is None


def test_validation_rejects_a_broken_document(scan_result: ScanResult) -> None:
    doc = _doc(scan_result)
    doc["components"][0]["type"] = "model"
    with pytest.raises(ReportError, match="components/0/type"):
        validate(json.dumps(doc))


def test_hub_model_component(scan_result: ScanResult) -> None:
    doc = _doc(scan_result)
    qwen = _component(doc, "pkg:huggingface/Qwen/Qwen2.5-7B-Instruct")
    assert qwen["type"] == "machine-learning-model"
    assert (qwen["group"], qwen["name"]) == ("Qwen", "Qwen2.5-7B-Instruct")
    assert qwen["licenses"] == [{"license": {"id": "Apache-2.0"}}]
    assert qwen["manufacturer"] == {"name": "Alibaba Cloud (Qwen)", "address": {"country": "CN"}}
    assert qwen["publisher"] == "Alibaba Cloud (Qwen)"
    assert _props(qwen, "country") == ["CN"]
    assert _props(qwen, "trust-remote-code") == ["true"]
    assert qwen["evidence"]["occurrences"] == [
        {"location": "app/chat.py", "line": 12},
        {"location": "app/chat.py", "line": 13},
    ]
    assert qwen["modelCard"]["modelParameters"] == {"architectureFamily": "qwen2.5"}
    limits = qwen["modelCard"]["considerations"]["technicalLimitations"]
    assert any(x.startswith("MD205") for x in limits)


def test_pinned_reupload_has_versioned_purl_supplier_and_lineage(scan_result: ScanResult) -> None:
    doc = _doc(scan_result)
    ref = (
        "pkg:huggingface/bartowski/Meta-Llama-3.1-8B-Instruct-GGUF"
        "@0a1b2c3d4e5f60718293a4b5c6d7e8f901234567"
    )
    llama = _component(doc, ref)
    assert llama["purl"] == ref  # commit revision lowercased, per the purl spec
    assert llama["version"] == "0a1b2c3d4e5f60718293a4b5c6d7e8f901234567"
    assert llama["supplier"]["name"] == "bartowski"
    assert llama["manufacturer"]["name"] == "Meta"
    assert llama["licenses"] == [{"license": {"name": "llama3.1"}}]  # no SPDX id exists
    (base,) = llama["pedigree"]["ancestors"]
    assert base["purl"] == "pkg:huggingface/meta-llama/Llama-3.1-8B-Instruct"
    assert _props(base, "relation") == ["quantized"]


def test_branch_revision_is_a_property_not_a_purl_version(scan_result: ScanResult) -> None:
    doc = _doc(scan_result)
    comps = [c for c in doc["components"] if c["name"] == "DeepSeek-R1-Distill-Llama-8B"]
    (distill,) = comps
    assert distill["purl"] == "pkg:huggingface/deepseek-ai/DeepSeek-R1-Distill-Llama-8B"
    assert _props(distill, "revision") == ["main"]
    assert _props(distill, "lineage-country") == ["US"]
    assert {lic["license"].get("id") for lic in distill["licenses"]} == {"MIT", None}


def test_api_model_unknown_model_and_endpoint(scan_result: ScanResult) -> None:
    doc = _doc(scan_result)
    gpt = _component(doc, "model:api_model:gpt-4o")
    assert "purl" not in gpt
    assert _props(gpt, "country") == ["US"]
    mystery = _component(doc, "pkg:huggingface/someone/mystery-model")
    assert _props(mystery, "country") == ["unknown"]
    assert "manufacturer" not in mystery
    (service,) = doc["services"]
    assert service["name"] == "api.deepseek.com"
    assert service["provider"]["address"]["country"] == "CN"


def test_artifacts_carry_hashes_and_findings(scan_result: ScanResult) -> None:
    doc = _doc(scan_result)
    pickle = _component(doc, "artifact:models/classifier.pt")
    assert pickle["hashes"] == [{"alg": "SHA-256", "content": "9f2c" + "0" * 60}]
    assert any(v.startswith("MD201 critical") for v in _props(pickle, "finding"))
    enc = _component(doc, "artifact:models/encoder/model.safetensors")
    assert enc["modelCard"]["modelParameters"]["architectureFamily"] == "bert"
    assert {"name": "modeldeps:parameters", "value": "109482240"} in enc["modelCard"]["properties"]


def test_sdks_are_library_components(scan_result: ScanResult) -> None:
    doc = _doc(scan_result)
    libs = {c["purl"]: c for c in doc["components"] if c["type"] == "library"}
    assert set(libs) == {
        "pkg:npm/%40anthropic-ai/sdk",
        "pkg:pypi/openai@1.51.0",
        "pkg:pypi/transformers",
        "pkg:pypi/vllm",
    }
    assert _props(libs["pkg:pypi/transformers"], "specifier") == [">=4.40"]
    deps = {d["ref"]: d.get("dependsOn", []) for d in doc["dependencies"]}
    assert set(deps["root"]) == {c["bom-ref"] for c in doc["components"]}


def test_credentials_never_appear(scan_result: ScanResult) -> None:
    text = render(scan_result, "cyclonedx", RenderOptions())
    assert "hunter2" not in text and "svc-user" not in text and "sk-abcdefgh" not in text
    assert "api.deepseek.com" in text


def test_reproducible_is_stable_and_order_independent(scan_result: ScanResult) -> None:
    first = render(scan_result, "cyclonedx", REPRO)
    shuffled = dataclasses.replace(
        scan_result,
        references=tuple(reversed(scan_result.references)),
        dependencies=tuple(reversed(scan_result.dependencies)),
        artifacts=tuple(reversed(scan_result.artifacts)),
        findings=tuple(reversed(scan_result.findings)),
    )
    assert render(shuffled, "cyclonedx", REPRO) == first
    doc = json.loads(first)
    assert "timestamp" not in doc["metadata"]
    assert "/home/dev" not in first


def test_serial_number_follows_content(scan_result: ScanResult) -> None:
    a = _doc(scan_result)["serialNumber"]
    fewer = dataclasses.replace(scan_result, references=scan_result.references[1:])
    assert _doc(fewer)["serialNumber"] != a
    timed = _doc(scan_result, RenderOptions())
    assert timed["metadata"]["timestamp"].startswith("2025-01-15T10:30:00")


def test_hub_purl_rules() -> None:
    assert str(hub_purl("org/name", "ABCDEF0123456789ABCDEF0123456789ABCDEF01")) == (
        "pkg:huggingface/org/name@abcdef0123456789abcdef0123456789abcdef01"
    )
    assert str(hub_purl("org/name", "v1.0")) == "pkg:huggingface/org/name"
    assert hub_purl("not a repo", None) is None


def test_validation_rejects_duplicate_components(scan_result: ScanResult) -> None:
    doc = _doc(scan_result)
    doc["components"].append(doc["components"][0])
    with pytest.raises(ReportError, match="non-unique"):
        validate(json.dumps(doc))
    official = JsonStrictValidator(SchemaVersion.V1_6).validate_str(json.dumps(doc))
    assert official is not None  # the library's validator agrees
