"""The scan pipeline: walk → detect/inspect → resolve → assess, as one function returning data."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from modeldeps import __version__
from modeldeps.discover.cache import ScanCache
from modeldeps.discover.detectors.crossmodule import link
from modeldeps.discover.engine import FileOutcome, analyse_many, detector_salt
from modeldeps.discover.walk import FileKind, WalkedFile, walk
from modeldeps.errors import ModeldepsError, UsageError
from modeldeps.model import (
    ArtifactInfo,
    Dependency,
    Location,
    ModelReference,
    ScanResult,
    ScanStats,
    Skipped,
    Stage,
)
from modeldeps.options import ScanOptions
from modeldeps.serialize import result_from_data, to_data
from modeldeps.textsafe import fs_text


class Progress(Protocol):
    """Receives progress of slow phases; the CLI draws it, the library never prints."""

    def phase(self, name: str, total: int) -> None: ...

    def advance(self, n: int = 1) -> None: ...


class _NoProgress:
    def phase(self, name: str, total: int) -> None:
        pass

    def advance(self, n: int = 1) -> None:
        pass


def default_cache_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_cache_dir("modeldeps", appauthor=False))


def _rebase(rel: str, prefix: str) -> str:
    return f"{prefix}/{rel}" if prefix else rel


def scan(
    paths: Sequence[Path], options: ScanOptions | None = None, progress: Progress | None = None
) -> ScanResult:
    """Scan ``paths`` and return everything found. Never raises for bad scanned content."""
    opts = options or ScanOptions()
    prog = progress or _NoProgress()
    started = time.perf_counter()
    started_at = datetime.now(UTC).replace(microsecond=0).isoformat()
    roots = [p.resolve() for p in paths]
    for root in roots:
        if not root.exists():
            raise UsageError(f"no such file or directory: {root}")
    # With several roots, locations are prefixed by each root's name so they stay distinct.
    prefixes = [fs_text(r.name) if len(roots) > 1 else "" for r in roots]

    text_files: list[tuple[str, str]] = []
    weight_files: list[tuple[Path, str, Path]] = []
    walked_text: list[WalkedFile] = []
    skipped: list[Skipped] = []
    walk_lines: list[str] = []  # the walk as the whole-scan cache key sees it
    seen = 0
    for root, prefix in zip(roots, prefixes, strict=True):
        for item in walk(root, opts):
            if isinstance(item, Skipped):
                skipped.append(
                    replace(item, location=Location(_rebase(item.location.path, prefix)))
                )
                walk_lines.append(f"skip\0{prefix}\0{item.location.path}\0{item.reason}")
                continue
            seen += 1
            rel = _rebase(item.rel, prefix)
            walk_lines.append(f"{rel}\0{item.size}\0{item.mtime_ns}\0{item.kind.value}")
            # A chat template's file is both: detectors read it, the template inspector checks it.
            if item.kind is not FileKind.TEXT:
                weight_files.append((item.path, rel, root))
            if item.kind is not FileKind.WEIGHT:
                text_files.append((item.abspath, rel))
                walked_text.append(item)

    locked = opts.check_lock and _has_lock(roots)
    if locked:  # drift depends on the lock and on local copies outside the tree
        from modeldeps.lock.scancheck import key_lines

        walk_lines += key_lines(roots)
    cache = _open_cache(opts)
    key = _whole_scan_key(roots, walk_lines, opts, started_at) if cache is not None else None
    stored = cache.get_scan(key) if cache is not None and key is not None else None
    if stored is not None:
        # Nothing the result depends on has changed since it was stored: give it back.
        assert cache is not None
        cache.close()
        again = result_from_data(stored)
        stats = ScanStats(
            files_seen=seen,
            files_parsed=0,
            files_cached=len(text_files),
            bytes_read=0,
            duration_s=round(time.perf_counter() - started, 3),
        )
        return replace(again, started_at=started_at, stats=stats)

    outcomes, cached_count = _detect(text_files, walked_text, opts, prog, cache)
    weight_files.extend(_models_named_as_text(outcomes, text_files, roots))
    references: list[ModelReference] = []
    dependencies: list[Dependency] = []
    bytes_read = 0
    parsed = 0
    for out in outcomes:
        references.extend(out.references)
        dependencies.extend(out.dependencies)
        skipped.extend(out.skipped)
        bytes_read += out.bytes_read
        parsed += out.parsed
    # constants of one module passed to a loader in another
    references = link(references, [rel for _, rel in text_files], _python_reader(text_files))

    artifacts: list[ArtifactInfo] = []
    if opts.inspect_artifacts and weight_files:
        artifacts, art_skipped = _inspect(weight_files, opts, prog)
        skipped.extend(art_skipped)

    result = ScanResult(
        roots=tuple(fs_text(str(r)) for r in roots),
        started_at=started_at,
        tool_version=__version__,
        kb_version=None,
        references=tuple(sorted(references, key=ModelReference.sort_key)),
        dependencies=tuple(
            sorted(dependencies, key=lambda d: (d.location.path, d.location.line or 0, d.name))
        ),
        artifacts=tuple(sorted(artifacts, key=lambda a: a.location.path)),
        skipped=tuple(sorted(skipped, key=lambda s: (s.location.path, s.stage.value, s.reason))),
    )
    if locked:
        from modeldeps.lock.scancheck import apply_lock

        result = apply_lock(result, opts, roots, prefixes)
    if opts.resolve:
        result = resolve_result(result, opts)
    if opts.assess:
        result = assess_result(result, opts, roots[0])
    stats = ScanStats(
        files_seen=seen,
        files_parsed=parsed,
        files_cached=cached_count,
        bytes_read=bytes_read,
        duration_s=round(time.perf_counter() - started, 3),
    )
    result = replace(result, stats=stats)
    if cache is not None:
        # A result cut by the time budget depends on how busy the machine was, not only on
        # its inputs: it is not stored, so the next scan tries again.
        if key is not None and not _timed_out(result):
            cache.put_scan(key, to_data(result))
        cache.close()
    return result


def _timed_out(result: ScanResult) -> bool:
    from modeldeps.discover.inspectors.parallel import OVER_BUDGET
    from modeldeps.discover.inspectors.pickle_ops import TIME_BUDGET

    if any(s.reason == OVER_BUDGET for s in result.skipped):
        return True
    return any(TIME_BUDGET in f.message for a in result.artifacts for f in a.findings)


def _has_lock(roots: Sequence[Path]) -> bool:
    from modeldeps.lock import LOCK_FILENAME

    return any((root / LOCK_FILENAME).is_file() for root in roots)


def _open_cache(opts: ScanOptions) -> ScanCache | None:
    if not opts.use_cache:
        return None
    cache_dir = opts.cache_dir or default_cache_dir()
    return ScanCache(cache_dir / "scan-cache.sqlite3", detector_salt(__version__))


def _whole_scan_key(
    roots: Sequence[Path], walk_lines: list[str], opts: ScanOptions, started_at: str
) -> str | None:
    """The whole-scan cache key, including the baseline the policy names (if any)."""
    from modeldeps.scan_key import scan_key

    extra: list[Path] = []
    if opts.assess:
        try:
            from modeldeps.assess.policy import load_policy

            policy = load_policy(roots[0], opts.config_file)
        except ModeldepsError:
            return None  # the scan itself reports a bad policy, in its own words
        if policy.baseline is not None:
            extra.append(policy.baseline)
    return scan_key(roots, walk_lines, opts, started_at[:10], extra)


def _python_reader(files: list[tuple[str, str]]) -> Callable[[str], list[ModelReference]]:
    """Reads one scanned Python file for the constants it exports (bounded, never executed)."""
    paths = dict((rel, path) for path, rel in files)

    def read(rel: str) -> list[ModelReference]:
        from modeldeps.discover.detectors.interface import SourceFile
        from modeldeps.discover.detectors.python_source import PythonSourceDetector
        from modeldeps.discover.engine import decode

        try:
            with open(paths[rel], "rb") as fh:
                data = fh.read(2 * 1024 * 1024)
            found = PythonSourceDetector().detect(SourceFile(rel, decode(data), data))
        except Exception:  # a file we cannot read or parse exports nothing
            return []
        return [r for r in found if isinstance(r, ModelReference)]

    return read


def _detect(
    files: list[tuple[str, str]],
    walked: list[WalkedFile],
    opts: ScanOptions,
    prog: Progress,
    cache: ScanCache | None,
) -> tuple[list[FileOutcome], int]:
    hits: dict[str, tuple[str, object]] = {}
    if cache is not None:
        hits = cache.lookup_many((w.abspath, w.size, w.mtime_ns) for w in walked)
    todo = [(p, rel) for p, rel in files if p not in hits]
    prog.phase("detect", len(todo))
    fresh = analyse_many(
        todo,
        max_bytes=opts.max_text_bytes,
        jobs=opts.jobs,
        on_done=prog.advance,
        hash_content=cache is not None,
    )
    by_rel: dict[str, FileOutcome] = {o.rel: o for o in fresh}
    outcomes: list[FileOutcome] = []
    for path, rel in files:
        hit = hits.get(path)
        if hit is not None:
            digest, payload = hit
            outcomes.append(FileOutcome.from_payload(rel, digest, payload))  # type: ignore[arg-type]
        else:
            outcomes.append(by_rel[rel])
    if cache is not None:
        stat_of = {w.abspath: (w.size, w.mtime_ns) for w in walked}
        cache.put_many(
            (p, *stat_of[p], o.digest, o.payload())
            for (p, _), o in zip(todo, fresh, strict=True)
            if o.digest is not None
        )
    return outcomes, len(hits)


def _models_named_as_text(
    outcomes: list[FileOutcome], text_files: list[tuple[str, str]], roots: Sequence[Path]
) -> list[tuple[Path, str, Path]]:
    """Files named like text that turned out not to be (a pickle called ``model.py``): the
    ones whose content is a model format are inspected like any weight file."""
    binary = {o.rel for o in outcomes if o.binary}
    if not binary:
        return []
    from modeldeps.discover.inspectors.content import sniff_path

    found: list[tuple[Path, str, Path]] = []
    for abspath, rel in text_files:
        if rel not in binary:
            continue
        try:
            size = os.stat(abspath).st_size
        except OSError:
            continue
        if sniff_path(abspath, size)[0] is not None:
            root = next((r for r in roots if abspath.startswith(str(r))), roots[0])
            found.append((Path(abspath), rel, root))
    return found


def _inspect(
    files: list[tuple[Path, str, Path]], opts: ScanOptions, prog: Progress
) -> tuple[list[ArtifactInfo], list[Skipped]]:
    """Inspect the weight files, in a pool when it pays, within the scan's time budget."""
    from modeldeps.discover.inspectors.parallel import InspectJob, inspect_jobs

    prog.phase("inspect", len(files))
    jobs = [InspectJob(path, rel, root) for path, rel, root in files]
    return inspect_jobs(
        jobs,
        hash_files=opts.hash_artifacts,
        workers=opts.jobs,
        on_done=prog.advance,
        budget_s=opts.inspect_budget_s,
    )


