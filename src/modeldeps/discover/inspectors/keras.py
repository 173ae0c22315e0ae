"""Keras v3 ``.keras`` zips and HDF5 ``.h5`` model configs: Lambda layers and custom objects."""

from __future__ import annotations

import json
import re
from typing import Any, ClassVar

from modeldeps.discover.inspectors.archive import (
    ZIP_MAGIC,
    Member,
    list_members,
    read_member,
    unsafe_member_path,
)
from modeldeps.discover.inspectors.hdf5 import HDF5_MAGIC, root_attributes
from modeldeps.discover.inspectors.interface import InspectContext, Inspector
from modeldeps.discover.inspectors.support import CountingFile, clip, finding, malformed
from modeldeps.errors import InspectorError
from modeldeps.model import ArtifactInfo, Finding, Location, Severity

MAX_CONFIG = 32 * 1024 * 1024
MAX_NODES = 1_000_000
#: Fallback only: how far into an HDF5 file the config's text is searched for when the
#: attribute structure cannot be followed or is in dense storage.
H5_SCAN = 16 * 1024 * 1024
_H5_ATTRS = frozenset({"model_config", "keras_version"})
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
        if head[:4] != ZIP_MAGIC:
            return False
        # By members, not by name: a torch zip called .keras is the torch reader's.
        return ctx.zip_kind() == "keras"

    def inspect(self, ctx: InspectContext) -> ArtifactInfo:
        found: list[Finding] = []
        extra: dict[str, Any] = {}
        config: Any = None
        with ctx.open() as fh:
            # The bounded zip reader: members from the directory or, if it is broken, from
            # local headers; content read from the local header, CRC not trusted.
            members, note = list_members(fh, ctx.size)
            if note:
                found.append(malformed(ctx.rel, f"keras: {note}"))
            extra["members"] = [clip(m.name, 200) for m in members[:64]]
            by_name: dict[str, Member] = {}
            for m in members:
                by_name.setdefault(m.name, m)
                if unsafe_member_path(m.name):
                    found.append(
                        finding(
                            "MD208",
                            Severity.HIGH,
                            f"archive member {clip(m.name, 200)!r} escapes the extraction folder",
                            ctx.rel,
                            subject=m.name,
                        )
                    )
            for wanted in ("metadata.json", "config.json"):
                doc = _member_json(fh, by_name.get(wanted), wanted, ctx.rel, found)
                if wanted == "config.json":
                    config = doc
                elif isinstance(doc, dict):
                    for key in ("keras_version", "date_saved"):
                        if isinstance(doc.get(key), str):
                            extra[key] = clip(doc[key], 64)
        if config is None and not found:
            found.append(malformed(ctx.rel, "keras: archive has no config.json"))
        return _describe(ctx, self.name, config, found, ctx.meter.total, extra)


def keras_config_findings(ctx: InspectContext, fh: CountingFile, member: Member) -> list[Finding]:
    """MD206 findings of a Keras ``config.json`` found in a zip another reader handles."""
    found: list[Finding] = []
    config = _member_json(fh, member, "config.json", ctx.rel, found)
    if isinstance(config, dict) and ("class_name" in config or "module" in config):
        found.extend(_walk(config, ctx.rel)[0])
        return [f for f in found if f.rule_id != "MD210"]
    return []


def _member_json(
    fh: CountingFile, member: Member | None, wanted: str, rel: str, found: list[Finding]
) -> Any:
    """A JSON member's document, or None (with a finding when it is there but unreadable)."""
    if member is None:
        return None
    try:
        raw = read_member(fh, member, MAX_CONFIG + 1)
    except InspectorError as exc:
        found.append(malformed(rel, f"keras: {wanted} unreadable: {exc}"))
        return None
    if len(raw) > MAX_CONFIG:
        found.append(malformed(rel, f"keras: {wanted} larger than {MAX_CONFIG} B"))
        return None
    try:
        return json.loads(raw)
    except (ValueError, RecursionError) as exc:
        found.append(malformed(rel, f"keras: {wanted} is not JSON: {exc}"))
        return None


def find_model_config(block: bytes) -> Any:
    """The Keras model config JSON inside a block of HDF5 bytes, found by its text.

    The fallback when the attribute structure cannot be followed: ``model_config`` holds
    JSON text starting with ``{"class_name"`` (Keras 2) or ``{"module"``; we decode the first
    such object that parses and names a class.
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


def _parse_config(text: str, rel: str, found: list[Finding]) -> Any:
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as exc:
        found.append(malformed(rel, f"keras-h5: model_config is not JSON: {clip(str(exc), 120)}"))
        return None


class KerasH5Inspector(Inspector):
    """Keras HDF5 ``.h5``: the root group's ``model_config`` and ``keras_version`` attributes.

    Read by following the file's HDF5 structure (``hdf5.root_attributes``), wherever the
    attributes sit, dense storage included. When that structure cannot be followed, the first
    ``H5_SCAN`` bytes are searched for the config's text; dense storage that could not be read
    and held no config found that way is reported high (it was not checked).
    """

    name = "keras-h5"
    suffixes: ClassVar[frozenset[str]] = frozenset({".h5", ".hdf5"})

    def sniff(self, head: bytes, ctx: InspectContext) -> bool:
        # An HDF5 file with a user block (its signature at 512, 1024... bytes) is found by the
        # dispatcher's content check when no inspector claims the file by its first bytes.
        return head.startswith(HDF5_MAGIC)

    def inspect(self, ctx: InspectContext) -> ArtifactInfo:
        found: list[Finding] = []
        extra: dict[str, Any] = {}
        config: Any = None
        with ctx.open() as fh:
            try:
                attrs = root_attributes(fh, ctx.size, _H5_ATTRS)
            except InspectorError as exc:
                attrs = None
                extra["hdf5_error"] = clip(str(exc), 200)
            if attrs is not None:
                extra["hdf5_superblock"] = attrs.superblock
                if "keras_version" in attrs.values:
                    extra["keras_version"] = clip(attrs.values["keras_version"], 64)
                if "model_config" in attrs.values:
                    config = _parse_config(attrs.values["model_config"], ctx.rel, found)
                    extra["model_config_source"] = "attribute"
            unread = attrs is None or attrs.dense_error is not None
            if config is None and unread:
                fh.seek(0)
                block = fh.read(min(ctx.size, H5_SCAN))
                if not block.startswith(HDF5_MAGIC) and attrs is None:
                    found.append(malformed(ctx.rel, "keras-h5: no HDF5 signature at the start"))
                config = find_model_config(block)
                if config is not None:
                    extra["model_config_source"] = f"scan of the first {H5_SCAN} bytes"
                elif attrs is not None and attrs.dense_error is not None:
                    # Fail closed: a Lambda there would run on load and was not checked.
                    found.append(
                        finding(
                            "MD209",
                            Severity.HIGH,
                            "HDF5 root attributes are in dense storage that could not be read "
                            f"({clip(attrs.dense_error, 160)}); a model config there was not "
                            "checked",
                            ctx.rel,
                            subject="hdf5-dense-attributes",
                        )
                    )
        extra["model_config"] = config is not None
        return _describe(ctx, self.name, config, found, ctx.meter.total, extra)
