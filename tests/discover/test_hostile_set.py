"""The hostile set end to end: every malicious file high in inspect and scan, no benign file
above low, crafted-but-inert files medium, and no payload ever runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from modeldeps.cli.inspect_cmd import run_inspect
from modeldeps.model import Finding, Severity
from modeldeps.options import ScanOptions
from modeldeps.pipeline import scan
from tests.discover.inspectors import pickle_gen as g
from tests.discover.inspectors.hostile_set import Sample, build


def _worst(findings: list[Finding]) -> dict[str, int]:
    """Highest code-execution severity (MD2xx) per file: the unsafe-detection verdict."""
    out: dict[str, int] = {}
    for f in findings:
        if f.rule_id.startswith("MD2"):
            out[f.location.path] = max(out.get(f.location.path, -1), f.severity.rank)
    return out


def _expected(sample: Sample, rank: int) -> bool:
    if sample.label == "malicious":
        return rank >= Severity.HIGH.rank
    if sample.label == "benign":
        return rank <= Severity.LOW.rank
    return rank == Severity.MEDIUM.rank


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Sample]]:
    root = tmp_path_factory.mktemp("hostile") / "set"
    return root, build(root, filler_mb=2)


def test_every_class_has_several_variants(hostile: tuple[Path, list[Sample]]) -> None:
    _root, samples = hostile
    per_class: dict[str, int] = {}
    for s in samples:
        per_class[s.cls] = per_class.get(s.cls, 0) + 1
    assert set(per_class) == {
        "names", "parser", "limits", "gadgets", "formats", "templates", "output",
        "benign", "crafted",
    }  # fmt: skip
    assert min(per_class.values()) >= 2


def test_inspect_and_scan_judge_every_file_right(hostile: tuple[Path, list[Sample]]) -> None:
    root, samples = hostile
    g.MARKER.unlink(missing_ok=True)
    infos, _roots, _skipped, _dirs = run_inspect([root], quiet=True)
    inspected = _worst([f for i in infos for f in i.findings])
    scanned = _worst(list(scan([root], ScanOptions(use_cache=False)).findings))
    wrong = [
        (s.rel, s.technique, inspected.get(s.rel, -1), scanned.get(s.rel, -1))
        for s in samples
        if not (_expected(s, inspected.get(s.rel, -1)) and _expected(s, scanned.get(s.rel, -1)))
    ]
    assert wrong == []
    assert not g.MARKER.exists(), "a payload ran"
