"""Two processes writing to one SQLite store at once both succeed (WAL, busy timeout,
BEGIN IMMEDIATE)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from modeldeps.store import queries
from modeldeps.store.connect import open_store
from tests.scanmany.helpers import make_repo

WRITER = """
import sys
from modeldeps.store.connect import open_store
from modeldeps.store.save import save_scan
from tests.store.builders import repo, rich_result
store = open_store(sys.argv[1])
for i in range(int(sys.argv[3])):
    with store.write() as conn:
        when = f"2026-11-01T10:{i:02d}:00+00:00"
        save_scan(conn, rich_result(when), repo(sys.argv[2], f"{i:040x}"))
"""


def test_two_scan_save_processes_at_once(tmp_path: Path) -> None:
    db = tmp_path / "store.sqlite3"
    a = make_repo(tmp_path / "a", 0)
    b = make_repo(tmp_path / "b", 1)
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "modeldeps",
                "scan",
                str(path),
                "--save",
                "--store",
                str(db),
                "--no-cache",
                "--fail-on",
                "none",
                "--format",
                "json",
                "-q",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for path in (a, b)
    ]
    errors = [p.communicate(timeout=120)[1].decode() for p in procs]
    assert [p.returncode for p in procs] == [0, 0], errors
    assert all("saved as scan #" in e for e in errors)
    with open_store(str(db)) as store, store.read() as conn:
        assert sorted(r.name for r in queries.list_repositories(conn)) == ["svc-0", "svc-1"]


def test_two_writers_hammering_one_store(tmp_path: Path) -> None:
    db = tmp_path / "store.sqlite3"
    open_store(str(db)).close()  # both start on an existing store, as in daily use
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(db), name, "15"],
            stderr=subprocess.PIPE,
            cwd=Path(__file__).resolve().parents[2],
        )
        for name in ("x", "y")
    ]
    errors = [p.communicate(timeout=120)[1].decode() for p in procs]
    assert [p.returncode for p in procs] == [0, 0], errors
    with open_store(str(db)) as store, store.read() as conn:
        assert len(queries.list_scans(conn, limit=100)) == 30
