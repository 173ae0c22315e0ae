"""The Hugging Face cache: repos, revisions and files via ``huggingface_hub.scan_cache_dir``."""

from __future__ import annotations

import re
from pathlib import Path

from modeldeps.discover.inspectors.parallel import InspectJob, wanted
from modeldeps.model import Location, Skipped, Stage

_SHA256 = re.compile(r"[0-9a-f]{64}")


def default_hf_cache() -> Path:
    """Where ``huggingface_hub`` keeps its cache (honours ``HF_HUB_CACHE`` / ``HF_HOME``)."""
    from huggingface_hub.constants import HF_HUB_CACHE

    return Path(HF_HUB_CACHE)


def hf_cache_jobs(cache_dir: Path | None = None) -> tuple[list[InspectJob], list[Skipped]]:
    """One job per inspectable file of every cached model revision.

    Paths are reported relative to the cache root through the snapshot folder, but read
    through the blob (the snapshot entry is a symlink to it). A blob named by a SHA-256 (an
    LFS file) gives the digest the Hub promised; ``--hash`` checks it.
    """
    from huggingface_hub import CacheNotFound, scan_cache_dir

    root = (cache_dir or default_hf_cache()).resolve()
    try:
        info = scan_cache_dir(root)
    except CacheNotFound as exc:
        return [], [Skipped(Location(str(root)), Stage.INSPECT, f"no Hugging Face cache: {exc}")]
    except (OSError, ValueError) as exc:
        return [], [Skipped(Location(str(root)), Stage.INSPECT, f"cache unreadable: {exc}")]
    skipped = [Skipped(Location(str(root)), Stage.INSPECT, str(w)) for w in info.warnings]
    jobs: list[InspectJob] = []
    for repo in sorted(info.repos, key=lambda r: r.repo_id):
        if repo.repo_type != "model":
            continue
        for rev in sorted(repo.revisions, key=lambda r: r.commit_hash):
            refs = sorted(rev.refs)
            for f in sorted(rev.files, key=lambda f: f.file_name):
                blob = Path(f.blob_path)
                # By content too: a model in the cache under any name is inspected.
                if not wanted(f.file_path.name, str(blob), f.size_on_disk):
                    continue
                if not blob.resolve().is_relative_to(root):
                    skipped.append(
                        Skipped(Location(f.file_name), Stage.INSPECT, "blob outside the cache")
                    )
                    continue
                rel = f.file_path.relative_to(root).as_posix()
                meta = {
                    "repo_id": repo.repo_id,
                    "revision": ",".join(refs) if refs else rev.commit_hash,
                    "commit": rev.commit_hash,
                    "file": rel.split("/snapshots/", 1)[-1].split("/", 1)[-1],
                }
                digest = blob.name if _SHA256.fullmatch(blob.name) else None
                jobs.append(InspectJob(blob, rel, root, meta, digest))
    return jobs, skipped


def snapshot_dirs(cache_dir: Path | None = None) -> list[tuple[str, str, Path]]:
    """(repo_id, commit, snapshot folder) of every cached model revision, for identity."""
    from huggingface_hub import CacheNotFound, scan_cache_dir

    try:
        info = scan_cache_dir((cache_dir or default_hf_cache()).resolve())
    except (CacheNotFound, OSError, ValueError):
        return []
    return sorted(
        (repo.repo_id, rev.commit_hash, Path(rev.snapshot_path))
        for repo in info.repos
        if repo.repo_type == "model"
        for rev in repo.revisions
    )
