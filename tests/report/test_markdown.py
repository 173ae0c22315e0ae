"""Markdown for pull-request comments: snapshot, structure, escaping, size caps."""

from __future__ import annotations

import dataclasses
import re

from modeldeps.model import Location, ModelReference, RefKind, ScanResult
from modeldeps.report import RenderOptions, render
from modeldeps.report import markdown as md
from tests.report.snapshot import assert_snapshot

REPRO = RenderOptions(reproducible=True)


def test_snapshot(scan_result: ScanResult) -> None:
    assert_snapshot("report.md", render(scan_result, "markdown", REPRO))


def test_sections_in_order_and_inventory_folded(scan_result: ScanResult) -> None:
    text = render(scan_result, "markdown", REPRO)
    heads = [text.index(h) for h in ("## modeldeps", "### Share by country", "### Findings")]
    assert heads == sorted(heads)
    inventory = text.index("<details><summary>Inventory (10)</summary>")
    assert inventory > heads[-1]
    assert text.index("`deploy/Modelfile:1`") > inventory  # inventory rows sit inside <details>
    assert "Findings: **1** critical · **2** high · **1** medium · **4** low" in text


def test_findings_are_listed_most_severe_first(scan_result: ScanResult) -> None:
    text = render(scan_result, "markdown", REPRO)
    section = text.split("### Findings", 1)[1].split("<details>", 1)[0]
    severities = re.findall(r"^\| (critical|high|medium|low|info) \|", section, re.M)
    order = ["critical", "high", "medium", "low", "info"]
    assert severities == sorted(severities, key=order.index)
    assert len(severities) == len(scan_result.findings)


def test_every_table_row_has_the_header_width(scan_result: ScanResult) -> None:
    hostile = ModelReference(
        RefKind.HUB_MODEL, "evil/a|b<script>`x`", Location("we|ird.py", 1), "python"
    )
    result = dataclasses.replace(scan_result, references=(*scan_result.references, hostile))
    text = render(result, "markdown", REPRO)
    # Markup may only appear inside code spans, where GitHub shows it literally.
    assert "<script>" not in re.sub(r"`[^`]*`", "", text)
    assert "`evil/a\\|b<script>'x'`" in text
    for block in text.split("\n\n"):
        lines = [ln for ln in block.splitlines() if ln.startswith("| ")]
        if lines:
            widths = {len(re.findall(r"(?<!\\)\|", ln)) for ln in lines}
            assert len(widths) == 1, block


def test_long_scans_are_capped(scan_result: ScanResult) -> None:
    many = tuple(
        dataclasses.replace(scan_result.findings[1], location=Location(f"f{i:03}.py", 1))
        for i in range(md.MAX_FINDING_ROWS + 7)
    )
    text = render(dataclasses.replace(scan_result, findings=many), "markdown", REPRO)
    assert "…and 7 more" in text
    assert text.count("| high | MD205 |") == md.MAX_FINDING_ROWS


def test_credentials_redacted_and_no_timestamp_when_reproducible(scan_result: ScanResult) -> None:
    text = render(scan_result, "markdown", REPRO)
    assert "hunter2" not in text and "sk-abcdefgh" not in text
    assert "2025-01-15" not in text
    assert "2025-01-15" in render(scan_result, "markdown", RenderOptions())


def test_empty_result(empty_result: ScanResult) -> None:
    text = render(empty_result, "markdown", REPRO)
    assert "No findings." in text and "<details>" not in text
