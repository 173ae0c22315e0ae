"""Ollama store: manifests map model:tag names onto GGUF blobs."""

from __future__ import annotations

import json
from pathlib import Path

from modeldeps.discover.inspectors.ollama import model_name, ollama_jobs
from modeldeps.discover.inspectors.parallel import inspect_jobs
from tests.discover.inspectors.builders import fake_ollama, write_gguf


def test_model_names() -> None:
    assert model_name(("registry.ollama.ai", "library", "qwen2.5", "7b")) == "qwen2.5:7b"
    assert model_name(("registry.ollama.ai", "user", "m", "latest")) == "user/m:latest"
    assert model_name(("hf.co", "org", "repo-GGUF", "Q4_K_M")) == "hf.co/org/repo-GGUF:Q4_K_M"


def test_store_blobs_inspected_as_gguf(tmp_path: Path) -> None:
    blob = write_gguf(tmp_path / "src.gguf").read_bytes()
    store = tmp_path / "models"
    digest = fake_ollama(store, "tiny", "latest", blob)
    fake_ollama(store, "tiny", "q4", blob)  # a second tag on the same blob
    jobs, skipped = ollama_jobs(store)
    assert skipped == []
    (job,) = jobs
    assert job.rel == f"blobs/sha256-{digest}"
    (info,), _ = inspect_jobs(jobs, hash_files=True)
    assert info.format == "gguf"
    assert info.metadata["ollama.models"] == ["tiny:latest", "tiny:q4"]
    assert info.metadata["general.architecture"] == "llama"
    assert info.sha256 == digest


def test_bad_manifest_and_hostile_digest(tmp_path: Path) -> None:
    store = tmp_path / "models"
    mdir = store / "manifests" / "registry.ollama.ai" / "library" / "x"
    mdir.mkdir(parents=True)
    (mdir / "broken").write_text("{not json")
    layer = {"mediaType": "application/vnd.ollama.image.model", "digest": "sha256:../../etc"}
    (mdir / "evil").write_text(json.dumps({"layers": [layer]}))
    jobs, skipped = ollama_jobs(store)
    assert jobs == []
    assert [s.location.path for s in skipped] == ["manifests/registry.ollama.ai/library/x/broken"]


def test_no_symlink_leads_the_reader_out_of_the_store(tmp_path: Path) -> None:
    # blobs/ itself is a link to a folder outside the store (the blob file is no link).
    blob = write_gguf(tmp_path / "src.gguf").read_bytes()
    store = tmp_path / "models"
    digest = fake_ollama(store, "tiny", "latest", blob)
    outside = tmp_path / "elsewhere"
    (store / "blobs").rename(outside)
    (store / "blobs").symlink_to(outside, target_is_directory=True)
    jobs, skipped = ollama_jobs(store)
    assert jobs == []
    assert [(s.location.path, "out of the Ollama store" in s.reason) for s in skipped] == [
        (f"blobs/sha256-{digest}", True)
    ]


def test_a_linked_manifests_folder_is_not_read(tmp_path: Path) -> None:
    blob = write_gguf(tmp_path / "src.gguf").read_bytes()
    store = tmp_path / "models"
    fake_ollama(store, "tiny", "latest", blob)
    outside = tmp_path / "manifests-elsewhere"
    (store / "manifests").rename(outside)
    (store / "manifests").symlink_to(outside, target_is_directory=True)
    jobs, skipped = ollama_jobs(store)
    assert jobs == [] and "out of the Ollama store" in skipped[0].reason


def test_a_store_that_is_itself_a_link_is_fine(tmp_path: Path) -> None:
    blob = write_gguf(tmp_path / "src.gguf").read_bytes()
    real = tmp_path / "real-models"
    fake_ollama(real, "tiny", "latest", blob)
    (tmp_path / "models").symlink_to(real, target_is_directory=True)
    jobs, skipped = ollama_jobs(tmp_path / "models")
    assert len(jobs) == 1 and skipped == []
