"""Inspector registry and dispatch: magic bytes first, extension second."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from pathlib import Path

from modeldeps.discover.inspectors import support
from modeldeps.discover.inspectors.content import hdf5_at_user_block
from modeldeps.discover.inspectors.gguf import GGUFInspector
from modeldeps.discover.inspectors.interface import SNIFF_BYTES, InspectContext, Inspector
from modeldeps.discover.inspectors.keras import KerasH5Inspector, KerasInspector
from modeldeps.discover.inspectors.numpy_files import NumpyInspector
from modeldeps.discover.inspectors.onnx import OnnxInspector
from modeldeps.discover.inspectors.pickles import PickleInspector
from modeldeps.discover.inspectors.safetensors import (
    SafetensorsIndexInspector,
    SafetensorsInspector,
)
from modeldeps.discover.inspectors.savedmodel import SavedModelInspector
from modeldeps.discover.inspectors.templates import ChatTemplateInspector
from modeldeps.discover.inspectors.torch_tar import TorchTarInspector
from modeldeps.discover.inspectors.torch_zip import TorchInspector
from modeldeps.errors import InspectorError
from modeldeps.model import ArtifactInfo, Location, Severity

#: The registry, in sniffing order. Add an inspector by importing its class here (see ADDING.md).
INSPECTOR_CLASSES: tuple[type[Inspector], ...] = (
    SafetensorsIndexInspector,
    ChatTemplateInspector,
    GGUFInspector,
    SafetensorsInspector,
    OnnxInspector,
    SavedModelInspector,
    KerasInspector,
    KerasH5Inspector,
    NumpyInspector,
    TorchTarInspector,
    TorchInspector,
    PickleInspector,
)


def all_inspectors() -> tuple[Inspector, ...]:
    return tuple(cls() for cls in INSPECTOR_CLASSES)


def choose(head: bytes, ctx: InspectContext, inspectors: tuple[Inspector, ...]) -> Inspector | None:
    """The inspector for a file: the first whose magic matches; else, for an HDF5 file after a
    user block, the HDF5 reader; else the first by extension (formats without magic)."""
    for insp in inspectors:
        if insp.sniff(head, ctx):
            return insp
    if ctx.size > 512:
        with ctx.open() as fh:
            user_block = hdf5_at_user_block(fh, ctx.size)
        for insp in inspectors:
            if user_block and isinstance(insp, KerasH5Inspector):
                return insp
    suffix = Path(ctx.rel).suffix.lower()
    for insp in inspectors:
        if suffix in insp.suffixes:
            return insp
    return None


def sha256_file(path: Path) -> str:
    """SHA-256 of a file through ``hashlib.file_digest`` (large reads into one buffer, in C)."""
    with path.open("rb", buffering=0) as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def inspect_file(
    path: Path,
    rel: str,
    root: Path,
    *,
    hash_file: bool = False,
    inspectors: tuple[Inspector, ...] | None = None,
    deadline: float | None = None,
) -> ArtifactInfo:
    """Inspect one file; never raises for bad content (a malformed file is a finding).

    ``bytes_read`` of the result is every byte taken from the file: the sniffed head, what the
    inspector read and, with ``hash_file``, the whole file once more for its SHA-256.
    """
    insps = all_inspectors() if inspectors is None else inspectors
    size = path.stat().st_size
    ctx = InspectContext(
        path=path, rel=rel, root=root, size=size, hash_file=hash_file, deadline=deadline
    )
    chosen = choose(ctx.head(SNIFF_BYTES), ctx, insps)
    if chosen is None:
        info = ArtifactInfo(location=Location(rel), format="unrecognized", size_bytes=size)
    else:
        info = _run(chosen, ctx)
    digest = None
    if hash_file:
        digest = sha256_file(path)
        ctx.meter.add(size)
    return replace(info, bytes_read=ctx.meter.total, sha256=digest or info.sha256)


def _run(chosen: Inspector, ctx: InspectContext) -> ArtifactInfo:
    try:
        return chosen.inspect(ctx)
    except (
        InspectorError,
        OSError,
        ValueError,
        KeyError,
        IndexError,
        TypeError,
        RecursionError,
        MemoryError,
        EOFError,
        UnicodeDecodeError,
    ) as exc:
        finding = support.finding(
            "MD210", Severity.LOW, f"{chosen.name}: could not be read: {exc}", ctx.rel
        )
        return ArtifactInfo(
            location=Location(ctx.rel), format=chosen.name, size_bytes=ctx.size, findings=(finding,)
        )
    except Exception as exc:  # a reader's own failure: the file was not checked, so fail closed
        finding = support.finding(
            "MD209",
            Severity.HIGH,
            f"{chosen.name}: the inspection failed ({type(exc).__name__}: {exc}); the file "
            "was not checked",
            ctx.rel,
            subject="inspection-failed",
        )
        return ArtifactInfo(
            location=Location(ctx.rel), format=chosen.name, size_bytes=ctx.size, findings=(finding,)
        )
