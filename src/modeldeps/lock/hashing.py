"""Hash many files on every core at near memory speed: SHA-256, and the git blob SHA-1 the Hub uses.

SHA-256 of one file is a serial computation, so the parallelism is across files (a thread per
core: hashlib releases the GIL while it hashes a large buffer). Within a file the work is kept
to the hash itself: large files are mapped rather than read, so no byte is copied before it is
hashed (copying costs a tenth of the throughput, measured by ``benchmarks/hash_speed.py``), and
the kernel is told the access is sequential and asked for the next 64 MiB while the current
window is hashed, so reading a file not yet in memory overlaps with hashing it.
"""

from __future__ import annotations

import contextlib
import hashlib
import mmap
import os
import stat
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from modeldeps.workers import worker_count

#: Files at least this large are mapped; smaller ones are read in one go.
MMAP_MIN = 1024 * 1024
#: Bytes handed to hashlib per call: large enough to release the GIL, small enough for the cache.
CHUNK = 1024 * 1024
#: How far ahead of the hash the kernel is asked to read a file that is not in memory yet.
AHEAD = 64 * 1024 * 1024
ALGORITHMS = ("sha256", "git-sha1")


class HashError(OSError):
    """A file could not be hashed (missing, not a regular file, changed while read)."""


@dataclass(frozen=True, slots=True)
class Hashed:
    """The outcome of hashing one file: a digest and the size hashed, or why not."""

    digest: str | None
    size: int | None
    error: str | None = None


def _hasher(algorithm: str, size: int) -> hashlib._Hash:
    if algorithm == "sha256":
        return hashlib.sha256()
    if algorithm == "git-sha1":
        # git's object id of a blob: sha1 over a "blob <size>\0" header, then the content
        return hashlib.sha1(b"blob %d\0" % size, usedforsecurity=False)
    raise ValueError(f"unknown hash algorithm {algorithm!r}")


def _advise(fd: int, size: int) -> None:
    if hasattr(os, "posix_fadvise") and size:
        with contextlib.suppress(OSError):  # only a hint
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_SEQUENTIAL)


def _prefetch(mapped: mmap.mmap, start: int, length: int) -> None:
    """Ask the kernel to start reading the next window while this one is hashed (cold files)."""
    if hasattr(mapped, "madvise") and hasattr(mmap, "MADV_WILLNEED"):
        with contextlib.suppress(OSError, ValueError):
            mapped.madvise(mmap.MADV_WILLNEED, start, length)


def hash_file(path: str, algorithm: str = "sha256") -> tuple[str, int]:
    """``(hex digest, size)`` of the regular file at ``path``; never follows a final symlink."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise HashError(exc.errno, exc.strerror, path) from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise HashError(f"not a regular file: {path}")
        size = st.st_size
        h = _hasher(algorithm, size)
        _advise(fd, size)
        if size >= MMAP_MIN:
            with mmap.mmap(fd, size, access=mmap.ACCESS_READ) as mapped:
                if hasattr(mapped, "madvise"):
                    mapped.madvise(mmap.MADV_SEQUENTIAL)
                view = memoryview(mapped)
                try:
                    for offset in range(0, size, CHUNK):
                        if offset % AHEAD == 0 and offset + AHEAD < size:
                            _prefetch(mapped, offset + AHEAD, min(AHEAD, size - offset - AHEAD))
                        h.update(view[offset : offset + CHUNK])
                finally:
                    view.release()
        else:
            data = os.read(fd, size + 1) if size else b""
            if len(data) != size:
                raise HashError(f"changed while being read: {path}")
            h.update(data)
        if os.fstat(fd).st_size != size:
            raise HashError(f"changed while being read: {path}")
        return h.hexdigest(), size
    finally:
        os.close(fd)


def _safe(path: str, algorithm: str) -> Hashed:
    try:
        digest, size = hash_file(path, algorithm)
    except (OSError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        return Hashed(None, None, reason)
    return Hashed(digest, size)


def hash_many(
    jobs: Sequence[tuple[str, str]], workers: int = 0, sizes: Sequence[int] | None = None
) -> list[Hashed]:
    """Hash every ``(path, algorithm)`` job on ``workers`` threads; results in job order.

    Largest files start first (``sizes`` when known), so one big file does not finish alone at
    the end while the other cores idle.
    """
    if not jobs:
        return []
    count = worker_count(workers, len(jobs))  # never more threads than usable CPUs
    order = list(range(len(jobs)))
    if sizes is not None:
        order.sort(key=lambda i: -sizes[i])
    if count == 1:
        return [_safe(*job) for job in jobs]
    results: list[Hashed | None] = [None] * len(jobs)
    with ThreadPoolExecutor(max_workers=count, thread_name_prefix="modeldeps-hash") as pool:
        futures = {pool.submit(_safe, *jobs[i]): i for i in order}
        for future, i in futures.items():
            results[i] = future.result()
    return [r if r is not None else Hashed(None, None, "not hashed") for r in results]
