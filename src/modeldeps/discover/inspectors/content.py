"""What a file is by its content: model formats by magic bytes and structure, whatever the name.

One place that knows every format's signature; the walk asks it about files whose name does not
decide, and the inspectors' ``sniff`` methods use the same tests. It is cheap: a first-bytes
check (one read of ``HEAD`` bytes) rules out text and foreign binaries; only a file that starts
like a container looks further (a zip's member names, a tar's first headers, a compressed
stream's first inflated bytes). Nothing here imports a heavy module or parses a whole file.
"""

from __future__ import annotations

import os
import struct
from typing import Any, BinaryIO

from modeldeps.discover.inspectors.pickle_ops import (
    OPCODES,
    TORCH_LEGACY_MAGIC,
    looks_like_pickle,
    plausible_pickle,
)
from modeldeps.discover.inspectors.streams import DecompressSource, Unsupported, compression_of

#: Bytes read first. A pickle needs a few KB to be judged; everything else decides in 512.
HEAD = 4096

ZIP_MAGIC = b"PK\x03\x04"
EMPTY_ZIP_MAGIC = b"PK\x05\x06"
SEVEN_ZIP_MAGIC = b"7z\xbc\xaf\x27\x1c"
HDF5_MAGIC = b"\x89HDF\r\n\x1a\n"
NPY_MAGIC = b"\x93NUMPY"
GGUF_MAGIC = b"GGUF"
LEGACY_TORCH_HEAD = b"\x80\x02\x8a\x0a" + TORCH_LEGACY_MAGIC.to_bytes(10, "little")
#: The members of a legacy (tar) ``torch.save`` file.
TORCH_TAR_MEMBERS = frozenset({"sys_info", "pickle", "storages", "tensors"})
#: Zip members that make a zip a model (what torch, Keras and NumPy loaders open).
_MODEL_MEMBER_SUFFIXES = (
    ".pkl", ".pickle", ".npy", ".pt", ".pth", ".bin", ".ckpt", ".safetensors", ".h5",
    ".joblib", ".onnx", ".gguf",
)  # fmt: skip
_MAX_ZIP_NAMES = 10_000
UNTOLD = "untold"  # the format check failed on the content: inspect it anyway
_ZIP_NAME_SCAN = 4 * 1024 * 1024  # local headers looked for when the directory is unusable
# ModelProto fields (onnx.proto3) and their wire types: 0 varint, 2 length-delimited.
_ONNX_FIELDS = {1: 0, 2: 2, 3: 2, 4: 2, 5: 0, 6: 2, 7: 2, 8: 2, 14: 2, 20: 2, 25: 2, 26: 2}


def is_safetensors(head: bytes, size: int) -> bool:
    """An 8-byte little-endian header length that fits the file, then a JSON object."""
    if len(head) < 10:
        return False
    (n,) = struct.unpack_from("<Q", head)
    return head[8:9] == b"{" and n + 8 <= size and head[9:10] in b'"} \n\t\r'


def is_tar(head: bytes) -> bool:
    return len(head) >= 262 and head[257:262] == b"ustar"


def tar_first_name(head: bytes) -> str:
    return head[:100].split(b"\0", 1)[0].decode("utf-8", "replace")


def tar_names(fh: BinaryIO | Any, limit: int = 16) -> list[str]:
    """The names of a tar's first ``limit`` members (torch.load finds its members by name, in
    any order); none when it is not a readable tar."""
    import tarfile

    names: list[str] = []
    try:
        fh.seek(0)
        with tarfile.open(fileobj=fh, mode="r:") as tar:
            for _ in range(limit):
                info = tar.next()
                if info is None:
                    break
                names.append(info.name)
    except (tarfile.TarError, OSError, ValueError, EOFError):
        return names
    return names


def torch_tar(fh: BinaryIO | Any, head: bytes) -> bool:
    """A tar holding any of a legacy ``torch.save``'s members."""
    if tar_first_name(head) in TORCH_TAR_MEMBERS:
        return True
    return any(name in TORCH_TAR_MEMBERS for name in tar_names(fh))


def is_onnx(head: bytes, size: int) -> bool:
    """An ONNX ModelProto: ir_version first (every exporter writes it first), then fields of the
    right numbers and wire types, lengths within the file."""
    if head[:1] != b"\x08":
        return False
    pos = 0
    fields = 0
    while pos < len(head) and fields < 6:
        tag, pos = _varint(head, pos)
        if tag is None:
            return fields >= 2
        number, wire = tag >> 3, tag & 7
        if _ONNX_FIELDS.get(number) != wire or (fields == 0 and number != 1):
            return False
        value, pos = _varint(head, pos)
        if value is None:
            return fields >= 2
        if fields == 0 and not 1 <= value <= 64:
            return False  # ir_version is a small number
        if wire == 2:
            if value > size:
                return False
            if number == 7:
                return True  # the graph: nothing else needs checking
            pos += value
        fields += 1
    return fields >= 3


def _varint(data: bytes, pos: int) -> tuple[int | None, int]:
    value = shift = 0
    while pos < len(data) and shift < 64:
        b = data[pos]
        pos += 1
        value |= (b & 0x7F) << shift
        if not b & 0x80:
            return value, pos
        shift += 7
    return None, pos


