"""Raw pickle and joblib files (plain or compressed), walked as a stream, never loaded."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

from modeldeps.discover.inspectors.interface import InspectContext, Inspector
from modeldeps.discover.inspectors.pickle_ops import (
    FIRST_READ,
    OPCODES,
    Limits,
    PickleAnalysis,
    Source,
    analyse_source,
    looks_like_pickle,
    plausible_pickle,
)
from modeldeps.discover.inspectors.pickle_policy import findings_for
from modeldeps.discover.inspectors.streams import (
    DecompressSource,
    FileSource,
    Unsupported,
    compression_of,
)
from modeldeps.discover.inspectors.support import CountingFile, finding
from modeldeps.model import ArtifactInfo, Confidence, Finding, Location, Severity

#: Bytes read first from a file that should be a pickle: enough to judge its first opcodes.
HEAD_BYTES = 4096
__all__ = ["FIRST_READ", "HEAD_BYTES", "PickleInspector", "artifact", "walk_file", "walk_stream"]


def limits_for(ctx: InspectContext) -> Limits:
    """The walk's budgets for one file: its byte budget and the scan's shared deadline."""
    return Limits(max_bytes=ctx.max_pickle_bytes, deadline=ctx.deadline)


def walk_stream(
    ctx: InspectContext, src: Source, *, joblib: bool, max_pickles: int | None = None
) -> PickleAnalysis:
    """Walk a stream of the file under the file's budgets."""
    return analyse_source(src, limits=limits_for(ctx), joblib=joblib, max_pickles=max_pickles)


def walk_file(
    ctx: InspectContext, fh: CountingFile, *, joblib: bool, head: bytes = b""
) -> PickleAnalysis:
    """Walk the pickles of a whole file from its first byte (``head``, if given, is its start,
    already read); large arguments are seeked over, so only opcodes and what a payload could
    hide in are read."""
    src = FileSource(fh, len(head), ctx.size, prefix=head)
    return walk_stream(ctx, src, joblib=joblib)


def decompressed_head(fh: CountingFile, kind: str, head: bytes, want: int = HEAD_BYTES) -> bytes:
    """The first inflated bytes of a compressed file (for recognising what it holds)."""
    try:
        src = DecompressSource(fh, kind, start=len(head), prefix=head, budget=want * 4)
        return src.read(want)
    except Unsupported:
        return b""


def unrecognized(ctx: InspectContext, bytes_read: int, what: str) -> ArtifactInfo:
    """MD211 (info): named like a pickle-based format but its first bytes are no such thing."""
    f = finding(
        "MD211",
        Severity.INFO,
        f"named like {what} but neither a zip, a legacy checkpoint nor a pickle "
        "(its first opcodes do not decode)",
        ctx.rel,
        subject="format",
    )
    return ArtifactInfo(
        location=Location(ctx.rel),
        format="unrecognized",
        size_bytes=ctx.size,
        findings=(f,),
        bytes_read=bytes_read,
    )


def artifact(
    ctx: InspectContext,
    fmt: str,
    analyses: Iterable[tuple[str, PickleAnalysis]],
    *,
    bytes_read: int,
    extra: Iterable[Finding] = (),
    metadata: Mapping[str, Any] | None = None,
    extra_allowed: tuple[str, ...] = (),
) -> ArtifactInfo:
    """An ArtifactInfo from the analyses of one file's pickle streams (``where`` = member)."""
    findings: list[Finding] = list(extra)
    imported: set[str] = set()
    pickles = storages = numel = 0
    types: dict[str, int] = {}
    for where, a in analyses:
        findings.extend(findings_for(a, ctx.rel, where=where, extra_allowed=extra_allowed))
        imported.update(g.qualname for g in a.globals)
        pickles += a.pickles
        storages += a.storages
        numel += a.storage_numel
        for t, n in a.storage_types:
            types[t] = types.get(t, 0) + n
    meta: dict[str, Any] = {"pickles": pickles, "globals": sorted(imported)[:200]}
    meta.update(metadata or {})
    dtype = max(types, key=lambda t: types[t]).rsplit(".", 1)[-1] if types else None
    return ArtifactInfo(
        location=Location(ctx.rel),
        format=fmt,
        size_bytes=ctx.size,
        tensors=storages or None,
        params=numel or None,
        dtype=dtype,
        metadata=meta,
        findings=tuple(sorted(findings, key=lambda f: (-f.severity.rank, f.rule_id, f.subject))),
        bytes_read=bytes_read,
    )


