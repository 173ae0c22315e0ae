"""safetensors: the JSON header only (bounded), and sharded ``*.safetensors.index.json`` maps."""

from __future__ import annotations

import itertools
import json
import math
import struct
from collections import Counter
from typing import Any, ClassVar

from modeldeps.discover.inspectors.interface import InspectContext, Inspector
from modeldeps.discover.inspectors.support import (
    clip,
    finding,
    malformed,
    path_escapes,
    read_capped,
)
from modeldeps.model import ArtifactInfo, Finding, Location, Severity

#: Bytes per element of each safetensors dtype (sub-byte types count as fractions).
DTYPE_BITS: dict[str, int] = {
    "BOOL": 8, "U8": 8, "I8": 8, "F8_E4M3": 8, "F8_E5M2": 8, "F8_E8M0": 8,
    "I16": 16, "U16": 16, "F16": 16, "BF16": 16,
    "I32": 32, "U32": 32, "F32": 32, "I64": 64, "U64": 64, "F64": 64,
    "F4": 4, "F6_E2M3": 6, "F6_E3M2": 6,
}  # fmt: skip

#: The reference loader refuses headers above 100 MB; we follow it.
MAX_HEADER = 100 * 1024 * 1024
#: Declared sizes from 1 TiB up are crafted, not damage (see gguf.CRAFTED_SIZE).
CRAFTED_SIZE = 1 << 40
MAX_META_KEYS = 256
MAX_META_VALUE = 4096
MAX_INDEX_BYTES = 64 * 1024 * 1024


def _numel(shape: Any) -> int:
    if not isinstance(shape, list) or not all(isinstance(d, int) and d >= 0 for d in shape):
        raise ValueError("shape is not a list of non-negative integers")
    return math.prod(shape)


def _bounded_metadata(raw: Any) -> dict[str, str]:
    if not isinstance(raw, dict):
        return {}
    out: dict[str, str] = {}
    for key, value in list(raw.items())[:MAX_META_KEYS]:
        out[clip(str(key), 256)] = clip(str(value), MAX_META_VALUE)
    return out


class SafetensorsInspector(Inspector):
    """Reads the 8-byte header length and the JSON header; never touches tensor bytes."""

    name = "safetensors"
    suffixes: ClassVar[frozenset[str]] = frozenset({".safetensors"})

    def sniff(self, head: bytes, ctx: InspectContext) -> bool:
        if len(head) < 10:
            return False
        (n,) = struct.unpack_from("<Q", head)
        return head[8:9] == b"{" and n + 8 <= ctx.size and head[9:10] in b'"} \n\t'

    def inspect(self, ctx: InspectContext) -> ArtifactInfo:
        rel = ctx.rel
        limit = min(MAX_HEADER, ctx.max_header_bytes)
        with ctx.open() as fh:
            first = fh.read(8)
            if len(first) < 8:
                return self._bad(ctx, malformed(rel, "safetensors: file shorter than 8 bytes"), 8)
            (n,) = struct.unpack("<Q", first)
            if n >= CRAFTED_SIZE:
                msg = (
                    f"safetensors: header length {n} is impossible"
                    " (a crafted header: loaders that trust it exhaust memory)"
                )
                return self._bad(ctx, malformed(rel, msg, crafted=True), 8)
            if n > ctx.size - 8 or n > limit:
                where = "the file size" if n > ctx.size - 8 else f"the {limit} B header limit"
                msg = f"safetensors: header length {n} exceeds {where} (truncated or damaged)"
                return self._bad(ctx, malformed(rel, msg), 8)
            raw = fh.read(n)
        read = 8 + len(raw)
        try:
            header = json.loads(raw)
        except (ValueError, RecursionError) as exc:
            return self._bad(ctx, malformed(rel, f"safetensors: header is not JSON: {exc}"), read)
        if not isinstance(header, dict):
            return self._bad(ctx, malformed(rel, "safetensors: header is not an object"), read)
        return self._describe(ctx, header, n, read)

    def _describe(
        self, ctx: InspectContext, header: dict[str, Any], n: int, read: int
    ) -> ArtifactInfo:
        rel = ctx.rel
        meta = _bounded_metadata(header.pop("__metadata__", None))
        data_len = ctx.size - 8 - n
        params = 0
        by_dtype: Counter[str] = Counter()
        spans: list[tuple[int, int, str]] = []
        problems: list[str] = []
        for tname, entry in header.items():
            try:
                if not isinstance(entry, dict):
                    raise ValueError("entry is not an object")
                dtype = str(entry["dtype"])
                count = _numel(entry["shape"])
                begin, end = entry["data_offsets"]
                if not (isinstance(begin, int) and isinstance(end, int) and 0 <= begin <= end):
                    raise ValueError("bad data_offsets")
                bits = DTYPE_BITS.get(dtype)
                if bits is not None and (count * bits + 7) // 8 != end - begin:
                    raise ValueError(f"{count} x {dtype} does not fill {end - begin} bytes")
                if end > data_len:
                    raise ValueError("data_offsets run past the end of the file")
            except (KeyError, ValueError, TypeError) as exc:
                problems.append(f"{clip(str(tname), 120)}: {exc}")
                continue
            params += count
            by_dtype[dtype] += end - begin
            spans.append((begin, end, str(tname)))
        spans.sort()
        for (_, e1, a), (b2, _, b) in itertools.pairwise(spans):
            if b2 < e1:
                problems.append(f"tensors {clip(a, 80)} and {clip(b, 80)} overlap")
                break
        findings: tuple[Finding, ...] = ()
        if problems:
            shown = "; ".join(problems[:3])
            more = f" (+{len(problems) - 3} more)" if len(problems) > 3 else ""
            findings = (malformed(rel, f"safetensors: {shown}{more}"),)
        metadata: dict[str, Any] = {"__metadata__": meta, "dtypes": sorted(by_dtype)}
        if meta.get("format"):
            metadata["format"] = meta["format"]
        return ArtifactInfo(
            location=Location(rel),
            format=self.name,
            size_bytes=ctx.size,
            tensors=len(spans),
            params=params,
            dtype=by_dtype.most_common(1)[0][0] if by_dtype else None,
            metadata=metadata,
            findings=findings,
            bytes_read=read,
        )

    def _bad(self, ctx: InspectContext, f: Finding, read: int) -> ArtifactInfo:
        return ArtifactInfo(
            location=Location(ctx.rel),
            format=self.name,
            size_bytes=ctx.size,
            findings=(f,),
            bytes_read=read,
        )


