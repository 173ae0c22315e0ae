"""GGUF v2/v3: a bounded reader of the key-value metadata and tensor infos, never tensor data."""

from __future__ import annotations

import math
import struct
from collections import Counter
from typing import Any, ClassVar

from modeldeps.discover.inspectors.gguf_tables import BLOCK_SIZES, FILE_TYPES, TENSOR_TYPES
from modeldeps.discover.inspectors.interface import InspectContext, Inspector
from modeldeps.discover.inspectors.support import CountingFile, malformed
from modeldeps.discover.inspectors.templates import check_template
from modeldeps.errors import InspectorError
from modeldeps.model import ArtifactInfo, Finding, Location

MAX_STRING = 16 * 1024 * 1024  # one string value; chat templates are tens of KB
MAX_KEY = 64 * 1024
MAX_KV = 1_000_000
MAX_DIMS = 8
META_STRING_CAP = 256 * 1024  # longer strings are kept cut, with the full length beside them
SPECIAL_TOKENS_CAP = 512
#: Vocabularies kept for special-token lookup up to this size (real ones are under 1M).
MAX_VOCAB = 4_000_000
#: String arrays are walked one length prefix at a time; past this many the file is crafted.
MAX_STRINGS = 16_000_000
_CHUNK = 256 * 1024
#: Everything before the tensor data; real files need a few MB (the vocabulary dominates).
MAX_HEADER_BYTES = 512 * 1024 * 1024
_TOKENS = "tokenizer.ggml.tokens"
_TOKEN_TYPE = "tokenizer.ggml.token_type"  # noqa: S105 - a key name, not a secret
_CONTROL, _USER_DEFINED = 3, 4

# GGUF value types: struct code for fixed-size scalars.
_SCALAR = {
    0: "B",
    1: "b",
    2: "H",
    3: "h",
    4: "I",
    5: "i",
    6: "f",
    7: "?",
    10: "Q",
    11: "q",
    12: "d",
}
_STRING, _ARRAY = 8, 9


#: A declared size at or above this (1 TiB) is no damage a real file suffers: it is crafted to
#: make a trusting reader allocate or seek without bound. Smaller overruns read as truncation.
CRAFTED_SIZE = 1 << 40


class _Crafted(InspectorError):
    """A size field far beyond any real file: crafted to exhaust a trusting reader."""


def _overrun(declared: int, what: str) -> InspectorError:
    if declared >= CRAFTED_SIZE:
        return _Crafted(f"{what} declares {declared} bytes, an impossible size")
    return InspectorError(f"{what} declares {declared} bytes, past the end of the file (damaged)")


class _Cursor:
    """Sequential reads through a growing buffer; counts the bytes taken from disk."""

    def __init__(self, fh: CountingFile, size: int, endian: str) -> None:
        self.fh = fh
        self.size = size
        self.end = endian
        self.buf = b""
        self.off = 0  # position inside buf
        self.base = 0  # file offset of buf[0]
        self.bytes_read = 0

    @property
    def pos(self) -> int:
        return self.base + self.off

    def _fill(self, n: int) -> None:
        if self.pos + n > self.size:
            raise _overrun(n, f"read at offset {self.pos}")
        rest = self.buf[self.off :]
        self.fh.seek(self.base + len(self.buf))
        if self.bytes_read > MAX_HEADER_BYTES:
            raise InspectorError(f"metadata and tensor infos exceed {MAX_HEADER_BYTES} bytes")
        more = self.fh.read(max(n - len(rest), _CHUNK))
        self.bytes_read += len(more)
        self.base, self.buf, self.off = self.pos, rest + more, 0
        if len(self.buf) < n:
            raise InspectorError(f"truncated at offset {self.pos}")

    def take(self, n: int) -> bytes:
        if self.off + n > len(self.buf):
            self._fill(n)
        out = self.buf[self.off : self.off + n]
        self.off += n
        return out

    def skip(self, n: int) -> None:
        if self.pos + n > self.size:
            raise _overrun(n, f"field at offset {self.pos}")
        if self.off + n <= len(self.buf):
            self.off += n
        else:
            self.base, self.buf, self.off = self.pos + n, b"", 0

    def unpack(self, code: str) -> Any:
        fmt = self.end + code
        return struct.unpack(fmt, self.take(struct.calcsize(fmt)))[0]

    def string(self, cap: int = MAX_STRING) -> str:
        n = self.unpack("Q")
        if n > cap or self.pos + n > self.size:
            raise _overrun(n, f"string at offset {self.pos - 8}")
        return self.take(n).decode("utf-8", errors="replace")

    def skip_string(self) -> None:
        n = self.unpack("Q")
        self.skip(n)


def _names() -> tuple[dict[int, str], dict[int, str], dict[int, tuple[int, int]]]:
    # Generated from the gguf package (tools/gen_gguf_tables.py): no numpy at inspection time.
    return FILE_TYPES, TENSOR_TYPES, BLOCK_SIZES


class _Parsed:
    def __init__(self) -> None:
        self.meta: dict[str, Any] = {}
        self.tokens: list[str] | None = None
        self.token_types: list[int] | None = None
        self.templates: dict[str, str] = {}
        self.tensors = 0
        self.params = 0
        self.by_type: Counter[int] = Counter()
        self.version = 0


