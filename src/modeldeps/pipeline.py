"""The scan pipeline: walk → detect/inspect → resolve → assess, as one function returning data."""

from __future__ import annotations

import importlib
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Protocol

from modeldeps import __version__
from modeldeps.discover.cache import ScanCache
from modeldeps.discover.detectors.crossmodule import link
from modeldeps.discover.engine import (
    NOT_ACCEPTED,
    FileOutcome,
    analyse_many,
    content_digest,
    detector_salt,
)
from modeldeps.discover.walk import FileKind, WalkedFile, walk
from modeldeps.errors import ModeldepsError, StageError, UsageError
from modeldeps.globs import gitignore_problem
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
from modeldeps.scan_key import (
    RACY_S,
    Declaration,
    code_version,
    file_digest,
    options_part,
    scan_key,
)
from modeldeps.serialize import ShapeError, decode, to_data


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


def load_stage(stage: str, module: str) -> ModuleType:
    """Import the module a stage needs; a stage that cannot be imported stops the scan.

    A broken install must never look like a clean scan, so the ``ImportError`` becomes a
    ``StageError`` naming the stage and the module (exit 2), never a skipped stage.
    """
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise StageError(f"the {stage} stage cannot run: {exc}") from exc


def _rebase(rel: str, prefix: str) -> str:
    return f"{prefix}/{rel}" if prefix else rel


