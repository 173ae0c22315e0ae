"""ONNX: producer, opsets, custom-op domains, initializers and external-data paths (no onnx pkg)."""

from __future__ import annotations

import math
import os
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, ClassVar

from modeldeps.discover.inspectors.content import is_onnx
from modeldeps.discover.inspectors.interface import InspectContext, Inspector
from modeldeps.discover.inspectors.protowire import LEN, MAX_DEPTH, VARINT, Field, WireSource
from modeldeps.discover.inspectors.support import clip, finding, malformed, path_escapes
from modeldeps.errors import InspectorError
from modeldeps.model import ArtifactInfo, Finding, Location, Severity

#: Operator domains defined by the ONNX standard or shipped inside ONNX Runtime itself.
STANDARD_DOMAINS = frozenset(
    {"", "ai.onnx", "ai.onnx.ml", "ai.onnx.training", "ai.onnx.preview.training"}
)
RUNTIME_DOMAINS = frozenset(
    {"com.microsoft", "com.microsoft.nchwc", "com.microsoft.experimental", "com.ms.internal.nhwc"}
)
#: TensorProto.DataType numbers to names (onnx.proto3).
DTYPES = {
    1: "FLOAT", 2: "UINT8", 3: "INT8", 4: "UINT16", 5: "INT16", 6: "INT32", 7: "INT64",
    8: "STRING", 9: "BOOL", 10: "FLOAT16", 11: "DOUBLE", 12: "UINT32", 13: "UINT64",
    14: "COMPLEX64", 15: "COMPLEX128", 16: "BFLOAT16", 17: "FLOAT8E4M3FN", 18: "FLOAT8E4M3FNUZ",
    19: "FLOAT8E5M2", 20: "FLOAT8E5M2FNUZ", 21: "UINT4", 22: "INT4", 23: "FLOAT4E2M1",
}  # fmt: skip
_MAX_LIST = 256


@dataclass
class _Model:
    meta: dict[str, Any] = field(default_factory=dict)
    opsets: dict[str, int] = field(default_factory=dict)
    node_domains: Counter[str] = field(default_factory=Counter)
    op_types: Counter[str] = field(default_factory=Counter)
    local_functions: set[str] = field(default_factory=set)
    external: list[str] = field(default_factory=list)
    tensors: int = 0
    params: int = 0
    by_dtype: Counter[str] = field(default_factory=Counter)


def _tensor(src: WireSource, f: Field, m: _Model) -> None:
    dims: list[int] = []
    dtype = 0
    for t in src.fields(f.start, f.start + f.length):
        if t.number == 1:
            dims.extend(src.packed_varints(t) if t.wire == LEN else [t.value])
        elif t.number == 2 and t.wire == VARINT:
            dtype = t.value
        elif t.number == 13 and t.wire == LEN:
            key = value = ""
            for kv in src.fields(t.start, t.start + t.length):
                if kv.number == 1 and kv.wire == LEN:
                    key = src.text(kv, 256)
                elif kv.number == 2 and kv.wire == LEN:
                    value = src.text(kv)
            if key == "location" and len(m.external) < 10_000:
                m.external.append(value)
    count = math.prod(d if d < (1 << 63) else 0 for d in dims)
    m.tensors += 1
    m.params += count
    m.by_dtype[DTYPES.get(dtype, str(dtype))] += count


def _attribute(src: WireSource, f: Field, m: _Model, depth: int) -> None:
    for a in src.fields(f.start, f.start + f.length):
        if a.wire != LEN:
            continue
        if a.number in (5, 10):  # t, tensors
            _tensor(src, a, m)
        elif a.number in (6, 11):  # g, graphs: control-flow subgraphs
            _graph(src, a, m, depth + 1)


def _node(src: WireSource, f: Field, m: _Model, depth: int) -> None:
    domain = op_type = ""
    for n in src.fields(f.start, f.start + f.length):
        if n.wire != LEN:
            continue
        if n.number == 4:
            op_type = src.text(n, 256)
        elif n.number == 7:
            domain = src.text(n, 256)
        elif n.number == 5:
            _attribute(src, n, m, depth)
    m.node_domains[domain] += 1
    m.op_types[f"{domain}::{op_type}" if domain else op_type] += 1


