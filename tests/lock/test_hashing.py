"""Hashing: the digests git, the Hub and sha256sum give, in parallel, never through a symlink."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from modeldeps.lock.hashing import MMAP_MIN, HashError, hash_file, hash_many
from tests.lock.builders import git_blob_sha1


def test_sha256_small_and_mapped_files(tmp_path: Path) -> None:
    small = tmp_path / "small.bin"
    small.write_bytes(b"hello")
    big = tmp_path / "big.bin"
    data = os.urandom(1024) * (MMAP_MIN // 1024 * 3 + 7)  # several chunks and a tail
    big.write_bytes(data)
    assert hash_file(str(small)) == (hashlib.sha256(b"hello").hexdigest(), 5)
    assert hash_file(str(big)) == (hashlib.sha256(data).hexdigest(), len(data))
    empty = tmp_path / "empty"
    empty.write_bytes(b"")
    assert hash_file(str(empty))[0] == hashlib.sha256(b"").hexdigest()


def test_git_blob_sha1_matches_git_itself(tmp_path: Path) -> None:
    path = tmp_path / "config.json"
    path.write_bytes(b'{"model_type": "llama"}\n')
    digest, _ = hash_file(str(path), "git-sha1")
    assert digest == git_blob_sha1(path.read_bytes())
    git = shutil.which("git")
    if git is not None:  # the reference implementation, when the machine has it
        out = subprocess.run([git, "hash-object", str(path)], capture_output=True, text=True)
        assert out.stdout.strip() == digest


def test_a_symlink_is_never_followed(tmp_path: Path) -> None:
    target = tmp_path / "secret"
    target.write_bytes(b"x")
    link = tmp_path / "link"
    link.symlink_to(target)
    with pytest.raises(HashError):
        hash_file(str(link))
    with pytest.raises(HashError):
        hash_file(str(tmp_path))  # a folder is not a regular file


def test_many_files_in_parallel_keep_their_order(tmp_path: Path) -> None:
    jobs = []
    expected = []
    for i in range(12):
        data = os.urandom(i * 300_000 + 1)
        path = tmp_path / f"f{i}"
        path.write_bytes(data)
        jobs.append((str(path), "sha256" if i % 2 else "git-sha1"))
        expected.append(hashlib.sha256(data).hexdigest() if i % 2 else git_blob_sha1(data))
    jobs.append((str(tmp_path / "absent"), "sha256"))
    sizes = [os.path.getsize(p) if os.path.exists(p) else 0 for p, _ in jobs]
    results = hash_many(jobs, workers=3, sizes=sizes)
    assert [r.digest for r in results[:-1]] == expected
    assert results[-1].digest is None and results[-1].error
    assert [r.digest for r in hash_many(jobs[:3], workers=1)] == expected[:3]


def test_read_ahead_windows_do_not_change_the_digest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from modeldeps.lock import hashing

    monkeypatch.setattr(hashing, "AHEAD", 2 * MMAP_MIN)  # several windows in a small file
    data = os.urandom(7 * MMAP_MIN + 12345)
    path = tmp_path / "w.bin"
    path.write_bytes(data)
    assert hash_file(str(path)) == (hashlib.sha256(data).hexdigest(), len(data))
