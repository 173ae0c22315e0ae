"""Legacy tar-format PyTorch checkpoints (``torch.save`` before 0.4): every pickle they load.

``torch.load`` opens such a file as a tar and unpickles, in turn: ``storages`` (a count, then per
storage a record pickle followed by its raw bytes, then a pickle of storage views), ``tensors``
(a count, then per tensor a record pickle followed by its raw shape and strides) and ``pickle``
(the object itself). ``sys_info`` is a pickle too. Each is walked, the raw parts between them
stepped over by the sizes their records give; where a record cannot be read the walk stops
there and the file counts as not fully analysed.
"""

from __future__ import annotations

import struct
import tarfile
from typing import Any, ClassVar

from modeldeps.discover.inspectors.content import TORCH_TAR_MEMBERS, is_tar, torch_tar
from modeldeps.discover.inspectors.interface import InspectContext, Inspector
from modeldeps.discover.inspectors.pickle_ops import GlobalValue, Limits, PickleAnalysis
from modeldeps.discover.inspectors.pickle_ops import analyse_source as walk
from modeldeps.discover.inspectors.pickles import artifact, pickle_format_finding
from modeldeps.discover.inspectors.streams import FileSource
from modeldeps.discover.inspectors.support import CountingFile, finding, malformed
from modeldeps.model import ArtifactInfo, Finding, Severity

MAX_MEMBERS = 10_000
MAX_RECORDS = 1_000_000
#: Bytes per element of each legacy storage type (torch._utils._element_size).
ELEMENT_SIZE = {
    "Double": 8, "Float": 4, "Half": 2, "BFloat16": 2, "Long": 8, "Int": 4, "Short": 2,
    "Char": 1, "Byte": 1, "Bool": 1, "ComplexFloat": 8, "ComplexDouble": 16, "QUInt8": 1,
    "QInt8": 1, "QInt32": 4, "QUInt4x2": 1, "QUInt2x4": 1,
}  # fmt: skip


class _Stopped(Exception):
    """A record the walk cannot size: the pickles after it cannot be found."""


class TorchTarInspector(Inspector):
    """A tar holding ``sys_info``, ``pickle``, ``storages`` and ``tensors`` members."""

    name: ClassVar[str] = "pytorch-tar"
    suffixes: ClassVar[frozenset[str]] = frozenset({".tar"})

    def sniff(self, head: bytes, ctx: InspectContext) -> bool:
        if len(head) < 262:
            head = ctx.head(512)
        if not is_tar(head):
            return False
        with ctx.open() as fh:
            return torch_tar(fh, head)

    def inspect(self, ctx: InspectContext) -> ArtifactInfo:
        analyses: list[tuple[str, PickleAnalysis]] = []
        extra: list[Finding] = [pickle_format_finding(ctx, self.name, "safetensors")]
        members: list[str] = []
        with ctx.open() as fh:
            try:
                with tarfile.open(fileobj=fh, mode="r:") as tar:  # type: ignore[call-overload]
                    for _ in range(MAX_MEMBERS):
                        info = tar.next()
                        if info is None:
                            break
                        members.append(info.name)
                        if info.isfile() and info.name in TORCH_TAR_MEMBERS:
                            self._member(ctx, fh, info, analyses, extra)
            except (tarfile.TarError, OSError, ValueError) as exc:
                extra.append(malformed(ctx.rel, f"pytorch-tar: {exc}"))
        meta: dict[str, Any] = {"members": members[:64]}
        return artifact(
            ctx, self.name, analyses, bytes_read=ctx.meter.total, extra=extra, metadata=meta
        )

    def _member(
        self,
        ctx: InspectContext,
        fh: CountingFile,
        info: tarfile.TarInfo,
        analyses: list[tuple[str, PickleAnalysis]],
        extra: list[Finding],
    ) -> None:
        start, end = info.offset_data, info.offset_data + info.size
        limits = Limits(max_bytes=ctx.max_pickle_bytes, deadline=ctx.deadline)
        at = start

        def one() -> PickleAnalysis:
            nonlocal at
            a = walk(FileSource(fh, at, end), limits=limits, max_pickles=1)
            analyses.append((info.name, a))
            at += a.end_offset
            if a.malformed or a.incomplete or not a.pickles:
                raise _Stopped
            return a

        try:
            if info.name in ("pickle", "sys_info"):
                one()
            elif info.name == "storages":
                for _ in range(_count(one().returned)):
                    record = one().returned
                    at += _storage_bytes(fh, at, record)
                one()  # the storage views
            elif info.name == "tensors":
                for _ in range(_count(one().returned)):
                    one()
                    at += _tensor_header_bytes(fh, at)
        except _Stopped:
            pass
        except (struct.error, ValueError, KeyError, TypeError) as exc:
            extra.append(
                finding(
                    "MD209",
                    Severity.HIGH,
                    f"{info.name}: {exc}; the pickles after this record were not checked and "
                    "run when the file is loaded",
                    ctx.rel,
                    subject=f"{info.name}:incomplete",
                )
            )


def _count(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_RECORDS:
        raise ValueError(f"record count {value!r} cannot be read")
    return value


def _storage_bytes(fh: CountingFile, at: int, record: Any) -> int:
    """Bytes of one storage after its record: an 8-byte element count, then the elements."""
    if not (isinstance(record, tuple) and len(record) >= 3):
        raise ValueError("storage record is not (key, location, type)")
    stype = record[2]
    name = stype.qualname.rsplit(".", 1)[-1] if isinstance(stype, GlobalValue) else ""
    size = ELEMENT_SIZE.get(name.removesuffix("Storage"))
    if size is None:
        raise ValueError(f"storage type {name or stype!r} has no known element size")
    fh.seek(at)
    (count,) = struct.unpack("<q", fh.read(8))
    if count < 0:
        raise ValueError("negative storage size")
    return int(8 + count * size)


def _tensor_header_bytes(fh: CountingFile, at: int) -> int:
    """Bytes after one tensor record: ndim, 4 bytes, sizes and strides, storage offset."""
    fh.seek(at)
    (ndim,) = struct.unpack("<i", fh.read(4))
    if not 0 <= ndim <= 64:
        raise ValueError(f"tensor with {ndim} dimensions")
    return int(8 + 16 * ndim + 8)