def scan(
    paths: Sequence[Path], options: ScanOptions | None = None, progress: Progress | None = None
) -> ScanResult:
    """Scan ``paths`` and return everything found. Never raises for bad scanned content."""
    opts = options or ScanOptions()
    prog = progress or _NoProgress()
    started = time.perf_counter()
    # Files changed after this moment (less the racy window) are judged by content, not stat.
    racy_after = time.time_ns() - int(RACY_S * 1e9)
    started_at = datetime.now(UTC).replace(microsecond=0).isoformat()
    roots = [p.resolve() for p in paths]
    for root in roots:
        if not root.exists():
            raise UsageError(f"no such file or directory: {root}")
    for pattern in opts.excludes:
        problem = gitignore_problem(pattern)
        if problem is not None:
            raise UsageError(f"exclude pattern: {problem}")
    # With several roots, locations are prefixed by each root's name so they stay distinct.
    prefixes = [r.name if len(roots) > 1 else "" for r in roots]

    text_files: list[tuple[str, str]] = []
    weight_files: list[tuple[Path, str, Path]] = []
    walked_text: list[WalkedFile] = []
    skipped: list[Skipped] = []
    walk_lines: list[str] = []  # the walk as the whole-scan cache key sees it
    seen = 0
    walk_skips = 0
    for root, prefix in zip(roots, prefixes, strict=True):
        for item in walk(root, opts):
            if isinstance(item, Skipped):
                skipped.append(
                    replace(item, location=Location(_rebase(item.location.path, prefix)))
                )
                walk_lines.append(f"skip\0{prefix}\0{item.location.path}\0{item.reason}")
                walk_skips += 1
                continue
            seen += 1
            rel = _rebase(item.rel, prefix)
            line = f"{rel}\0{item.kind.value}\0{item.size}\0{item.mtime_ns}\0{item.ctime_ns}"
            line += f"\0{item.ino}"
            if max(item.mtime_ns, item.ctime_ns) >= racy_after:
                line += "\0" + file_digest(item.path)  # the stat may not show a last edit
            walk_lines.append(line)
            if item.kind is FileKind.WEIGHT:
                weight_files.append((item.path, rel, root))
            else:
                text_files.append((item.abspath, rel))
                walked_text.append(item)

    locked = opts.check_lock and _has_lock(roots)
    lock_lines: list[str] = []
    if locked:  # drift depends on the lock and on local copies outside the tree
        from modeldeps.lock.scancheck import key_lines

        lock_lines = list(key_lines(roots))
    cache = _open_cache(opts)
    key = (
        _whole_scan_key(roots, walk_lines, opts, started_at, lock_lines)
        if cache is not None
        else None
    )
    again = _stored_result(cache, key)
    if again is not None:
        # Nothing the result depends on has changed since it was stored: give it back.
        assert cache is not None
        cache.close()
        old = again.stats
        stats = replace(
            old,
            files_parsed=0,
            files_unmatched=0,
            files_inspected=0,
            files_cached=old.files_parsed
            + old.files_cached
            + old.files_unmatched
            + old.files_inspected,
            bytes_read=0,
            duration_s=round(time.perf_counter() - started, 3),
        )
        return replace(again, started_at=started_at, stats=stats)

    outcomes, bytes_read = _detect(text_files, walked_text, opts, prog, cache, racy_after)
    references: list[ModelReference] = []
    dependencies: list[Dependency] = []
    # Each file lands in exactly one bucket, so the summary adds up to what the walk saw.
    counts = {"parsed": 0, "cached": 0, "unmatched": 0, "inspected": 0, "skipped": walk_skips}
    for out, from_cache in outcomes:
        references.extend(out.references)
        dependencies.extend(out.dependencies)
        skipped.extend(out.skipped)
        bytes_read += out.bytes_read
        if out.skipped:
            counts["skipped"] += 1
        elif from_cache:
            counts["cached"] += 1
        else:
            counts["parsed" if out.parsed else "unmatched"] += 1
    # constants of one module passed to a loader in another
    references = link(references, [rel for _, rel in text_files], _python_reader(text_files))

    artifacts: list[ArtifactInfo] = []
    if opts.inspect_artifacts and weight_files:
        artifacts, art_skipped = _inspect(weight_files, opts, prog)
        skipped.extend(art_skipped)
        counts["inspected"] += len(artifacts)
        counts["skipped"] += len(art_skipped)
    elif weight_files:
        counts["unmatched"] += len(weight_files)  # --no-inspect: the user chose not to open them

    result = ScanResult(
        roots=tuple(str(r) for r in roots),
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
        files_seen=seen + walk_skips,
        files_parsed=counts["parsed"],
        files_cached=counts["cached"],
        bytes_read=bytes_read,
        duration_s=round(time.perf_counter() - started, 3),
        files_unmatched=counts["unmatched"],
        files_inspected=counts["inspected"],
        files_skipped=counts["skipped"],
    )
    result = replace(result, stats=stats)
    if cache is not None:
        if key is not None:
            cache.put_scan(key, to_data(result))
        cache.close()
    return result


def _has_lock(roots: Sequence[Path]) -> bool:
    from modeldeps.lock import LOCK_FILENAME

    return any((root / LOCK_FILENAME).is_file() for root in roots)


def _open_cache(opts: ScanOptions) -> ScanCache | None:
    if not opts.use_cache:
        return None
    cache_dir = opts.cache_dir or default_cache_dir()
    return ScanCache(cache_dir / "scan-cache.sqlite3", detector_salt(__version__))


def _whole_scan_key(
    roots: Sequence[Path],
    walk_lines: list[str],
    opts: ScanOptions,
    started_at: str,
    lock_lines: Sequence[str] = (),
) -> str | None:
    """The whole-scan key from every stage's declared inputs; ``None``: do not cache this scan."""
    if opts.online:
        return None  # the Hub's answers can change at any time
    declared = [
        Declaration("code", values=(code_version(),)),
        Declaration("walk", values=tuple(walk_lines)),
        Declaration("options", values=options_part(opts)),
        Declaration("resolve", files=opts.kb_overlays if opts.resolve else ()),
        Declaration("lock", values=tuple(lock_lines)),  # the lock and the copies it pins
    ]
    if opts.assess:
        stage = load_stage("assess", "modeldeps.assess.stage")
        try:
            assess_inputs: Declaration = stage.declared_inputs(roots[0], opts)
        except ModeldepsError:
            return None  # the scan itself reports a bad policy, in its own words
        declared.append(assess_inputs)
        declared.append(Declaration("day", values=(started_at[:10],)))
    return scan_key(roots, declared)


