"""Repositories that took longest last time are scanned first; new ones lead."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from modeldeps.model import ScanStats
from modeldeps.scanmany.driver import _longest_first
from modeldeps.scanmany.targets import Target
from modeldeps.store.connect import open_store
from modeldeps.store.identify import identify
from tests.scanmany.helpers import make_repo
from tests.store.builders import result, save


def test_longest_first(tmp_path: Path) -> None:
    paths = [make_repo(tmp_path / n, i) for i, n in enumerate(("quick", "slow", "new", "mid"))]
    took = {"quick": 0.2, "slow": 9.0, "mid": 3.0}
    with open_store(str(tmp_path / "s.sqlite3")) as store:
        for path in paths:
            if path.name in took:
                stats = ScanStats(duration_s=took[path.name])
                save(store, dataclasses.replace(result(), stats=stats), identify(path))
        order = _longest_first(store, [Target(p.resolve(), str(p)) for p in paths])
    assert [t.path.name for t in order] == ["new", "slow", "mid", "quick"]
