"""The scan cache: hits on unchanged files, misses on change, survives corruption."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from modeldeps.discover.cache import SCHEMA_VERSION, ScanCache


def test_hit_miss_and_salt(tmp_path: Path) -> None:
    db = tmp_path / "c.sqlite3"
    cache = ScanCache(db, "salt1")
    cache.put_many(
        [("/a", "10:1:1:7", "d1", {"x": 1}, False), ("/b", "20:2:2:8", "d2", {"y": 2}, True)]
    )
    assert cache.lookup_many([("/a", "10:1:1:7"), ("/b", "20:2:3:8")]) == {
        "/a": ("d1", {"x": 1}, False)
    }
    assert cache.lookup_many([("/b", "20:2:2:8")]) == {"/b": ("d2", {"y": 2}, True)}
    assert cache.get("d2") == {"y": 2}
    cache.close()
    other = ScanCache(db, "salt2")  # another detector set: nothing is reused
    assert other.lookup_many([("/a", "10:1:1:7")]) == {}
    assert other.get("d1") is None


def test_many_paths_in_chunks(tmp_path: Path) -> None:
    cache = ScanCache(tmp_path / "c.sqlite3", "s")
    rows = [(f"/f{i}", f"{i}", f"d{i}", [i], False) for i in range(1200)]
    cache.put_many(rows)
    found = cache.lookup_many((p, s) for p, s, _, _, _ in rows)
    assert len(found) == 1200 and found["/f1199"] == ("d1199", [1199], False)


def test_corrupt_database_degrades_to_misses(tmp_path: Path) -> None:
    db = tmp_path / "c.sqlite3"
    db.write_bytes(b"this is not a database" * 100)
    cache = ScanCache(db, "s")
    cache.put_many([("/a", "1", "d", {}, False)])
    assert cache.lookup_many([("/a", "1")]) == {}


def test_unwritable_location_degrades(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    cache = ScanCache(blocker / "sub" / "c.sqlite3", "s")  # parent is a file
    cache.put_many([("/a", "1", "d", {}, False)])
    assert cache.lookup_many([("/a", "1")]) == {}


def test_a_database_of_another_shape_is_emptied_not_misread(tmp_path: Path) -> None:
    db = tmp_path / "c.sqlite3"
    with sqlite3.connect(db) as old:  # the layout of an older release
        old.execute("CREATE TABLE files (path TEXT, size INTEGER, mtime_ns INTEGER, digest TEXT)")
        old.execute("INSERT INTO files VALUES ('/a', 1, 1, 'd')")
    cache = ScanCache(db, "s")
    cache.put_many([("/a", "1", "d", {"ok": True}, False)])
    assert cache.lookup_many([("/a", "1")]) == {"/a": ("d", {"ok": True}, False)}
    cache.close()
    with sqlite3.connect(db) as again:
        assert again.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)
