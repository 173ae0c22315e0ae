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
