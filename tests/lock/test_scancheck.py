"""The scan's lock step: the digest memo, several roots, and links that leave the project."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from modeldeps.lock.build import hub_repo
from modeldeps.lock.lockfile import LocalPin, Lockfile
from modeldeps.lock.memo import DigestMemo
from modeldeps.lock.tomlio import write
from modeldeps.lock.verify import Status, verify
from modeldeps.options import ScanOptions
from modeldeps.pipeline import scan


def _rchar() -> int:
    with open("/proc/self/io", "rb") as fh:
        for line in fh.read().splitlines():
            if line.startswith(b"rchar:"):
                return int(line.split()[1])
    raise AssertionError("no rchar")


def test_memo_skips_unchanged_files_and_catches_same_size_same_mtime_tampering(
    tmp_path: Path,
) -> None:
    path = tmp_path / "w.bin"
    data = os.urandom(4 * 1024 * 1024)
    path.write_bytes(data)
    memo = DigestMemo(tmp_path / "memo.sqlite3")
    job = [(str(path), "sha256")]
    first = memo.hash(job, [len(data)])[0]
    assert first.digest == hashlib.sha256(data).hexdigest()
    before = _rchar()
    again = memo.hash(job, [len(data)])[0]
    assert again.digest == first.digest
    assert _rchar() - before < len(data) // 4  # the file itself was not read again
    st = path.stat()
    tampered = bytes([data[0] ^ 1]) + data[1:]
    path.write_bytes(tampered)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))  # same size, same mtime
    assert memo.hash(job, [len(data)])[0].digest == hashlib.sha256(tampered).hexdigest()
    memo.close()


def test_a_memo_of_another_layout_is_emptied_then_remembers(tmp_path: Path) -> None:
    import sqlite3

    from modeldeps.lock.memo import SCHEMA_VERSION

    db = tmp_path / "memo.sqlite3"
    with sqlite3.connect(db) as old:  # a layout the memo no longer writes
        old.execute("CREATE TABLE digests (path TEXT PRIMARY KEY, digest TEXT)")
        old.execute("INSERT INTO digests VALUES (?, 'stale')", (str(tmp_path / "w.bin"),))
    path = tmp_path / "w.bin"
    path.write_bytes(b"abc")
    memo = DigestMemo(db)
    job = [(str(path), "sha256")]
    assert memo.hash(job, [3])[0].digest == hashlib.sha256(b"abc").hexdigest()
    memo.close()
    with sqlite3.connect(db) as again:
        assert again.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)
        assert again.execute("SELECT digest FROM digests").fetchall() == [
            (hashlib.sha256(b"abc").hexdigest(),)
        ]  # remembered: the old table did not make every write fail


def test_local_pin_replaced_by_a_link_out_of_the_project(tmp_path: Path) -> None:
    project = tmp_path / "p"
    (project / "w").mkdir(parents=True)
    secret = tmp_path / "secret.bin"
    secret.write_bytes(b"abc")
    (project / "w" / "m.safetensors").symlink_to(secret)
    lock = Lockfile(local=(LocalPin("w/m.safetensors", 3, hashlib.sha256(b"abc").hexdigest()),))
    report = verify(lock, project, hf_cache=tmp_path / "n", ollama_store=tmp_path / "n")
    (entry,) = report.entries
    assert entry.status is Status.DRIFTED and "outside" in entry.files[0].detail


def test_drift_under_several_roots_names_the_root(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    for root in (a, b):
        (root / "w").mkdir(parents=True)
        (root / "w" / "m.gguf").write_bytes(b"GGUF")
    write(Lockfile(local=(LocalPin("w/m.gguf", 4, "0" * 64),)), b / "models.lock")
    result = scan([a, b], ScanOptions(cache_dir=tmp_path / "cache"))
    md403 = [f for f in result.findings if f.rule_id == "MD403"]
    assert [f.location.path for f in md403] == ["b/w/m.gguf"]
    assert md403[0].title and md403[0].remediation  # completed from the rule catalog


def test_hub_ids_in_every_form() -> None:
    assert hub_repo("Qwen/Qwen2.5-7B") == "Qwen/Qwen2.5-7B"
    assert hub_repo("https://huggingface.co/Qwen/Qwen2.5-7B/") == "Qwen/Qwen2.5-7B"
    assert hub_repo("hf.co/bartowski/x-GGUF:Q4_K_M") == "bartowski/x-GGUF"
    assert hub_repo("gpt-4o") is None and hub_repo("../../etc/passwd") is None
