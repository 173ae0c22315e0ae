"""Bounded archive reading: zip members by their local headers (no CRC trust), 7z first stream."""

from __future__ import annotations

import bz2
import lzma
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from modeldeps.discover.inspectors.support import CountingFile
from modeldeps.errors import InspectorError

__all__ = [
    "EMPTY_ZIP_MAGIC",
    "SEVEN_ZIP_MAGIC",
    "ZIP_MAGIC",
    "CountingFile",
    "Member",
    "list_members",
    "local_members",
    "member_source",
    "read_member",
    "sevenzip_first_stream",
    "unsafe_member_path",
]

ZIP_MAGIC = b"PK\x03\x04"
EMPTY_ZIP_MAGIC = b"PK\x05\x06"
SEVEN_ZIP_MAGIC = b"7z\xbc\xaf\x27\x1c"
MAX_MEMBERS = 200_000
_LOCAL = struct.Struct("<4sHHHHHIIIHH")
_SCAN_LIMIT = 64 * 1024 * 1024  # local-header scan when the central directory is broken


@dataclass(frozen=True, slots=True)
class Member:
    """One zip member as its directory (or, failing that, its local header) describes it."""

    name: str
    header_offset: int
    method: int
    compressed_size: int
    size: int
    flags: int

    @property
    def encrypted(self) -> bool:
        return bool(self.flags & 0x1)


def unsafe_member_path(name: str) -> bool:
    """True for absolute names, drive letters or ``..`` parts: extracting would escape."""
    if name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":"):
        return True
    return ".." in PurePosixPath(name.replace("\\", "/")).parts


def list_members(fh: CountingFile, size: int) -> tuple[list[Member], str | None]:
    """Members from the central directory; on a broken directory, from scanning local headers.

    Returns the members and a note when the directory was unusable.
    """
    try:
        with zipfile.ZipFile(fh) as zf:  # duck-typed file: seek/tell/read are enough
            infos = zf.infolist()
            if len(infos) > MAX_MEMBERS:
                raise InspectorError(f"zip has {len(infos)} members (limit {MAX_MEMBERS})")
            return [
                Member(
                    i.filename,
                    i.header_offset,
                    i.compress_type,
                    i.compress_size,
                    i.file_size,
                    i.flag_bits,
                )
                for i in infos
            ], None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, ValueError) as exc:
        note = f"zip central directory unreadable ({exc}); members found by local headers"
    fh.seek(0)
    return local_members(fh.read(min(size, _SCAN_LIMIT))), note


def local_members(blob: bytes) -> list[Member]:
    """Members found by scanning ``blob`` for local headers (the directory being unusable)."""
    members: list[Member] = []
    pos = blob.find(ZIP_MAGIC)
    while pos >= 0 and len(members) < MAX_MEMBERS:
        if pos + _LOCAL.size <= len(blob):
            _sig, _ver, flags, method, _t, _d, _crc, csize, usize, nlen, _xlen = _LOCAL.unpack_from(
                blob, pos
            )
            start = pos + _LOCAL.size
            name = blob[start : start + nlen].decode("utf-8", "replace")
            members.append(Member(name, pos, method, csize, usize, flags))
        pos = blob.find(ZIP_MAGIC, pos + 4)
    return members


