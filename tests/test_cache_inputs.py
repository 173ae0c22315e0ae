"""Caches that know their inputs: a cached scan never differs from a ``--no-cache`` scan.

Each scenario is a way the whole-scan, per-file or knowledge-base caches once returned a stale or
broken verdict. Every scan here runs the real CLI in this process, with its own cache folder.
"""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import pytest

from modeldeps import pipeline
from modeldeps.cli import main

QWEN_TRC = (
    "from transformers import AutoModel\n"
    'm = AutoModel.from_pretrained("Qwen/Qwen2.5-7B-Instruct", trust_remote_code=True)\n'
)
DEEPSEEK = (
    "from openai import OpenAI\n"
    'c = OpenAI(base_url="https://api.deepseek.com/v1")\n'
    'c.chat.completions.create(model="deepseek-chat", messages=[])\n'
)


def _scan(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, object]]:
    code = main(["scan", *args, "-q", "-f", "json", "--reproducible"])
    out = capsys.readouterr().out
    doc: dict[str, object] = json.loads(out) if out else {}
    if doc:
        doc["stats"] = None  # counts of cached files differ by design; the verdict may not
    return code, doc


def _same(capsys: pytest.CaptureFixture[str], *args: str) -> int:
    """Scan with the cache and without it; both must agree. Returns the exit code."""
    cached = _scan(capsys, *args)
    fresh = _scan(capsys, *args, "--no-cache")
    assert cached == fresh
    return cached[0]


def _age(path: Path, seconds: float = 60.0) -> None:
    """Make a file look written a while ago (its ctime stays: only the kernel sets that)."""
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns - int(seconds * 1e9)))


def test_a_gitignored_policy_file_is_an_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "p"
    root.mkdir()
    (root / "app.py").write_text(QWEN_TRC)
    (root / ".gitignore").write_text(".modeldeps.toml\n")
    (root / ".modeldeps.toml").write_text("[severity]\nMD205 = 'high'\n")
    assert _same(capsys, str(root)) == 1  # MD205 is high
    (root / ".modeldeps.toml").write_text("[severity]\nMD205 = 'low'\n")
    assert _same(capsys, str(root)) == 0


def test_the_parent_policy_of_a_single_file_scan_is_an_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "p"
    root.mkdir()
    (root / "app.py").write_text(QWEN_TRC)
    (root / ".modeldeps.toml").write_text("[severity]\nMD205 = 'high'\n")
    assert _same(capsys, str(root / "app.py")) == 1
    (root / ".modeldeps.toml").write_text("[severity]\nMD205 = 'low'\n")
    assert _same(capsys, str(root / "app.py")) == 0


def test_a_same_size_swap_with_the_mtime_restored_is_seen(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "p"
    root.mkdir()
    app = root / "app.py"
    app.write_text(QWEN_TRC)
    _age(app)
    # Trust the stat at once (no racy window), so the change time alone must reveal the edit.
    monkeypatch.setattr(pipeline, "RACY_S", 0.0)
    assert _same(capsys, str(root)) == 1
    before = app.stat()
    app.write_text(QWEN_TRC.replace("True", "None"))  # same size, no trust_remote_code
    os.utime(app, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert app.stat().st_size == before.st_size
    assert app.stat().st_mtime_ns == before.st_mtime_ns
    assert _same(capsys, str(root)) == 0


def _cache_db(cache_home: Path) -> Path:
    (db,) = cache_home.rglob("scan-cache.sqlite3")
    return db


@pytest.mark.parametrize(
    "payload",
    [
        '{"roots": 3}',
        "[]",
        '"a string"',
        "null",
    ],
)
def test_a_whole_scan_entry_of_the_wrong_shape_is_a_miss(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    _isolated_cache: Path,
    payload: str,
) -> None:
    root = tmp_path / "p"
    root.mkdir()
    (root / "app.py").write_text(DEEPSEEK)
    assert _same(capsys, str(root)) == 1
    with sqlite3.connect(_cache_db(_isolated_cache)) as db:
        db.execute("UPDATE scans SET payload = ?", (payload,))
    assert _same(capsys, str(root)) == 1


def test_entries_that_decode_but_lie_are_misses(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], _isolated_cache: Path
) -> None:
    root = tmp_path / "p"
    root.mkdir()
    (root / "app.py").write_text(DEEPSEEK)
    _age(root / "app.py")
    code, first = _scan(capsys, str(root))
    assert code == 1
    with sqlite3.connect(_cache_db(_isolated_cache)) as db:
        (stored,) = db.execute("SELECT payload FROM scans").fetchone()
        doc = json.loads(stored)
        for ref in doc["references"]:
            ref["identity"] = "not an identity"  # once silently dropped every identity
        db.execute("UPDATE scans SET payload = ?", (json.dumps(doc),))
        rows = db.execute("SELECT digest, payload FROM results").fetchall()
        for digest, payload in rows:
            data = json.loads(payload)
            for ref in data.get("references", []):
                ref["location"] = {"path": "x", "line": "not a line", "column": None}
            db.execute(
                "UPDATE results SET payload = ? WHERE digest = ?", (json.dumps(data), digest)
            )
    assert _scan(capsys, str(root)) == (1, first)
    assert _same(capsys, str(root)) == 1


def test_the_knowledge_base_cache_is_checked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], _isolated_cache: Path
) -> None:
    from modeldeps.resolve.sources import bundled

    root = tmp_path / "p"
    root.mkdir()
    (root / "app.py").write_text(DEEPSEEK)
    bundled.bundled_document.cache_clear()
    bundled._load_kb.cache_clear()
    assert _scan(capsys, str(root), "--no-cache")[0] == 1
    assert _scan(capsys, str(root))[0] == 1  # writes the KB cache
    (kb_cache,) = _isolated_cache.rglob("bundled-*.json")
    text = kb_cache.read_text(encoding="utf-8")
    assert '"prc"' in text
    tampered = text.replace('"prc"', '"none"').replace('"CN"', '"US"')  # DeepSeek is now "US"
    kb_cache.write_text(tampered, encoding="utf-8")
    bundled.bundled_document.cache_clear()
    bundled._load_kb.cache_clear()
    assert _scan(capsys, str(root), "--no-cache")[0] == 1
    bundled.bundled_document.cache_clear()
    bundled._load_kb.cache_clear()
    assert _scan(capsys, str(root))[0] == 1  # the edited cache is noticed, not believed


def test_no_cache_writes_no_cache_of_any_kind(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], _isolated_cache: Path
) -> None:
    from modeldeps.resolve.sources import bundled

    bundled.bundled_document.cache_clear()
    bundled._load_kb.cache_clear()
    root = tmp_path / "p"
    root.mkdir()
    (root / "app.py").write_text(DEEPSEEK)
    assert _scan(capsys, str(root), "--no-cache")[0] == 1
    assert [p for p in _isolated_cache.rglob("*") if p.is_file()] == []


def test_the_detector_cache_salt_follows_the_detector_source(tmp_path: Path) -> None:
    import shutil

    from modeldeps.discover import engine

    copy = tmp_path / "discover"
    shutil.copytree(Path(engine.__file__).parent, copy)
    before = engine.detector_salt("0", copy)
    source = copy / "detectors" / "modelfile.py"
    source.write_text(source.read_text() + "\n# a change in behaviour\n")
    assert engine.detector_salt("0", copy) != before
