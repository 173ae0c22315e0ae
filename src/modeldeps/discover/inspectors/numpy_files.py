"""NumPy ``.npy`` headers and ``.npz`` members; object arrays are pickles and get analysed."""

from __future__ import annotations

import ast
import math
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from modeldeps.discover.inspectors.archive import (
    ZIP_MAGIC,
    CountingFile,
    list_members,
    read_member,
    unsafe_member_path,
)
from modeldeps.discover.inspectors.interface import InspectContext, Inspector
from modeldeps.discover.inspectors.pickle_ops import PickleAnalysis, analyse
from modeldeps.discover.inspectors.pickles import artifact, pickle_format_finding
from modeldeps.discover.inspectors.support import finding
from modeldeps.errors import InspectorError
from modeldeps.model import ArtifactInfo, Finding, Severity

NPY_MAGIC = b"\x93NUMPY"
_MAX_HEADER = 1 << 20


@dataclass(frozen=True, slots=True)
class NpyHeader:
    """The dict at the start of an ``.npy`` file, and where the array data begins."""

    descr: str
    shape: tuple[int, ...]
    data_offset: int

    @property
    def has_object(self) -> bool:
        return "O" in self.descr

    @property
    def count(self) -> int:
        return math.prod(self.shape)


def parse_npy_header(buf: bytes) -> NpyHeader:
    """Parse an ``.npy`` header from the file's first bytes; ValueError when malformed."""
    if not buf.startswith(NPY_MAGIC) or len(buf) < 10:
        raise ValueError("not an .npy file (bad magic)")
    major = buf[6]
    if major == 1:
        (hlen,), start = struct.unpack_from("<H", buf, 8), 10
    elif major in (2, 3):
        if len(buf) < 12:
            raise ValueError("truncated .npy header")
        (hlen,), start = struct.unpack_from("<I", buf, 8), 12
    else:
        raise ValueError(f"unknown .npy format version {major}")
    if hlen > _MAX_HEADER or start + hlen > len(buf):
        raise ValueError(f".npy header of {hlen} bytes is truncated or too large")
    text = buf[start : start + hlen].decode("utf-8" if major == 3 else "latin-1")
    try:
        # literal_eval builds only literals (no calls, no names): safe on untrusted text.
        header = ast.literal_eval(text)
    except (ValueError, SyntaxError, MemoryError, RecursionError, TypeError) as exc:
        raise ValueError(f".npy header is not a Python literal: {exc}") from None
    if not isinstance(header, dict) or not {"descr", "shape"} <= header.keys():
        raise ValueError(".npy header lacks 'descr' or 'shape'")
    shape = header["shape"]
    if not (isinstance(shape, tuple) and all(isinstance(d, int) and d >= 0 for d in shape)):
        raise ValueError(f".npy header has a bad shape {shape!r}")
    return NpyHeader(str(header["descr"]), shape, start + hlen)


def _npy_head(fh: CountingFile, head: bytes, size: int) -> bytes:
    """The header block of an ``.npy`` file: ``head`` extended only when its length says so."""
    if len(head) < 12:
        return head
    start, width = (10, "<H") if head[6] == 1 else (12, "<I")
    (hlen,) = struct.unpack_from(width, head, 8)
    want = min(size, start + min(hlen, _MAX_HEADER + 1))
    return head + fh.read(want - len(head)) if want > len(head) else head


class NumpyInspector(Inspector):
    """``.npy`` arrays and ``.npz`` archives of them."""

    name: ClassVar[str] = "numpy"
    suffixes: ClassVar[frozenset[str]] = frozenset({".npy", ".npz"})

    def sniff(self, head: bytes, ctx: InspectContext) -> bool:
        if head.startswith(NPY_MAGIC):
            return True
        return head.startswith(ZIP_MAGIC) and Path(ctx.rel).suffix.lower() == ".npz"

    def inspect(self, ctx: InspectContext) -> ArtifactInfo:
        with ctx.open() as fh:
            head = fh.read(min(ctx.size, 4096))
            if head.startswith(NPY_MAGIC):
                buf = _npy_head(fh, head, ctx.size)
                h = parse_npy_header(buf)
                analyses: list[tuple[str, PickleAnalysis]] = []
                if h.has_object:
                    fh.seek(h.data_offset)
                    analyses.append(("", analyse(fh.read(ctx.max_pickle_bytes), joblib=False)))
                return self._result(ctx, fh, [("", h)], analyses, [])
            return self._npz(ctx, fh)

    def _npz(self, ctx: InspectContext, fh: CountingFile) -> ArtifactInfo:
        members, note = list_members(fh, ctx.size)
        headers: list[tuple[str, NpyHeader]] = []
        analyses: list[tuple[str, PickleAnalysis]] = []
        extra: list[Finding] = []
        if note:
            extra.append(_finding(ctx, "MD210", Severity.LOW, note, "cd"))
        for m in members:
            if unsafe_member_path(m.name):
                extra.append(
                    _finding(
                        ctx,
                        "MD208",
                        Severity.HIGH,
                        f"member {m.name!r} has an absolute or '..' path",
                        m.name,
                    )
                )
            try:
                h = parse_npy_header(read_member(fh, m, _MAX_HEADER + 16))
                headers.append((m.name, h))
                if h.has_object:
                    # One budget for every object member, so many of them are not read whole.
                    data = read_member(fh, m, max(ctx.max_pickle_bytes - fh.bytes_read, 4096))
                    analyses.append((m.name, analyse(data[h.data_offset :], joblib=False)))
            except (InspectorError, ValueError) as exc:
                extra.append(_finding(ctx, "MD210", Severity.LOW, f"{m.name}: {exc}", m.name))
        return self._result(ctx, fh, headers, analyses, extra)

    def _result(
        self,
        ctx: InspectContext,
        fh: CountingFile,
        headers: list[tuple[str, NpyHeader]],
        analyses: list[tuple[str, PickleAnalysis]],
        extra: list[Finding],
    ) -> ArtifactInfo:
        if analyses:
            extra.append(pickle_format_finding(ctx, "NumPy object array", "a numeric dtype"))
        meta: dict[str, Any] = {
            "arrays": {
                name or "array": {"dtype": h.descr, "shape": list(h.shape)}
                for name, h in headers[:200]
            }
        }
        info = artifact(
            ctx, "numpy", analyses, bytes_read=fh.bytes_read, extra=extra, metadata=meta
        )
        dtypes = [h.descr for _, h in headers]
        return ArtifactInfo(
            location=info.location,
            format="numpy",
            size_bytes=ctx.size,
            tensors=len(headers),
            params=sum(h.count for _, h in headers),
            dtype=max(set(dtypes), key=dtypes.count) if dtypes else None,
            metadata=info.metadata,
            findings=info.findings,
            bytes_read=info.bytes_read,
        )


def _finding(ctx: InspectContext, rule: str, sev: Severity, msg: str, subject: str) -> Finding:
    return finding(rule, sev, msg, ctx.rel, subject=subject)
