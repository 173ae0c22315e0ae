"""Inspect many files on every core, optionally hashing each at near hashlib speed."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from modeldeps.discover.walk import FileKind, classify, walk
from modeldeps.model import ArtifactInfo, Location, Skipped, Stage
from modeldeps.options import ScanOptions

#: Files read by name although the walk calls them text: their inspectors check templates/shards.
NAMED_FILES = frozenset({"tokenizer_config.json", "chat_template.json", "chat_template.jinja"})
#: Below this many files or bytes a process pool costs more than it saves.
_POOL_MIN_FILES = 4
_POOL_MIN_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class InspectJob:
    """One file to inspect: where it is on disk, how the report names it, what we already know."""

    path: Path
    rel: str
    root: Path
    metadata: Mapping[str, Any] = field(default_factory=dict)
    sha256: str | None = None  # a digest the store vouches for (blob name); checked with --hash


def wanted(name: str) -> bool:
    """Whether a file in a walked tree should be inspected."""
    if name in NAMED_FILES or name.endswith(".safetensors.index.json"):
        return True
    return classify(name) is FileKind.WEIGHT


def jobs_for_tree(
    root: Path, options: ScanOptions | None = None
) -> tuple[list[InspectJob], list[Skipped]]:
    """Every inspectable file under ``root`` (or ``root`` itself), in walk order."""
    root = root.resolve()
    base = root.parent if root.is_file() else root
    jobs: list[InspectJob] = []
    skipped: list[Skipped] = []
    for item in walk(root, options or ScanOptions()):
        if isinstance(item, Skipped):
            skipped.append(item)
        elif wanted(item.path.name):
            jobs.append(InspectJob(item.path, item.rel, base))
    return jobs, skipped


def sha256_file(path: Path) -> str:
    """SHA-256 of a file through ``hashlib.file_digest`` (large reads, no Python loop)."""
    with path.open("rb", buffering=0) as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def run_job(job: InspectJob, hash_file: bool) -> ArtifactInfo:
    """Inspect one job in this process; store-provided facts are merged into the metadata."""
    from modeldeps.discover.inspectors import inspect_file
    from modeldeps.discover.inspectors.support import finding
    from modeldeps.model import Severity

    info = inspect_file(job.path, job.rel, job.root)
    changes: dict[str, Any] = {}
    if job.metadata:
        changes["metadata"] = {**info.metadata, **job.metadata}
    if hash_file:
        digest = sha256_file(job.path)
        changes["sha256"] = digest
        if job.sha256 and job.sha256 != digest:
            bad = finding(
                "MD210",
                Severity.HIGH,
                f"content hash {digest[:16]}… differs from the store's digest {job.sha256[:16]}…",
                job.rel,
                subject="digest-mismatch",
            )
            changes["findings"] = (*info.findings, bad)
    elif job.sha256:
        changes["sha256"] = None
        changes["metadata"] = {**changes.get("metadata", info.metadata), "store_sha256": job.sha256}
    return replace(info, **changes) if changes else info


def _safe_run(job: InspectJob, hash_file: bool) -> ArtifactInfo | Skipped:
    try:
        return run_job(job, hash_file)
    except OSError as exc:
        return Skipped(Location(job.rel), Stage.INSPECT, f"cannot read: {exc.strerror or exc}")


def inspect_jobs(
    jobs: Sequence[InspectJob],
    *,
    hash_files: bool = False,
    workers: int = 0,
    on_done: Callable[[int], None] | None = None,
) -> tuple[list[ArtifactInfo], list[Skipped]]:
    """Inspect ``jobs`` on ``workers`` processes (0: one per core); results keep job order."""
    workers = workers or os.cpu_count() or 1
    total = sum(_size(j.path) for j in jobs)
    results: list[ArtifactInfo | Skipped | None] = [None] * len(jobs)
    if workers == 1 or len(jobs) < _POOL_MIN_FILES or (total < _POOL_MIN_BYTES and not hash_files):
        for i, job in enumerate(jobs):
            results[i] = _safe_run(job, hash_files)
            if on_done:
                on_done(1)
    else:
        # Largest first, so one big file does not start last and leave a core idle.
        order = sorted(range(len(jobs)), key=lambda i: -_size(jobs[i].path))
        with ProcessPoolExecutor(max_workers=min(workers, len(jobs))) as pool:
            futures = {pool.submit(_safe_run, jobs[i], hash_files): i for i in order}
            for fut in as_completed(futures):
                results[futures[fut]] = fut.result()
                if on_done:
                    on_done(1)
    return _split(results)


def _split(
    results: Iterable[ArtifactInfo | Skipped | None],
) -> tuple[list[ArtifactInfo], list[Skipped]]:
    infos = [r for r in results if isinstance(r, ArtifactInfo)]
    skipped = [r for r in results if isinstance(r, Skipped)]
    return infos, skipped


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0
