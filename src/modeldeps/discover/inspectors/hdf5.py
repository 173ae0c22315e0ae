"""A bounded HDF5 reader for the root group's attributes (Keras ``model_config``), no library.

Follows the file's own addresses: superblock (versions 0-3) → root object header (versions 1
and 2, with continuation blocks) → attribute messages (versions 1-3) whose values are
fixed-length strings or variable-length strings in a global heap collection. Attributes in
dense storage (many or large attributes, ``libver="latest"``) are read from the fractal heap:
its direct blocks through the indirect-block tree, and its huge objects (an attribute larger
than the heap's object limit, as a big ``model_config`` is) through their v2 B-tree. Every read
is bounded in bytes and every walk in steps; a structure that cannot be followed raises.
"""

from __future__ import annotations

import math
import struct
from dataclasses import dataclass, field

from modeldeps.discover.inspectors.support import CountingFile
from modeldeps.errors import InspectorError

HDF5_MAGIC = b"\x89HDF\r\n\x1a\n"
MAX_STEPS = 4096  # messages, continuation blocks and heap objects visited
MAX_BLOCK = 1024 * 1024  # one header block or continuation block
MAX_VALUE = 16 * 1024 * 1024  # one attribute value (Keras configs are kilobytes)
MAX_TOTAL = 64 * 1024 * 1024  # everything read for one file
_UNDEFINED = (1 << 64) - 1
_CONTINUATION, _ATTRIBUTE, _ATTRIBUTE_INFO = 0x10, 0x0C, 0x15
_STRING, _VLEN = 3, 9


@dataclass
class RootAttributes:
    """String attributes of the root group, and how they were stored."""

    values: dict[str, str] = field(default_factory=dict)
    dense: bool = False  # attributes kept in a fractal heap (read, see ``dense_error``)
    dense_error: str | None = None  # why the dense storage could not be read to its end
    superblock: int = -1


class _Reader:
    def __init__(self, fh: CountingFile, size: int) -> None:
        self.fh = fh
        self.size = size
        self.steps = 0
        self.base = 0
        self.o = 8  # size of offsets
        self.l = 8  # size of lengths

    def at(self, off: int, n: int) -> bytes:
        if off < 0 or n < 0 or off + n > self.size:
            raise InspectorError(f"HDF5 address {off}+{n} is outside the file")
        if self.fh.bytes_read + n > MAX_TOTAL:
            raise InspectorError(f"HDF5 structure needs more than {MAX_TOTAL} bytes")
        self.fh.seek(off)
        data = self.fh.read(n)
        if len(data) != n:
            raise InspectorError(f"HDF5 file truncated at {off}")
        return data

    def step(self) -> None:
        self.steps += 1
        if self.steps > MAX_STEPS:
            raise InspectorError(f"HDF5 structure needs more than {MAX_STEPS} steps")

    def uint(self, data: bytes, pos: int, width: int) -> int:
        if pos + width > len(data):
            raise InspectorError("HDF5 field runs past its block")
        return int.from_bytes(data[pos : pos + width], "little")

    def addr(self, value: int) -> int:
        return value if value == _UNDEFINED else self.base + value


def _find_superblock(r: _Reader) -> int:
    """The signature sits at 0, or after a user block at 512, 1024, 2048, ... bytes."""
    off = 0
    while off + 8 <= r.size:
        r.step()
        if r.at(off, 8) == HDF5_MAGIC:
            return off
        off = 512 if off == 0 else off * 2
    raise InspectorError("no HDF5 signature")


def _root_header(r: _Reader, sb: int) -> tuple[int, int]:
    """(superblock version, root object header address)."""
    head = r.at(sb, 16)
    version = head[8]
    if version in (0, 1):
        r.o, r.l = head[13], head[14]
        start = sb + (24 if version == 0 else 28)
        need = 6 * r.o
    elif version in (2, 3):
        r.o, r.l = head[9], head[10]
        start = sb + 12
        need = 4 * r.o
    else:
        raise InspectorError(f"HDF5 superblock version {version} is not supported")
    if r.o not in (2, 4, 8) or r.l not in (2, 4, 8):
        raise InspectorError(f"HDF5 offset/length sizes {r.o}/{r.l} are not supported")
    body = r.at(start, need)
    r.base = r.uint(body, 0, r.o)
    # v0/v1: base, free space, end, driver, then the root symbol-table entry (name, header);
    # v2/v3: base, superblock extension, end, root object header.
    index = 5 if version < 2 else 3
    return version, r.addr(r.uint(body, index * r.o, r.o))


