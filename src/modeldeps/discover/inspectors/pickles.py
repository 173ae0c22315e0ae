"""Raw pickle and joblib files (plain or compressed), analysed by opcode walk, never loaded."""

from __future__ import annotations

import bz2
import lzma
import zlib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, ClassVar

from modeldeps.discover.inspectors.archive import CountingFile
from modeldeps.discover.inspectors.interface import InspectContext, Inspector
from modeldeps.discover.inspectors.pickle_ops import (
    PickleAnalysis,
    analyse,
    looks_like_pickle,
    plausible_pickle,
)
from modeldeps.discover.inspectors.pickle_policy import findings_for
from modeldeps.discover.inspectors.support import finding
from modeldeps.model import ArtifactInfo, Confidence, Finding, Location, Severity

_CHUNK = 1 << 20
#: Bytes read first from a file that should be a pickle: enough to judge its first opcodes.
HEAD_BYTES = 4096
#: First read of a plausible pickle stream; it grows fourfold while the walk runs off the end.
FIRST_READ = 1 << 20

#: Compression magics joblib (and people) wrap pickles in: name by leading bytes.
COMPRESSION_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x1f\x8b", "gzip"),
    (b"BZh", "bz2"),
    (b"\xfd7zXZ\x00", "xz"),
    (b"\x5d\x00\x00", "lzma"),
    (b"\x04\x22\x4d\x18", "lz4"),
    (b"\x78\x01", "zlib"),
    (b"\x78\x5e", "zlib"),
    (b"\x78\x9c", "zlib"),
    (b"\x78\xda", "zlib"),
)


def compression_of(head: bytes) -> str | None:
    for magic, name in COMPRESSION_MAGIC:
        if head.startswith(magic):
            return name
    return None


def _decompressor(kind: str) -> Any:
    if kind == "gzip":
        return zlib.decompressobj(31)
    if kind == "zlib":
        return zlib.decompressobj()
    if kind == "bz2":
        return bz2.BZ2Decompressor()
    if kind in ("xz", "lzma"):
        return lzma.LZMADecompressor()
    return None


def read_decompressed(
    fh: CountingFile, kind: str, limit: int, prefix: bytes = b""
) -> tuple[bytes, bool]:
    """Decompress a stream to at most ``limit`` bytes; True when the limit cut it short.

    ``prefix`` is the stream's start, already read from ``fh``. Reads compressed input a chunk
    at a time, so a zip bomb costs at most ``limit`` bytes.
    """
    dec = _decompressor(kind)
    if dec is None:
        raise ValueError(f"{kind} compression is not supported")
    out = bytearray()
    while len(out) < limit:
        chunk, prefix = (prefix, b"") if prefix else (fh.read(_CHUNK), b"")
        if not chunk:
            break
        out += dec.decompress(chunk, limit - len(out))
        if getattr(dec, "eof", False):
            break
    truncated = len(out) >= limit
    return bytes(out[:limit]), truncated


def walk_growing(
    fh: CountingFile, head: bytes, cap: int, *, joblib: bool
) -> tuple[PickleAnalysis, bool]:
    """Walk the pickles of a stream read from ``fh`` (positioned after ``head``), reading more
    only while the walk runs off the end of what was read. Never more than ``cap`` bytes in all.

    Returns the analysis and whether ``cap`` cut the stream before the walk ended. A stream
    that breaks or ends before the end of what was read needs nothing more: in a legacy
    checkpoint that is where raw tensor bytes begin.
    """
    data = bytearray(head[:cap])
    want = min(cap, max(FIRST_READ, len(data)))
    eof = False
    while True:
        if len(data) < want and not eof:
            data += fh.read(want - len(data))
            eof = len(data) < want
        a = analyse(bytes(data), joblib=joblib, max_pickles=None)
        if a.end_offset < len(data) or eof or len(data) >= cap:
            ran_off = a.end_offset >= len(data) and not eof and len(data) >= cap
            return a, ran_off and bool(fh.read(1))
        want = min(cap, want * 4)


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
    """Raw pickle streams (``.pkl``, ``.pickle``, ``.joblib``), compressed or not."""

    name: ClassVar[str] = "pickle"
    suffixes: ClassVar[frozenset[str]] = frozenset(
        {".pkl", ".pickle", ".joblib", ".dill", ".pck", ".pcl", ".p"}
    )

    def sniff(self, head: bytes, ctx: InspectContext) -> bool:
        if looks_like_pickle(head):
            return True
        # A compressed stream is claimed only with a pickle-ish name; other .gz files are not ours.
        return Path(ctx.rel).suffix.lower() in self.suffixes and compression_of(head) is not None

    def inspect(self, ctx: InspectContext) -> ArtifactInfo:
        limit = ctx.max_pickle_bytes
        with ctx.open() as fh:
            head = fh.read(min(HEAD_BYTES, ctx.size))
            kind = compression_of(head) if not looks_like_pickle(head) else None
            extra: list[Finding] = []
            meta: dict[str, Any] = {}
            if kind:
                meta["compression"] = kind
                try:
                    data, cut = read_decompressed(fh, kind, limit, head)
                except (ValueError, OSError, EOFError, zlib.error, lzma.LZMAError) as exc:
                    return _unverifiable(ctx, f"{kind}-compressed pickle: {exc}", fh.bytes_read)
                a = analyse(data, joblib=True)
            elif not plausible_pickle(head):
                return unrecognized(ctx, fh.bytes_read, "a pickle")
            else:
                a, cut = walk_growing(fh, head, limit, joblib=True)
            if cut:
                extra.append(_truncated(ctx, limit))
            bytes_read = fh.bytes_read
        joblib = any(g.module.endswith("numpy_pickle") for g in a.globals)
        fmt = "joblib" if joblib or ctx.rel.endswith(".joblib") else "pickle"
        extra.append(pickle_format_finding(ctx, fmt, "safetensors or skops"))
        return artifact(ctx, fmt, [("", a)], bytes_read=bytes_read, extra=extra, metadata=meta)


def _truncated(ctx: InspectContext, limit: int) -> Finding:
    return finding(
        "MD209",
        Severity.MEDIUM,
        f"pickle stream is larger than the {limit}-byte analysis limit; the rest was not checked",
        ctx.rel,
        subject="size-limit",
    )


def _unverifiable(ctx: InspectContext, why: str, bytes_read: int) -> ArtifactInfo:
    f = finding(
        "MD209",
        Severity.MEDIUM,
        f"{why}; its pickle could not be checked",
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
