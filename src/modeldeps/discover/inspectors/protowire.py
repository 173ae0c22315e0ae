"""A bounded protobuf wire-format reader over a file: fields by offset, big payloads skipped."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass

from modeldeps.errors import InspectorError

VARINT, FIXED64, LEN, FIXED32 = 0, 1, 2, 5
MAX_DEPTH = 64
_WINDOW = 64 * 1024
#: Bytes read in all for one file; payloads (initializers, constants) are skipped, not read.
MAX_READ = 512 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Field:
    """One field: ``value`` for varint/fixed types; ``start``/``length`` for length-delimited."""

    number: int
    wire: int
    value: int = 0
    start: int = 0
    length: int = 0


class WireSource:
    """Random access to a file through a small window; counts bytes read and fields seen."""

    def __init__(self, fd: int, size: int, max_fields: int = 5_000_000) -> None:
        self.fd = fd
        self.size = size
        self.bytes_read = 0
        self.fields_left = max_fields
        self._win = b""
        self._win_at = 0

    def read(self, off: int, n: int) -> bytes:
        if off < 0 or n < 0 or off + n > self.size:
            raise InspectorError(f"protobuf field at {off} runs past the end of the file")
        if self._win_at <= off and off + n <= self._win_at + len(self._win):
            s = off - self._win_at
            return self._win[s : s + n]
        if self.bytes_read > MAX_READ:
            raise InspectorError(f"protobuf structure needs more than {MAX_READ} bytes read")
        data = os.pread(self.fd, max(n, _WINDOW), off)
        self.bytes_read += len(data)
        self._win, self._win_at = data, off
        return data[:n]

    def varint(self, off: int, end: int) -> tuple[int, int]:
        result = shift = 0
        while True:
            if off >= end or shift > 63:
                raise InspectorError(f"bad varint at offset {off}")
            b = self.read(off, 1)[0]
            result |= (b & 0x7F) << shift
            off += 1
            if b < 0x80:
                return result, off
            shift += 7

    def fields(self, start: int, end: int) -> Iterator[Field]:
        """The fields of the message occupying ``[start, end)``."""
        off = start
        while off < end:
            self.fields_left -= 1
            if self.fields_left < 0:
                raise InspectorError("protobuf has too many fields to inspect")
            key, off = self.varint(off, end)
            number, wire = key >> 3, key & 7
            if number == 0:
                raise InspectorError(f"protobuf field number 0 at offset {off}")
            if wire == VARINT:
                value, off = self.varint(off, end)
                yield Field(number, wire, value=value)
            elif wire == LEN:
                length, off = self.varint(off, end)
                if off + length > end:
                    raise InspectorError(f"protobuf field {number} overruns its message")
                yield Field(number, wire, start=off, length=length)
                off += length
            elif wire in (FIXED64, FIXED32):
                width = 8 if wire == FIXED64 else 4
                if off + width > end:
                    raise InspectorError(f"protobuf field {number} overruns its message")
                yield Field(number, wire, value=int.from_bytes(self.read(off, width), "little"))
                off += width
            else:
                raise InspectorError(f"unsupported protobuf wire type {wire} at offset {off}")

    def text(self, f: Field, cap: int = 4096) -> str:
        """A string field, cut to ``cap`` bytes."""
        return self.read(f.start, min(f.length, cap)).decode("utf-8", errors="replace")

    def packed_varints(self, f: Field) -> list[int]:
        out: list[int] = []
        off, end = f.start, f.start + f.length
        while off < end:
            value, off = self.varint(off, end)
            out.append(value)
        return out


def open_source(path: os.PathLike[str] | str, size: int) -> tuple[int, WireSource]:
    """Open ``path`` for reading; the caller closes the returned descriptor."""
    fd = os.open(path, os.O_RDONLY)
    return fd, WireSource(fd, size)
