"""Precision and recall of discovery over the hand-labelled example projects in tests/corpus/."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from modeldeps.options import ScanOptions
from modeldeps.pipeline import scan

CORPUS = Path(__file__).parent / "corpus"

Key = tuple[str, str, str, int | None]


def _projects() -> list[Path]:
    return sorted(
        CORPUS / p.name.removesuffix(".expected.json") for p in CORPUS.glob("*.expected.json")
    )


def _expected(project: Path) -> set[Key]:
    expected_file = project.with_name(project.name + ".expected.json")
    rows = json.loads(expected_file.read_text(encoding="utf-8"))
    return {(r["kind"], r["value"], r["path"], r.get("line")) for r in rows}


def _found(project: Path) -> set[Key]:
    opts = ScanOptions(use_cache=False, resolve=False, assess=False, inspect_artifacts=False)
    result = scan([project], opts)
    return {(r.kind.value, r.value, r.location.path, r.location.line) for r in result.references}


def test_corpus_is_substantial() -> None:
    projects = _projects()
    assert len(projects) >= 8, "tests/corpus should hold example projects with expected files"
    total = sum(len(_expected(p)) for p in projects)
    assert total >= 150, f"only {total} labelled references in the corpus"


@pytest.mark.parametrize("project", _projects(), ids=lambda p: p.name)
def test_project_has_its_folder(project: Path) -> None:
    assert project.is_dir(), f"{project.name}.expected.json has no project folder"


def test_precision_and_recall_at_least_95_percent() -> None:
    tp = fp = fn = 0
    misses: list[str] = []
    for project in _projects():
        expected = _expected(project)
        found = _found(project)
        tp += len(expected & found)
        for key in sorted(found - expected, key=str):
            fp += 1
            misses.append(f"false positive  {project.name}: {key}")
        for key in sorted(expected - found, key=str):
            fn += 1
            misses.append(f"missed          {project.name}: {key}")
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    report = "\n".join(misses[:200])
    assert precision >= 0.95 and recall >= 0.95, (
        f"precision {precision:.3f}, recall {recall:.3f} (tp={tp} fp={fp} fn={fn})\n{report}"
    )


def test_demo_project_matches_its_hand_checked_inventory() -> None:
    """``make demo`` scans this project; every reference in it was checked by hand."""
    demo = Path(__file__).parent.parent / "examples" / "demo-project"
    rows = json.loads((Path(__file__).parent / "data" / "demo-project.expected.json").read_text())
    expected = {(r["kind"], r["value"], r["path"], r["line"]) for r in rows}
    found = _found(demo)
    assert found == expected, (sorted(found - expected), sorted(expected - found))
