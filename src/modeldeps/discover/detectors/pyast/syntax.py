"""How Python writes strings, comments, assignments and keyword arguments, for the lexical pass."""

from __future__ import annotations

import re

from modeldeps.discover.detectors.lexical import Syntax

_TOKEN = re.compile(
    r"(?P<t>\"\"\"[\s\S]*?\"\"\"|'''[\s\S]*?''')"
    r"|(?P<s>\"[^\"\\\n]*(?:\\.[^\"\\\n]*)*\"|'[^'\\\n]*(?:\\.[^'\\\n]*)*')"
    # Only comments that can hold something: a quote, a URL or a flag. The others are left
    # unmatched (no string can start inside them), which saves a token per comment. Each
    # branch starts with a run of one character class: a per-character alternation with
    # lookaheads made this the slowest part of reading a Python file.
    r"|(?P<c>#[^\n\"']*[\"'][^\n]*|#[^\n]*?(?:://|--)[^\n]*)"
)


def _decode(tok: str) -> str | None:
    body = tok[3:-3] if tok.startswith(('"""', "'''")) else tok[1:-1]
    if "\\" in body:
        body = re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), body)
    return body


def _docstring(text: str, start: int) -> bool:
    """A triple-quoted string standing alone as a statement (a docstring or a comment block)."""
    line_start = text.rfind("\n", 0, start) + 1
    return not text[line_start:start].strip(" \trRbBuUfF")


_CODE_HINT = re.compile(r"[=(:\[]")


def _comment_body(tok: str) -> tuple[int, str] | None:
    """Commented-out code: ``# model = "…"``, ``# client.create(model="…")``."""
    body = tok[1:]
    if _CODE_HINT.search(body) is None and "--" not in body and "://" not in body:
        return None
    return 1, body


PYTHON = Syntax(
    name="python",
    token=_TOKEN,
    decode=_decode,
    assign=re.compile(r"(?:^|[;\s(])([A-Za-z_][\w.]*)\s*(?::\s*[^=\n]{1,80}?)?\s*(?<![=!<>])=\s*$"),
    keyword=re.compile(
        r"(?:^|[\s,({])(?:([A-Za-z_][\w.]*)\s*(?::\s*[^=,(){}\[\]]{1,60}?)?\s*(?<![=!<>])="
        r"|[\"']?([A-Za-z_][\w.\-]*)[\"']?\s*:)\s*$"
    ),
    compare=re.compile(r"(?:([\w.\]\[\"')]+)\s*(?:==|!=|\bis(?:\s+not)?)\s*$)|(?:^\s*case\s*$)"),
    owner=re.compile(
        r"[\"']?([A-Za-z_][\w.\-]*)[\"']?\s*(?::\s*[^=\n]{0,80}?)?\s*(?<![=!<>])[=:]\s*$"
    ),
    comment_body=_comment_body,
    docstring=_docstring,
    defs=frozenset({"def"}),
    comment_starts=("#",),
    multiline_starts=('"""', "'''"),
    # ``def`` and ``class`` never start a line inside brackets in valid Python
    safe_line=re.compile(r"\n(?:[A-Za-z_@]|[ \t]+(?:async[ \t]+)?(?:def|class)[ \t])"),
)
