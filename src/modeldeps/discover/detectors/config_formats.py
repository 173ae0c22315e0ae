"""Configuration formats read as (key path, value, line) events: YAML, JSON, TOML, INI, .env."""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field

import yaml

from modeldeps import safeyaml
from modeldeps.discover.detectors.config_values import MAX_DEPTH, MAX_EVENTS, Event


def yaml_events(text: str) -> list[Event]:
    """Events from YAML by node marks; a file PyYAML cannot compose is scanned line by line."""
    try:
        docs = safeyaml.compose_all(text, loader=yaml.SafeLoader)  # bounded: no billion laughs
    except (yaml.YAMLError, RecursionError, ValueError):
        return list(yaml_line_events(text))
    out: list[Event] = []
    for doc in docs:
        if doc is not None:
            _walk_yaml(doc, (), out, 0, set())
    return out


def _walk_yaml(
    node: yaml.Node, path: tuple[str, ...], out: list[Event], depth: int, seen: set[int]
) -> None:
    if depth > MAX_DEPTH or id(node) in seen or len(out) > MAX_EVENTS:
        return
    seen.add(id(node))  # aliases point at nodes already walked
    if isinstance(node, yaml.MappingNode):
        pairs = [(k, v) for k, v in node.value if isinstance(k, yaml.ScalarNode)]
        siblings = {
            str(k.value): (str(v.value) if isinstance(v, yaml.ScalarNode) else "") for k, v in pairs
        }
        group = (node.start_mark.index + 1) * 2 + 1
        for k, v in pairs:
            sub = (*path, str(k.value))
            if isinstance(v, yaml.ScalarNode):
                out.append(Event(sub, str(v.value), v.start_mark.index, siblings, group))
            else:
                _walk_yaml(v, sub, out, depth + 1, seen)
    elif isinstance(node, yaml.SequenceNode):
        group = (node.start_mark.index + 1) * 2
        flag = ""
        for item in node.value:
            if isinstance(item, yaml.ScalarNode):
                text = str(item.value)
                # ``args: ["--tokenizer", "org/name"]``: the flag before is the value's key
                sub = (*path, flag) if flag else path
                out.append(Event(sub, text, item.start_mark.index, group=0 if flag else group))
                flag = text if text.startswith("-") and "=" not in text else ""
            else:
                flag = ""
                _walk_yaml(item, path, out, depth + 1, seen)


_YAML_LINE_RE = re.compile(
    r"^(?P<ind>[ \t]*)(?P<dash>-[ \t]+)?"
    r"(?:(?P<key>[\w.\-]+|\"[^\"]+\"|'[^']+')[ \t]*:(?:[ \t]+|$))?"
    r"(?P<val>.*?)[ \t]*$"
)


def yaml_line_events(text: str) -> Iterator[Event]:
    """Line-aware YAML-ish scan for files with template syntax (Helm) that do not parse."""
    stack: list[tuple[int, str]] = []
    offset = 0
    for line in text.splitlines(keepends=True):
        start, offset = offset, offset + len(line)
        stripped = line.strip()
        if not stripped or stripped.startswith(("#", "{{")):
            continue
        m = _YAML_LINE_RE.match(line.rstrip("\r\n"))
        if m is None:
            continue
        indent = len(m.group("ind")) + (len(m.group("dash")) if m.group("dash") else 0)
        key = (m.group("key") or "").strip("\"'")
        val = re.sub(r"[ \t]+#.*$", "", m.group("val") or "")
        if key:
            while stack and stack[-1][0] >= indent:
                stack.pop()
            if val and val not in {"|", ">", "|-", ">-"}:
                path = (*(k for _, k in stack), key)
                yield Event(path, val, start + m.start("val"))
            else:
                stack.append((indent, key))
        elif m.group("dash") and val:
            while stack and stack[-1][0] >= indent:
                stack.pop()
            yield Event(tuple(k for _, k in stack), val, start + m.start("val"))


_JSON_TOKEN_RE = re.compile(
    r'"(?:[^"\\\n]|\\.)*"|[{}\[\]:,]|//[^\n]*|/\*.*?\*/|[^\s{}\[\]:,"/]+|\S', re.DOTALL
)


@dataclass
class _Frame:
    is_obj: bool
    path: tuple[str, ...]
    scalars: dict[str, str] = field(default_factory=dict)
    pending: list[tuple[str, str, int]] = field(default_factory=list)
    key: str | None = None
    expect_key: bool = True
    start: int = 0


