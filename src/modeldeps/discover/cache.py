"""Content-hash cache of detector results, so an unchanged re-scan reads almost nothing.

Two tables: ``files`` maps a path and its stat (size, modification and change times, inode) to
the content digest seen last time, so a warm scan need not even read an unchanged file;
``results`` maps (digest, detector-set salt) to the detector output with paths left out, so a
renamed or copied file is a hit too. A third, ``scans``, holds whole-scan results by key.
Callers check every entry against its schema (``serialize.decode``); the cache only stores.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import Any

#: Bumped whenever a table changes shape: an older database is emptied, not misread.
SCHEMA_VERSION = 3

_SCHEMA = """
CREATE TABLE IF NOT EXISTS files (
    path TEXT PRIMARY KEY, stat TEXT NOT NULL, digest TEXT NOT NULL, racy INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS results (
    digest TEXT NOT NULL, salt TEXT NOT NULL, payload TEXT NOT NULL, PRIMARY KEY (digest, salt)
);
CREATE TABLE IF NOT EXISTS scans (
    key TEXT PRIMARY KEY, payload TEXT NOT NULL, stored INTEGER NOT NULL
);
"""

#: Whole-scan results kept; the oldest go first (one per tree, options and day is typical).
MAX_SCANS = 64


def open_cache_db(path: Path, schema: str, version: int) -> sqlite3.Connection | None:
    """The SQLite file of a cache, with ``schema``: a file written at another ``version`` is
    emptied first (an older layout is never misread). ``None`` when it cannot be opened, so
    every cache failure is a miss, never a failed command."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(str(path), timeout=5.0, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")  # a lost write is a later miss, nothing worse
        (found,) = db.execute("PRAGMA user_version").fetchone()
        if found != version:
            tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
            for name in tables:
                db.execute(f'DROP TABLE IF EXISTS "{name}"')
            db.execute(f"PRAGMA user_version = {int(version)}")
        db.executescript(schema)
        return db
    except (sqlite3.Error, OSError):
        return None


class ScanCache:
    """A SQLite-backed cache; every failure degrades to a cache miss, never a failed scan."""

    def __init__(self, path: Path, salt: str) -> None:
        self.salt = salt
        self._db = open_cache_db(path, _SCHEMA, SCHEMA_VERSION)

    def lookup_many(self, keys: Iterable[tuple[str, str]]) -> dict[str, tuple[str, Any, bool]]:
        """For each ``(path, stat)`` still unchanged: the digest, the cached payload, and whether
        the entry was stored while the file was racily new (then its content must be checked)."""
        if self._db is None:
            return {}
        wanted = dict(keys)
        paths = list(wanted)
        found: dict[str, tuple[str, Any, bool]] = {}
        try:
            for start in range(0, len(paths), 500):
                chunk = paths[start : start + 500]
                marks = ",".join("?" * len(chunk))
                # Only "?" placeholders are interpolated; values travel as parameters.
                head = "SELECT f.path, f.stat, f.digest, f.racy, r.payload FROM files f "
                join = "JOIN results r ON r.digest = f.digest AND r.salt = ? "
                query = f"{head}{join}WHERE f.path IN ({marks})"
                rows = self._db.execute(query, (self.salt, *chunk))
                for path, stat, digest, racy, payload in rows:
                    if wanted.get(path) == stat and isinstance(digest, str):
                        found[path] = (digest, json.loads(payload), bool(racy))
        except (sqlite3.Error, ValueError, TypeError):
            return {}
        return found

    def get(self, digest: str) -> Any | None:
        """The payload stored for a content digest, or ``None``."""
        if self._db is None:
            return None
        try:
            row = self._db.execute(
                "SELECT payload FROM results WHERE digest = ? AND salt = ?", (digest, self.salt)
            ).fetchone()
            return None if row is None else json.loads(row[0])
        except (sqlite3.Error, json.JSONDecodeError):
            return None

    def put_many(self, entries: Iterable[tuple[str, str, str, Any, bool]]) -> None:
        """Store ``(path, stat, digest, payload, racy)`` rows in one transaction."""
        if self._db is None:
            return
        rows = list(entries)
        if not rows:
            return
        try:
            with contextlib.closing(self._db.cursor()) as cur:
                cur.execute("BEGIN")
                cur.executemany(
                    "INSERT OR REPLACE INTO files(path, stat, digest, racy) VALUES (?,?,?,?)",
                    [(p, s, d, int(r)) for p, s, d, _, r in rows],
                )
                cur.executemany(
                    "INSERT OR REPLACE INTO results(digest, salt, payload) VALUES (?,?,?)",
                    [(d, self.salt, json.dumps(payload)) for _, _, d, payload, _ in rows],
                )
                cur.execute("COMMIT")
        except sqlite3.Error:
            with contextlib.suppress(sqlite3.Error):
                self._db.execute("ROLLBACK")

    def get_scan(self, key: str) -> Any | None:
        """The stored whole-scan result for ``key`` (see ``pipeline.scan_key``), or ``None``."""
        if self._db is None:
            return None
        try:
            row = self._db.execute("SELECT payload FROM scans WHERE key = ?", (key,)).fetchone()
            return None if row is None else json.loads(row[0])
        except (sqlite3.Error, ValueError, TypeError, RecursionError):
            return None

    def put_scan(self, key: str, payload: Any) -> None:
        """Store a whole-scan result, keeping only the newest ``MAX_SCANS``."""
        if self._db is None:
            return
        try:
            with contextlib.closing(self._db.cursor()) as cur:
                cur.execute("BEGIN")
                cur.execute(
                    "INSERT OR REPLACE INTO scans(key, payload, stored) VALUES (?, ?, "
                    "(SELECT COALESCE(MAX(stored), 0) + 1 FROM scans))",
                    (key, json.dumps(payload)),
                )
                cur.execute(
                    "DELETE FROM scans WHERE stored <= (SELECT MAX(stored) FROM scans) - ?",
                    (MAX_SCANS,),
                )
                cur.execute("COMMIT")
        except sqlite3.Error:
            with contextlib.suppress(sqlite3.Error):
                self._db.execute("ROLLBACK")

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
