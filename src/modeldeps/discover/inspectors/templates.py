"""Chat-template safety: parse Jinja (never render) and flag reaches outside the sandbox."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, ClassVar

import jinja2
from jinja2 import nodes

from modeldeps.discover.inspectors.interface import InspectContext, Inspector
from modeldeps.discover.inspectors.support import clip, finding, malformed, read_capped
from modeldeps.model import ArtifactInfo, Finding, Location, Severity

MAX_TEMPLATE = 1024 * 1024
MAX_CONFIG = 16 * 1024 * 1024

#: Attributes that lead from any object to classes, globals, builtins or frames: the classic
#: server-side template injection chains (e.g. ``''.__class__.__mro__[1].__subclasses__()``).
DANGEROUS = frozenset(
    {
        "__class__", "__globals__", "__builtins__", "__subclasses__", "__mro__", "__base__",
        "__bases__", "__init__", "__import__", "__dict__", "__code__", "__getattribute__",
        "__reduce__", "__reduce_ex__", "__self__", "__func__", "__module__", "__loader__",
        "__spec__", "__closure__", "__new__", "__call__", "__getitem__", "__qualname__",
        "mro", "func_globals", "func_code", "f_globals", "f_locals", "f_back", "f_builtins",
        "gi_frame", "gi_code", "cr_frame", "cr_code", "ag_frame", "ag_code", "tb_frame",
        "co_code", "_TemplateReference__context",
    }
)  # fmt: skip

#: Filters whose string argument (or ``attribute=``) names an attribute to read.
_ATTR_FILTERS = frozenset(
    {"attr", "map", "selectattr", "rejectattr", "sort", "groupby", "sum", "unique", "min", "max"}
)
#: Of those, the ones whose first positional argument is the attribute name.
_POSITIONAL_ATTR = frozenset({"attr", "selectattr", "rejectattr", "groupby"})


def _const_str(node: nodes.Node) -> str | None:
    """Fold string constants and their concatenations (``'__cla' ~ 'ss__'``)."""
    if isinstance(node, nodes.Const) and isinstance(node.value, str):
        return node.value
    if isinstance(node, (nodes.Add, nodes.Concat)):
        parts = [node.left, node.right] if isinstance(node, nodes.Add) else list(node.nodes)
        folded = [_const_str(p) for p in parts]
        if all(f is not None for f in folded):
            return "".join(f for f in folded if f is not None)
    return None


def _format_fields(text: str) -> list[str]:
    if "{" not in text or "." not in text:
        return []
    return [n for n in DANGEROUS if n.startswith("_") and f".{n}" in text]


def _accesses(tree: nodes.Template) -> Iterator[tuple[str, int, bool]]:
    """Yield (attribute name, line, is_dynamic) for every attribute reach in the template."""
    for node in tree.find_all((nodes.Getattr, nodes.Getitem, nodes.Filter, nodes.Const)):
        line = node.lineno or 0
        if isinstance(node, nodes.Getattr):
            yield node.attr, line, False
        elif isinstance(node, nodes.Getitem):
            key = _const_str(node.arg)
            if key is not None:
                yield key, line, False
        elif isinstance(node, nodes.Filter) and node.name in _ATTR_FILTERS:
            args = [kw.value for kw in node.kwargs if kw.key == "attribute"]
            if node.name in _POSITIONAL_ATTR and node.args:
                args.append(node.args[0])
            for arg in args:
                name = _const_str(arg)
                if name is not None:
                    yield from ((part, line, False) for part in name.split("."))
                elif node.name == "attr":
                    yield "<computed>", line, True
        elif isinstance(node, nodes.Const) and isinstance(node.value, str):
            # ``"{0.__class__}".format(x)`` hides the attribute name inside a literal.
            yield from ((name, line, False) for name in _format_fields(node.value))


def check_template(source: str, rel: str, origin: str = "chat_template") -> list[Finding]:
    """MD207 findings for one template; MD210 (low) when it cannot be parsed."""
    if len(source) > MAX_TEMPLATE:
        return [malformed(rel, f"{origin}: template of {len(source)} chars is too large to check")]
    try:
        # Parsed only, never rendered, so autoescaping is irrelevant.
        tree = jinja2.Environment().parse(source)  # noqa: S701
        seen = sorted(set(_accesses(tree)), key=lambda item: (item[1], item[0]))
    except (jinja2.TemplateSyntaxError, RecursionError, MemoryError) as exc:
        return [malformed(rel, f"{origin}: template does not parse: {clip(str(exc), 200)}")]
    out: list[Finding] = []
    reported: set[str] = set()
    for name, line, dynamic in seen:
        if name in reported:
            continue
        if dynamic:
            severity, why = Severity.HIGH, "reads an attribute whose name is computed at run time"
        elif name in DANGEROUS:
            severity, why = Severity.CRITICAL, f"reaches {name!r}, a sandbox-escape path"
        elif name.startswith("_"):
            severity, why = Severity.HIGH, f"reads private attribute {name!r}"
        else:
            continue
        reported.add(name)
        out.append(
            finding(
                "MD207",
                severity,
                f"{origin} (template line {line}) {why}",
                rel,
                subject=f"{origin}:{name}",
            )
        )
    return out


def _templates_of(doc: Any) -> dict[str, str]:
    raw = doc.get("chat_template") if isinstance(doc, dict) else None
    if isinstance(raw, str):
        return {"chat_template": raw}
    found: dict[str, str] = {}
    if isinstance(raw, list):  # named templates: [{"name": "tool_use", "template": "..."}]
        for item in raw[:64]:
            if isinstance(item, dict) and isinstance(item.get("template"), str):
                found[f"chat_template.{item.get('name', len(found))}"] = item["template"]
    return found


class ChatTemplateInspector(Inspector):
    """``tokenizer_config.json`` / ``chat_template.json`` / ``chat_template.jinja`` files."""

    name = "chat-template"
    _NAMES: ClassVar[frozenset[str]] = frozenset(
        {"tokenizer_config.json", "chat_template.json", "chat_template.jinja"}
    )

    def sniff(self, head: bytes, ctx: InspectContext) -> bool:
        return ctx.rel.rsplit("/", 1)[-1] in self._NAMES

    def inspect(self, ctx: InspectContext) -> ArtifactInfo:
        base = ArtifactInfo(location=Location(ctx.rel), format=self.name, size_bytes=ctx.size)
        with ctx.open() as fh:
            raw, more = read_capped(fh, MAX_CONFIG)
        if more:
            return _with(base, (malformed(ctx.rel, "file too large to check"),), {}, len(raw) + 1)
        text = raw.decode("utf-8", errors="replace")
        if ctx.rel.endswith(".jinja"):
            templates = {"chat_template": text}
        else:
            try:
                templates = _templates_of(json.loads(text))
            except (ValueError, RecursionError) as exc:
                bad = malformed(ctx.rel, f"not JSON: {clip(str(exc), 200)}")
                return _with(base, (bad,), {}, len(raw))
        found: list[Finding] = []
        for origin, source in sorted(templates.items()):
            found.extend(check_template(source, ctx.rel, origin))
        meta = {"chat_templates": sorted(templates)}
        return _with(base, tuple(found), meta, len(raw))


def _with(
    info: ArtifactInfo, found: tuple[Finding, ...], meta: dict[str, Any], read: int
) -> ArtifactInfo:
    from dataclasses import replace

    return replace(info, findings=found, metadata=meta, bytes_read=read)