def _messages(r: _Reader, addr: int) -> list[tuple[int, bytes]]:
    """(type, body) of every message in an object header, following continuation blocks."""
    out: list[tuple[int, bytes]] = []
    first = r.at(addr, 16)
    if first[:4] == b"OHDR":
        flags = first[5]
        pos = 6 + (16 if flags & 0x20 else 0) + (4 if flags & 0x10 else 0)
        width = 1 << (flags & 3)
        head = r.at(addr, pos + width)
        size = r.uint(head, pos, width)
        blocks = [(addr + pos + width, size, 2, flags)]
    elif first[0] == 1:
        blocks = [(addr + 16, r.uint(first, 8, 4), 1, 0)]
    else:
        raise InspectorError(f"HDF5 object header version {first[0]} at {addr} is unknown")
    seen: set[int] = set()
    while blocks:
        start, size, version, flags = blocks.pop(0)
        r.step()
        if start in seen or size > MAX_BLOCK:
            raise InspectorError("HDF5 header block loops or is too large")
        seen.add(start)
        data = r.at(start, size)
        for mtype, body in _block_messages(r, data, version, flags):
            out.append((mtype, body))
            if mtype == _CONTINUATION:
                where = r.addr(r.uint(body, 0, r.o))
                length = r.uint(body, r.o, r.l)
                if version == 2:  # "OCHK" signature first, checksum last
                    if r.at(where, 4) != b"OCHK":
                        raise InspectorError("HDF5 continuation block without OCHK signature")
                    blocks.append((where + 4, length - 8, 2, flags))
                else:
                    blocks.append((where, length, 1, 0))
    return out


def _block_messages(r: _Reader, data: bytes, version: int, flags: int) -> list[tuple[int, bytes]]:
    out: list[tuple[int, bytes]] = []
    pos = 0
    head = 8 if version == 1 else 4 + (2 if flags & 0x04 else 0)
    while pos + head <= len(data):
        r.step()
        if version == 1:
            mtype, size = r.uint(data, pos, 2), r.uint(data, pos + 2, 2)
        else:
            mtype, size = data[pos], r.uint(data, pos + 1, 2)
        body = data[pos + head : pos + head + size]
        if len(body) != size:
            raise InspectorError("HDF5 header message runs past its block")
        out.append((mtype, body))
        pos += head + size
    return out


def _pad8(n: int) -> int:
    return (n + 7) // 8 * 8


def _attribute(r: _Reader, body: bytes, names: frozenset[str]) -> tuple[str, str] | None:
    """(name, value) of a string attribute named in ``names``; None for any other."""
    version = body[0] if body else 0
    if version not in (1, 2, 3):
        raise InspectorError(f"HDF5 attribute message version {version} is unknown")
    name_len, dt_len, ds_len = (r.uint(body, 2 + 2 * i, 2) for i in range(3))
    pos = 8 if version < 3 else 9
    pad = version == 1  # version 1 pads each part to 8 bytes
    name = body[pos : pos + name_len].split(b"\0", 1)[0].decode("utf-8", "replace")
    if name not in names:
        return None
    pos += _pad8(name_len) if pad else name_len
    dtype = body[pos : pos + dt_len]
    pos += _pad8(dt_len) if pad else dt_len
    count = _elements(r, body[pos : pos + ds_len])
    pos += _pad8(ds_len) if pad else ds_len
    if len(dtype) < 8 or count != 1:
        return None
    klass, elem = dtype[0] & 0x0F, r.uint(dtype, 4, 4)
    if klass == _STRING:
        raw = body[pos : pos + min(elem, MAX_VALUE)]
    elif klass == _VLEN and dtype[1] & 0x0F == 1:  # variable-length string
        length = r.uint(body, pos, 4)
        heap = r.addr(r.uint(body, pos + 4, r.o))
        raw = _heap_object(r, heap, r.uint(body, pos + 4 + r.o, 4))[:length]
    else:
        return None
    return name, raw.split(b"\0", 1)[0].decode("utf-8", "replace")


def _elements(r: _Reader, space: bytes) -> int:
    if len(space) < 4:
        raise InspectorError("HDF5 dataspace message is truncated")
    version, rank = space[0], space[1]
    if version == 2 and space[3] == 2:  # null dataspace
        return 0
    start = 8 if version == 1 else 4
    dims = [r.uint(space, start + i * r.l, r.l) for i in range(min(rank, 32))]
    return math.prod(dims)


def _heap_object(r: _Reader, addr: int, index: int) -> bytes:
    """Object ``index`` of the global heap collection at ``addr``."""
    head = r.at(addr, 8 + r.l)
    if head[:4] != b"GCOL":
        raise InspectorError(f"HDF5 global heap at {addr} has no GCOL signature")
    size = min(r.uint(head, 8, r.l), MAX_VALUE + 4096)
    data = r.at(addr, min(size, r.size - addr))
    pos = 8 + r.l
    while pos + 8 + r.l <= len(data):
        r.step()
        obj, length = r.uint(data, pos, 2), r.uint(data, pos + 8, r.l)
        if obj == 0:
            break
        if obj == index:
            return data[pos + 8 + r.l : pos + 8 + r.l + length]
        pos += 8 + r.l + _pad8(length)
    raise InspectorError(f"HDF5 global heap object {index} not found")


