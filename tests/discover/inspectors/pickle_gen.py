"""Pickle bytes written opcode by opcode, so tests never need pickle.dumps of a live payload."""

from __future__ import annotations

import io
import struct
import tempfile
import zipfile
from pathlib import Path

MARKER = Path(tempfile.gettempdir()) / "modeldeps_pwned_marker"
CMD = f"touch {MARKER}"

MARK = b"("
STOP = b"."
POP = b"0"
TUPLE1 = b"\x85"
TUPLE2 = b"\x86"
TUPLE = b"t"
EMPTY_TUPLE = b")"
EMPTY_DICT = b"}"
EMPTY_LIST = b"]"
SETITEMS = b"u"
APPENDS = b"e"
REDUCE = b"R"
BUILD = b"b"
NEWOBJ = b"\x81"
NEWOBJ_EX = b"\x92"
OBJ = b"o"
STACK_GLOBAL = b"\x93"
MEMOIZE = b"\x94"
BINPERSID = b"Q"
NONE = b"N"
NEWTRUE = b"\x88"
NEWFALSE = b"\x89"


def proto(n: int) -> bytes:
    return b"\x80" + bytes([n]) if n >= 2 else b""


def frame(body: bytes) -> bytes:
    return b"\x95" + struct.pack("<Q", len(body)) + body


def glob(module: str, name: str) -> bytes:
    return b"c" + module.encode() + b"\n" + name.encode() + b"\n"


def inst(module: str, name: str) -> bytes:
    return b"i" + module.encode() + b"\n" + name.encode() + b"\n"


def text(s: str, protocol: int = 4) -> bytes:
    """A str constant in the opcode the protocol would use."""
    raw = s.encode()
    if protocol == 0:
        return b"V" + s.encode("raw_unicode_escape") + b"\n"
    if protocol >= 4 and len(raw) < 256:
        return b"\x8c" + bytes([len(raw)]) + raw
    return b"X" + struct.pack("<I", len(raw)) + raw


def binbytes(data: bytes) -> bytes:
    if len(data) < 256:
        return b"C" + bytes([len(data)]) + data
    return b"B" + struct.pack("<I", len(data)) + data


def integer(n: int) -> bytes:
    if 0 <= n < 256:
        return b"K" + bytes([n])
    return b"J" + struct.pack("<i", n)


def binput(i: int) -> bytes:
    return b"q" + bytes([i])


def binget(i: int) -> bytes:
    return b"h" + bytes([i])


def put0(i: int) -> bytes:
    return b"p" + str(i).encode() + b"\n"


def get0(i: int) -> bytes:
    return b"g" + str(i).encode() + b"\n"


def call(module: str, name: str, arg: str = CMD, protocol: int = 2) -> bytes:
    """``module.name(arg)`` as a complete pickle (GLOBAL form)."""
    if protocol == 0:
        return glob(module, name) + MARK + text(arg, 0) + TUPLE + REDUCE + STOP
    return proto(protocol) + glob(module, name) + text(arg, protocol) + TUPLE1 + REDUCE + STOP


def stack_call(module: str, name: str, arg: str = CMD) -> bytes:
    """``module.name(arg)`` via STACK_GLOBAL with memoized names (protocol 4, framed)."""
    body = (
        text(module)
        + MEMOIZE
        + text(name)
        + MEMOIZE
        + POP
        + POP
        + binget(0)
        + binget(1)
        + STACK_GLOBAL
        + text(arg)
        + TUPLE1
        + REDUCE
        + STOP
    )
    return proto(4) + frame(body)


def benign_dict(protocol: int = 4) -> bytes:
    return proto(protocol) + EMPTY_DICT + MARK + text("a", protocol) + integer(1) + SETITEMS + STOP


def torch_state_dict(numel: int = 6, key: str = "0") -> bytes:
    """What torch.save writes in data.pkl for {"w": tensor} (protocol 2, persistent storage)."""
    storage = (
        MARK
        + text("storage", 2)
        + glob("torch", "FloatStorage")
        + text(key, 2)
        + text("cpu", 2)
        + integer(numel)
        + TUPLE
        + BINPERSID
    )
    tensor = (
        glob("torch._utils", "_rebuild_tensor_v2")
        + MARK
        + storage
        + integer(0)
        + integer(numel)
        + TUPLE1
        + integer(1)
        + TUPLE1
        + NEWFALSE
        + glob("collections", "OrderedDict")
        + EMPTY_TUPLE
        + REDUCE
        + TUPLE
        + REDUCE
    )
    return (
        proto(2)
        + glob("collections", "OrderedDict")
        + EMPTY_TUPLE
        + REDUCE
        + MARK
        + text("w", 2)
        + tensor
        + SETITEMS
        + STOP
    )


