"""Properties every registered format keeps: pure, sorted, reproducible, redacted; JSON snapshot."""

from __future__ import annotations

import dataclasses
import json

import pytest

from modeldeps.model import ScanResult
from modeldeps.report import RenderOptions, formats, render, reporter_classes
from tests.report.snapshot import assert_snapshot

REPRO = RenderOptions(reproducible=True)


def _shuffled(result: ScanResult) -> ScanResult:
    return dataclasses.replace(
        result,
        references=tuple(reversed(result.references)),
        dependencies=tuple(reversed(result.dependencies)),
        artifacts=tuple(reversed(result.artifacts)),
        findings=tuple(reversed(result.findings)),
        skipped=tuple(reversed(result.skipped)),
    )


def test_the_issue_formats_are_registered() -> None:
    assert set(formats()) >= {"table", "json", "cyclonedx", "sarif", "markdown", "html"}
    classes = reporter_classes()
    assert [cls.name for cls in classes] == list(formats())  # each module names its format


@pytest.mark.parametrize("fmt", formats())
def test_reproducible_output_ignores_the_clock(scan_result: ScanResult, fmt: str) -> None:
    text = render(scan_result, fmt, REPRO)
    later = dataclasses.replace(
        scan_result,
        started_at="2031-12-31T23:59:59Z",
        stats=dataclasses.replace(scan_result.stats, duration_s=99.5),
    )
    assert render(later, fmt, REPRO) == text
    assert "/home/dev" not in text


@pytest.mark.parametrize("fmt", formats())
def test_output_ignores_input_order(scan_result: ScanResult, fmt: str) -> None:
    text = render(scan_result, fmt, REPRO)
    assert render(_shuffled(scan_result), fmt, REPRO) == text


@pytest.mark.parametrize("fmt", formats())
def test_credentials_never_leak(scan_result: ScanResult, fmt: str) -> None:
    for options in (REPRO, RenderOptions()):
        text = render(scan_result, fmt, options)
        for secret in ("hunter2", "svc-user", "sk-abcdefghijklmnop"):
            assert secret not in text, (fmt, secret)


def test_json_snapshot(scan_result: ScanResult) -> None:
    text = render(scan_result, "json", REPRO)
    assert text.count("\n") == 1  # one compact line, so large reports stay fast to write
    # Stored indented so that a change reads as a diff.
    assert_snapshot(
        "report.json", json.dumps(json.loads(text), indent=2, ensure_ascii=False) + "\n"
    )
