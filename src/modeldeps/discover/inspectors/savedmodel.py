"""TensorFlow SavedModel (``saved_model.pb``): graph ops listed; never statically verifiable."""

from __future__ import annotations

import os
from collections import Counter

from modeldeps.discover.inspectors.interface import InspectContext, Inspector
from modeldeps.discover.inspectors.protowire import LEN, MAX_DEPTH, VARINT, WireSource
from modeldeps.discover.inspectors.support import clip, finding, malformed
from modeldeps.errors import InspectorError
from modeldeps.model import ArtifactInfo, Finding, Location, Severity

#: Ops that run arbitrary Python when the graph executes.
PYTHON_OPS = frozenset({"PyFunc", "PyFuncStateless", "EagerPyFunc"})
#: Ops that read or write files named at run time (the saver's own SaveV2/RestoreV2 excluded).
FILE_OPS = frozenset({"ReadFile", "WriteFile", "MatchingFiles", "DeleteFile", "LoadLibrary"})


def _node_op(src: WireSource, start: int, length: int) -> str:
    for f in src.fields(start, start + length):
        if f.number == 2 and f.wire == LEN:  # NodeDef.op
            return src.text(f, 256)
    return ""


def _graph(src: WireSource, start: int, length: int, ops: Counter[str], depth: int) -> None:
    if depth > MAX_DEPTH:
        raise InspectorError("SavedModel graph nested too deeply")
    for f in src.fields(start, start + length):
        if f.wire != LEN:
            continue
        if f.number == 1:  # GraphDef.node
            ops[_node_op(src, f.start, f.length)] += 1
        elif f.number == 2:  # GraphDef.library -> FunctionDef -> node_def
            for fn in src.fields(f.start, f.start + f.length):
                if fn.number == 1 and fn.wire == LEN:
                    for part in src.fields(fn.start, fn.start + fn.length):
                        if part.number == 3 and part.wire == LEN:
                            ops[_node_op(src, part.start, part.length)] += 1


def _saved_model(src: WireSource, ops: Counter[str], meta: dict[str, object]) -> None:
    tags: list[str] = []
    for f in src.fields(0, src.size):
        if f.number == 1 and f.wire == VARINT:
            meta["schema_version"] = f.value
        elif f.number == 2 and f.wire == LEN:  # MetaGraphDef
            for g in src.fields(f.start, f.start + f.length):
                if g.number == 2 and g.wire == LEN:
                    _graph(src, g.start, g.length, ops, 0)
                elif g.number == 1 and g.wire == LEN:  # MetaInfoDef
                    for i in src.fields(g.start, g.start + g.length):
                        if i.number == 4 and i.wire == LEN and len(tags) < 64:
                            tags.append(src.text(i, 128))
                        elif i.number == 5 and i.wire == LEN:
                            meta["tensorflow_version"] = src.text(i, 64)
    meta["tags"] = sorted(set(tags))


class SavedModelInspector(Inspector):
    """``saved_model.pb``: a TensorFlow graph whose ops may run code; op scan sets severity."""

    name = "tf-savedmodel"

    def sniff(self, head: bytes, ctx: InspectContext) -> bool:
        return ctx.rel.rsplit("/", 1)[-1] == "saved_model.pb"

    def inspect(self, ctx: InspectContext) -> ArtifactInfo:
        ops: Counter[str] = Counter()
        meta: dict[str, object] = {}
        found: list[Finding] = []
        fd = os.open(ctx.path, os.O_RDONLY)
        src = WireSource(fd, ctx.size)
        try:
            _saved_model(src, ops, meta)
        except (InspectorError, RecursionError) as exc:
            found.append(malformed(ctx.rel, f"saved_model.pb: {exc}"))
        finally:
            os.close(fd)
            ctx.meter.add(src.bytes_read)
        ops.pop("", None)
        python = sorted(set(ops) & PYTHON_OPS)
        files = sorted(set(ops) & FILE_OPS)
        if python:
            found.append(
                finding(
                    "MD209",
                    Severity.HIGH,
                    f"SavedModel graph runs Python through {', '.join(python)}",
                    ctx.rel,
                    subject="python-ops",
                )
            )
        if files:
            found.append(
                finding(
                    "MD209",
                    Severity.HIGH,
                    f"SavedModel graph reads or writes files through {', '.join(files)}",
                    ctx.rel,
                    subject="file-ops",
                )
            )
        if not python and not files:
            # The op scan found nothing that runs code, so this is a reminder, not an alarm.
            found.append(
                finding(
                    "MD209",
                    Severity.LOW,
                    "TensorFlow SavedModel is not fully statically verifiable "
                    f"({len(ops)} distinct ops, none that run Python or touch files)",
                    ctx.rel,
                    subject="savedmodel",
                )
            )
        meta["ops"] = {clip(k, 128): v for k, v in ops.most_common(256)}
        return ArtifactInfo(
            location=Location(ctx.rel),
            format=self.name,
            size_bytes=ctx.size,
            metadata=meta,
            findings=tuple(found),
            bytes_read=src.bytes_read,
        )