def root_attributes(fh: CountingFile, size: int, names: frozenset[str]) -> RootAttributes:
    """The root group's string attributes named in ``names``.

    Raises InspectorError on a structure it cannot follow (the caller decides what to say).
    """
    r = _Reader(fh, size)
    sb = _find_superblock(r)
    version, root = _root_header(r, sb)
    result = RootAttributes(superblock=version)
    if root == _UNDEFINED:
        raise InspectorError("HDF5 root group has no object header")
    for mtype, body in _messages(r, root):
        if mtype == _ATTRIBUTE_INFO:
            # Dense storage: a fractal-heap address is set (undefined means none).
            heap = r.uint(body, 2 + (2 if body[1] & 1 else 0), r.o) if len(body) > 2 else 0
            if heap != (1 << (8 * r.o)) - 1:
                result.dense = True
                try:
                    for name, value in _dense_attributes(r, r.addr(heap), names):
                        result.values.setdefault(name, value)
                except (InspectorError, struct.error, IndexError, ValueError) as exc:
                    result.dense_error = str(exc)
        elif mtype == _ATTRIBUTE:
            try:
                pair = _attribute(r, body, names)
            except (InspectorError, struct.error, IndexError) as exc:
                raise InspectorError(f"HDF5 attribute unreadable: {exc}") from exc
            if pair is not None:
                result.values.setdefault(*pair)
    return result


# --- dense attribute storage: the fractal heap ------------------------------------------------


@dataclass
class _Heap:
    """The fields of a fractal heap header this reader needs."""

    flags: int
    huge_btree: int
    width: int
    start_block: int
    max_direct: int
    max_heap_bits: int
    root: int
    root_rows: int
    filtered: bool


def _fractal_heap(r: _Reader, addr: int) -> _Heap:
    head = r.at(addr, min(256, r.size - addr))
    if head[:4] != b"FRHP":
        raise InspectorError(f"HDF5 fractal heap at {addr} has no FRHP signature")
    filters = r.uint(head, 7, 2)
    flags = head[9]
    pos = 14 + r.l  # past signature, version, id length, filter length, flags, max object size
    huge_btree = r.uint(head, pos, r.o)
    pos += r.o + r.l + r.o + 8 * r.l  # free space, its manager, eight sizes and counters
    width = r.uint(head, pos, 2)
    start_block = r.uint(head, pos + 2, r.l)
    max_direct = r.uint(head, pos + 2 + r.l, r.l)
    max_heap_bits = r.uint(head, pos + 2 + 2 * r.l, 2)
    pos += 2 + 2 * r.l + 2 + 2
    root = r.uint(head, pos, r.o)
    root_rows = r.uint(head, pos + r.o, 2)
    if not (1 <= width <= 1024 and 0 < start_block <= max_direct <= 1 << 32):
        raise InspectorError("HDF5 fractal heap header has impossible sizes")
    return _Heap(
        flags,
        huge_btree,
        width,
        start_block,
        max_direct,
        max_heap_bits,
        root,
        root_rows,
        filters > 0,
    )


def _dense_attributes(r: _Reader, addr: int, names: frozenset[str]) -> list[tuple[str, str]]:
    """Attributes named in ``names`` from a fractal heap: every direct block's objects and
    every huge object (attribute messages stored whole)."""
    heap = _fractal_heap(r, addr)
    if heap.filtered:
        raise InspectorError("HDF5 attribute heap is filtered (compressed); not read")
    undefined = (1 << (8 * r.o)) - 1
    found: list[tuple[str, str]] = []
    if heap.root != undefined:
        blocks: list[tuple[int, int]] = []
        if heap.root_rows == 0:
            blocks.append((r.addr(heap.root), heap.start_block))
        else:
            _indirect_blocks(r, heap, r.addr(heap.root), heap.root_rows, blocks, 0)
        for block_addr, block_size in blocks:
            r.step()
            data = r.at(block_addr, min(block_size, MAX_BLOCK, r.size - block_addr))
            if data[:4] != b"FHDB":
                raise InspectorError(f"HDF5 direct block at {block_addr} has no FHDB signature")
            found.extend(_attributes_in(r, data, names))
    if heap.huge_btree != undefined:
        for obj_addr, length in _huge_objects(r, r.addr(heap.huge_btree)):
            r.step()
            data = r.at(obj_addr, min(length, MAX_VALUE, r.size - obj_addr))
            pair = _attribute(r, data, names)
            if pair is not None:
                found.append(pair)
    return found


