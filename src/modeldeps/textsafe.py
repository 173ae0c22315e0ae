"""Hostile text made safe to show: every renderer escapes scanned names and values through here.

Scanned content chooses file names, pickle global names, template text and metadata. Shown raw
they can rewrite a terminal (an escape sequence that clears the screen and the scrollback),
break a table (a newline in a file name), plant a tracking image in a pull-request comment
(Markdown link and image syntax), or crash a report (file-name bytes that are not UTF-8). The
functions here escape each of those visibly (``\\x1b``, ``\\n``, ``\\[``), so the report still
says exactly what was there.
"""

from __future__ import annotations

import re
from functools import cache

#: C0 controls, DEL, C1 controls (U+009B is a one-character CSI), the Unicode line and paragraph
#: separators, and every bidirectional formatting character (the Arabic letter mark, the marks,
#: embeddings, overrides and isolates of Unicode's UAX #9) that reorders text on screen.
_CONTROL = (
    "[\x00-\x1f\x7f-\x9f\u061c\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)
#: Only what breaks a line: for formats whose own escaping covers the rest (JSON, XML).
_LINE_BREAK = "[\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]"
#: Markdown punctuation that can open a link or image (brackets), code, HTML, emphasis or
#: strikethrough, or end a table cell. Parentheses, "!" and "_" inside words are left alone:
#: without a bracket no link or image can form, and GFM does not emphasise inside words.
_MARKDOWN = r"([\\`*\[\]|~<>])|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])"
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


@cache
def _pattern(source: str) -> re.Pattern[str]:
    """Patterns compiled on first use: a scan that shows no hostile text compiles none."""
    return re.compile(source)


def _escape(ch: str) -> str:
    if ch in _NAMED:
        return _NAMED[ch]
    code = ord(ch)
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8, kept by surrogateescape
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def fs_text(name: str) -> str:
    """A file name or path as printable, encodable text: bytes that were not UTF-8 (which the
    OS layer hands over as lone surrogates) become ``\\xNN``. Other names come back as they
    are, so this is safe to apply to every path a scan reports."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return name


def terminal(text: object) -> str:
    """``text`` for a terminal or any plain-text output: every control character, line break,
    bidi override and undecodable byte shown as an escape; nothing else changed."""
    s = str(text)
    pattern = _pattern(_CONTROL)
    return pattern.sub(lambda m: _escape(m.group(0)), s) if pattern.search(s) else s


def shown(value: object) -> object:
    """A value an HTML template prints (Jinja's ``finalize``), made safe before HTML escaping.

    Text has its controls and bidi characters shown as escapes (``terminal``); numbers and
    ``None`` are left for the template to format; markup (anything with ``__html__``) is our own
    HTML built from text already escaped, and is left alone; any other object is shown as the
    text it prints as (a ``Location`` prints a scanned path).
    """
    if value is None or isinstance(value, bool | int | float) or hasattr(value, "__html__"):
        return value
    return terminal(value)


def one_line(text: object) -> str:
    """``text`` with its line breaks escaped, for formats that escape everything else."""
    s = fs_text(str(text))
    pattern = _pattern(_LINE_BREAK)
    return pattern.sub(lambda m: _escape(m.group(0)), s) if pattern.search(s) else s


def markdown(text: object) -> str:
    """``text`` as literal Markdown (GitHub-flavoured) inline text, safe in a table cell: no
    link, image, emphasis, code span, HTML or cell break can be formed, and it stays on one
    line."""
    s = _pattern(_MARKDOWN).sub(lambda m: "\\" + m.group(0), terminal(text))
    return s.replace("&", "&amp;")


def markdown_code(text: object) -> str:
    """``text`` as the inside of an inline code span in a table cell: one line, no backtick
    (which would close the span), pipes escaped (GFM splits cells on them even in code)."""
    s = terminal(text).replace("`", "'")
    return s.replace("|", "\\|")