def _graph(src: WireSource, f: Field, m: _Model, depth: int) -> None:
    if depth > MAX_DEPTH:
        raise InspectorError("ONNX subgraphs nested too deeply")
    for g in src.fields(f.start, f.start + f.length):
        if g.wire != LEN:
            continue
        if g.number == 1:
            _node(src, g, m, depth)
        elif g.number == 5:
            _tensor(src, g, m)
        elif g.number == 15:  # sparse_initializer: values tensor holds the data
            for s in src.fields(g.start, g.start + g.length):
                if s.number == 1 and s.wire == LEN:
                    _tensor(src, s, m)
        elif g.number == 2 and depth == 0:
            m.meta["graph_name"] = src.text(g, 256)


def _model(src: WireSource, m: _Model) -> None:
    names = {2: "producer_name", 3: "producer_version", 4: "domain", 6: "doc_string"}
    for f in src.fields(0, src.size):
        if f.number == 1 and f.wire == VARINT:
            m.meta["ir_version"] = f.value
        elif f.number == 5 and f.wire == VARINT:
            m.meta["model_version"] = f.value
        elif f.wire != LEN:
            continue
        elif f.number in names:
            m.meta[names[f.number]] = src.text(f, 1024)
        elif f.number == 7:
            _graph(src, f, m, 0)
        elif f.number == 8:
            domain, version = "", 0
            for o in src.fields(f.start, f.start + f.length):
                if o.number == 1 and o.wire == LEN:
                    domain = src.text(o, 256)
                elif o.number == 2 and o.wire == VARINT:
                    version = o.value
            m.opsets[domain or "ai.onnx"] = version
        elif f.number == 14:
            kv = {x.number: src.text(x) for x in src.fields(f.start, f.start + f.length)}
            props = m.meta.setdefault("metadata_props", {})
            if len(props) < _MAX_LIST:
                props[clip(kv.get(1, ""), 256)] = kv.get(2, "")
        elif f.number == 25:  # local functions: their domains are defined in the file
            for fn in src.fields(f.start, f.start + f.length):
                if fn.number == 10 and fn.wire == LEN:
                    m.local_functions.add(src.text(fn, 256))
                elif fn.number == 7 and fn.wire == LEN:
                    _node(src, fn, m, 1)


class OnnxInspector(Inspector):
    """Walks the ModelProto wire format; initializer bytes are skipped, never read."""

    name = "onnx"
    suffixes: ClassVar[frozenset[str]] = frozenset({".onnx"})

    def sniff(self, head: bytes, ctx: InspectContext) -> bool:
        # ONNX has no magic: a .onnx name with a leading ir_version field, or under any name
        # a ModelProto's first fields in order and in range.
        if head[:1] != b"\x08":
            return False
        return ctx.rel.lower().endswith(".onnx") or is_onnx(ctx.head(512), ctx.size)

    def inspect(self, ctx: InspectContext) -> ArtifactInfo:
        m = _Model()
        found: list[Finding] = []
        fd = os.open(ctx.path, os.O_RDONLY)
        src = WireSource(fd, ctx.size)
        try:
            _model(src, m)
        except (InspectorError, RecursionError) as exc:
            found.append(malformed(ctx.rel, f"onnx: {exc}"))
        finally:
            os.close(fd)
            ctx.meter.add(src.bytes_read)
        folder = ctx.path.parent
        for loc in sorted(set(m.external)):
            if path_escapes(loc, folder):
                found.append(
                    finding(
                        "MD208",
                        Severity.HIGH,
                        f"external data {clip(loc, 200)!r} points outside the model folder "
                        "(a loader would read an arbitrary file)",
                        ctx.rel,
                        subject=loc,
                    )
                )
        domains = set(m.opsets) | set(m.node_domains)
        custom = sorted(domains - STANDARD_DOMAINS - RUNTIME_DOMAINS - m.local_functions)
        for domain in custom:
            if domain in m.node_domains:
                found.append(
                    finding(
                        "MD209",
                        Severity.LOW,
                        f"operators from custom domain {clip(domain, 100)!r} need a native "
                        "operator library that cannot be verified statically",
                        ctx.rel,
                        subject=domain,
                    )
                )
        meta = dict(m.meta)
        meta["opsets"] = dict(sorted(m.opsets.items()))
        meta["custom_domains"] = custom
        meta["external_data"] = [clip(x, 300) for x in sorted(set(m.external))[:_MAX_LIST]]
        meta["op_types"] = dict(m.op_types.most_common(_MAX_LIST))
        return ArtifactInfo(
            location=Location(ctx.rel),
            format=self.name,
            size_bytes=ctx.size,
            tensors=m.tensors,
            params=m.params,
            dtype=m.by_dtype.most_common(1)[0][0] if m.by_dtype else None,
            metadata=meta,
            findings=tuple(found),
            bytes_read=src.bytes_read,
        )
