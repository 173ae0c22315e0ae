"""Verify local copies against ``models.lock``: drifted, missing, extra and unpinned models."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from modeldeps.lock.build import Wanted
from modeldeps.lock.hashing import Hashed, hash_many
from modeldeps.lock.lockfile import HubPin, LocalPin, Lockfile, OllamaPin
from modeldeps.lock.stores import Escape, inside

#: Files listed in one cached snapshot before the listing stops (a snapshot has a few hundred).
MAX_SNAPSHOT_FILES = 100_000


class Status(StrEnum):
    """What verification found for a model or one of its files."""

    OK = "ok"
    DRIFTED = "drifted"  # the bytes differ from the lock (or cannot be vouched for)
    MISSING = "missing"  # locked, but no local copy
    EXTRA = "extra"  # used by the code (or present in a locked snapshot) but not in the lock
    UNPINNED = "unpinned"  # in the lock without a pin


_RANK = {Status.OK: 0, Status.EXTRA: 1, Status.UNPINNED: 2, Status.MISSING: 3, Status.DRIFTED: 4}


@dataclass(frozen=True, slots=True)
class FileCheck:
    """One file of a locked model, as found on this machine."""

    path: str
    status: Status
    detail: str = ""
    expected: str | None = None  # algorithm:digest in the lock
    actual: str | None = None  # algorithm:digest found
    local: str | None = None  # where the copy is on this machine


@dataclass(frozen=True, slots=True)
class EntryCheck:
    """One model (or local file) of the lock, or one the code uses that the lock lacks."""

    kind: str  # hub, ollama, local, api
    name: str
    status: Status
    detail: str = ""
    files: tuple[FileCheck, ...] = ()
    line: int | None = None  # where the entry starts in the lockfile


@dataclass(frozen=True, slots=True)
class VerifyReport:
    """Everything ``verify`` found, in lock order, then the extras."""

    lock: str
    entries: tuple[EntryCheck, ...]
    stores: dict[str, str] = field(default_factory=dict)  # which cache and store were looked at

    def counts(self) -> dict[str, int]:
        out = {s.value: 0 for s in Status}
        for e in self.entries:
            out[e.status.value] += 1
        return out

    def failed(self, strict: bool = False) -> bool:
        """Drift or missing copies fail; under ``strict`` extra and unpinned models fail too."""
        bad = {Status.DRIFTED, Status.MISSING}
        if strict:
            bad |= {Status.EXTRA, Status.UNPINNED}
        return any(e.status in bad for e in self.entries)


@dataclass
class _Task:
    """A file to hash and what the lock says it must be."""

    local: str  # the real path, inside its store
    algorithm: str
    digest: str
    size: int


@dataclass
class _Pending:
    kind: str
    name: str
    line: int | None
    files: list[FileCheck | tuple[str, _Task]] = field(default_factory=list)
    detail: str = ""
    status: Status | None = None  # decided without hashing
    partial_ok: bool = (
        False  # files absent from a snapshot were never downloaded here (Hub API pin)
    )


Hasher = Callable[[Sequence[tuple[str, str]], Sequence[int]], list[Hashed]]


def _hash_all(jobs: Sequence[tuple[str, str]], sizes: Sequence[int], workers: int) -> list[Hashed]:
    return hash_many(jobs, workers, sizes)


def _file(
    rel: str, path: Path, root: Path, algorithm: str, digest: str, size: int
) -> FileCheck | tuple[str, _Task]:
    """A hash task for ``path`` if it exists inside ``root``; else a check that says why not."""
    expected = f"{algorithm}:{digest}"
    if not path.exists() and not path.is_symlink():
        return FileCheck(rel, Status.MISSING, "no local copy", expected)
    try:
        real = inside(path, root)
    except Escape as exc:
        detail = f"a link pointing outside its store, to {exc.target}; not read"
        return FileCheck(rel, Status.DRIFTED, detail, expected, local=str(path))
    if not os.path.exists(real):
        return FileCheck(rel, Status.MISSING, "a link to a file that is gone", expected, local=real)
    return rel, _Task(real, algorithm, digest, size)


def _hub(pin: HubPin, cache: Path | None) -> _Pending:
    from modeldeps.lock.hub_cache import cached_refs
    from modeldeps.lock.stores import repo_folder

    pending = _Pending("hub", pin.name, pin.line)
    if not pin.pinned:
        pending.status, pending.detail = Status.UNPINNED, pin.reason or ""
        return pending
    assert pin.revision is not None
    if cache is None or not cache.is_dir():
        pending.status, pending.detail = Status.MISSING, "no local Hugging Face cache"
        return pending
    snapshot = cache / repo_folder(pin.repo) / "snapshots" / pin.revision
    if not snapshot.is_dir():
        pending.status = Status.MISSING
        pending.detail = f"commit {pin.revision[:12]} is not in the Hugging Face cache"
        return pending
    moved = cached_refs(cache, pin.repo).get(pin.requested)
    if moved and moved != pin.revision:
        pending.detail = (
            f"the cache's {pin.requested!r} now points to {moved[:12]}; "
            "the locked commit is still there"
        )
    # A pin read from the cache lists the files that were there: one gone is missing. A pin
    # from the Hub API lists every file of the commit, and a user may fetch only some (one
    # quantization of a GGUF repository): files never downloaded are listed, not failed.
    pending.partial_ok = pin.source == "hub-api"
    locked = set()
    for f in pin.files:
        locked.add(f.path)
        pending.files.append(_file(f.path, snapshot / f.path, cache, f.algorithm, f.digest, f.size))
    for rel in _listing(snapshot):
        if rel not in locked:
            pending.files.append(
                FileCheck(rel, Status.EXTRA, "in the cached snapshot, not in the lock")
            )
    return pending


def _listing(folder: Path) -> list[str]:
    """Every file below ``folder`` as a relative POSIX path, without entering linked folders."""
    out: list[str] = []
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames.sort()
        for name in sorted(filenames):
            out.append(Path(dirpath, name).relative_to(folder).as_posix())
            if len(out) >= MAX_SNAPSHOT_FILES:
                return out
    return out


def _ollama(pin: OllamaPin, store: Path | None) -> _Pending:
    from modeldeps.lock.ollama_store import ManifestError, blob_path, read_manifest

    pending = _Pending("ollama", pin.name, pin.line)
    if not pin.pinned:
        pending.status, pending.detail = Status.UNPINNED, pin.reason or ""
        return pending
    if store is None or not (store / "manifests").is_dir():
        pending.status, pending.detail = Status.MISSING, "no local Ollama store"
        return pending
    try:
        manifest, _layers = read_manifest(store, pin.name)
    except FileNotFoundError:
        pending.status, pending.detail = Status.MISSING, "not in the local Ollama store"
        return pending
    except (OSError, ManifestError) as exc:
        pending.status, pending.detail = Status.DRIFTED, f"its manifest: {exc}"
        return pending
    if manifest != pin.manifest:
        pending.status = Status.DRIFTED
        pending.detail = (
            f"the tag now points to manifest {manifest[:19]}…, locked {str(pin.manifest)[:19]}…"
        )
    for layer in pin.layers:
        hexdigest = layer.digest.split(":", 1)[1]
        pending.files.append(
            _file(
                layer.digest, blob_path(store, layer.digest), store, "sha256", hexdigest, layer.size
            )
        )
    return pending


def _local(pin: LocalPin, root: Path) -> _Pending:
    pending = _Pending("local", pin.path, pin.line)
    if not pin.pinned:
        pending.status, pending.detail = Status.UNPINNED, pin.reason or ""
        return pending
    assert pin.sha256 is not None and pin.size is not None
    pending.files.append(_file(pin.path, root / pin.path, root, "sha256", pin.sha256, pin.size))
    return pending


def _judge(task: _Task, rel: str, got: Hashed) -> FileCheck:
    expected = f"{task.algorithm}:{task.digest}"
    if got.digest is None:
        status = Status.MISSING if "No such file" in (got.error or "") else Status.DRIFTED
        return FileCheck(rel, status, f"cannot be read: {got.error}", expected, local=task.local)
    actual = f"{task.algorithm}:{got.digest}"
    if got.size != task.size:
        detail = f"{got.size} bytes, locked {task.size}"
        return FileCheck(rel, Status.DRIFTED, detail, expected, actual, task.local)
    if got.digest != task.digest:
        detail = f"{task.algorithm} {got.digest[:16]}…, locked {task.digest[:16]}…"
        return FileCheck(rel, Status.DRIFTED, detail, expected, actual, task.local)
    return FileCheck(rel, Status.OK, "", expected, actual, task.local)


def verify(
    lock: Lockfile,
    root: Path,
    *,
    lock_name: str = "models.lock",
    hf_cache: Path | None = None,
    ollama_store: Path | None = None,
    wanted: Wanted | None = None,
    workers: int = 0,
    hasher: Hasher | None = None,
) -> VerifyReport:
    """Re-hash every locked local copy and compare; report what the code uses but the lock lacks.

    ``hf_cache``/``ollama_store`` default to where huggingface_hub and Ollama keep them. Every
    file is hashed on ``workers`` threads in one batch, largest first.
    """
    from modeldeps.lock import stores

    cache = (hf_cache or stores.hf_hub_cache()).resolve()
    store = (ollama_store or stores.ollama_store()).resolve()
    real_root = root.resolve()
    pending = [_hub(p, cache) for p in lock.hub]
    pending += [_ollama(p, store) for p in lock.ollama]
    pending += [_local(p, real_root) for p in lock.local]
    tasks = [item for p in pending for item in p.files if isinstance(item, tuple)]
    run: Hasher = hasher or (lambda jobs, sizes: _hash_all(jobs, sizes, workers))
    hashed = run([(t.local, t.algorithm) for _, t in tasks], [t.size for _, t in tasks])
    judged = {
        id(item): _judge(item[1], item[0], got) for item, got in zip(tasks, hashed, strict=True)
    }
    entries: list[EntryCheck] = []
    for p in pending:
        files = tuple(judged[id(f)] if isinstance(f, tuple) else f for f in p.files)
        status = p.status or Status.OK
        present = [f for f in files if f.status not in (Status.MISSING, Status.EXTRA)]
        absent = [f for f in files if f.status is Status.MISSING]
        tolerated = p.partial_ok and bool(present) and p.status is None
        for f in files:
            if f.status is Status.EXTRA or (tolerated and f.status is Status.MISSING):
                continue
            if _RANK[f.status] > _RANK[status]:
                status = f.status
        detail = p.detail
        if tolerated and absent:
            total = len(absent) + len(present)
            note = f"{len(absent)} of {total} files of the commit not downloaded here"
            detail = f"{detail}; {note}" if detail else note
        entries.append(EntryCheck(p.kind, p.name, status, detail, files, p.line))
    for pin in lock.api:
        status = Status.OK if pin.pinned else Status.UNPINNED
        detail = pin.reason or ""
        if pin.resolves_to and not pin.pinned:
            detail = f"resolves to {pin.resolves_to}: {detail}"
        entries.append(EntryCheck("api", pin.model, status, detail, line=pin.line))
    if wanted is not None:
        entries += _extras(lock, wanted)
    return VerifyReport(
        lock_name, tuple(entries), {"hf_cache": str(cache), "ollama_store": str(store)}
    )


def _extras(lock: Lockfile, want: Wanted) -> list[EntryCheck]:
    """Models the code uses that the lock does not list."""
    out: list[EntryCheck] = []
    hub = {p.key for p in lock.hub}
    for key, where in sorted(want.hub.items()):
        if key not in hub:
            name = want.hub_names[key] + ("" if key[1] == "main" else f"@{key[1]}")
            out.append(EntryCheck("hub", name, Status.EXTRA, _used(where)))
    for section, names in (
        ("ollama", (want.ollama, {p.key for p in lock.ollama})),
        ("local", (want.local, {p.key for p in lock.local})),
        ("local", (want.missing_local, {p.key for p in lock.local})),
        ("api", (want.api, {p.key for p in lock.api})),
    ):
        used, locked = names
        for name, where in sorted(used.items()):
            if name not in locked:
                out.append(EntryCheck(section, name, Status.EXTRA, _used(where)))
    return out


def _used(where: set[str]) -> str:
    if not where:
        return "found in the project, not in the lock"
    first = sorted(where)
    more = f" and {len(first) - 1} more" if len(first) > 1 else ""
    return f"used in {first[0]}{more}, not in the lock"
