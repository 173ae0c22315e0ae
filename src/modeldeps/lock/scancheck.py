"""The lock step of ``scan``: pins count for the unpinned-revision rule, drift becomes MD403.

With a ``models.lock`` at a scan root, every Hub reference the lock pins is marked with its
locked commit (``context["locked_revision"]``), and every local copy the lock names that is
present on this machine is checked; a copy whose bytes differ is a high-severity MD403 finding.
Copies that are absent are left to ``verify``: a CI runner rarely holds the model caches.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from modeldeps.errors import InputError
from modeldeps.lock import LOCK_FILENAME
from modeldeps.lock.build import hub_repo, requested_revision
from modeldeps.lock.lockfile import Lockfile
from modeldeps.model import (
    Confidence,
    Finding,
    Location,
    ModelReference,
    RefKind,
    ScanResult,
    Severity,
    Skipped,
    Stage,
)
from modeldeps.options import ScanOptions

RULE_ID = "MD403"


def _rebase(rel: str, prefix: str) -> str:
    return f"{prefix}/{rel}" if prefix else rel


def _read(root: Path) -> Lockfile | None:
    from modeldeps.lock import tomlio

    path = root / LOCK_FILENAME
    return tomlio.read(path) if path.is_file() else None


def _locked_paths(lock: Lockfile, root: Path) -> list[str]:
    """Every local copy the lock names, as a path to ``stat`` (links are followed by stat)."""
    from modeldeps.lock import stores
    from modeldeps.lock.ollama_store import blob_path, manifest_relpath

    cache, store = stores.hf_hub_cache(), stores.ollama_store()
    out = [str(root / p.path) for p in lock.local if p.pinned]
    for h in lock.hub:
        if h.revision:
            snap = cache / stores.repo_folder(h.repo) / "snapshots" / h.revision
            out += [str(snap / f.path) for f in h.files]
    for o in lock.ollama:
        if o.pinned:
            out.append(str(store / "manifests" / manifest_relpath(o.name)))
            out += [str(blob_path(store, x.digest)) for x in o.layers]
    return out


def key_lines(roots: Sequence[Path]) -> list[str]:
    """What the whole-scan cache key must include: the lock and the state of every locked copy."""
    lines: list[str] = []
    for root in roots:
        path = root / LOCK_FILENAME
        if not path.is_file():
            continue
        st = path.stat()
        lines.append(f"lock\0{path}\0{st.st_size}\0{st.st_mtime_ns}\0{st.st_ctime_ns}")
        try:
            lock = _read(root)
        except InputError:
            continue
        for copy in _locked_paths(lock, root) if lock else ():
            try:
                c = os.stat(copy)
                lines.append(f"copy\0{copy}\0{c.st_size}\0{c.st_mtime_ns}\0{c.st_ctime_ns}")
            except OSError:
                lines.append(f"copy\0{copy}\0absent")
    return lines


def _mark_pinned(
    refs: Sequence[ModelReference], lock: Lockfile, prefix: str
) -> list[ModelReference]:
    out: list[ModelReference] = []
    for ref in refs:
        mine = not prefix or ref.location.path.startswith(prefix + "/")
        repo = hub_repo(ref.value) if ref.kind is RefKind.HUB_MODEL and mine else None
        pin = lock.hub_pin(repo, requested_revision(ref)) if repo else None
        if pin is not None and pin.revision:
            ref = replace(ref, context={**ref.context, "locked_revision": pin.revision})
        out.append(ref)
    return out


def _drift(lock: Lockfile, root: Path, prefix: str, opts: ScanOptions) -> list[Finding]:
    from modeldeps.lock.memo import DigestMemo
    from modeldeps.lock.verify import Status, verify

    memo = None
    if opts.use_cache:
        from modeldeps.pipeline import default_cache_dir

        memo = DigestMemo(
            (opts.cache_dir or default_cache_dir()) / "lock-digests.sqlite3", opts.jobs
        )
    try:
        report = verify(lock, root, hasher=memo.hash if memo else None, workers=opts.jobs)
    finally:
        if memo is not None:
            memo.close()
    findings: list[Finding] = []
    for entry in report.entries:
        if entry.status is not Status.DRIFTED:
            continue
        in_tree = entry.kind == "local"
        where = Location(
            _rebase(entry.name if in_tree else LOCK_FILENAME, prefix),
            None if in_tree else entry.line,
        )
        bad = [f for f in entry.files if f.status is Status.DRIFTED]
        if not bad:  # the entry itself moved (an Ollama tag now names another manifest)
            findings.append(
                _finding(f"{entry.name}: {entry.detail}", where, f"{entry.kind}:{entry.name}")
            )
        for f in bad:
            what = entry.name if in_tree else f"{entry.name}: {f.path}"
            local = _where(f.local, report.stores) if not in_tree else ""
            findings.append(
                _finding(
                    f"{what}{local} differs from {LOCK_FILENAME}: {f.detail}",
                    where,
                    f"{entry.kind}:{entry.name}:{f.path}",
                )
            )
    return findings


_STORE_NAMES = {"hf_cache": "the Hugging Face cache", "ollama_store": "the Ollama store"}


def _where(local: str | None, stores: dict[str, str]) -> str:
    """`` (in the Hugging Face cache: models--org--m/blobs/…)``: no machine path in reports."""
    if not local:
        return ""
    for key, root in stores.items():
        if local.startswith(root.rstrip("/") + "/"):
            return f" (in {_STORE_NAMES.get(key, key)}: {local[len(root.rstrip('/')) + 1 :]})"
    return ""


def _finding(message: str, location: Location, subject: str) -> Finding:
    return Finding(
        RULE_ID, Severity.HIGH, Confidence.HIGH, "", message, location, subject=subject
    ).with_fingerprint()


def apply_lock(
    result: ScanResult, opts: ScanOptions, roots: Sequence[Path], prefixes: Sequence[str]
) -> ScanResult:
    """``result`` with pins marked on its references and drift added to its findings."""
    refs = list(result.references)
    findings = list(result.findings)
    skipped = list(result.skipped)
    for root, prefix in zip(roots, prefixes, strict=True):
        try:
            lock = _read(root)
        except InputError as exc:
            where = Location(_rebase(LOCK_FILENAME, prefix), exc.line)
            skipped.append(Skipped(where, Stage.LOCK, f"not used: {exc}"))
            continue
        if lock is None:
            continue
        refs = _mark_pinned(refs, lock, prefix)
        findings += _drift(lock, root, prefix, opts)
    return replace(result, references=tuple(refs), findings=tuple(findings), skipped=tuple(skipped))