def resolve_result(result: ScanResult, opts: ScanOptions) -> ScanResult:
    """Attach an identity to every reference and artifact (the resolve stage)."""
    try:
        from modeldeps.resolve import Resolver
    except ImportError:
        return result
    resolver = Resolver.create(
        overlays=opts.kb_overlays, online=opts.online, cache_dir=opts.cache_dir
    )
    skipped = list(result.skipped)
    refs = []
    for ref in result.references:
        try:
            refs.append(replace(ref, identity=resolver.resolve_reference(ref)))
        except Exception as exc:  # one bad lookup must not lose the others
            refs.append(ref)
            skipped.append(Skipped(ref.location, Stage.RESOLVE, f"{ref.value}: {exc}"))
    arts = []
    roots = [Path(r) for r in result.roots]
    for art in result.artifacts:
        try:
            path = roots[0] / art.location.path if len(roots) == 1 else None
            arts.append(replace(art, identity=resolver.resolve_artifact(art, path)))
        except Exception as exc:
            arts.append(art)
            skipped.append(Skipped(art.location, Stage.RESOLVE, str(exc)))
    return replace(
        result,
        kb_version=resolver.kb_version,
        references=tuple(refs),
        artifacts=tuple(arts),
        skipped=tuple(skipped),
    )


def assess_result(result: ScanResult, opts: ScanOptions, root: Path) -> ScanResult:
    """Turn the inventory into findings under the configured policy (the assess stage)."""
    try:
        from modeldeps.assess.stage import run_assessment
    except ImportError:
        return result
    return run_assessment(result, opts, root)
