"""Run detectors over text files: read once, prefilter, parse in parallel, cache by content."""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import signal
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, replace
from pathlib import Path
from types import FrameType
from typing import Any

from modeldeps.discover import prefilter
from modeldeps.discover.detectors import Detector, SourceFile, all_detectors
from modeldeps.errors import StageError
from modeldeps.model import Dependency, Location, ModelReference, Skipped, Stage
from modeldeps.serialize import ShapeError, to_data
from modeldeps.serialize import decode as decode_data

#: Wall-clock limit for all detectors on one file; a file over it becomes a ``Skipped``.
FILE_TIME_LIMIT_S = 10.0

#: Below this many files to parse, a process pool costs more than it saves.
_PARALLEL_THRESHOLD = 48


@dataclass(frozen=True, slots=True)
class FileOutcome:
    """What the detectors made of one text file."""

    rel: str
    references: tuple[ModelReference, ...] = ()
    dependencies: tuple[Dependency, ...] = ()
    skipped: tuple[Skipped, ...] = ()
    digest: str | None = None
    parsed: bool = False  # a detector ran (the prefilter let the file through)
    bytes_read: int = 0

    def payload(self) -> dict[str, Any]:
        """Cacheable form, independent of the file's path."""
        return {
            "references": [to_data(r) for r in self.references],
            "dependencies": [to_data(d) for d in self.dependencies],
            "skipped": [to_data(s) for s in self.skipped],
            "parsed": self.parsed,
        }

    @classmethod
    def from_payload(cls, rel: str, digest: str, data: Any) -> FileOutcome:
        """The outcome a cache entry holds, checked field by field (``ShapeError`` if not)."""

        def at(loc: Location) -> Location:
            return replace(loc, path=rel)

        if type(data) is not dict or data.keys() != _PAYLOAD_KEYS:
            raise ShapeError("not a detector cache entry")
        refs: tuple[ModelReference, ...] = decode_data(
            tuple[ModelReference, ...], data["references"]
        )
        deps: tuple[Dependency, ...] = decode_data(tuple[Dependency, ...], data["dependencies"])
        skipped: tuple[Skipped, ...] = decode_data(tuple[Skipped, ...], data["skipped"])
        if not isinstance(data["parsed"], bool):
            raise ShapeError("parsed is not a boolean")
        return cls(
            rel=rel,
            references=tuple(replace(r, location=at(r.location)) for r in refs),
            dependencies=tuple(replace(d, location=at(d.location)) for d in deps),
            skipped=tuple(replace(s, location=at(s.location)) for s in skipped),
            digest=digest,
            parsed=bool(data.get("parsed")),
        )


_PAYLOAD_KEYS = frozenset({"references", "dependencies", "skipped", "parsed"})
_REFS, _DEPS, _SKIPS = tuple[ModelReference, ...], tuple[Dependency, ...], tuple[Skipped, ...]

#: Digest stored for a file no detector accepts: nothing of it was read, and on a re-scan with
#: the same detector code there is still nothing to read.
NOT_ACCEPTED = "-"


def detector_salt(tool_version: str, package: Path | None = None) -> str:
    """Cache salt: changes whenever the tool or any discovery source file changes.

    It is computed from the content of every file of the discovery package (each detector's
    code, the registry, the vocabulary and any data a detector reads), without importing a
    single detector, so a re-scan served wholly from the cache never loads them, and any change
    to a detector invalidates its cached results whether or not its ``version`` was bumped.
    """
    digest = hashlib.sha256(tool_version.encode())
    package = package or Path(__file__).resolve().parent
    for source in sorted(package.rglob("*")):
        if source.suffix in (".pyc", ".pyo") or not source.is_file():
            continue
        digest.update(source.relative_to(package).as_posix().encode() + b"\0")
        try:
            digest.update(source.read_bytes())
        except OSError:
            digest.update(b"\0unreadable")
    return digest.hexdigest()[:16]


class _Timeout(Exception):
    pass


@contextlib.contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    """Raise ``_Timeout`` after ``seconds`` (main thread only; elsewhere no limit applies)."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "SIGALRM"):
        yield
        return

    def _raise(signum: int, frame: FrameType | None) -> None:
        raise _Timeout

    previous = signal.signal(signal.SIGALRM, _raise)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def decode(data: bytes) -> str:
    """Decode text leniently: UTF-8 (with BOM), UTF-16 by BOM, else UTF-8 with replacement.

    A lone carriage return ends a line (old Mac files; Python and git read them so): it becomes a
    newline, one character for one, so offsets and line numbers stay those of the file.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16", errors="replace")
    else:
        text = data.decode("utf-8-sig", errors="replace")
    if "\r" in text:
        text = _LONE_CR.sub("\n", text)
    return text


_LONE_CR = re.compile(r"\r(?!\n)")


def _digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def content_digest(path: str, max_bytes: int) -> tuple[str | None, int]:
    """The digest ``analyse_file`` would key this file's cache entry by, and the bytes read."""
    try:
        with open(path, "rb") as fh:
            data = fh.read(max_bytes + 1)
    except OSError:
        return None, 0
    return _digest(data), len(data)


