"""A scan-many killed with SIGKILL keeps every earlier scan and a usable store; --resume
completes the rest. A real process, really killed."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from modeldeps.store import queries
from modeldeps.store.connect import open_store
from tests.scanmany.helpers import make_repo

REPOS = 14


def _stored(db: Path) -> int:
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
            return int(conn.execute("SELECT count(*) FROM scans").fetchone()[0])
    except sqlite3.Error:
        return 0


def _scan_many(org: Path, db: Path, *extra: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "modeldeps",
            "scan-many",
            str(org),
            "--store",
            str(db),
            "--jobs",
            "1",
            "--no-cache",
            "--quiet",
            *extra,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def test_killed_mid_run_then_resumed(tmp_path: Path) -> None:
    org = tmp_path / "org"
    for i in range(REPOS):
        # some plain trees (no git): --resume recognises them by their files
        make_repo(org / f"svc-{i:02d}", i, git=i % 4 != 0, files=60)
    db = tmp_path / "store.sqlite3"
    proc = _scan_many(org, db)
    deadline = time.monotonic() + 120
    while _stored(db) < 3 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert proc.poll() is None, "the run ended before it could be killed"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(30)
    assert proc.returncode == -signal.SIGKILL

    with sqlite3.connect(db) as raw:
        assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    with open_store(str(db)) as store, store.read() as conn:
        scans = queries.list_scans(conn)
        assert 3 <= len(scans) < REPOS
        for scan in scans:  # every scan saved before the kill is whole
            result = queries.load_result(conn, scan.id)
            assert result is not None and len(result.references) == scan.references >= 1
        [run] = queries.list_runs(conn)
        assert run.finished_at is None  # the killed run is seen as unfinished
    before = len(scans)

    again = _scan_many(org, db, "--resume")
    _, err = again.communicate(timeout=300)
    assert again.returncode == 0, err.decode()
    with open_store(str(db)) as store, store.read() as conn:
        assert len(queries.list_scans(conn)) == REPOS
        assert len(queries.list_repositories(conn)) == REPOS
        last = queries.list_runs(conn)[0]
    assert last.finished_at is not None
    assert (last.skipped, last.stored, last.failed) == (before, REPOS - before, 0)
