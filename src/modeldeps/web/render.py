"""Jinja2 for the dashboard: our own packaged templates only, autoescaped, strict about names.

Scanned content (model names, paths, messages) reaches a template only as data, so it is
always escaped; nothing from a scanned repository is ever used as a template. On top of HTML
escaping, every value a template prints passes the ``text`` filter (``textsafe.terminal``, set
as the environment's ``finalize`` so no template can forget it): control characters, terminal
escapes and bidi overrides are shown as ``\x1b`` or ``\u202e``, so a name cannot reorder or
hide what a page says. Data for the charts goes into ``<script type="application/json">``
blocks through ``tojson``, which applies the same filter to every string and escapes ``<``,
``>``, ``&`` and quotes, so a model name cannot close the block.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import jinja2
from jinja2.utils import htmlsafe_json_dumps
from markupsafe import Markup, escape

from modeldeps.model import SEVERITY_ORDER
from modeldeps.textsafe import shown, terminal
from modeldeps.web.static import StaticFile

SEVERITIES = tuple(s.value for s in SEVERITY_ORDER)
_CODE = re.compile(r"``([^`\n]{1,200}?)``|`([^`\n]{1,200})`")  # reST ``code`` or `code`


def fmt_time(value: datetime | None) -> str:
    """A stored (naive UTC) time as ``2026-11-20 14:03``."""
    if value is None:
        return "—"
    return value.strftime("%Y-%m-%d %H:%M")


def fmt_date(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d") if value is not None else "—"


def fmt_ago(value: datetime | None, now: datetime | None = None) -> str:
    """How long ago, roughly: ``3 h ago``, ``12 d ago``."""
    if value is None:
        return ""
    now = now or datetime.now(UTC).replace(tzinfo=None)
    seconds = max(0.0, (now - value).total_seconds())
    for size, unit in ((86400 * 365, "y"), (86400, "d"), (3600, "h"), (60, "min")):
        if seconds >= size:
            return f"{int(seconds // size)} {unit} ago"
    return "just now"


def fmt_pct(value: float, digits: int = 1) -> str:
    return f"{value * 100:.{digits}f}%"


def fmt_num(value: float | int | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.1f}"
    return f"{int(value):,}"


def fmt_bytes(value: int | None) -> str:
    if value is None:
        return "—"
    size = float(value)
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if size < 1024 or unit == "TB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{value} B"


def short_sha(value: str | None) -> str:
    return value[:10] if value else "—"


def inline_html(text: str) -> Markup:
    """Our own text with `code` (a rule's documentation) as escaped HTML on one line."""
    safe = str(escape(" ".join(line.strip() for line in (text or "").splitlines())))
    # The text was escaped above; only our own <code> tags are added.
    return Markup(_CODE.sub(lambda m: f"<code>{m.group(1) or m.group(2)}</code>", safe))  # noqa: S704


def doc_html(text: str) -> Markup:
    """A rule's documentation (plain text with `code`) as escaped paragraphs."""
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text or "") if p.strip()]
    # Each paragraph is escaped by inline_html; only our own <p> tags are added.
    return Markup("\n".join(f"<p>{inline_html(p)}</p>" for p in paragraphs))  # noqa: S704


def safe_link(url: str | None) -> str | None:
    """``url`` when it is an http(s) address a page may link to, else ``None``."""
    if not url:
        return None
    text = url.strip()
    return text if re.match(r"^https?://[^\s<>\"']+$", text) else None


def query(base: Mapping[str, Iterable[str] | str | None], **changes: Any) -> str:
    """A query string from ``base`` with ``changes`` applied (``None`` removes a key)."""
    merged: dict[str, Any] = dict(base)
    merged.update(changes)
    pairs: list[tuple[str, str]] = []
    for key, value in merged.items():
        if value is None or value == "" or value == []:
            continue
        if isinstance(value, list | tuple):
            pairs += [(key, str(v)) for v in value if v not in (None, "")]
        else:
            pairs.append((key, str(value)))
    return "?" + urlencode(pairs) if pairs else "?"


def _shown_data(value: Any) -> Any:
    if isinstance(value, str):
        return terminal(value)
    if isinstance(value, Mapping):
        return {_shown_data(k): _shown_data(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_shown_data(v) for v in value]
    return value


def to_json(value: Any) -> Markup:
    """``value`` as JSON safe inside a ``<script>`` block, every string passed through
    ``shown`` first: chart labels are names from scanned repositories too."""
    return htmlsafe_json_dumps(_shown_data(value))


def make_env(static: Mapping[str, StaticFile]) -> jinja2.Environment:
    """The template environment, with the helpers every page uses."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("modeldeps.web", "templates"),
        autoescape=True,  # every template, whatever its name
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
        finalize=shown,  # every printed value, whichever template prints it
    )

    def static_url(name: str) -> str:
        return f"/static/{name}?v={static[name].version}"

    env.globals.update(static_url=static_url, query=query, severities=SEVERITIES)
    env.filters.update(
        time=fmt_time,
        date=fmt_date,
        ago=fmt_ago,
        pct=fmt_pct,
        num=fmt_num,
        bytes=fmt_bytes,
        sha=short_sha,
        doc=doc_html,
        inline=inline_html,
        safe_link=safe_link,
        text=shown,
        tojson=to_json,
    )
    return env