def _indirect_blocks(
    r: _Reader, heap: _Heap, addr: int, rows: int, out: list[tuple[int, int]], depth: int
) -> None:
    """Direct blocks (address, size) under an indirect block, recursively and bounded."""
    if depth > 8:
        raise InspectorError("HDF5 fractal heap nested too deeply")
    r.step()
    offset_bytes = (heap.max_heap_bits + 7) // 8
    direct_rows = int(math.log2(heap.max_direct)) - int(math.log2(heap.start_block)) + 2
    entries = rows * heap.width
    head = r.at(addr, min(5 + r.o + offset_bytes + entries * r.o, r.size - addr))
    if head[:4] != b"FHIB":
        raise InspectorError(f"HDF5 indirect block at {addr} has no FHIB signature")
    pos = 5 + r.o + offset_bytes
    undefined = (1 << (8 * r.o)) - 1
    for row in range(rows):
        size = heap.start_block * (1 if row == 0 else 1 << (row - 1))
        for _col in range(heap.width):
            child = r.uint(head, pos, r.o)
            pos += r.o
            if child == undefined:
                continue
            if row < direct_rows:
                out.append((r.addr(child), size))
            else:
                child_rows = (
                    int(math.log2(size)) - int(math.log2(heap.start_block * heap.width)) + 1
                )
                _indirect_blocks(r, heap, r.addr(child), child_rows, out, depth + 1)
            if len(out) > MAX_STEPS:
                raise InspectorError("HDF5 fractal heap has too many blocks")


def _attributes_in(r: _Reader, block: bytes, names: frozenset[str]) -> list[tuple[str, str]]:
    """Attribute messages named in ``names`` inside a direct block: each is found by its name
    (names are stored NUL-terminated right after the message's fixed header) and parsed."""
    out: list[tuple[str, str]] = []
    for name in names:
        key = name.encode() + b"\0"
        at = block.find(key)
        while at >= 0:
            for header in (9, 8):  # version 3 headers are 9 bytes, versions 1 and 2 are 8
                start = at - header
                if start < 0 or block[start] != (3 if header == 9 else block[start]):
                    continue
                try:
                    pair = _attribute(r, block[start:], names)
                except (InspectorError, struct.error, IndexError):
                    continue
                if pair is not None and pair[0] == name:
                    out.append(pair)
                    break
            at = block.find(key, at + 1)
    return out


def _huge_objects(r: _Reader, addr: int) -> list[tuple[int, int]]:
    """(address, length) of every huge object, from the heap's v2 B-tree (depth 0 or 1)."""
    head = r.at(addr, min(16 + r.o + 2 + r.l, r.size - addr))
    if head[:4] != b"BTHD":
        raise InspectorError(f"HDF5 v2 B-tree at {addr} has no BTHD signature")
    kind, node_size, record_size = head[5], r.uint(head, 6, 4), r.uint(head, 10, 2)
    depth = r.uint(head, 12, 2)
    root = r.uint(head, 16, r.o)
    count = r.uint(head, 16 + r.o, 2)
    if kind not in (1, 3):
        raise InspectorError(f"HDF5 huge objects in a B-tree of type {kind} (filtered)")
    if depth > 1 or not 0 < record_size <= node_size <= MAX_BLOCK:
        raise InspectorError(f"HDF5 huge-object B-tree of depth {depth} is not followed")
    leaves: list[tuple[int, int]] = [(r.addr(root), count)]
    if depth == 1:
        node = r.at(r.addr(root), min(node_size, r.size - r.addr(root)))
        if node[:4] != b"BTIN":
            raise InspectorError("HDF5 B-tree internal node has no BTIN signature")
        max_leaf = (node_size - 10) // record_size
        width = max(1, (max_leaf.bit_length() + 7) // 8)
        pos = 6 + count * record_size
        leaves = []
        for _ in range(count + 1):
            leaves.append((r.addr(r.uint(node, pos, r.o)), r.uint(node, pos + r.o, width)))
            pos += r.o + width
    out: list[tuple[int, int]] = []
    for leaf_addr, records in leaves:
        r.step()
        node = r.at(leaf_addr, min(node_size, r.size - leaf_addr))
        if node[:4] != b"BTLF":
            raise InspectorError("HDF5 B-tree leaf has no BTLF signature")
        for i in range(min(records, (node_size - 10) // record_size)):
            rec = 6 + i * record_size
            out.append((r.addr(r.uint(node, rec, r.o)), r.uint(node, rec + r.o, r.l)))
    return out
