"""Hugging Face cache: repos, revisions and files become artifacts with repo and commit."""

from __future__ import annotations

from pathlib import Path

from modeldeps.discover.inspectors.hf_cache import hf_cache_jobs
from modeldeps.discover.inspectors.parallel import inspect_jobs
from modeldeps.model import Severity
from tests.discover.inspectors.builders import safetensors_bytes


def test_cache_files_inspected_with_repo_metadata(tmp_path: Path) -> None:
    from tests.discover.inspectors.builders import fake_hf_cache

    weights = safetensors_bytes({"w": ("F16", [4, 4])})
    commit = fake_hf_cache(
        tmp_path,
        "org/model",
        {"model.safetensors": weights, "config.json": b"{}", "README.md": b"# card"},
    )
    jobs, skipped = hf_cache_jobs(tmp_path)
    assert skipped == []
    assert [j.rel for j in jobs] == [f"models--org--model/snapshots/{commit}/model.safetensors"]
    infos, _ = inspect_jobs(jobs, hash_files=True)
    (info,) = infos
    assert info.params == 16
    assert info.metadata["repo_id"] == "org/model"
    assert info.metadata["revision"] == "main"
    assert info.metadata["commit"] == commit
    assert info.sha256 == jobs[0].sha256
    assert info.findings == ()


def test_corrupted_blob_fails_the_digest_check(tmp_path: Path) -> None:
    from tests.discover.inspectors.builders import fake_hf_cache

    fake_hf_cache(tmp_path, "org/model", {"model.safetensors": safetensors_bytes({})})
    (job,), _ = hf_cache_jobs(tmp_path)
    job.path.write_bytes(safetensors_bytes({"x": ("F32", [1])}))
    (info,), _ = inspect_jobs([job], hash_files=True)
    assert [(f.rule_id, f.severity) for f in info.findings] == [("MD210", Severity.HIGH)]


def test_missing_cache_is_skipped_not_raised(tmp_path: Path) -> None:
    jobs, skipped = hf_cache_jobs(tmp_path / "nope")
    assert jobs == [] and len(skipped) == 1
