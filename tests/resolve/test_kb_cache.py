"""KB start-up: libyaml safe loading, and the cache of the validated bundled document."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from modeldeps.errors import KnowledgeBaseError
from modeldeps.resolve.sources import bundled


@pytest.fixture
def fresh() -> Iterator[None]:
    """Forget the per-process copy so each call goes to the cache or the files."""
    bundled.bundled_document.cache_clear()
    yield
    bundled.bundled_document.cache_clear()


def _cache_files() -> list[Path]:
    return sorted(bundled.kb_cache_dir().glob("bundled-*.json"))


def _cached(path: Path) -> object:
    """The document in a KB cache file (after its header line with the document's SHA-256)."""
    return json.loads(path.read_bytes().partition(b"\n")[2])


def test_safe_loader_builds_no_objects() -> None:
    if hasattr(yaml, "CSafeLoader"):
        assert bundled._SAFE_LOADER.__name__ == "CSafeLoader"
    with pytest.raises(KnowledgeBaseError, match="not valid YAML"):
        bundled.parse_yaml("x: !!python/object/apply:os.system ['echo hi']\n", "evil.yaml")
    assert bundled.parse_yaml("a: [1, b]\n", "ok.yaml") == {"a": [1, "b"]}


def test_cache_is_written_once_and_equals_a_fresh_validated_parse(fresh: None) -> None:
    assert _cache_files() == []  # the test's own, empty cache directory
    first = bundled.bundled_document()
    (cache,) = _cache_files()
    bundled.bundled_document.cache_clear()
    again = bundled.bundled_document()
    assert again == first and _cached(cache) == first
    # the same document built by hand from the YAML files, and it passes the schema
    by_hand: dict[str, object] = {k: v for k, v in bundled.manifest().items() if k != "files"}
    for name in bundled.manifest()["files"]:
        bundled.merge_into(
            by_hand, bundled.parse_yaml(bundled._read_text(name), name), overlay=False
        )
    assert by_hand == first
    bundled.validate(first, "cached")


@pytest.mark.parametrize("junk", ["{not json", '{"kb_version": "0.0.0", "publishers": []}', "[]"])
def test_damaged_or_stale_cache_is_ignored_and_rewritten(fresh: None, junk: str) -> None:
    good = bundled.bundled_document()
    (cache,) = _cache_files()
    cache.write_text(junk, encoding="utf-8")
    bundled.bundled_document.cache_clear()
    assert bundled.bundled_document() == good
    assert _cached(cache) == good


def test_unwritable_cache_dir_still_loads(
    fresh: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "file-not-dir"
    blocker.write_text("x", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    assert bundled.bundled_document()["publishers"]
