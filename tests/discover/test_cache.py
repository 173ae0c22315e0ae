"""The scan cache: hits on unchanged files, misses on change, survives corruption."""

from __future__ import annotations

from pathlib import Path

from modeldeps.discover.cache import ScanCache


def test_hit_miss_and_salt(tmp_path: Path) -> None:
    db = tmp_path / "c.sqlite3"
    cache = ScanCache(db, "salt1")
    cache.put_many([("/a", 10, 1, "d1", {"x": 1}), ("/b", 20, 2, "d2", {"y": 2})])
    assert cache.lookup_many([("/a", 10, 1), ("/b", 20, 3)]) == {"/a": ("d1", {"x": 1})}
    assert cache.get("d2") == {"y": 2}
    cache.close()
    other = ScanCache(db, "salt2")  # another detector set: nothing is reused
    assert other.lookup_many([("/a", 10, 1)]) == {}
    assert other.get("d1") is None


def test_many_paths_in_chunks(tmp_path: Path) -> None:
    cache = ScanCache(tmp_path / "c.sqlite3", "s")
    rows = [(f"/f{i}", i, i, f"d{i}", [i]) for i in range(1200)]
    cache.put_many(rows)
    found = cache.lookup_many((p, s, m) for p, s, m, _, _ in rows)
    assert len(found) == 1200 and found["/f1199"] == ("d1199", [1199])


def test_corrupt_database_degrades_to_misses(tmp_path: Path) -> None:
    db = tmp_path / "c.sqlite3"
    db.write_bytes(b"this is not a database" * 100)
    cache = ScanCache(db, "s")
    cache.put_many([("/a", 1, 1, "d", {})])
    assert cache.lookup_many([("/a", 1, 1)]) == {}


def test_unwritable_location_degrades(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    cache = ScanCache(blocker / "sub" / "c.sqlite3", "s")  # parent is a file
    cache.put_many([("/a", 1, 1, "d", {})])
    assert cache.lookup_many([("/a", 1, 1)]) == {}
