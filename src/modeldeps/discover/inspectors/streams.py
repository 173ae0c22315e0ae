"""Byte streams the pickle reader walks: a file's span, or a compressed stream inflated on demand.

A stream never holds more than the reader asks for. Skipping a file span seeks; skipping inside a
compressed stream inflates and drops. A decompressed stream is bounded in the bytes it may
produce: past its budget it raises ``Incomplete``, so a compression bomb ends the analysis as
incomplete (dangerous), never as a quiet "clean".
"""

from __future__ import annotations

import zlib
from typing import Any, BinaryIO

from modeldeps.discover.inspectors.pickle_ops import Incomplete

_CHUNK = 1 << 20
_ZLIB = type(zlib.decompressobj())


#: Compression magics joblib (and people) wrap pickles in: name by leading bytes. joblib's own
#: prefixes are these (``joblib.compressor``); ``ZF`` is joblib's format before 0.10.
COMPRESSION_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x1f\x8b", "gzip"),
    (b"BZh", "bz2"),
    (b"\xfd7zXZ\x00", "xz"),
    (b"\x5d\x00\x00", "lzma"),
    (b"\x04\x22\x4d\x18", "lz4"),
    (b"ZF0x", "zfile"),
    (b"\x78\x01", "zlib"),
    (b"\x78\x5e", "zlib"),
    (b"\x78\x9c", "zlib"),
    (b"\x78\xda", "zlib"),
)


def compression_of(head: bytes) -> str | None:
    """The compression a stream starts with, by its magic bytes."""
    for magic, name in COMPRESSION_MAGIC:
        if head.startswith(magic):
            return name
    return None


class Unsupported(Exception):
    """A compression this installation cannot inflate."""


class FileSource:
    """Bytes ``[start, end)`` of an open file, after ``prefix`` (bytes already read that come
    first); skipping seeks, so it costs no read."""

    def __init__(self, fh: BinaryIO | Any, start: int, end: int, prefix: bytes = b"") -> None:
        self._fh = fh
        self._pos = start
        self._end = end
        self._prefix = prefix

    def read(self, n: int) -> bytes:
        first = b""
        if self._prefix:
            first, self._prefix = self._prefix[:n], self._prefix[n:]
            n -= len(first)
        n = min(n, self._end - self._pos)
        if n <= 0:
            return first
        self._fh.seek(self._pos)
        data: bytes = self._fh.read(n)
        self._pos += len(data)
        return first + data if first else data

    def skip(self, n: int) -> int:
        first = min(n, len(self._prefix))
        self._prefix = self._prefix[first:]
        step = max(0, min(n - first, self._end - self._pos))
        self._pos += step
        return first + step


def _decompressor(kind: str) -> Any:
    if kind == "gzip":
        return zlib.decompressobj(31)
    if kind in ("zlib", "zfile"):
        return zlib.decompressobj()
    if kind == "deflate":
        return zlib.decompressobj(-15)
    if kind == "bz2":
        import bz2  # imported when needed: the walk's content check loads this module

        return bz2.BZ2Decompressor()
    if kind in ("xz", "lzma"):
        import lzma

        return lzma.LZMADecompressor()
    if kind == "lz4":
        try:
            import lz4.frame  # joblib's lz4 files are LZ4 frames
        except ImportError as exc:  # pragma: no cover - lz4 is a declared dependency
            raise Unsupported("lz4 is not installed") from exc
        return lz4.frame.LZ4FrameDecompressor()
    raise Unsupported(f"{kind} compression is not supported")


class DecompressSource:
    """A compressed stream read from ``fh`` at ``start`` (``prefix``, already read, comes
    first), inflated on demand to at most ``budget`` bytes; ``limit`` bounds the compressed
    bytes taken.

    A corrupt stream ends where it breaks (``error`` says why), as the loader's would.
    """

    def __init__(
        self,
        fh: BinaryIO | Any,
        kind: str,
        *,
        start: int,
        prefix: bytes = b"",
        budget: int,
        limit: int | None = None,
        decompressor: Any = None,
    ) -> None:
        self.kind = kind
        self._fh = fh
        self._in_pos = start
        self._input_left = limit
        self._pending = prefix
        self._budget = budget
        self.produced = 0
        self.error: str | None = None
        self._done = False
        if kind == "zfile":
            self._pending = self._pending + self._take(max(0, 24 - len(self._pending)))
            header, self._pending = self._pending[:21], self._pending[21:]
            if self._pending[:1] == b" ":  # joblib <= 0.8.4 wrote one more space
                self._pending = self._pending[1:]
            del header
        self._dec = decompressor if decompressor is not None else _decompressor(kind)

    def _take(self, n: int) -> bytes:
        if self._input_left is not None:
            n = min(n, self._input_left)
        if n <= 0:
            return b""
        self._fh.seek(self._in_pos)  # others may read the same file between two calls
        data: bytes = self._fh.read(n)
        self._in_pos += len(data)
        if self._input_left is not None:
            self._input_left -= len(data)
        return data

    def _produce(self, want: int) -> bytes:
        """Up to ``want`` inflated bytes; b"" at the end of the stream."""
        while not self._done:
            dec = self._dec
            if isinstance(dec, _ZLIB):
                data = self._pending or self._take(_CHUNK)
                self._pending = b""
                if not data:
                    self._done = True
                    return dec.flush()
                try:
                    out = dec.decompress(data, want)
                except zlib.error as exc:
                    self.error, self._done = f"{self.kind} stream is corrupt: {exc}", True
                    return b""
                self._pending = dec.unconsumed_tail
                if dec.eof:
                    self._restart(dec.unused_data)
                if out:
                    return bytes(out)
                continue
            needs = getattr(dec, "needs_input", True)
            data = b""
            if needs:
                data = self._pending or self._take(_CHUNK)
                self._pending = b""
                if not data:
                    self._done = True
                    return b""
            try:
                out = dec.decompress(data, want)
            except Exception as exc:  # any decompressor's error (LZMAError, lz4's RuntimeError)
                self.error, self._done = f"{self.kind} stream is corrupt: {exc}", True
                return b""
            if getattr(dec, "eof", False):
                self._restart(getattr(dec, "unused_data", b"") or b"")
            if out:
                return bytes(out)
        return b""

    def _restart(self, unused: bytes) -> None:
        """After one member ends: another may follow (gzip, bz2 and xz allow several)."""
        rest = (unused or b"") + self._pending
        self._pending = rest
        if rest and self.kind in ("gzip", "bz2", "xz", "zlib"):
            self._dec = _decompressor(self.kind)
        else:
            self._done = True

    def _charge(self, n: int) -> None:
        self.produced += n
        if self.produced > self._budget:
            raise Incomplete(
                f"{self.kind} stream inflates past the {self._budget}-byte analysis budget"
            )

    def read(self, n: int) -> bytes:
        parts: list[bytes] = []
        got = 0
        while got < n:
            chunk = self._produce(min(n - got, _CHUNK))
            if not chunk:
                break
            self._charge(len(chunk))
            parts.append(chunk)
            got += len(chunk)
        return b"".join(parts)

    def skip(self, n: int) -> int:
        done = 0
        while done < n:
            chunk = self._produce(min(n - done, _CHUNK))
            if not chunk:
                break
            self._charge(len(chunk))
            done += len(chunk)
        return done
