"""The local pool with real worker processes: a crash, a hang or an error fails one repository."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from modeldeps.options import ScanOptions
from modeldeps.scanmany.pool import run_pool
from tests.scanmany.helpers import misbehaving


def test_one_bad_repository_never_stops_the_others(tmp_path: Path) -> None:
    names = ["a", "crash", "b", "hang", "c", "boom", "d"]
    outcomes: dict[str, dict[str, Any]] = {}

    def on_result(index: int, data: dict[str, Any]) -> None:
        outcomes[names[index]] = data

    run_pool(
        [str(tmp_path / n) for n in names],
        ScanOptions(),
        on_result,
        jobs=2,
        timeout=3.0,
        work=misbehaving,
    )
    assert set(outcomes) == set(names)
    assert all(outcomes[n]["ok"] for n in "abcd")
    assert not outcomes["crash"]["ok"] and "SIGKILL" in outcomes["crash"]["reason"]
    assert not outcomes["hang"]["ok"] and "timed out after 3 s" in outcomes["hang"]["reason"]
    # an exception escaping the work function kills only its worker, too
    assert not outcomes["boom"]["ok"]
    assert len({outcomes[n]["pid"] for n in "abcd"}) >= 2  # dead workers were replaced
