"""Chat-template safety: parse Jinja (never render) and flag reaches outside the sandbox."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import jinja2
from jinja2 import nodes

from modeldeps.discover.inspectors.interface import InspectContext, Inspector
from modeldeps.discover.inspectors.support import clip, finding, malformed, read_capped
from modeldeps.discover.inspectors.template_values import DATA, OBJ, STR, UNKNOWN, Evaluator, Value
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
_OBJECT = Value(OBJ)


def _format_fields(text: str) -> list[str]:
    """Dangerous attribute names inside ``str.format`` fields (``"{0.__class__}"``)."""
    if "{" not in text or "." not in text:
        return []
    return [n for n in DANGEROUS if n.startswith("_") and f".{n}" in text]


@dataclass(frozen=True, slots=True)
class _Access:
    """One attribute or item reach: the line, the names its key can be, and why it matters."""

    line: int
    severity: Severity
    name: str
    why: str


_COMPUTED = "reads an attribute whose name is computed in a way that could not be resolved"


def _escape(line: int, name: str) -> _Access:
    return _Access(line, Severity.CRITICAL, name, f"reaches {name!r}, a sandbox-escape path")


def _judge(base: Value, key: Value, line: int, literal: bool = False) -> Iterator[_Access]:
    """What reaching ``key`` of ``base`` can do. Jinja falls back from item lookup to
    ``getattr`` for string keys, so a subscript is judged exactly as an attribute."""
    for name in sorted(key.strings):
        for part in name.split(".") if literal else (name,):
            if part in DANGEROUS:
                yield _Access(
                    line, Severity.CRITICAL, part, f"reaches {part!r}, a sandbox-escape path"
                )
            elif part.startswith("_"):
                yield _Access(line, Severity.HIGH, part, f"reads private attribute {part!r}")
    if key.kind == UNKNOWN:
        yield _Access(line, Severity.HIGH, "<computed>", _COMPUTED)
    elif key.kind in (DATA, OBJ) and base.kind != DATA:
        yield _Access(
            line,
            Severity.HIGH,
            "<computed>",
            "reads an attribute of a template object by a name computed at render time",
        )


def _accesses(tree: nodes.Template, constants: Mapping[str, str]) -> Iterator[_Access]:
    """Every attribute or item reach in the template, judged on what its key can be."""
    ev = Evaluator(tree, constants)
    kinds = (nodes.Getattr, nodes.Getitem, nodes.Filter, nodes.Const, nodes.Call)
    for node in tree.find_all(kinds):
        line = node.lineno or 0
        if isinstance(node, nodes.Getattr):
            yield from _judge(ev.value(node.node), Value.of(node.attr), line)
        elif isinstance(node, nodes.Getitem) and not isinstance(node.arg, nodes.Slice):
            # ''['__class__'] fails as an item and Jinja tries it as an attribute: a string
            # constant's subscript is judged like any other.
            yield from _judge(ev.value(node.node), ev.value(node.arg), line)
        elif isinstance(node, nodes.Filter) and node.name in _ATTR_FILTERS:
            base = ev.value(node.node) if node.node is not None else _OBJECT
            args = [kw.value for kw in node.kwargs if kw.key == "attribute"]
            if node.name in _POSITIONAL_ATTR and node.args:
                args.append(node.args[0])
            for arg in args:
                key = ev.value(arg)
                if node.name == "attr" and key.kind != STR:
                    # |attr is getattr itself: any name not fixed in the template is suspect.
                    yield _Access(line, Severity.HIGH, "<computed>", _COMPUTED)
                yield from _judge(base, key, line, literal=node.name != "attr")
        elif isinstance(node, nodes.Const) and isinstance(node.value, str):
            for name in _format_fields(node.value):
                yield _Access(
                    line, Severity.CRITICAL, name, f"reaches {name!r}, a sandbox-escape path"
                )
        elif (
            isinstance(node, nodes.Call)
            and isinstance(node.node, nodes.Getattr)
            and node.node.attr == "format"
        ):
            # "{0.__class__}".format(x) with the format string built or bound elsewhere.
            for text in ev.value(node.node.node).strings:
                for name in _format_fields(text):
                    yield _escape(line, name)


def check_template(
    source: str,
    rel: str,
    origin: str = "chat_template",
    constants: Mapping[str, str] | None = None,
) -> list[Finding]:
    """MD207 findings for one template; MD210 (low) when it cannot be parsed.

    ``constants`` are values the template receives from the same file (``bos_token`` and
    friends): the file's author chose them, so they count as constants, not as input data.
    """
    if len(source) > MAX_TEMPLATE:
        return [malformed(rel, f"{origin}: template of {len(source)} chars is too large to check")]
    try:
        # Parsed only, never rendered, so autoescaping is irrelevant.
        tree = jinja2.Environment().parse(source)  # noqa: S701
        seen = sorted(set(_accesses(tree, constants or {})), key=lambda a: (a.line, a.name, a.why))
    except (jinja2.TemplateSyntaxError, RecursionError, MemoryError) as exc:
        return [malformed(rel, f"{origin}: template does not parse: {clip(str(exc), 200)}")]
    out: list[Finding] = []
    reported: set[str] = set()
    for access in sorted(seen, key=lambda a: (-a.severity.rank, a.line, a.name)):
        if access.name in reported:
            continue
        reported.add(access.name)
        out.append(
            finding(
                "MD207",
                access.severity,
                f"{origin} (template line {access.line}) {access.why}",
                rel,
                subject=f"{origin}:{access.name}",
            )
        )
    return sorted(out, key=lambda f: (f.message, f.subject))


#: Template variables the tokenizer config itself defines (its special tokens).
TOKEN_KEYS = (
    "bos_token", "eos_token", "unk_token", "pad_token", "sep_token", "cls_token", "mask_token",
)  # fmt: skip


def special_tokens(doc: Any) -> dict[str, str]:
    """The special tokens a tokenizer config passes to its template (a string, or an
    ``AddedToken`` record with ``content``): constants chosen by the file's author."""
    out: dict[str, str] = {}
    if not isinstance(doc, dict):
        return out
    for key in TOKEN_KEYS:
        value = doc.get(key)
        if isinstance(value, dict):
            value = value.get("content")
        if isinstance(value, str):
            out[key] = value
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

    def sniff(self, head: bytes, ctx: InspectContext) -> bool:
        # The walk's own list (one source of truth for which files carry templates).
        from modeldeps.discover.walk import FileKind, classify_name

        return classify_name(ctx.rel.rsplit("/", 1)[-1]) is FileKind.TEMPLATE

    def inspect(self, ctx: InspectContext) -> ArtifactInfo:
        base = ArtifactInfo(location=Location(ctx.rel), format=self.name, size_bytes=ctx.size)
        with ctx.open() as fh:
            raw, more = read_capped(fh, MAX_CONFIG)
        if more:
            return _with(base, (malformed(ctx.rel, "file too large to check"),), {}, len(raw) + 1)
        text = raw.decode("utf-8", errors="replace")
        constants: dict[str, str] = {}
        if ctx.rel.endswith(".jinja"):
            templates = {"chat_template": text}
        else:
            try:
                doc = json.loads(text)
            except (ValueError, RecursionError) as exc:
                bad = malformed(ctx.rel, f"not JSON: {clip(str(exc), 200)}")
                return _with(base, (bad,), {}, len(raw))
            templates = _templates_of(doc)
            constants = special_tokens(doc)
        found: list[Finding] = []
        for origin, source in sorted(templates.items()):
            found.extend(check_template(source, ctx.rel, origin, constants))
        meta = {"chat_templates": sorted(templates)}
        return _with(base, tuple(found), meta, len(raw))


def _with(
    info: ArtifactInfo, found: tuple[Finding, ...], meta: dict[str, Any], read: int
) -> ArtifactInfo:
    from dataclasses import replace

    return replace(info, findings=found, metadata=meta, bytes_read=read)
