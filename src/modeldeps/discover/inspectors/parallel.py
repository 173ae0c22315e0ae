"""Inspect many files on every core when that pays off, optionally hashing each at hashlib speed."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from modeldeps.discover.inspectors import inspect_file
from modeldeps.discover.inspectors.content import sniff_path
from modeldeps.discover.inspectors.support import finding
from modeldeps.discover.walk import FileKind, classify, walk
from modeldeps.model import ArtifactInfo, Location, Severity, Skipped, Stage
from modeldeps.options import ScanOptions
from modeldeps.textsafe import fs_text
from modeldeps.workers import worker_count

#: Cost model that decides whether a process pool pays for itself (measured on 2 cores, see
#: docs/benchmarks.md): opening, sniffing and parsing one header-only file takes about half a
#: millisecond; hashing runs at about 1.5 GB/s per core; a raw pickle is walked at 3-30 MB/s
#: (dense small objects are slowest; tensor bytes are skipped fast).
_PER_FILE_S = 0.0006
_HASH_BYTES_PER_S = 1.5e9
_WALK_BYTES_PER_S = 10e6
#: Forking two workers and shipping results back cost about 30 ms; the pool runs only for
#: work a few times that.
_POOL_START_S = 0.03
_POOL_MIN_WORK_S = 3 * _POOL_START_S
#: Suffixes whose whole content is walked (a raw pickle stream); zip checkpoints are not.
_WALKED_SUFFIXES = frozenset({".pkl", ".pickle", ".joblib", ".dill"})
_WALK_CAP = 256 * 1024 * 1024
#: Chunks per worker: enough to balance uneven files, few enough to keep per-task overhead low.
_CHUNKS_PER_WORKER = 8
OVER_BUDGET = "not inspected: the scan's inspection time budget ran out before this file"


@dataclass(frozen=True, slots=True)
class InspectJob:
    """One file to inspect: where it is on disk, how the report names it, what we already know."""

    path: Path
    rel: str
    root: Path
    metadata: Mapping[str, Any] = field(default_factory=dict)
    sha256: str | None = None  # a digest the store vouches for (blob name); checked with --hash


def wanted(name: str, path: str | None = None, size: int = 0) -> bool:
    """Whether a file should be inspected: a weight or template file by name or, given its
    ``path``, by content (a model is inspected whatever it is called)."""
    if name.endswith(".safetensors.index.json"):
        return True
    return classify(name, path, size) in (FileKind.WEIGHT, FileKind.TEMPLATE)


def jobs_for_tree(
    root: Path, options: ScanOptions | None = None
) -> tuple[list[InspectJob], list[Skipped]]:
    """Every inspectable file under ``root`` in walk order; ``root`` itself when it is a file
    (a file named on the command line is always inspected, by its content)."""
    root = root.resolve()
    if root.is_file():
        return [InspectJob(root, fs_text(root.name), root.parent)], []
    jobs: list[InspectJob] = []
    skipped: list[Skipped] = []
    for item in walk(root, options or ScanOptions()):
        if isinstance(item, Skipped):
            skipped.append(item)
        elif item.kind in (FileKind.WEIGHT, FileKind.TEMPLATE) or item.rel.endswith(
            ".safetensors.index.json"
        ):
            jobs.append(InspectJob(item.path, item.rel, root))
        elif sniff_path(item.abspath, item.size)[0] is not None:
            # Named like text (which a scan reads and then finds binary): a model all the same.
            jobs.append(InspectJob(item.path, item.rel, root))
    return jobs, skipped


def run_job(job: InspectJob, hash_file: bool, deadline: float | None = None) -> ArtifactInfo:
    """Inspect one job in this process; store-provided facts are merged into the metadata."""
    info = inspect_file(job.path, job.rel, job.root, hash_file=hash_file, deadline=deadline)
    changes: dict[str, Any] = {}
    if job.metadata:
        changes["metadata"] = {**info.metadata, **job.metadata}
    if hash_file:
        digest = info.sha256 or ""
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
        changes["metadata"] = {**changes.get("metadata", info.metadata), "store_sha256": job.sha256}
    return replace(info, **changes) if changes else info


def _safe_run(
    job: InspectJob, hash_file: bool, deadline: float | None = None
) -> ArtifactInfo | Skipped:
    if deadline is not None and time.monotonic() >= deadline:
        return Skipped(Location(job.rel), Stage.INSPECT, OVER_BUDGET)
    try:
        return run_job(job, hash_file, deadline)
    except OSError as exc:
        return Skipped(Location(job.rel), Stage.INSPECT, f"cannot read: {exc.strerror or exc}")


def _run_chunk(
    chunk: list[InspectJob], hash_file: bool, deadline: float | None = None
) -> list[ArtifactInfo | Skipped]:
    return [_safe_run(job, hash_file, deadline) for job in chunk]


def estimated_work(sizes: Sequence[int], suffixes: Sequence[str], hash_files: bool) -> float:
    """Seconds one core would need, by the cost model above: per file, hashed and walked bytes."""
    work = len(sizes) * _PER_FILE_S
    for size, suffix in zip(sizes, suffixes, strict=True):
        if hash_files:
            work += size / _HASH_BYTES_PER_S
        if suffix in _WALKED_SUFFIXES:
            work += min(size, _WALK_CAP) / _WALK_BYTES_PER_S
    return work


def use_pool(sizes: Sequence[int], suffixes: Sequence[str], hash_files: bool, workers: int) -> bool:
    """Whether a pool pays off: several workers, at least two files, and enough work to share."""
    if workers < 2 or len(sizes) < 2:
        return False
    return estimated_work(sizes, suffixes, hash_files) >= _POOL_MIN_WORK_S


def chunks(order: Sequence[int], costs: Sequence[float], n_chunks: int) -> list[list[int]]:
    """Split job indexes (largest first) into about ``n_chunks`` runs of similar cost.

    A big file gets a chunk of its own; small ones are batched so that per-task overhead (one
    round trip to a worker each) does not eat the gain.
    """
    n_chunks = max(n_chunks, 1)
    target = sum(costs) / n_chunks
    most = -(-len(order) // n_chunks)  # files per chunk, so small files spread over all chunks
    out: list[list[int]] = []
    current: list[int] = []
    spent = 0.0
    for i in order:
        current.append(i)
        spent += costs[i]
        if spent >= target or len(current) >= most:
            out.append(current)
            current, spent = [], 0.0
    if current:
        out.append(current)
    return out


def inspect_jobs(
    jobs: Sequence[InspectJob],
    *,
    hash_files: bool = False,
    workers: int = 0,
    on_done: Callable[[int], None] | None = None,
    budget_s: float | None = None,
) -> tuple[list[ArtifactInfo], list[Skipped]]:
    """Inspect ``jobs`` on ``workers`` processes (0: one per core, never more than the usable
    CPUs); results keep job order.

    Small or fast workloads (few files, little to hash or walk) run in this process: a pool
    would cost more to start than it saves. ``budget_s`` bounds the wall time of the whole
    run: a file whose analysis is cut by it is reported incomplete (high), and a file not
    started in time becomes a ``Skipped`` entry saying so.
    """
    deadline = time.monotonic() + budget_s if budget_s is not None else None
    workers = worker_count(workers, len(jobs))
    sizes = [_size(j.path) for j in jobs]
    suffixes = [Path(j.rel).suffix.lower() for j in jobs]
    results: list[ArtifactInfo | Skipped | None] = [None] * len(jobs)
    if not use_pool(sizes, suffixes, hash_files, workers):
        for i, job in enumerate(jobs):
            results[i] = _safe_run(job, hash_files, deadline)
            if on_done:
                on_done(1)
        return _split(results)
    costs = [estimated_work([s], [x], hash_files) for s, x in zip(sizes, suffixes, strict=True)]
    # Largest first, so one big file does not start last and leave a core idle.
    order = sorted(range(len(jobs)), key=lambda i: -costs[i])
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = {
            pool.submit(_run_chunk, [jobs[i] for i in part], hash_files, deadline): part
            for part in chunks(order, costs, workers * _CHUNKS_PER_WORKER)
        }
        for fut in as_completed(futures):
            part = futures[fut]
            for i, res in zip(part, fut.result(), strict=True):
                results[i] = res
            if on_done:
                on_done(len(part))
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