def analyse_file(
    path: Path | str,
    rel: str,
    detectors: Sequence[Detector],
    max_bytes: int,
    hash_content: bool = True,
) -> FileOutcome:
    """Read one file and run the detectors that accept it and pass the prefilter."""
    accepting = [d for d in detectors if d.accepts(rel)]
    if not accepting:
        return FileOutcome(rel, digest=NOT_ACCEPTED if hash_content else None)
    try:
        with open(path, "rb") as fh:
            data = fh.read(max_bytes + 1)
    except OSError as exc:
        reason = f"cannot read: {exc.strerror or exc}"
        return FileOutcome(rel, skipped=(Skipped(Location(rel), Stage.DETECT, reason),))
    # The digest only keys the cache; a --no-cache scan need not compute it.
    digest = _digest(data) if hash_content else None
    if len(data) > max_bytes:
        reason = f"larger than the {max_bytes}-byte cap for text files"
        return FileOutcome(
            rel, skipped=(Skipped(Location(rel), Stage.DETECT, reason),), bytes_read=len(data)
        )
    return analyse_bytes(rel, data, accepting, digest)


def analyse_bytes(
    rel: str, data: bytes, accepting: Sequence[Detector], digest: str | None = None
) -> FileOutcome:
    """Run ``accepting`` detectors over ``data`` (already read) with prefilter and time limit."""
    chosen = prefilter.select(accepting, data)
    if not chosen:
        return FileOutcome(rel, digest=digest, bytes_read=len(data))
    nul = data.find(b"\0")
    if nul >= 0 and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        # No parser reads text with NUL bytes (Python refuses such source); say so, by name.
        names = ", ".join(d.name for d in chosen)
        reason = f"NUL byte at offset {nul}: not text, not parsed ({names})"
        return FileOutcome(
            rel,
            skipped=(Skipped(Location(rel), Stage.DETECT, reason),),
            digest=digest,
            bytes_read=len(data),
        )
    source = SourceFile(rel=rel, text=decode(data), data=data)
    refs: list[ModelReference] = []
    deps: list[Dependency] = []
    skipped: list[Skipped] = []
    for det in chosen:
        try:
            with _time_limit(FILE_TIME_LIMIT_S):
                for item in det.detect(source):
                    if isinstance(item, Skipped):  # a partial failure the detector survived
                        skipped.append(item)
                    else:
                        (refs if isinstance(item, ModelReference) else deps).append(item)  # type: ignore[arg-type]
        except _Timeout:
            reason = f"{det.name}: gave up after {FILE_TIME_LIMIT_S:.0f} s"
            skipped.append(Skipped(Location(rel), Stage.DETECT, reason))
        except RecursionError:
            skipped.append(Skipped(Location(rel), Stage.DETECT, f"{det.name}: nested too deeply"))
        except Exception as exc:  # a detector bug must not lose the rest of the scan
            reason = f"{det.name}: {type(exc).__name__}: {exc}"
            skipped.append(Skipped(Location(rel), Stage.DETECT, reason[:500]))
    for note in source.partial:
        skipped.append(Skipped(Location(rel), Stage.DETECT, f"read in part: {note}"[:500]))
    return FileOutcome(
        rel,
        references=tuple(refs),
        dependencies=tuple(deps),
        skipped=tuple(skipped),
        digest=digest,
        parsed=True,
        bytes_read=len(data),
    )


def _load_detectors() -> tuple[Detector, ...]:
    """Every registered detector; one that cannot be imported stops the scan (exit 2)."""
    try:
        return all_detectors()
    except ImportError as exc:
        raise StageError(f"the detect stage cannot run: {exc}") from exc


# --- parallel execution --------------------------------------------------------------------

_WORKER_DETECTORS: tuple[Detector, ...] = ()
_WORKER_MAX_BYTES = 0
_WORKER_HASH = True


def _init_worker(max_bytes: int, hash_content: bool) -> None:
    global _WORKER_DETECTORS, _WORKER_MAX_BYTES, _WORKER_HASH
    _WORKER_DETECTORS = all_detectors()
    _WORKER_MAX_BYTES = max_bytes
    _WORKER_HASH = hash_content


def _work(batch: list[tuple[str, str]]) -> list[FileOutcome]:
    return [
        analyse_file(p, rel, _WORKER_DETECTORS, _WORKER_MAX_BYTES, _WORKER_HASH) for p, rel in batch
    ]


def analyse_many(
    files: Sequence[tuple[Path | str, str]],
    *,
    max_bytes: int,
    jobs: int = 0,
    detectors: Sequence[Detector] | None = None,
    on_done: Callable[[int], None] | None = None,
    hash_content: bool = True,
) -> list[FileOutcome]:
    """Analyse ``(path, rel)`` pairs, in a process pool when it pays; order is preserved."""
    if not files:
        return []
    dets = tuple(detectors) if detectors is not None else _load_detectors()
    workers = jobs if jobs > 0 else (os.cpu_count() or 1)
    if workers <= 1 or len(files) < _PARALLEL_THRESHOLD or detectors is not None:
        out = []
        for path, rel in files:
            out.append(analyse_file(path, rel, dets, max_bytes, hash_content))
            if on_done:
                on_done(1)
        return out
    # Small batches: a few large files (generated modeling code, test suites) can take a
    # tenth of the whole run, and a worker stuck with them at the end idles the other core.
    batch_size = max(4, min(16, len(files) // (workers * 16) or 4))
    batches = [
        [(str(p), r) for p, r in files[i : i + batch_size]]
        for i in range(0, len(files), batch_size)
    ]
    done: dict[int, list[FileOutcome]] = {}
    with ProcessPoolExecutor(
        max_workers=workers, initializer=_init_worker, initargs=(max_bytes, hash_content)
    ) as pool:
        futures = {pool.submit(_work, batch): i for i, batch in enumerate(batches)}
        for future in as_completed(futures):
            outcome = future.result()
            done[futures[future]] = outcome
            if on_done:
                on_done(len(outcome))
    return [o for i in range(len(batches)) for o in done[i]]
