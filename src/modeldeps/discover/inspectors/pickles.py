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
from modeldeps.discover.inspectors.pickle_ops import PickleAnalysis, analyse, looks_like_pickle
from modeldeps.discover.inspectors.pickle_policy import findings_for
from modeldeps.model import ArtifactInfo, Confidence, Finding, Location, Severity

_CHUNK = 1 << 20

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


def read_decompressed(fh: CountingFile, kind: str, limit: int) -> tuple[bytes, bool]:
    """Decompress a stream to at most ``limit`` bytes; True when the limit cut it short.

    Reads compressed input a chunk at a time, so a zip bomb costs at most ``limit`` bytes.
    """
    dec = _decompressor(kind)
    if dec is None:
        raise ValueError(f"{kind} compression is not supported")
    out = bytearray()
    while len(out) < limit:
        chunk = fh.read(_CHUNK)
        if not chunk:
            break
        out += dec.decompress(chunk, limit - len(out))
        if getattr(dec, "eof", False):
            break
    truncated = len(out) >= limit
    return bytes(out[:limit]), truncated


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
    return Finding(
        rule_id="MD203",
        severity=Severity.LOW,
        confidence=Confidence.HIGH,
        title="Pickle-capable format where a safe format exists",
        message=f"{fmt} file can run code when loaded; {safer} stores the same data safely",
        location=Location(ctx.rel),
        subject=fmt,
        remediation=f"Convert to {safer}, or load only with a restricted unpickler.",
    ).with_fingerprint()


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
        with ctx.path.open("rb") as raw:
            fh = CountingFile(raw)
            head = fh.read(8)
            fh.seek(0)
            kind = compression_of(head) if not looks_like_pickle(head) else None
            extra: list[Finding] = []
            meta: dict[str, Any] = {}
            if kind:
                meta["compression"] = kind
                try:
                    data, cut = read_decompressed(fh, kind, limit)
                except (ValueError, OSError, EOFError, zlib.error, lzma.LZMAError) as exc:
                    return _unverifiable(ctx, f"{kind}-compressed pickle: {exc}", fh.bytes_read)
            else:
                data = fh.read(limit)
                cut = ctx.size > limit
            if cut:
                extra.append(_truncated(ctx, limit))
            a = analyse(data, joblib=True)
            bytes_read = fh.bytes_read
        joblib = any(g.module.endswith("numpy_pickle") for g in a.globals)
        fmt = "joblib" if joblib or ctx.rel.endswith(".joblib") else "pickle"
        extra.append(pickle_format_finding(ctx, fmt, "safetensors or skops"))
        return artifact(ctx, fmt, [("", a)], bytes_read=bytes_read, extra=extra, metadata=meta)


def _truncated(ctx: InspectContext, limit: int) -> Finding:
    return Finding(
        rule_id="MD209",
        severity=Severity.MEDIUM,
        confidence=Confidence.HIGH,
        title="Format not statically verifiable",
        message=f"pickle stream is larger than the {limit}-byte analysis limit; the rest was "
        "not checked",
        location=Location(ctx.rel),
        subject="size-limit",
    ).with_fingerprint()


def _unverifiable(ctx: InspectContext, why: str, bytes_read: int) -> ArtifactInfo:
    f = Finding(
        rule_id="MD209",
        severity=Severity.MEDIUM,
        confidence=Confidence.MEDIUM,
        title="Format not statically verifiable",
        message=f"{why}; its pickle could not be checked",
        location=Location(ctx.rel),
        subject="compressed",
    ).with_fingerprint()
    return ArtifactInfo(
        location=Location(ctx.rel),
        format="pickle",
        size_bytes=ctx.size,
        findings=(f,),
        bytes_read=bytes_read,
    )
