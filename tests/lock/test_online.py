"""``lock --online`` against a local Hub, and a cache written by huggingface_hub itself."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from modeldeps.lock.hub_cache import HubCache
from modeldeps.lock.hub_online import online_pin
from tests.lock.builders import etag, git_blob_sha1, hf_cache
from tests.lock.hubserver import COMMIT, RECORDED, REPO, local_hub, recorded_files


def test_the_recording_matches_its_files() -> None:
    files = recorded_files()
    for sib in RECORDED["siblings"]:
        data = files[sib["rfilename"]]
        assert sib["size"] == len(data)
        if "lfs" in sib:
            assert sib["lfs"]["sha256"] == hashlib.sha256(data).hexdigest()
        else:
            assert sib["blobId"] == git_blob_sha1(data)
    assert set(files) == {s["rfilename"] for s in RECORDED["siblings"]}


def test_online_pin_reads_commit_and_identities() -> None:
    with local_hub() as (endpoint, log):
        pin = online_pin(REPO, "main", endpoint, ("app.py",))
        missing = online_pin("nobody/nothing", "main", endpoint)
        bad_rev = online_pin(REPO, "v9", endpoint)
    assert pin.pinned and pin.revision == COMMIT and pin.source == "hub-api"
    files = {f.path: f for f in pin.files}
    assert (
        files["model.safetensors"].sha256
        == hashlib.sha256(recorded_files()["model.safetensors"]).hexdigest()
    )
    assert files["config.json"].git_sha1 == git_blob_sha1(recorded_files()["config.json"])
    assert any(line.startswith("GET /api/models/") for line in log)
    assert "not found" in (missing.reason or "") and not missing.pinned
    assert not bad_rev.pinned


def test_unreachable_hub_is_an_unpinned_reason_not_a_crash() -> None:
    pin = online_pin(REPO, "main", "http://127.0.0.1:9")
    assert not pin.pinned and "could not be asked" in (pin.reason or "")


def test_cache_written_by_huggingface_hub_gives_the_same_pin_as_the_api(tmp_path: Path) -> None:
    """The offline and online pins agree, on a cache huggingface_hub wrote itself."""
    from huggingface_hub import hf_hub_download

    cache = tmp_path / "hub"
    with local_hub() as (endpoint, _):
        for name in recorded_files():
            hf_hub_download(REPO, name, cache_dir=cache, endpoint=endpoint)
        online = online_pin(REPO, "main", endpoint)
    offline = HubCache(cache).pin(REPO, "main")
    assert offline.pinned and offline.revision == online.revision == COMMIT
    assert offline.files == online.files


def test_our_layout_builder_matches_what_huggingface_hub_writes(tmp_path: Path) -> None:
    """The builder the other tests use lays files out exactly as the library does."""
    from huggingface_hub import hf_hub_download

    real = tmp_path / "real"
    with local_hub() as (endpoint, _):
        for name in recorded_files():
            hf_hub_download(REPO, name, cache_dir=real, endpoint=endpoint)
    built = tmp_path / "built"
    hf_cache(built, REPO, recorded_files(), commit=COMMIT)

    def layout(root: Path) -> set[tuple[str, str]]:
        folder = root / f"models--{REPO.replace('/', '--')}"
        out = set()
        for p in folder.rglob("*"):
            if p.name.startswith(".") or ".no_exist" in p.parts:
                continue
            target = (
                str(p.readlink())
                if p.is_symlink()
                else ("dir" if p.is_dir() else p.read_text(errors="replace"))
            )
            out.add((p.relative_to(folder).as_posix(), target))
        return out

    assert layout(built) == layout(real)
    assert {etag(n, d) for n, d in recorded_files().items()} <= {
        p.name for p in (real / f"models--{REPO.replace('/', '--')}" / "blobs").iterdir()
    }


def test_offline_mode_is_a_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    import huggingface_hub.constants as c

    monkeypatch.setattr(c, "HF_HUB_OFFLINE", True)
    pin = online_pin(REPO, "main", "http://127.0.0.1:9")
    assert not pin.pinned and pin.reason  # 1.x says offline; 0.24 fails to connect


def test_lock_online_then_verify_against_a_downloaded_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from huggingface_hub import hf_hub_download

    from modeldeps.cli import main
    from modeldeps.lock.tomlio import read

    project = tmp_path / "p"
    project.mkdir()
    (project / "app.py").write_text(
        f'from transformers import AutoModel\nAutoModel.from_pretrained("{REPO}")\n'
    )
    cache = tmp_path / "hub"
    monkeypatch.setenv("HF_HUB_CACHE", str(cache))
    with local_hub() as (endpoint, _):
        monkeypatch.setenv("HF_ENDPOINT", endpoint)
        assert main(["lock", str(project), "--online", "-q"]) == 0
        (pin,) = read(project / "models.lock").hub
        assert pin.source == "hub-api" and pin.revision == COMMIT
        assert main(["verify", str(project), "-q"]) == 1  # nothing downloaded yet: missing
        hf_hub_download(REPO, "config.json", cache_dir=cache, endpoint=endpoint)
        # one file of the commit fetched: the rest were never downloaded here, not removed
        assert main(["verify", str(project), "-q"]) == 0
        for name in recorded_files():
            hf_hub_download(REPO, name, cache_dir=cache, endpoint=endpoint)
    assert main(["verify", str(project), "-q"]) == 0
    blob = next((cache / f"models--{REPO.replace('/', '--')}" / "blobs").iterdir())
    blob.write_bytes(blob.read_bytes() + b" ")
    assert main(["verify", str(project), "-q"]) == 1
