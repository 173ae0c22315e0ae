"""Keras v3 ``.keras`` zips and HDF5 ``.h5`` model configs: Lambda layers and custom objects."""

from __future__ import annotations

import json
import re
import zipfile
from typing import Any, ClassVar

from modeldeps.discover.inspectors.interface import InspectContext, Inspector
from modeldeps.discover.inspectors.support import clip, finding, malformed, path_escapes
from modeldeps.model import ArtifactInfo, Finding, Location, Severity

MAX_CONFIG = 32 * 1024 * 1024
MAX_MEMBERS = 100_000
MAX_NODES = 1_000_000
#: How far into an HDF5 file we look for the model_config attribute: Keras writes its
#: attributes before any weight, so they sit in the first blocks of the file.
H5_SCAN = 16 * 1024 * 1024
HDF5_MAGIC = b"\x89HDF\r\n\x1a\n"
#: Module prefixes whose classes Keras itself provides.
BUILTIN_MODULES = ("keras", "tf_keras", "tensorflow", "builtins")
_CONFIG_START = re.compile(rb'\{\s*"(?:class_name|module)"\s*:')


def _walk(config: Any, rel: str) -> tuple[list[Finding], dict[str, int]]:
    """MD206 findings for Lambda layers, serialized functions and non-Keras objects."""
    found: list[Finding] = []
    counts = {"layers": 0, "lambda": 0, "custom": 0}
    stack: list[tuple[Any, int]] = [(config, 0)]
    seen = 0
    while stack:
        node, depth = stack.pop()
        seen += 1
        if seen > MAX_NODES or depth > 500:
            found.append(malformed(rel, "keras: config too large or deep to check fully"))
            break
        if isinstance(node, list):
            stack.extend((item, depth + 1) for item in node)
            continue
        if not isinstance(node, dict):
            continue
        stack.extend((v, depth + 1) for v in node.values())
        cls = node.get("class_name")
        if not isinstance(cls, str):
            continue
        raw_cfg = node.get("config")
        cfg: dict[str, Any] = raw_cfg if isinstance(raw_cfg, dict) else {}
        label = clip(str(cfg.get("name") or cls), 120)
        module = node.get("module")
        registered = node.get("registered_name")
        if cls == "Lambda":
            counts["lambda"] += 1
            found.append(
                finding(
                    "MD206",
                    Severity.HIGH,
                    f"Lambda layer {label!r} carries Python code that runs when the model loads",
                    rel,
                    subject=f"Lambda:{label}",
                )
            )
        elif cls == "function" and not str(module or "keras").startswith(BUILTIN_MODULES):
            # A named function from user code (e.g. a custom activation); the Lambda case above
            # already covers the marshalled ``__lambda__`` body.
            found.append(
                finding(
                    "MD206",
                    Severity.HIGH,
                    f"function {clip(str(registered or cfg or cls), 120)!r} comes from user code",
                    rel,
                    subject=f"function:{label}",
                )
            )
        elif (isinstance(module, str) and not module.startswith(BUILTIN_MODULES)) or (
            isinstance(registered, str) and ">" in registered
        ):
            counts["custom"] += 1
            name = registered if isinstance(registered, str) else f"{module}.{cls}"
            found.append(
                finding(
                    "MD206",
                    Severity.HIGH,
                    f"custom object {clip(name, 120)!r} needs user code to load",
                    rel,
                    subject=f"custom:{name}",
                )
            )
        if isinstance(cfg.get("layers"), list):
            counts["layers"] += len(cfg["layers"])
    return found, counts


def _describe(
    ctx: InspectContext,
    fmt: str,
    config: Any,
    found: list[Finding],
    read: int,
    extra: dict[str, Any],
) -> ArtifactInfo:
    meta: dict[str, Any] = dict(extra)
    if isinstance(config, dict):
        meta["model_class"] = clip(str(config.get("class_name", "")), 120)
        more, counts = _walk(config, ctx.rel)
        found.extend(more)
        meta.update(counts)
    return ArtifactInfo(
        location=Location(ctx.rel),
        format=fmt,
        size_bytes=ctx.size,
        metadata=meta,
        findings=tuple(found),
        bytes_read=read,
    )