def read_member(fh: CountingFile, m: Member, limit: int) -> bytes:
    """Up to ``limit`` bytes of a member's content, read from its local header.

    The CRC is never checked: a corrupted CRC makes ``zipfile`` refuse the member, and that is
    exactly how payloads have been hidden from scanners while the loader still reads them.
    """
    fh.seek(m.header_offset)
    head = fh.read(_LOCAL.size)
    if len(head) < _LOCAL.size or head[:4] != ZIP_MAGIC:
        raise InspectorError(f"zip member {m.name!r}: no local header at {m.header_offset}")
    fields = _LOCAL.unpack(head)
    nlen, xlen = fields[9], fields[10]
    fh.seek(m.header_offset + _LOCAL.size + nlen + xlen)
    csize = m.compressed_size or fields[7]
    if m.method == 0:
        want = m.size or csize
        return fh.read(min(want if want else limit, limit))
    raw = fh.read(min(csize, limit * 2) if csize else limit)
    try:
        if m.method == 8:
            return zlib.decompressobj(-15).decompress(raw, limit)
        if m.method == 12:
            return bz2.BZ2Decompressor().decompress(raw, limit)
        if m.method == 14 and len(raw) > 9:  # 4-byte header, then 5 bytes of LZMA properties
            d, dict_size = raw[4], struct.unpack_from("<I", raw, 5)[0]
            filt = {
                "id": lzma.FILTER_LZMA1,
                "dict_size": dict_size,
                "lc": d % 9,
                "lp": (d // 9) % 5,
                "pb": d // 45,
            }
            dec = lzma.LZMADecompressor(lzma.FORMAT_RAW, filters=[filt])
            return dec.decompress(raw[9:], limit)
    except (zlib.error, OSError, lzma.LZMAError, EOFError, struct.error) as exc:
        raise InspectorError(f"zip member {m.name!r}: cannot decompress: {exc}") from exc
    raise InspectorError(f"zip member {m.name!r}: compression method {m.method} not supported")


def member_source(fh: CountingFile, m: Member, budget: int, size: int) -> Any:
    """A member's content as a stream for the pickle reader, read from its local header (CRC
    not trusted), inflated on demand to at most ``budget`` bytes (``Incomplete`` past it).

    ``size`` is the archive's size: a stored member whose sizes are only in a data descriptor
    runs to the end of the archive (the reader stops at the pickle's STOP).
    """
    from modeldeps.discover.inspectors.streams import DecompressSource, FileSource

    fh.seek(m.header_offset)
    head = fh.read(_LOCAL.size)
    if len(head) < _LOCAL.size or head[:4] != ZIP_MAGIC:
        raise InspectorError(f"zip member {m.name!r}: no local header at {m.header_offset}")
    fields = _LOCAL.unpack(head)
    start = m.header_offset + _LOCAL.size + fields[9] + fields[10]
    csize = m.compressed_size or fields[7]
    if m.method == 0:
        want = m.size or csize
        return FileSource(fh, start, min(start + want, size) if want else size)
    limit = csize or None
    if m.method == 8:
        return DecompressSource(fh, "deflate", start=start, budget=budget, limit=limit)
    if m.method == 12:
        return DecompressSource(fh, "bz2", start=start, budget=budget, limit=limit)
    if m.method == 14:  # 4-byte header, then 5 bytes of LZMA properties
        fh.seek(start)
        props = fh.read(9)
        if len(props) < 9:
            raise InspectorError(f"zip member {m.name!r}: truncated LZMA header")
        d, dict_size = props[4], struct.unpack_from("<I", props, 5)[0]
        filt = {"id": lzma.FILTER_LZMA1, "dict_size": dict_size}
        filt.update(lc=d % 9, lp=(d // 9) % 5, pb=d // 45)
        dec = lzma.LZMADecompressor(lzma.FORMAT_RAW, filters=[filt])
        left = None if limit is None else max(0, limit - 9)
        return DecompressSource(
            fh, "lzma", start=start + 9, budget=budget, limit=left, decompressor=dec
        )
    raise InspectorError(f"zip member {m.name!r}: compression method {m.method} not supported")


def sevenzip_first_stream(fh: CountingFile, size: int, limit: int) -> bytes:
    """The unpacked bytes of a 7z archive's first packed stream (LZMA2, LZMA or stored).

    7z keeps file names in a header that may itself be compressed; the content is enough to
    find pickles in it, which is all a disguised checkpoint needs.
    """
    fh.seek(0)
    head = fh.read(32)
    if len(head) < 32 or head[:6] != SEVEN_ZIP_MAGIC:
        raise InspectorError("not a 7z archive")
    next_offset = struct.unpack_from("<Q", head, 12)[0]
    packed = fh.read(min(next_offset, size - 32, limit))
    for filters in (
        [{"id": lzma.FILTER_LZMA2, "dict_size": 1 << 26}],
        [{"id": lzma.FILTER_LZMA1, "dict_size": 1 << 26, "lc": 3, "lp": 0, "pb": 2}],
    ):
        try:
            dec = lzma.LZMADecompressor(lzma.FORMAT_RAW, filters=filters)
            out = dec.decompress(packed, limit)
            if out:
                return out
        except lzma.LZMAError:
            continue
    return packed  # stored ("copy") streams are the content itself