def pickle_format_finding(ctx: InspectContext, fmt: str, safer: str) -> Finding:
    """MD203: the file is in a format that can run code where a data-only format exists."""
    return finding(
        "MD203",
        Severity.LOW,
        f"{fmt} file can run code when loaded; {safer} stores the same data safely",
        ctx.rel,
        subject=fmt,
    )


class PickleInspector(Inspector):
    """Raw pickle streams and joblib files, plain or compressed (gzip, zlib, bz2, xz, lzma,
    lz4, joblib's old ``ZF``), recognised by content whatever their name."""

    name: ClassVar[str] = "pickle"
    suffixes: ClassVar[frozenset[str]] = frozenset(
        {".pkl", ".pickle", ".joblib", ".dill", ".pck", ".pcl", ".p", ".sav", ".z"}
    )

    def sniff(self, head: bytes, ctx: InspectContext) -> bool:
        if looks_like_pickle(head):
            return True
        kind = compression_of(head)
        if kind is None and (not head or head[0] not in OPCODES):
            return False
        # Judged on more than the sniffed head: a pickle's first opcodes, or what a compressed
        # stream inflates to. Whatever the file is named.
        start = ctx.head(HEAD_BYTES)
        if kind is None:
            return plausible_pickle(start)
        with ctx.open() as fh:
            return plausible_pickle(decompressed_head(fh, kind, start))

    def inspect(self, ctx: InspectContext) -> ArtifactInfo:
        head = ctx.head(HEAD_BYTES)
        with ctx.open() as fh:
            kind = compression_of(head) if not plausible_pickle(head) else None
            extra: list[Finding] = []
            meta: dict[str, Any] = {}
            if kind:
                meta["compression"] = kind
                try:
                    src = DecompressSource(
                        fh, kind, start=len(head), prefix=head, budget=ctx.max_pickle_bytes
                    )
                except Unsupported as exc:
                    return _unverifiable(ctx, f"{kind}-compressed stream: {exc}", ctx.meter.total)
                a = walk_stream(ctx, src, joblib=True)
                if src.error and a.malformed:
                    a = _with_malformed(a, f"{a.malformed} ({src.error})")
            elif not plausible_pickle(head):
                return unrecognized(ctx, ctx.meter.total, "a pickle")
            else:
                a = walk_file(ctx, fh, joblib=True, head=head)
            bytes_read = ctx.meter.total
        joblib = any(g.module.endswith("numpy_pickle") for g in a.globals)
        fmt = "joblib" if joblib or ctx.rel.endswith(".joblib") else "pickle"
        extra.append(pickle_format_finding(ctx, fmt, "safetensors or skops"))
        return artifact(ctx, fmt, [("", a)], bytes_read=bytes_read, extra=extra, metadata=meta)


def _with_malformed(a: PickleAnalysis, why: str) -> PickleAnalysis:
    from dataclasses import replace

    return replace(a, malformed=why)


def _unverifiable(ctx: InspectContext, why: str, bytes_read: int) -> ArtifactInfo:
    """A compressed pickle this installation cannot inflate: the loader may, so it is high."""
    f = finding(
        "MD209",
        Severity.HIGH,
        f"{why}; its pickle could not be checked and may run code when loaded",
        ctx.rel,
        subject="compressed",
        confidence=Confidence.MEDIUM,
    )
    return ArtifactInfo(
        location=Location(ctx.rel),
        format="pickle",
        size_bytes=ctx.size,
        findings=(f,),
        bytes_read=bytes_read,
    )
