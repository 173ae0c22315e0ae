"""SARIF 2.1.0: snapshot, official-schema validation, rules, locations and fingerprints."""

from __future__ import annotations

import dataclasses
import json
from importlib import resources
from typing import Any

import jsonschema
import pytest

from modeldeps.errors import ReportError
from modeldeps.model import Location, ScanResult
from modeldeps.report import RenderOptions, render
from modeldeps.report.sarif import validate
from tests.report.snapshot import assert_snapshot

REPRO = RenderOptions(reproducible=True)


def _schema() -> dict[str, Any]:
    path = resources.files("modeldeps.report").joinpath("schemas/sarif-schema-2.1.0.json")
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _log(result: ScanResult, options: RenderOptions = REPRO) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(render(result, "sarif", options))
    return data


def test_snapshot(scan_result: ScanResult) -> None:
    assert_snapshot("report.sarif", render(scan_result, "sarif", REPRO))


@pytest.mark.parametrize("reproducible", [True, False])
def test_valid_against_the_official_schema(scan_result: ScanResult, reproducible: bool) -> None:
    log = _log(scan_result, RenderOptions(reproducible=reproducible))
    jsonschema.Draft4Validator.check_schema(_schema())
    jsonschema.Draft4Validator(_schema()).validate(log)
    assert log["version"] == "2.1.0" and len(log["runs"]) == 1


def test_empty_result_is_valid(empty_result: ScanResult) -> None:
    log = _log(empty_result)
    jsonschema.Draft4Validator(_schema()).validate(log)
    assert log["runs"][0]["results"] == []


def test_validation_rejects_a_broken_log(scan_result: ScanResult) -> None:
    log = _log(scan_result)
    log["runs"][0]["results"][0]["level"] = "fatal"
    with pytest.raises(ReportError, match="SARIF output invalid"):
        validate(log)


def test_rules_carry_metadata_for_code_scanning(scan_result: ScanResult) -> None:
    driver = _log(scan_result)["runs"][0]["tool"]["driver"]
    rules = {r["id"]: r for r in driver["rules"]}
    assert set(rules) == {f.rule_id for f in scan_result.findings}
    for rule in rules.values():
        for key in ("name", "shortDescription", "fullDescription", "help"):
            assert rule[key], (rule["id"], key)
        score = float(rule["properties"]["security-severity"])
        assert isinstance(rule["properties"]["security-severity"], str)
        assert 0.0 < score <= 10.0
        assert "security" in rule["properties"]["tags"]
    assert rules["MD201"]["defaultConfiguration"]["level"] == "error"
    assert float(rules["MD201"]["properties"]["security-severity"]) >= 9.0
    assert rules["MD302"]["defaultConfiguration"]["level"] == "note"
    # Metadata comes from the rule registry: documentation, remediation and CWE.
    assert "Remediation:" in rules["MD201"]["help"]["text"]
    assert "external/cwe/cwe-502" in rules["MD201"]["properties"]["tags"]
    assert rules["MD201"]["relationships"][0]["target"]["id"] == "502"
    assert rules["MD205"]["name"] == "TrustRemoteCode"


def test_results_point_at_relative_lines_with_fingerprints(scan_result: ScanResult) -> None:
    run = _log(scan_result)["runs"][0]
    rule_ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    by_rule: dict[str, list[dict[str, Any]]] = {}
    for res in run["results"]:
        assert rule_ids[res["ruleIndex"]] == res["ruleId"]
        by_rule.setdefault(res["ruleId"], []).append(res)
    (trust,) = by_rule["MD205"]
    phys = trust["locations"][0]["physicalLocation"]
    assert phys["artifactLocation"] == {"uri": "app/chat.py", "uriBaseId": "%SRCROOT%"}
    assert phys["region"] == {"startLine": 12}
    fingerprints = {f.rule_id + f.location.path: f.fingerprint for f in scan_result.findings}
    assert trust["partialFingerprints"] == {"modeldeps/v2": fingerprints["MD205app/chat.py"]}
    (pickle,) = by_rule["MD201"]
    assert "region" not in pickle["locations"][0]["physicalLocation"]  # no line for a weight file
    assert len(run["results"]) == len(scan_result.findings)


def test_paths_with_spaces_are_uri_encoded(scan_result: ScanResult) -> None:
    f = dataclasses.replace(scan_result.findings[0], location=Location("my dir/a#b.py", 3))
    log = _log(dataclasses.replace(scan_result, findings=(f,)))
    uri = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert uri["uri"] == "my%20dir/a%23b.py"


def test_skipped_files_become_notifications(scan_result: ScanResult) -> None:
    inv = _log(scan_result)["runs"][0]["invocations"][0]
    (note,) = inv["toolExecutionNotifications"]
    assert "invalid JSON" in note["message"]["text"]


def test_reproducible_drops_the_absolute_root(scan_result: ScanResult) -> None:
    assert "/home/dev" not in render(scan_result, "sarif", REPRO)
    run = _log(scan_result, RenderOptions())["runs"][0]
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == "file:///home/dev/src/acme-assistant/"


def test_credentials_are_redacted_and_order_does_not_matter(scan_result: ScanResult) -> None:
    text = render(scan_result, "sarif", REPRO)
    assert "hunter2" not in text and "svc-user" not in text
    shuffled = dataclasses.replace(scan_result, findings=tuple(reversed(scan_result.findings)))
    assert render(shuffled, "sarif", REPRO) == text


def test_a_finding_of_several_places_lists_them_all(scan_result: ScanResult) -> None:
    log = json.loads(render(scan_result, "sarif", RenderOptions(reproducible=True)))
    results = log["runs"][0]["results"]
    (unpinned,) = [
        r
        for r in results
        if r["ruleId"] == "MD401" and r["properties"]["subject"] == "Qwen/Qwen2.5-7B-Instruct"
    ]
    places = [
        (
            loc["physicalLocation"]["artifactLocation"]["uri"],
            loc["physicalLocation"]["region"]["startLine"],
        )
        for loc in unpinned["locations"]
    ]
    assert places == [("app/chat.py", 12), ("app/chat.py", 13)]
    validate(log)