class KerasInspector(Inspector):
    """Keras 3 ``.keras`` archives: config.json, metadata.json and member paths."""

    name = "keras"
    suffixes: ClassVar[frozenset[str]] = frozenset({".keras"})

    def sniff(self, head: bytes, ctx: InspectContext) -> bool:
        return head[:4] == b"PK\x03\x04" and ctx.rel.lower().endswith(".keras")

    def inspect(self, ctx: InspectContext) -> ArtifactInfo:
        found: list[Finding] = []
        extra: dict[str, Any] = {}
        config: Any = None
        read = 0
        try:
            zf = zipfile.ZipFile(ctx.path)
        except (zipfile.BadZipFile, OSError) as exc:
            found.append(malformed(ctx.rel, f"keras: not a readable zip: {exc}"))
            return _describe(ctx, self.name, None, found, 0, extra)
        with zf:
            infos = zf.infolist()[:MAX_MEMBERS]
            extra["members"] = [clip(i.filename, 200) for i in infos[:64]]
            for info in infos:
                if path_escapes(info.filename):
                    found.append(
                        finding(
                            "MD208",
                            Severity.HIGH,
                            f"archive member {clip(info.filename, 200)!r} escapes the "
                            "extraction folder",
                            ctx.rel,
                            subject=info.filename,
                        )
                    )
            for wanted in ("metadata.json", "config.json"):
                try:
                    with zf.open(wanted) as member:
                        raw = member.read(MAX_CONFIG + 1)
                except KeyError:
                    continue
                except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError) as exc:
                    found.append(malformed(ctx.rel, f"keras: {wanted} unreadable: {exc}"))
                    continue
                read += len(raw)
                if len(raw) > MAX_CONFIG:
                    found.append(malformed(ctx.rel, f"keras: {wanted} larger than {MAX_CONFIG} B"))
                    continue
                try:
                    doc = json.loads(raw)
                except (ValueError, RecursionError) as exc:
                    found.append(malformed(ctx.rel, f"keras: {wanted} is not JSON: {exc}"))
                    continue
                if wanted == "config.json":
                    config = doc
                elif isinstance(doc, dict):
                    for key in ("keras_version", "date_saved"):
                        if isinstance(doc.get(key), str):
                            extra[key] = clip(doc[key], 64)
        if config is None and not found:
            found.append(malformed(ctx.rel, "keras: archive has no config.json"))
        return _describe(ctx, self.name, config, found, read, extra)


def find_model_config(block: bytes) -> Any:
    """The Keras model config JSON inside an HDF5 block, found without an HDF5 library.

    The ``model_config`` attribute holds JSON text starting with ``{"class_name"`` (Keras 2)
    or ``{"module"``; we decode the first such object that parses and names a class.
    """
    if b"model_config" not in block:
        return None
    decoder = json.JSONDecoder()
    for match in _CONFIG_START.finditer(block):
        end = block.find(b"\0", match.start())
        chunk = block[match.start() : end if end != -1 else len(block)]
        try:
            obj, _ = decoder.raw_decode(chunk.decode("utf-8", errors="replace"))
        except (ValueError, RecursionError):
            continue
        if isinstance(obj, dict) and "class_name" in obj:
            return obj
    return None


class KerasH5Inspector(Inspector):
    """Keras HDF5 ``.h5``: the ``model_config`` attribute, read from the file's first blocks."""

    name = "keras-h5"
    suffixes: ClassVar[frozenset[str]] = frozenset({".h5", ".hdf5"})

    def sniff(self, head: bytes, ctx: InspectContext) -> bool:
        return head.startswith(HDF5_MAGIC)

    def inspect(self, ctx: InspectContext) -> ArtifactInfo:
        with ctx.path.open("rb") as fh:
            block = fh.read(H5_SCAN)
        found: list[Finding] = []
        if not block.startswith(HDF5_MAGIC):
            found.append(malformed(ctx.rel, "keras-h5: no HDF5 signature"))
        config = find_model_config(block)
        extra: dict[str, Any] = {"model_config": config is not None}
        if b"keras_version" in block:
            m = re.search(rb"keras_version.{0,64}?(\d+\.\d+\.\d+)", block, re.S)
            if m:
                extra["keras_version"] = m.group(1).decode()
        return _describe(ctx, self.name, config, found, len(block), extra)
