"""scan-many on a real local Ray: same results as the pool, failures recorded, store via driver."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from modeldeps.cli import main
from modeldeps.options import ScanOptions
from modeldeps.scanmany.driver import scan_many
from modeldeps.scanmany.targets import expand
from modeldeps.serialize import to_data
from modeldeps.store import queries
from modeldeps.store.connect import open_store
from tests.scanmany.helpers import make_org

pytestmark = pytest.mark.xdist_group("ray")


def _contents(db: Path) -> dict[str, Any]:
    out = {}
    with open_store(str(db)) as store, store.read() as conn:
        for scan in queries.list_scans(conn):
            result = queries.load_result(conn, scan.id)
            assert result is not None
            data = to_data(result)
            for key in ("started_at", "stats"):
                data.pop(key)
            out[scan.repository] = data
    return out


def test_ray_and_the_pool_store_the_same(tmp_path: Path, ray_session: Any) -> None:
    org = tmp_path / "org"
    make_org(org, 5)
    gone = org / "svc-04"
    targets = expand([org])
    shutil.rmtree(gone)  # vanishes after planning: that repository fails, the others go on
    results = {}
    for executor in ("ray", "process"):
        db = tmp_path / f"{executor}.sqlite3"
        with open_store(str(db)) as store:
            summary = scan_many(
                store, targets, ScanOptions(use_cache=False), executor=executor, jobs=2
            )
        assert summary.count("stored") == 4
        [failed] = summary.failed
        assert failed.target == str(gone.resolve()) and "not a directory" in failed.reason
        results[executor] = _contents(db)
    assert results["ray"] == results["process"]
    assert len(results["ray"]) == 4


def test_cli_executor_ray_joins_the_running_ray(
    tmp_path: Path, ray_session: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    org = tmp_path / "org"
    make_org(org, 3)
    db = tmp_path / "s.sqlite3"
    code = main(
        ["scan-many", str(org), "--store", str(db), "--executor", "ray", "-q", "-f", "json"]
    )
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    assert [i["status"] for i in data["items"]] == ["stored"] * 3
    assert ray_session.is_initialized()  # a Ray the run did not start is left running
