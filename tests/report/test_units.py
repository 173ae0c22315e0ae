"""Human-readable sizes and counts."""

from __future__ import annotations

from modeldeps.report.units import human_count, human_size


def test_sizes() -> None:
    assert human_size(0) == "0 B"
    assert human_size(1023) == "1023 B"
    assert human_size(1536) == "1.5 KB"
    assert human_size(3 * 1024**3) == "3.0 GB"
    assert human_size(5 * 1024**5) == "5120.0 TB"


def test_counts() -> None:
    assert human_count(None) == "" and human_count(None, "-") == "-"
    assert human_count(999) == "999"
    assert human_count(7_615_616_512) == "7.6B"
    assert human_count(135_000_000) == "135.0M"


def test_one_order_of_severities() -> None:
    # Reports, the organization report and the dashboard list severities worst first from
    # model.SEVERITY_ORDER; a list spelled out elsewhere could drift from the enum.
    import re
    from pathlib import Path

    import modeldeps
    from modeldeps.model import SEVERITY_ORDER, Severity

    assert [s.value for s in SEVERITY_ORDER] == ["critical", "high", "medium", "low", "info"]
    assert [s.rank for s in SEVERITY_ORDER] == sorted((s.rank for s in Severity), reverse=True)
    src = Path(modeldeps.__file__).resolve().parent
    spelled = re.compile(r"""["']critical["'],\s*["']high["']|sorted\(Severity""")
    assert [p.name for p in src.rglob("*.py") if spelled.search(p.read_text("utf-8"))] == []
