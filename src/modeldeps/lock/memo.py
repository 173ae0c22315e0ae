"""A memo of file digests for ``scan``'s drift check, keyed by everything ``stat`` says of a file.

``verify`` always re-hashes. ``scan`` runs on every commit, and hashing a model cache of tens of
gigabytes each time would make it minutes slower, so it reuses a digest while the file's device,
inode, size, modification time and change time are all unchanged. Writing a file's bytes moves
its change time, which no user call can set back. Every failure is a miss, never a failed scan.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Sequence
from pathlib import Path

from modeldeps.discover.cache import open_cache_db
from modeldeps.lock.hashing import Hashed, hash_many

#: Bumped whenever the table changes shape: an older memo is emptied, not misread.
SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS digests (
    path TEXT NOT NULL, algorithm TEXT NOT NULL, stat TEXT NOT NULL, digest TEXT NOT NULL,
    size INTEGER NOT NULL, PRIMARY KEY (path, algorithm)
);
"""


def _stat_key(path: str) -> str | None:
    try:
        st = os.stat(path, follow_symlinks=False)
    except OSError:
        return None
    return f"{st.st_dev}:{st.st_ino}:{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}"


class DigestMemo:
    """Hashes through a SQLite memo; use as ``verify(..., hasher=memo.hash)``."""

    def __init__(self, path: Path, workers: int = 0) -> None:
        self.workers = workers
        self._db = open_cache_db(path, _SCHEMA, SCHEMA_VERSION)

    def hash(self, jobs: Sequence[tuple[str, str]], sizes: Sequence[int]) -> list[Hashed]:
        keys = [_stat_key(path) for path, _ in jobs]
        results: list[Hashed | None] = [None] * len(jobs)
        if self._db is not None:
            with contextlib.suppress(sqlite3.Error):
                for i, ((path, algorithm), key) in enumerate(zip(jobs, keys, strict=True)):
                    row = self._db.execute(
                        "SELECT stat, digest, size FROM digests WHERE path = ? AND algorithm = ?",
                        (path, algorithm),
                    ).fetchone()
                    if row is not None and key is not None and row[0] == key:
                        results[i] = Hashed(row[1], int(row[2]))
        todo = [i for i, r in enumerate(results) if r is None]
        fresh = hash_many([jobs[i] for i in todo], self.workers, [sizes[i] for i in todo])
        for i, got in zip(todo, fresh, strict=True):
            results[i] = got
            key = keys[i]
            after = _stat_key(jobs[i][0])
            if self._db is None or got.digest is None or key is None or after != key:
                continue  # changed while hashed: remember nothing
            with contextlib.suppress(sqlite3.Error):
                self._db.execute(
                    "INSERT OR REPLACE INTO digests VALUES (?, ?, ?, ?, ?)",
                    (jobs[i][0], jobs[i][1], key, got.digest, got.size),
                )
        return [r if r is not None else Hashed(None, None, "not hashed") for r in results]

    def close(self) -> None:
        if self._db is not None:
            with contextlib.suppress(sqlite3.Error):
                self._db.close()
            self._db = None
