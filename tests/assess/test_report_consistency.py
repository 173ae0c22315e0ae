"""Every report counts and shows the assessed findings, never the inspectors' originals."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from modeldeps.assess import assess
from modeldeps.assess.knowledge import StaticKnowledge
from modeldeps.model import (
    ArtifactInfo,
    Confidence,
    Finding,
    Location,
    ScanResult,
    Severity,
)
from modeldeps.report import formats, render
from modeldeps.report.interface import RenderOptions
from tests.assess.helpers import policy, result

# Rule ids an inspector puts on the artifact, before policy: MD201 critical, MD203 low.
PICKLE = "weights/model.pkl"


def _inspected() -> ScanResult:
    def finding(rule: str, severity: Severity, subject: str) -> Finding:
        return Finding(
            rule, severity, Confidence.HIGH, rule, f"{rule} on {subject}", Location(PICKLE),
            subject=subject,
        )  # fmt: skip

    art = ArtifactInfo(
        Location(PICKLE),
        "pickle",
        120,
        findings=(
            finding("MD201", Severity.CRITICAL, "posix.system"),
            finding("MD203", Severity.LOW, PICKLE),
        ),
    )
    return result(artifacts=(art,))


@pytest.fixture(scope="module")
def assessed() -> ScanResult:
    pol = policy(
        watch={},
        severity={"MD203": "high", "MD103": "off"},
        ignore=[{"rule": "MD201", "path": "weights/*.pkl", "reason": "test fixture, SEC-1"}],
    )
    out = assess(_inspected(), pol, StaticKnowledge())
    # The policy worked: MD201 is hidden and MD203 re-graded; the artifact keeps the originals.
    assert [(f.rule_id, f.severity) for f in out.findings] == [("MD203", Severity.HIGH)]
    assert {f.rule_id for f in out.artifacts[0].findings} == {"MD201", "MD203"}
    return out


def _texts(res: ScanResult) -> dict[str, str]:
    return {fmt: render(res, fmt, RenderOptions(reproducible=True)) for fmt in formats()}


def test_no_format_shows_a_suppressed_inspector_finding(assessed: ScanResult) -> None:
    for fmt, text in _texts(assessed).items():
        if fmt == "json":
            continue  # checked below: only in the artifact's inspector record
        assert "MD201" not in text, fmt
        assert "critical" not in text.lower() or fmt == "html", fmt  # html: its stylesheet
        assert "MD203" in text, fmt


def test_json_counts_only_assessed_findings(assessed: ScanResult) -> None:
    data: dict[str, Any] = json.loads(render(assessed, "json"))
    assert [(f["rule_id"], f["severity"]) for f in data["findings"]] == [("MD203", "high")]
    assert data["summary"]["findings_by_severity"] == [["high", 1]]
    # The artifact record keeps what the inspector saw, before policy (documented as such).
    (art,) = data["artifacts"]
    assert sorted(f["rule_id"] for f in art["findings"]) == ["MD201", "MD203"]


def test_sarif_results_and_rules_follow_the_policy(assessed: ScanResult) -> None:
    sarif = json.loads(render(assessed, "sarif"))
    run = sarif["runs"][0]
    assert [(r["ruleId"], r["level"]) for r in run["results"]] == [("MD203", "error")]
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == ["MD203"]


def test_cyclonedx_artifact_lists_assessed_findings(assessed: ScanResult) -> None:
    bom = json.loads(render(assessed, "cyclonedx"))
    (comp,) = [c for c in bom["components"] if c["bom-ref"] == f"artifact:{PICKLE}"]
    props = [p["value"] for p in comp["properties"] if p["name"].endswith(":finding")]
    assert props == ["MD203 high: Pickle-capable format where a safe format exists"]
    card = comp.get("modelCard", {})
    limits = card.get("considerations", {}).get("technicalLimitations", [])
    assert all("MD201" not in x for x in limits)


def test_table_markdown_html_count_one_finding_on_the_artifact(assessed: ScanResult) -> None:
    texts = _texts(assessed)
    table = texts["table"]
    row = next(line for line in table.splitlines() if PICKLE in line and "pickle" in line)
    assert re.search(r"\b1 \(high\)", row), row
    assert "1 findings (1 high)" in table
    assert "HIGH findings (1)" in table and "CRITICAL" not in table
    md = texts["markdown"]
    assert "**1** high" in md and "critical" not in md.lower()
    html = texts["html"]
    assert f'data-location="{PICKLE}:000000000"' in html
    assert re.search(rf'data-location="{re.escape(PICKLE)}:0+"[^>]*data-findings="1"', html)
