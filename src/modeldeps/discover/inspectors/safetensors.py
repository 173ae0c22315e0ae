"""safetensors: the JSON header only (bounded), and sharded ``*.safetensors.index.json`` maps."""

from __future__ import annotations

import codecs
import json
import math
import struct
from array import array
from collections import Counter
from typing import Any, ClassVar

from modeldeps.discover.inspectors.content import is_safetensors
from modeldeps.discover.inspectors.interface import InspectContext, Inspector
from modeldeps.discover.inspectors.support import (
    CountingFile,
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
#: Header text read at a time, and the most one entry's value may span.
_CHUNK = 1 << 20
_SLACK = 1 << 20


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


class _Header:
    """What a header says, summarised as it is parsed: the memory kept is a few bytes per
    tensor (its offsets), not the header's JSON objects (a 100 MB header was 1.25 GB)."""

    def __init__(self) -> None:
        self.metadata: dict[str, str] = {}
        self.begins = array("q")
        self.ends = array("q")
        self.first_names: list[str] = []
        self.params = 0
        self.by_dtype: Counter[str] = Counter()
        self.problems: list[str] = []
        self.offset_problems: list[str] = []
        self.entries = 0


def _scan_header(fh: CountingFile, n: int, data_len: int) -> _Header:
    """Parse the JSON header object one entry at a time from a window of the file.

    Raises ValueError when the header is not a JSON object of entries.
    """
    out = _Header()
    window = _Window(fh, n)
    pos = window.skip_ws(0)
    if window.char(pos) != "{":
        raise ValueError("header is not a JSON object")
    pos = window.skip_ws(pos + 1)
    if window.char(pos) == "}":
        return out
    decoder = json.JSONDecoder()
    while True:
        pos = window.ensure(pos)
        if window.char(pos) != '"':
            raise ValueError(f"expected a tensor name at header byte {window.at(pos)}")
        key, pos = json.decoder.scanstring(window.text, pos + 1)  # type: ignore[attr-defined]
        pos = window.skip_ws(pos)
        if window.char(pos) != ":":
            raise ValueError(f"expected ':' at header byte {window.at(pos)}")
        pos = window.ensure(window.skip_ws(pos + 1))
        value, pos = decoder.raw_decode(window.text, pos)
        _entry(out, str(key), value, data_len)
        pos = window.skip_ws(pos)
        sep = window.char(pos)
        if sep == "}":
            return out
        if sep != ",":
            raise ValueError(f"expected ',' or '}}' at header byte {window.at(pos)}")
        pos = window.skip_ws(pos + 1)


class _Window:
    """The header as text, read a chunk at a time; consumed text is dropped as parsing goes.

    ``ensure(pos)`` keeps at least ``_SLACK`` characters after ``pos`` in the window (one
    entry's value is never longer: a longer one is an error), so ``raw_decode`` sees whole
    values; positions are into ``text`` and shift when the window slides.
    """

    def __init__(self, fh: CountingFile, n: int) -> None:
        self._fh = fh
        self._left = n
        self._dec = codecs.getincrementaldecoder("utf-8")("strict")
        self.text = ""
        self.dropped = 0
        self._fill()

    def _fill(self) -> None:
        while len(self.text) < 2 * _SLACK and self._left > 0:
            raw = self._fh.read(min(_CHUNK, self._left))
            if not raw:
                raise ValueError("header is truncated")
            self._left -= len(raw)
            self.text += self._dec.decode(raw, final=self._left == 0)

    def ensure(self, pos: int) -> int:
        if len(self.text) - pos < _SLACK and self._left > 0:
            self.text = self.text[pos:]
            self.dropped += pos
            pos = 0
            self._fill()
        return pos

    def skip_ws(self, pos: int) -> int:
        while True:
            pos = self.ensure(pos)
            while pos < len(self.text) and self.text[pos] in " \t\r\n":
                pos += 1
            if pos < len(self.text) or self._left == 0:
                return pos

    def char(self, pos: int) -> str:
        return self.text[pos] if pos < len(self.text) else ""

    def at(self, pos: int) -> int:
        return self.dropped + pos


def _entry(out: _Header, name: str, entry: Any, data_len: int) -> None:
    """Check one header entry and fold it into the summary. Its offsets count for the layout
    check whenever they are numbers: they are what a loader would read."""
    if name == "__metadata__":
        out.metadata = _bounded_metadata(entry)
        return
    out.entries += 1
    offsets = entry.get("data_offsets") if isinstance(entry, dict) else None
    span = None
    if (
        isinstance(offsets, list)
        and len(offsets) == 2
        and all(isinstance(x, int) and not isinstance(x, bool) for x in offsets)
        and 0 <= offsets[0] <= offsets[1]
    ):
        span = (offsets[0], offsets[1])
        if span[1] > data_len:
            if len(out.offset_problems) < 16:
                out.offset_problems.append(f"{clip(name, 120)}: data_offsets run past the end")
        else:
            out.begins.append(span[0])
            out.ends.append(span[1])
    try:
        if not isinstance(entry, dict):
            raise ValueError("entry is not an object")
        dtype = str(entry["dtype"])
        count = _numel(entry["shape"])
        if span is None:
            raise ValueError("bad data_offsets")
        bits = DTYPE_BITS.get(dtype)
        if bits is not None and (count * bits + 7) // 8 != span[1] - span[0]:
            raise ValueError(f"{count} x {dtype} does not fill {span[1] - span[0]} bytes")
    except (KeyError, ValueError, TypeError) as exc:
        if len(out.problems) < 16:
            out.problems.append(f"{clip(name, 120)}: {exc}")
        return
    if span[1] <= data_len:
        out.params += count
        out.by_dtype[dtype] += span[1] - span[0]
        if len(out.first_names) < 64:
            out.first_names.append(name)


def _layout_problems(out: _Header, data_len: int) -> list[str]:
    """The reference loader's layout rule: tensors, in offset order, tile the data exactly
    (no overlap, no gap, the last ending at the end of the file)."""
    if not out.begins:
        return [] if data_len == 0 else [f"{data_len} data bytes belong to no tensor"]
    order = sorted(range(len(out.begins)), key=out.begins.__getitem__)
    expect = 0
    for i in order:
        begin, end = out.begins[i], out.ends[i]
        if begin < expect:
            return [f"tensors overlap at data byte {begin}"]
        if begin > expect:
            return [f"a gap of {begin - expect} bytes before data byte {begin}"]
        expect = end
    if expect != data_len:
        return [f"tensors end at data byte {expect} of {data_len}"]
    return []


class SafetensorsInspector(Inspector):
    """Reads the 8-byte header length and the JSON header; never touches tensor bytes."""

    name = "safetensors"
    suffixes: ClassVar[frozenset[str]] = frozenset({".safetensors"})

    def sniff(self, head: bytes, ctx: InspectContext) -> bool:
        return is_safetensors(head, ctx.size)

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
            data_len = ctx.size - 8 - n
            try:
                header = _scan_header(fh, n, data_len)
            except (ValueError, RecursionError, UnicodeDecodeError) as exc:
                msg = f"safetensors: header is not valid JSON: {clip(str(exc), 200)}"
                return self._bad(ctx, malformed(rel, msg), ctx.meter.total)
        return self._describe(ctx, header, data_len)

    def _describe(self, ctx: InspectContext, h: _Header, data_len: int) -> ArtifactInfo:
        rel = ctx.rel
        findings: list[Finding] = []
        if h.problems:
            shown = "; ".join(h.problems[:3])
            more = f" (+{len(h.problems) - 3} more)" if len(h.problems) > 3 else ""
            findings.append(malformed(rel, f"safetensors: {shown}{more}"))
        layout = h.offset_problems or _layout_problems(h, data_len)
        if layout:
            # Loaders that trust the offsets read outside the data or alias tensors; the
            # reference loader refuses the file. No download damage looks like this.
            findings.append(
                finding(
                    "MD210",
                    Severity.MEDIUM,
                    f"safetensors: tensor offsets are inconsistent: {'; '.join(layout[:3])}",
                    rel,
                    subject="safetensors-offsets",
                )
            )
        metadata: dict[str, Any] = {"__metadata__": h.metadata, "dtypes": sorted(h.by_dtype)}
        if h.metadata.get("format"):
            metadata["format"] = h.metadata["format"]
        return ArtifactInfo(
            location=Location(rel),
            format=self.name,
            size_bytes=ctx.size,
            tensors=len(h.begins),
            params=h.params,
            dtype=h.by_dtype.most_common(1)[0][0] if h.by_dtype else None,
            metadata=metadata,
            findings=tuple(findings),
            bytes_read=ctx.meter.total,
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