def _read_array(cur: _Cursor, key: str, p: _Parsed) -> None:
    etype = cur.unpack("I")
    count = cur.unpack("Q")
    p.meta[f"{key}.count"] = count
    if etype in _SCALAR:
        width = struct.calcsize("<" + _SCALAR[etype])
        if count * width > cur.size - cur.pos:
            raise _overrun(count * width, f"array {key!r}")
        if key == _TOKEN_TYPE and etype in (4, 5) and count <= MAX_VOCAB:
            raw = cur.take(count * width)
            p.token_types = list(struct.unpack(f"{cur.end}{count}{_SCALAR[etype]}", raw))
        else:
            cur.skip(count * width)
    elif etype == _STRING:
        if count * 8 > cur.size - cur.pos:
            raise _overrun(count * 8, f"string array {key!r}")
        if count > MAX_STRINGS:
            raise InspectorError(f"string array {key!r} has {count} items (limit {MAX_STRINGS})")
        if key == _TOKENS and count <= MAX_VOCAB:
            p.tokens = [cur.string() for _ in range(count)]
        else:
            for _ in range(count):
                cur.skip_string()
    else:
        raise InspectorError(f"array {key!r} has unsupported element type {etype}")


def _parse(cur: _Cursor, p: _Parsed) -> None:
    magic = cur.take(4)
    if magic != b"GGUF":
        raise InspectorError("not a GGUF file")
    version = cur.unpack("I")
    p.version = version
    if version not in (2, 3):
        raise InspectorError(f"unsupported GGUF version {version}")
    n_tensors = cur.unpack("Q")
    n_kv = cur.unpack("Q")
    if n_kv > MAX_KV or n_kv * 12 > cur.size:
        raise _overrun(n_kv * 12, f"key count {n_kv}")
    if n_tensors * 24 > cur.size:
        raise _overrun(n_tensors * 24, f"tensor count {n_tensors}")
    for _ in range(n_kv):
        key = cur.string(MAX_KEY)
        vtype = cur.unpack("I")
        if vtype in _SCALAR:
            value: Any = cur.unpack(_SCALAR[vtype])
            p.meta[key] = value
        elif vtype == _STRING:
            text = cur.string()
            if key.startswith("tokenizer.chat_template"):
                p.templates[key] = text
            if len(text) > META_STRING_CAP:
                p.meta[f"{key}.length"] = len(text)
                text = text[:META_STRING_CAP]
            p.meta[key] = text
        elif vtype == _ARRAY:
            _read_array(cur, key, p)
        else:
            raise InspectorError(f"key {key!r} has unknown value type {vtype}")
    sizes = _names()[2]
    for _ in range(n_tensors):
        cur.skip_string()  # tensor name
        n_dims = cur.unpack("I")
        if n_dims > MAX_DIMS:
            raise InspectorError(f"tensor with {n_dims} dimensions")
        dims = [cur.unpack("Q") for _ in range(n_dims)]
        ttype = cur.unpack("I")
        cur.skip(8)  # data offset: where tensor bytes start; we never go there
        count = math.prod(dims)
        p.tensors += 1
        p.params += count
        block, nbytes = sizes.get(ttype, (1, 0))
        p.by_type[ttype] += count // max(block, 1) * nbytes


def _special_tokens(p: _Parsed) -> list[str]:
    if p.tokens is None or p.token_types is None:
        return []
    out = [
        tok
        for tok, kind in zip(p.tokens, p.token_types, strict=False)
        if kind in (_CONTROL, _USER_DEFINED)
    ]
    return out[:SPECIAL_TOKENS_CAP]


class GGUFInspector(Inspector):
    """Metadata, tensor infos, quantization and chat template of a GGUF file."""

    name = "gguf"
    suffixes: ClassVar[frozenset[str]] = frozenset({".gguf"})

    def sniff(self, head: bytes, ctx: InspectContext) -> bool:
        return head[:4] == b"GGUF"

    def inspect(self, ctx: InspectContext) -> ArtifactInfo:
        p = _Parsed()
        findings: list[Finding] = []
        with ctx.open() as fh:
            head = fh.read(8)
            # Big-endian GGUF files exist (s390x builds); the version field tells which.
            endian = ">" if head[4:6] == b"\0\0" and head[6:8] != b"\0\0" else "<"
            cur = _Cursor(fh, ctx.size, endian)
            cur.buf, cur.bytes_read = head, len(head)
            try:
                _parse(cur, p)
            except _Crafted as exc:
                findings.append(malformed(ctx.rel, f"gguf: {exc}", crafted=True))
            except (InspectorError, struct.error, MemoryError) as exc:
                findings.append(malformed(ctx.rel, f"gguf: {exc}"))
        meta = p.meta
        meta["gguf.version"] = p.version
        if p.tokens is not None:
            meta[f"{_TOKENS}.count"] = len(p.tokens)
            meta["tokenizer.ggml.special_tokens"] = _special_tokens(p)
        ftypes, qtypes, _ = _names()
        dtype: str | None = None
        ftype = meta.get("general.file_type")
        if isinstance(ftype, int) and ftype in ftypes:
            dtype = ftypes[ftype]
        elif p.by_type:
            dtype = qtypes.get(p.by_type.most_common(1)[0][0])
        for key, text in sorted(p.templates.items()):
            findings.extend(check_template(text, ctx.rel, origin=key))
        return ArtifactInfo(
            location=Location(ctx.rel),
            format=self.name,
            size_bytes=ctx.size,
            tensors=p.tensors,
            params=p.params,
            dtype=dtype,
            metadata=meta,
            findings=tuple(findings),
            bytes_read=cur.bytes_read,
        )
