"""Inspector registry and dispatch: magic bytes first, extension second.

Inspector modules are imported on first use: the walk's content check (``content``) lives in
this package and must not pull in every reader (Jinja2, gguf, NumPy) with it.
"""

from __future__ import annotations

import hashlib
import importlib
from dataclasses import replace
from functools import cache
from pathlib import Path

from modeldeps.discover.inspectors import support
from modeldeps.discover.inspectors.interface import SNIFF_BYTES, InspectContext, Inspector
from modeldeps.errors import InspectorError
from modeldeps.model import ArtifactInfo, Location, Severity

#: The registry, in sniffing order: module and class of each inspector. Add an inspector by
#: adding its row here (see ADDING.md).
INSPECTORS: tuple[tuple[str, str], ...] = (
    ("safetensors", "SafetensorsIndexInspector"),
    ("templates", "ChatTemplateInspector"),
    ("gguf", "GGUFInspector"),
    ("safetensors", "SafetensorsInspector"),
    ("onnx", "OnnxInspector"),
    ("savedmodel", "SavedModelInspector"),
    ("keras", "KerasInspector"),
    ("keras", "KerasH5Inspector"),
    ("numpy_files", "NumpyInspector"),
    ("torch_tar", "TorchTarInspector"),
    ("torch_zip", "TorchInspector"),
    ("pickles", "PickleInspector"),
)


@cache
def inspector_classes() -> tuple[type[Inspector], ...]:
    """Every registered inspector class, in sniffing order (imports their modules)."""
    out: list[type[Inspector]] = []
    for module, name in INSPECTORS:
        cls: type[Inspector] = getattr(importlib.import_module(f"{__name__}.{module}"), name)
        out.append(cls)
    return tuple(out)


def all_inspectors() -> tuple[Inspector, ...]:
    return tuple(cls() for cls in inspector_classes())


def choose(head: bytes, ctx: InspectContext, inspectors: tuple[Inspector, ...]) -> Inspector | None:
    """The inspector for a file: the first whose magic matches; else, for an HDF5 file after a
    user block, the HDF5 reader; else the first by extension (formats without magic)."""
    for insp in inspectors:
        if insp.sniff(head, ctx):
            return insp
    if ctx.size > 512:
        from modeldeps.discover.inspectors.content import hdf5_at_user_block

        with ctx.open() as fh:
            user_block = hdf5_at_user_block(fh, ctx.size)
        for insp in inspectors:
            if user_block and insp.name == "keras-h5":
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
    try:
        chosen = choose(ctx.head(SNIFF_BYTES), ctx, insps)
    except OSError:
        raise  # the file itself could not be read: the caller reports that
    except Exception as exc:  # telling the format apart failed: the file was not checked
        info = ArtifactInfo(
            location=Location(rel),
            format="unrecognized",
            size_bytes=size,
            findings=(
                support.finding(
                    "MD209",
                    Severity.HIGH,
                    f"the format could not be told ({type(exc).__name__}: {exc}); the file "
                    "was not checked",
                    rel,
                    subject="inspection-failed",
                ),
            ),
        )
    else:
        info = (
            ArtifactInfo(location=Location(rel), format="unrecognized", size_bytes=size)
            if chosen is None
            else _run(chosen, ctx)
        )
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