def _stored_result(cache: ScanCache | None, key: str | None) -> ScanResult | None:
    """The stored result for ``key``, checked against the result's schema: any doubt is a miss."""
    if cache is None or key is None:
        return None
    stored = cache.get_scan(key)
    if stored is None:
        return None
    try:
        result: ScanResult = decode(ScanResult, stored)
    except ShapeError:
        return None
    return result


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
    racy_after: int,
) -> tuple[list[tuple[FileOutcome, bool]], int]:
    """Every text file's outcome and whether it came from the cache, in walk order; and the
    bytes read to check cache entries."""
    hits: dict[str, FileOutcome] = {}
    checked = 0  # bytes read to confirm entries stored while their file was racily new
    if cache is not None:
        rel_of = dict(files)
        for path, (digest, payload, racy) in cache.lookup_many(
            (w.abspath, _stat_key(w)) for w in walked
        ).items():
            if racy and digest != NOT_ACCEPTED:
                # Stored within a timestamp tick of a write: the stat may hide a later edit.
                now, size = content_digest(path, opts.max_text_bytes)
                checked += size
                if now != digest:
                    continue
            try:
                hits[path] = FileOutcome.from_payload(rel_of[path], digest, payload)
            except ShapeError:
                continue  # an entry of the wrong shape is a miss: the file is read again
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
    outcomes: list[tuple[FileOutcome, bool]] = []
    for path, rel in files:
        hit = hits.get(path)
        if hit is not None:
            outcomes.append((hit, True))
        else:
            outcomes.append((by_rel[rel], False))
    if cache is not None:
        stat_of = {w.abspath: _stat_key(w) for w in walked}
        # An entry stored within the racy window is trusted only after its content is checked.
        new = {w.abspath for w in walked if max(w.mtime_ns, w.ctime_ns) >= racy_after}
        cache.put_many(
            (p, stat_of[p], o.digest, o.payload(), p in new)
            for (p, _), o in zip(todo, fresh, strict=True)
            if o.digest is not None
        )
    return outcomes, checked


def _stat_key(w: WalkedFile) -> str:
    """What the per-file cache compares: size, modification and change times, inode."""
    return f"{w.size}:{w.mtime_ns}:{w.ctime_ns}:{w.ino}"


def _inspect(
    files: list[tuple[Path, str, Path]], opts: ScanOptions, prog: Progress
) -> tuple[list[ArtifactInfo], list[Skipped]]:
    registry = load_stage("inspect", "modeldeps.discover.inspectors")
    inspectors = registry.all_inspectors()
    inspect_file = registry.inspect_file
    prog.phase("inspect", len(files))
    artifacts: list[ArtifactInfo] = []
    skipped: list[Skipped] = []
    for path, rel, root in files:
        try:
            artifacts.append(
                inspect_file(path, rel, root, hash_file=opts.hash_artifacts, inspectors=inspectors)
            )
        except OSError as exc:
            skipped.append(Skipped(Location(rel), Stage.INSPECT, f"cannot read: {exc.strerror}"))
        prog.advance()
    return artifacts, skipped


def resolve_result(result: ScanResult, opts: ScanOptions) -> ScanResult:
    """Attach an identity to every reference and artifact (the resolve stage)."""
    resolver = load_stage("resolve", "modeldeps.resolve").Resolver.create(
        overlays=opts.kb_overlays,
        online=opts.online,
        cache_dir=opts.cache_dir,
        use_cache=opts.use_cache,
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
    stage = load_stage("assess", "modeldeps.assess.stage")
    assessed: ScanResult = stage.run_assessment(result, opts, root)
    return assessed
