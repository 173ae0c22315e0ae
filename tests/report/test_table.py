"""Terminal table: snapshot, findings grouped by severity, share-by-country summary."""

from __future__ import annotations

from modeldeps.model import ScanResult
from modeldeps.report import RenderOptions, render
from tests.report.snapshot import assert_snapshot

REPRO = RenderOptions(reproducible=True)


def test_snapshot(scan_result: ScanResult) -> None:
    assert_snapshot("report.txt", render(scan_result, "table", REPRO))


def test_findings_grouped_most_severe_first_after_the_inventory(scan_result: ScanResult) -> None:
    text = render(scan_result, "table", REPRO)
    groups = [
        "CRITICAL findings (1)",
        "HIGH findings (2)",
        "MEDIUM findings (1)",
        "LOW findings (4)",
    ]
    places = [text.index(g) for g in groups]
    assert places == sorted(places)
    assert "INFO findings" not in text
    assert text.index("Model references (8)") < text.index("Share by country (8 models)")
    assert text.index("Share by country (8 models)") < places[0]


def test_headline_is_the_last_line(scan_result: ScanResult) -> None:
    last = render(scan_result, "table", REPRO).rstrip().splitlines()[-1]
    assert last == (
        "8 models in 8 references — by country: CN 38%, US 38%, unknown 25%; "
        "8 findings (1 critical, 2 high, 1 medium, 4 low)."
    )


def test_no_findings_and_no_duration_when_reproducible(empty_result: ScanResult) -> None:
    text = render(empty_result, "table", REPRO)
    assert "No findings." in text
    assert " s," not in text and "0.00 s" not in text
    assert "0 findings." in text.rstrip().splitlines()[-1]


def test_color_marks_severity_titles(scan_result: ScanResult) -> None:
    plain = render(scan_result, "table", REPRO)
    colored = render(scan_result, "table", RenderOptions(reproducible=True, color=True))
    assert "\x1b[" not in plain and "\x1b[" in colored
