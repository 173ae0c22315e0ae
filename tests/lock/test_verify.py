"""Lock from a real Hugging Face cache and Ollama store, then verify: tampering is drift."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from modeldeps.lock.build import LockOptions, Wanted, build_lock
from modeldeps.lock.hub_cache import HubCache
from modeldeps.lock.lockfile import Lockfile
from modeldeps.lock.ollama_store import ollama_pin
from modeldeps.lock.verify import Status, verify
from modeldeps.model import Location, ModelReference, RefKind, ScanResult
from tests.discover.inspectors.builders import safetensors_bytes
from tests.lock.builders import blob_of, etag, hf_cache, ollama_store

REPO = "org/tiny-model"
FILES = {
    "config.json": b'{"model_type": "llama"}\n',
    "model.safetensors": safetensors_bytes({"w": ("F16", [4, 4])}),
    "tokenizer/tokenizer.json": b'{"version": "1.0"}',
}


def _result(*refs: tuple[RefKind, str, dict[str, str]]) -> ScanResult:
    return ScanResult(
        roots=("/p",),
        started_at="2026-01-01T00:00:00+00:00",
        tool_version="0",
        kb_version=None,
        references=tuple(
            ModelReference(kind, value, Location("app.py", i + 1), "test", ctx)
            for i, (kind, value, ctx) in enumerate(refs)
        ),
    )


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    root = tmp_path / "hf" / "hub"
    hf_cache(root, REPO, FILES)
    return root


def _lock(cache: Path, project: Path, *refs: tuple[RefKind, str, dict[str, str]]) -> Lockfile:
    project.mkdir(exist_ok=True)
    opts = LockOptions(hf_cache=cache, ollama_store=project / "no-ollama")
    return build_lock(_result(*refs), project, opts)


def test_cache_pins_carry_the_hubs_identities(cache: Path) -> None:
    pin = HubCache(cache).pin(REPO, "main")
    assert pin.pinned and pin.source == "hf-cache"
    by_path = {f.path: f for f in pin.files}
    assert set(by_path) == set(FILES)
    weights = by_path["model.safetensors"]
    assert weights.sha256 == etag("model.safetensors", FILES["model.safetensors"])
    assert by_path["config.json"].git_sha1 == etag("config.json", FILES["config.json"])
    assert weights.size == len(FILES["model.safetensors"])


def test_unknown_repo_and_revision_are_unpinned_with_a_reason(cache: Path) -> None:
    assert HubCache(cache).pin("org/other", "main").reason == "not in the local Hugging Face cache"
    assert "no snapshot" in (HubCache(cache).pin(REPO, "v2").reason or "")
    assert "no local Hugging Face cache" in (
        HubCache(cache / "nope").pin(REPO, "main").reason or ""
    )


def test_clean_cache_verifies(cache: Path, tmp_path: Path) -> None:
    lock = _lock(cache, tmp_path / "p", (RefKind.HUB_MODEL, REPO, {}))
    report = verify(lock, tmp_path / "p", hf_cache=cache, ollama_store=tmp_path / "none")
    (entry,) = report.entries
    assert entry.status is Status.OK, entry
    assert [f.status for f in entry.files] == [Status.OK] * 3
    assert not report.failed()


def test_tampered_blob_is_drifted(cache: Path, tmp_path: Path) -> None:
    lock = _lock(cache, tmp_path / "p", (RefKind.HUB_MODEL, REPO, {}))
    commit = lock.hub[0].revision
    assert commit is not None
    blob = blob_of(cache, REPO, commit, "model.safetensors")
    data = bytearray(blob.read_bytes())
    data[-1] ^= 0xFF  # same size, different bytes
    blob.write_bytes(bytes(data))
    report = verify(lock, tmp_path / "p", hf_cache=cache, ollama_store=tmp_path / "none")
    (entry,) = report.entries
    assert entry.status is Status.DRIFTED and report.failed()
    bad = [f for f in entry.files if f.status is Status.DRIFTED]
    assert [f.path for f in bad] == ["model.safetensors"]
    assert "sha256" in bad[0].detail


def test_small_file_tamper_is_caught_by_git_sha1(cache: Path, tmp_path: Path) -> None:
    lock = _lock(cache, tmp_path / "p", (RefKind.HUB_MODEL, REPO, {}))
    assert lock.hub[0].revision is not None
    blob_of(cache, REPO, lock.hub[0].revision, "config.json").write_bytes(
        b'{"model_type": "evil"}\n'
    )
    report = verify(lock, tmp_path / "p", hf_cache=cache, ollama_store=tmp_path / "none")
    bad = [f for f in report.entries[0].files if f.status is Status.DRIFTED]
    assert [
        (f.path, f.expected is not None and f.expected.startswith("git-sha1:")) for f in bad
    ] == [("config.json", True)]


def test_symlink_out_of_the_cache_is_reported_and_never_read(cache: Path, tmp_path: Path) -> None:
    lock = _lock(cache, tmp_path / "p", (RefKind.HUB_MODEL, REPO, {}))
    commit = lock.hub[0].revision
    assert commit is not None
    # the same bytes outside the cache: hashing them would say "ok", so only a check that
    # refuses to follow the link reports drift, with no digest computed
    outside = tmp_path / "outside.safetensors"
    outside.write_bytes(FILES["model.safetensors"])
    link = cache / f"models--{REPO.replace('/', '--')}" / "snapshots" / commit / "model.safetensors"
    link.unlink()
    link.symlink_to(outside)
    report = verify(lock, tmp_path / "p", hf_cache=cache, ollama_store=tmp_path / "none")
    (bad,) = [f for f in report.entries[0].files if f.status is not Status.OK]
    assert bad.status is Status.DRIFTED and "outside its store" in bad.detail
    assert bad.actual is None and report.failed()
    # and a fresh lock refuses to pin a snapshot that leaves the cache
    again = HubCache(cache).pin(REPO, "main")
    assert not again.pinned and "outside the cache" in (again.reason or "")


def test_missing_snapshot_file_and_extra_file(cache: Path, tmp_path: Path) -> None:
    lock = _lock(cache, tmp_path / "p", (RefKind.HUB_MODEL, REPO, {}))
    commit = lock.hub[0].revision
    assert commit is not None
    snap = cache / f"models--{REPO.replace('/', '--')}" / "snapshots" / commit
    (snap / "tokenizer" / "tokenizer.json").unlink()
    (snap / "pytorch_model.bin").write_bytes(b"surprise")
    report = verify(lock, tmp_path / "p", hf_cache=cache, ollama_store=tmp_path / "none")
    (entry,) = report.entries
    statuses = {f.path: f.status for f in entry.files}
    assert statuses["tokenizer/tokenizer.json"] is Status.MISSING
    assert statuses["pytorch_model.bin"] is Status.EXTRA
    assert entry.status is Status.MISSING


def test_no_cache_at_all_is_missing(tmp_path: Path, cache: Path) -> None:
    lock = _lock(cache, tmp_path / "p", (RefKind.HUB_MODEL, REPO, {}))
    report = verify(lock, tmp_path / "p", hf_cache=tmp_path / "empty", ollama_store=tmp_path / "n")
    assert report.entries[0].status is Status.MISSING and report.failed()


def test_hf_home_is_honoured(cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HF_HUB_CACHE", raising=False)
    monkeypatch.delenv("HUGGINGFACE_HUB_CACHE", raising=False)
    monkeypatch.setenv("HF_HOME", str(cache.parent))
    lock = build_lock(_result((RefKind.HUB_MODEL, REPO, {})), tmp_path, LockOptions())
    assert lock.hub[0].pinned
    assert verify(lock, tmp_path).entries[0].status is Status.OK


def test_ollama_store_locked_and_tampered(tmp_path: Path) -> None:
    store = tmp_path / "ollama"
    manifest, weights = ollama_store(store, "tiny", "q4", b"GGUF" + os.urandom(2000))
    pin = ollama_pin(store, "tiny:q4", ("app.py",))
    assert pin.manifest == manifest
    assert weights in {x.digest for x in pin.layers} and len(pin.layers) == 4
    lock = Lockfile(ollama=(pin,))
    project = tmp_path / "p"
    project.mkdir()
    ok = verify(lock, project, hf_cache=tmp_path / "none", ollama_store=store)
    assert ok.entries[0].status is Status.OK
    blob = store / "blobs" / weights.replace(":", "-")
    blob.write_bytes(b"GGUF" + b"\0" * 2000)
    bad = verify(lock, project, hf_cache=tmp_path / "none", ollama_store=store)
    assert bad.entries[0].status is Status.DRIFTED
    # a re-pull that moves the tag to another manifest is drift too, even with the blobs intact
    ollama_store(store, "tiny", "q4", b"GGUF other weights")
    moved = verify(lock, project, hf_cache=tmp_path / "none", ollama_store=store)
    assert moved.entries[0].status is Status.DRIFTED and "manifest" in moved.entries[0].detail


def test_ollama_unknown_model_and_hostile_manifest(tmp_path: Path) -> None:
    store = tmp_path / "ollama"
    ollama_store(store, "tiny", "latest", b"GGUF")
    assert ollama_pin(store, "absent:latest").reason == "not in the local Ollama store"
    evil = store / "manifests" / "registry.ollama.ai" / "library" / "evil"
    evil.mkdir(parents=True)
    (evil / "latest").write_text('{"layers": [{"digest": "sha256:../../etc/passwd", "size": 1}]}')
    assert "malformed digest" in (ollama_pin(store, "evil:latest").reason or "")
    (tmp_path / "elsewhere").write_text("{}")
    (evil / "link").symlink_to(tmp_path / "elsewhere")
    assert "outside the Ollama store" in (ollama_pin(store, "evil:link").reason or "")


def test_local_files_and_extras(tmp_path: Path) -> None:
    project = tmp_path / "p"
    (project / "weights").mkdir(parents=True)
    (project / "weights" / "head.safetensors").write_bytes(b"abc")
    lock = _lock(
        tmp_path / "nocache",
        project,
        (RefKind.LOCAL_ARTIFACT, "weights/head.safetensors", {}),
        (RefKind.LOCAL_ARTIFACT, "weights/gone.pt", {}),
    )
    assert [(p.path, p.pinned) for p in lock.local] == [
        ("weights/gone.pt", False),
        ("weights/head.safetensors", True),
    ]
    want = Wanted()
    want.api["gpt-4o"].add("a.py")
    want.hub[("new/model", "main")].add("b.py")
    want.hub_names[("new/model", "main")] = "new/model"
    (project / "weights" / "head.safetensors").write_bytes(b"abd")
    report = verify(
        lock, project, hf_cache=tmp_path / "n", ollama_store=tmp_path / "n", wanted=want
    )
    got = {(e.kind, e.name): e.status for e in report.entries}
    assert got == {
        ("local", "weights/gone.pt"): Status.UNPINNED,
        ("local", "weights/head.safetensors"): Status.DRIFTED,
        ("api", "gpt-4o"): Status.EXTRA,
        ("hub", "new/model"): Status.EXTRA,
    }
    assert report.failed() and report.counts()["extra"] == 2


def test_hostile_names_are_escaped_in_the_table(cache: Path, tmp_path: Path) -> None:
    from modeldeps.lock.render import render_json, render_table

    lock = _lock(cache, tmp_path / "p", (RefKind.HUB_MODEL, REPO, {}))
    commit = lock.hub[0].revision
    assert commit is not None
    snap = cache / f"models--{REPO.replace('/', '--')}" / "snapshots" / commit
    (snap / "evil\u202e\x1b[2J\rname.bin").write_bytes(b"x")
    report = verify(lock, tmp_path / "p", hf_cache=cache, ollama_store=tmp_path / "none")
    table = render_table(report, verbose=True)
    assert "\x1b" not in table and "\r" not in table and "evil\\u202e\\x1b[2J\\rname.bin" in table
    assert "\x1b" not in render_json(report)