class SafetensorsIndexInspector(Inspector):
    """A sharded checkpoint's ``*.safetensors.index.json``: shards, tensor count, total size."""

    name = "safetensors-index"

    def sniff(self, head: bytes, ctx: InspectContext) -> bool:
        return ctx.rel.endswith(".safetensors.index.json")

    def inspect(self, ctx: InspectContext) -> ArtifactInfo:
        rel = ctx.rel
        base = ArtifactInfo(location=Location(rel), format=self.name, size_bytes=ctx.size)
        with ctx.open() as fh:
            raw, more = read_capped(fh, MAX_INDEX_BYTES)
        if more:
            f = malformed(rel, f"safetensors index larger than {MAX_INDEX_BYTES} bytes")
            return _replace(base, findings=(f,), bytes_read=ctx.meter.total)
        try:
            doc = json.loads(raw)
        except (ValueError, RecursionError) as exc:
            bad = malformed(rel, f"index is not JSON: {exc}")
            return _replace(base, findings=(bad,), bytes_read=len(raw))
        wmap = doc.get("weight_map") if isinstance(doc, dict) else None
        if not isinstance(wmap, dict):
            bad = malformed(rel, "index has no weight_map object")
            return _replace(base, findings=(bad,), bytes_read=len(raw))
        shards = sorted({str(v) for v in wmap.values()})
        folder = ctx.path.parent
        findings: list[Finding] = []
        for shard in shards:
            if path_escapes(shard, folder):
                findings.append(
                    finding(
                        "MD208",
                        Severity.HIGH,
                        f"weight_map names shard {clip(shard, 200)!r} outside the model folder",
                        rel,
                        subject=shard,
                    )
                )
        missing = [s for s in shards if not path_escapes(s, folder) and not (folder / s).is_file()]
        meta_raw = doc.get("metadata")
        total = meta_raw.get("total_size") if isinstance(meta_raw, dict) else None
        metadata: dict[str, Any] = {
            "shards": [clip(s, 300) for s in shards[:1024]],
            "shard_count": len(shards),
            "missing_shards": [clip(s, 300) for s in missing[:1024]],
        }
        if isinstance(total, int):
            metadata["total_size"] = total
        return _replace(
            base,
            tensors=len(wmap),
            metadata=metadata,
            findings=tuple(findings),
            bytes_read=len(raw),
        )


def _replace(info: ArtifactInfo, **changes: Any) -> ArtifactInfo:
    from dataclasses import replace

    return replace(info, **changes)