def zip_names(fh: BinaryIO | Any) -> list[str]:
    """Member names from a zip's central directory (none when it cannot be read)."""
    import zipfile  # only a zip needs it

    try:
        with zipfile.ZipFile(fh) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, ValueError, EOFError):
        # A directory zipfile refuses (a broken one, a newer version) does not stop loaders
        # that read local headers: name the members those headers give, in a bounded read.
        from modeldeps.discover.inspectors.archive import local_members

        try:
            fh.seek(0)
            head = fh.read(_ZIP_NAME_SCAN)
        except OSError:
            return []
        return [m.name for m in local_members(head)[:_MAX_ZIP_NAMES]]
    except OSError:
        return []
    return [i.filename for i in infos[:_MAX_ZIP_NAMES]]


def zip_kind(names: list[str]) -> str | None:
    """Which model container a zip is, by its member names; None for any other zip."""
    base = [n.rsplit("/", 1)[-1] for n in names]
    if any(b == "data.pkl" for b in base):
        return "torch-zip"
    if "config.json" in base and ("metadata.json" in base or "model.weights.h5" in base):
        return "keras"
    if base and all(b.endswith(".npy") for b in base if b):
        return "npz"
    if any(b.lower().endswith(_MODEL_MEMBER_SUFFIXES) for b in base):
        return "zip-model"
    return None


#: Members of an otherwise ordinary zip whose first bytes are checked for a pickle.
_PEEK_MEMBERS = 16


def _zip_with_pickle(fh: BinaryIO | Any, size: int) -> str | None:
    """A zip whose members are not named like models, but one of the first few is a pickle
    (a payload under ``data.txt``): a model container all the same."""
    from modeldeps.discover.inspectors.archive import list_members, read_member
    from modeldeps.discover.inspectors.support import CountingFile
    from modeldeps.errors import InspectorError

    counted = fh if isinstance(fh, CountingFile) else CountingFile(fh)
    try:
        members, _note = list_members(counted, size)
        for m in members[:_PEEK_MEMBERS]:
            if m.encrypted or m.name.endswith("/"):
                continue
            head = read_member(counted, m, HEAD)
            if looks_like_pickle(head) or plausible_pickle(head):
                return "zip-model"
    except (InspectorError, OSError, ValueError, EOFError):
        return None
    return None


def hdf5_at_user_block(fh: BinaryIO | Any, size: int) -> bool:
    """HDF5 keeps its signature at 0 or after a user block of 512, 1024, 2048... bytes."""
    off = 512
    while off + 8 <= size and off <= 1 << 20:
        fh.seek(off)
        if fh.read(8) == HDF5_MAGIC:
            return True
        off *= 2
    return False


def model_format(fh: BinaryIO, size: int, head: bytes) -> str | None:
    """The model format of an open file whose first bytes are ``head``; None for anything else.

    The answer names a family (``pickle``, ``torch-zip``, ``torch-tar``, ``safetensors``,
    ``gguf``, ``hdf5``, ``npy``, ``npz``, ``keras``, ``zip-model``, ``7z``, ``onnx``,
    ``compressed-pickle``); the inspector that reads it decides the details.
    """
    if head.startswith(GGUF_MAGIC):
        return "gguf"
    if head.startswith(NPY_MAGIC):
        return "npy"
    if head.startswith(HDF5_MAGIC):
        return "hdf5"
    if head.startswith(SEVEN_ZIP_MAGIC):
        return "7z"
    if head.startswith((ZIP_MAGIC, EMPTY_ZIP_MAGIC)):
        fh.seek(0)
        kind = zip_kind(zip_names(fh))
        return kind if kind is not None else _zip_with_pickle(fh, size)
    if is_safetensors(head, size):
        return "safetensors"
    if is_tar(head):
        return "torch-tar" if torch_tar(fh, head) else None
    if head.startswith(LEGACY_TORCH_HEAD) or looks_like_pickle(head):
        return "pickle"
    if head and head[0] in OPCODES and plausible_pickle(head):
        return "pickle"
    kind = compression_of(head)
    if kind is not None:
        try:
            src = DecompressSource(fh, kind, start=len(head), prefix=head, budget=4 * HEAD)
            inner = src.read(HEAD)
        except Unsupported:
            inner = b""
        if inner and plausible_pickle(inner):
            return "compressed-pickle"
        return None
    if is_onnx(head, size):
        return "onnx"
    if hdf5_at_user_block(fh, size):
        return "hdf5"
    return None


def looks_like_text(head: bytes) -> bool:
    """No NUL in the first bytes and (nearly) valid UTF-8: what detectors can read."""
    sample = head[:512]
    if b"\0" in sample:
        return sample.startswith((b"\xff\xfe", b"\xfe\xff"))  # UTF-16 text has NULs
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start >= len(sample) - 4  # a character cut at the end of the sample
    return True


def sniff_path(path: str, size: int) -> tuple[str | None, bool]:
    """(model format or None, looks like text) for a file on disk, from its first bytes.

    Never raises for content; an unreadable file reads as neither. Content that breaks the
    check itself reads as ``UNTOLD``: a candidate the inspectors must look at (and report),
    never a file quietly left out.
    """
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return None, False
    with os.fdopen(fd, "rb", buffering=0) as fh:
        try:
            head = fh.read(HEAD)
        except OSError:
            return None, False
        try:
            fmt = model_format(fh, size, head)
        except OSError:
            return None, False
        except Exception:  # a parser's surprise on odd bytes: let the inspectors judge it
            return UNTOLD, False
    return fmt, fmt is None and looks_like_text(head)
