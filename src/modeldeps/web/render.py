"""Jinja2 for the dashboard: our own packaged templates only, autoescaped, strict about names.

Scanned content (model names, paths, messages) reaches a template only as data, so it is
always escaped; nothing from a scanned repository is ever used as a template. Data for the
charts goes into ``<script type="application/json">`` blocks through ``tojson``, which escapes
``<``, ``>``, ``&`` and quotes, so a model name cannot close the block.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import jinja2
from markupsafe import Markup, escape

from modeldeps.web.static import StaticFile

SEVERITIES = ("critical", "high", "medium", "low", "info")
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


def doc_html(text: str) -> Markup:
    """A rule's documentation (plain text with `code`) as escaped paragraphs."""
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text or "") if p.strip()]
    out = []
    for para in paragraphs:
        safe = str(escape(" ".join(line.strip() for line in para.splitlines())))
        code = _CODE.sub(lambda m: f"<code>{m.group(1) or m.group(2)}</code>", safe)
        out.append(f"<p>{code}</p>")
    # Every piece of text was escaped above; only our own <p> and <code> tags are added.
    return Markup("\n".join(out))  # noqa: S704


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


def make_env(static: Mapping[str, StaticFile]) -> jinja2.Environment:
    """The template environment, with the helpers every page uses."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("modeldeps.web", "templates"),
        autoescape=True,  # every template, whatever its name
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
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
        safe_link=safe_link,
    )
    return env