def json_events(text: str) -> list[Event]:
    """Events from JSON (comments allowed) by a small position-tracking scanner."""
    out: list[Event] = []
    stack: list[_Frame] = []
    for m in _JSON_TOKEN_RE.finditer(text):
        tok = m.group()
        if tok.startswith(("//", "/*")):
            continue
        top = stack[-1] if stack else None
        if tok in "{[":
            path = top.path if top else ()
            if top is not None and top.is_obj and top.key is not None:
                path = (*top.path, top.key)
            if len(stack) >= MAX_DEPTH:
                raise ValueError("JSON nested too deeply")
            stack.append(_Frame(tok == "{", path, start=m.start()))
        elif tok in "}]":
            if top is None:
                continue
            stack.pop()
            group = (top.start + 1) * 2 + (1 if top.is_obj else 0)
            for key, value, off in top.pending:
                path = (*top.path, key) if top.is_obj else top.path
                out.append(Event(path, value, off, top.scalars, group))
            if stack and stack[-1].is_obj:
                stack[-1].key, stack[-1].expect_key = None, True
        elif tok == ":" or top is None:
            if top is not None:
                top.expect_key = False
        elif tok == ",":
            if top.is_obj:
                top.key, top.expect_key = None, True
        elif top.is_obj and top.expect_key:
            top.key = _json_str(tok)
        else:
            text_value = _json_str(tok) if tok.startswith('"') else None
            if top.is_obj and top.key is not None:
                top.scalars[top.key] = text_value if text_value is not None else tok
            if text_value is not None and len(out) + len(top.pending) < MAX_EVENTS:
                top.pending.append((top.key or "", text_value, m.start()))
    return out


def _json_str(tok: str) -> str:
    if not tok.startswith('"'):
        return tok
    try:
        value = json.loads(tok)
    except ValueError:
        return tok.strip('"')
    return value if isinstance(value, str) else tok


def toml_events(text: str) -> list[Event]:
    """Events from TOML: parsed by tomllib, each string located by a line search for it."""
    data = tomllib.loads(text)
    out: list[Event] = []
    used: set[int] = set()

    def locate(key: str, value: str) -> int:
        for quoted in (json.dumps(value), f"'{value}'"):
            pos = text.find(quoted)
            while pos >= 0:
                line_start = text.rfind("\n", 0, pos) + 1
                if pos not in used and (
                    key in text[line_start:pos] or "=" not in text[line_start:pos]
                ):
                    used.add(pos)
                    return pos
                pos = text.find(quoted, pos + 1)
        return max(text.find(value), 0)

    def walk(obj: object, path: tuple[str, ...], depth: int) -> None:
        if depth > MAX_DEPTH or len(out) > MAX_EVENTS:
            return
        if isinstance(obj, dict):
            sib = {str(k): v for k, v in obj.items() if isinstance(v, str)}
            for k, v in obj.items():
                if isinstance(v, str):
                    out.append(Event((*path, str(k)), v, locate(str(k), v), sib))
                else:
                    walk(v, (*path, str(k)), depth + 1)
        elif isinstance(obj, list):
            for item in obj:
                if isinstance(item, str):
                    out.append(Event(path, item, locate(path[-1] if path else "", item)))
                else:
                    walk(item, path, depth + 1)

    walk(data, (), 0)
    return out


_COMMENTED_RE = re.compile(
    r"^[ \t]*(?:(?:#|;|//)[ \t]*)+(?:-[ \t]+)?(?:export[ \t]+)?"
    r"(?P<key>[\w.\-]+|\"[^\"]+\")[ \t]*(?P<sep>:|=)[ \t]*(?P<val>[^\s#].*?)[ \t]*$",
    re.MULTILINE,
)
_TRAILING_RE = re.compile(
    r"^[ \t]*(?:-[ \t]+)?(?P<key>[\w.\-]+)[ \t]*[:=][^#\n]*?[ \t]+#[ \t]*(?P<val>\S+)[ \t]*$",
    re.MULTILINE,
)


def comment_events(text: str) -> Iterator[Event]:
    """Commented-out settings: ``# url: hf://…``, ``# MODEL=…``, ``key: x  # /other/path``."""
    for m in _COMMENTED_RE.finditer(text):
        raw = m.group("val")
        if m.group("sep") == ":" and raw.startswith(("{", "[")):
            continue
        raw = re.sub(r"[ \t]+#.*$", "", raw).strip().strip("\"'")
        if raw and " " not in raw:
            key = m.group("key").strip('"')
            yield Event((key,), raw, m.start("val"), in_comment=True)
    for m in _TRAILING_RE.finditer(text):
        raw = m.group("val").strip("\"'")
        if raw and ("/" in raw or ":" in raw):
            yield Event((m.group("key"),), raw, m.start("val"), in_comment=True)


INI_RE = re.compile(r"^[ \t]*([A-Za-z_][\w.\-]*)[ \t]*[=:][ \t]*(.*?)[ \t]*$", re.MULTILINE)
ENV_RE = re.compile(
    r"^[ \t]*(?:export[ \t]+)?([A-Za-z_][A-Za-z0-9_.\-]*)[ \t]*=[ \t]*(.*?)[ \t]*$", re.MULTILINE
)


def line_events(text: str, pattern: re.Pattern[str]) -> Iterator[Event]:
    """``key = value`` lines of INI and ``.env`` files; unquoted values lose a trailing comment."""
    for m in pattern.finditer(text):
        raw = m.group(2)
        if not raw.startswith(("'", '"')):
            raw = re.sub(r"[ \t]+[#;].*$", "", raw)
        yield Event((m.group(1),), raw, m.start(2))


# --- The detector ---------------------------------------------------------------------------