def torch_zip(
    pkl: bytes,
    *,
    prefix: str = "archive",
    storage: bytes = b"\0" * 24,
    extra: dict[str, bytes] | None = None,
    compression: int = zipfile.ZIP_STORED,
) -> bytes:
    """A torch.save-style zip: data.pkl, one storage, bookkeeping records."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as zf:
        zf.writestr(f"{prefix}/data.pkl", pkl)
        zf.writestr(f"{prefix}/byteorder", b"little")
        zf.writestr(f"{prefix}/data/0", storage)
        zf.writestr(f"{prefix}/version", b"3\n")
        for name, data in (extra or {}).items():
            zf.writestr(name, data)
    return buf.getvalue()


LEGACY_MAGIC = 0x1950A86A20F9469CFC6C


def legacy_torch(main: bytes, magic_pickle: bytes | None = None) -> bytes:
    """Legacy torch.save: magic, protocol, sys info, object, storage keys, then raw storage."""
    magic = magic_pickle or (proto(2) + b"\x8a\x0a" + LEGACY_MAGIC.to_bytes(10, "little") + STOP)
    version = proto(2) + b"M\xe9\x03" + STOP
    sysinfo = proto(2) + EMPTY_DICT + STOP
    keys = proto(2) + EMPTY_LIST + MARK + text("0", 2) + APPENDS + STOP
    # Raw storage bytes: a little-endian count, then data that must never be parsed as a pickle.
    raw = struct.pack("<q", 6) + b"cos\nsystem\n" + b"\x00" * 13
    return magic + version + sysinfo + main + keys + raw


def npy(descr: str, shape: tuple[int, ...], body: bytes = b"") -> bytes:
    header = repr({"descr": descr, "fortran_order": False, "shape": shape}).encode()
    pad = 64 - (10 + len(header) + 1) % 64
    header += b" " * pad + b"\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header + body


def joblib_array_then(tail: bytes, *, values: int = 3) -> bytes:
    """A joblib stream: a NumpyArrayWrapper of int64 values, its raw bytes, then ``tail``.

    joblib writes the array outside the pickle opcodes; the walk must step over them.
    """
    wrapper = (
        text("joblib.numpy_pickle")
        + text("NumpyArrayWrapper")
        + STACK_GLOBAL
        + EMPTY_TUPLE
        + NEWOBJ
        + EMPTY_DICT
        + MARK
        + text("shape")
        + integer(values)
        + TUPLE1
        + text("dtype")
        + text("numpy")
        + text("dtype")
        + STACK_GLOBAL
        + MARK
        + text("i8")
        + NEWFALSE
        + NEWTRUE
        + TUPLE
        + REDUCE
        + MARK
        + integer(3)
        + text("<")
        + NONE
        + NONE
        + NONE
        + integer(0)
        + TUPLE
        + BUILD
        + text("allow_mmap")
        + NEWTRUE
        + text("numpy_array_alignment_bytes")
        + integer(16)
        + SETITEMS
        + BUILD
    )
    # Array bytes full of opcode-looking bytes: 'c' GLOBAL would read junk if not skipped.
    array = b"\x03\xff\xff\xff" + b"cjunk\nname\n" * 2 + b"\x00" * (values * 8 - 22)
    return proto(4) + EMPTY_LIST + MARK + wrapper + array + tail


def write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def torch_tar(main: bytes, *, sys_info: bytes | None = None) -> bytes:
    """A legacy tar-format torch.save: sys_info, pickle, tensors (none), storages (one)."""
    import tarfile

    storage_record = (
        proto(2) + text("0", 2) + text("cpu", 2) + glob("torch", "FloatStorage") + TUPLE3 + STOP
    )
    storages = (
        (proto(2) + integer(1) + STOP + storage_record + struct.pack("<q", 2) + b"\0" * 8)
        + proto(2)
        + EMPTY_LIST
        + STOP
    )
    tensors = proto(2) + integer(0) + STOP
    members = {
        "sys_info": sys_info or proto(2) + EMPTY_DICT + STOP,
        "pickle": main,
        "tensors": tensors,
        "storages": storages,
    }
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


TUPLE3 = b"\x87"
