"""Self-contained HTML cost page: inline SVG charts of monthly cost against volume, no CDN."""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

from modeldeps.cost.compare import Comparison, Settings
from modeldeps.cost.render import break_even_text, money, option_cost, option_where, tokens

W, H, PAD = 640, 320, 48
_COLORS = {"closed-api": "#c0392b", "open-host": "#2471a3", "self-host": "#1e8449"}


def _selfhost_cost(c: Comparison, scale: float, which: int) -> float:
    plan = c.plan
    assert plan is not None
    busy = plan.busy_replicas[0 if which < 2 else 1]
    replicas = max(1, math.ceil(busy * scale * c.usage.peak_to_average))
    return replicas * plan.replica_usd_month[which]


def chart(c: Comparison) -> str:
    """SVG: monthly cost (y) against monthly output tokens (x) for the three options."""
    u = c.usage
    if u.output_tokens <= 0 or c.closed is None:
        return ""
    be = next((b for b in c.break_even if b.versus == "self-host vs closed-api"), None)
    top_scale = max(2.0, (be.scale or 0) * 2 if be and be.scale else 2.0)
    xs = [top_scale * i / 60 for i in range(61)]
    series: dict[str, list[float]] = {"closed-api": [c.closed.monthly_usd * x for x in xs]}
    if c.host is not None:
        series["open-host"] = [c.host.monthly_usd * x for x in xs]
    band: tuple[list[float], list[float]] | None = None
    if c.plan is not None:
        series["self-host"] = [_selfhost_cost(c, x, 1) for x in xs]
        band = ([_selfhost_cost(c, x, 0) for x in xs], [_selfhost_cost(c, x, 2) for x in xs])
    ymax = max(max(v) for v in series.values()) * 1.05 or 1.0
    if band:
        ymax = max(ymax, max(band[1]) * 1.05)

    def px(scale: float) -> float:
        return PAD + (W - 2 * PAD) * scale / top_scale

    def py(usd: float) -> float:
        return H - PAD - (H - 2 * PAD) * usd / ymax

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" width="{W}" '
        f'height="{H}" role="img" aria-label="monthly cost against volume">',
        f'<line x1="{PAD}" y1="{H - PAD}" x2="{W - PAD}" y2="{H - PAD}" stroke="#333"/>',
        f'<line x1="{PAD}" y1="{PAD}" x2="{PAD}" y2="{H - PAD}" stroke="#333"/>',
    ]
    for i in range(5):
        sc = top_scale * i / 4
        parts.append(
            f'<text x="{px(sc):.1f}" y="{H - PAD + 16}" font-size="10" '
            f'text-anchor="middle">{tokens(sc * u.output_tokens)}</text>'
        )
        usd = ymax * i / 4
        parts.append(
            f'<text x="{PAD - 4}" y="{py(usd):.1f}" font-size="10" '
            f'text-anchor="end">{escape(money(usd))}</text>'
        )
    parts.append(
        f'<text x="{W / 2}" y="{H - 8}" font-size="11" text-anchor="middle">'
        "output tokens per month (same request mix)</text>"
    )
    if band:
        poly = [f"{px(x):.1f},{py(y):.1f}" for x, y in zip(xs, band[0], strict=True)]
        poly += [
            f"{px(x):.1f},{py(y):.1f}" for x, y in reversed(list(zip(xs, band[1], strict=True)))
        ]
        parts.append(f'<polygon points="{" ".join(poly)}" fill="#1e8449" fill-opacity="0.15"/>')
    for kind, ys in series.items():
        pts = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in zip(xs, ys, strict=True))
        parts.append(
            f'<polyline points="{pts}" fill="none" stroke="{_COLORS[kind]}" '
            f'stroke-width="2"><title>{kind}</title></polyline>'
        )
    parts.append(
        f'<line x1="{px(1):.1f}" y1="{PAD}" x2="{px(1):.1f}" y2="{H - PAD}" '
        'stroke="#777" stroke-dasharray="2,3"/>'
        f'<text x="{px(1) + 3:.1f}" y="{PAD + 10}" font-size="10">today</text>'
    )
    if be is not None and be.scale:
        x, y = px(be.scale), py(c.closed.monthly_usd * be.scale)
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="5" fill="none" stroke="#000" '
            'stroke-width="2" class="break-even"/>'
            f'<text x="{x + 7:.1f}" y="{y - 7:.1f}" font-size="11">break-even '
            f"{escape(tokens(be.output_tokens or 0))}</text>"
        )
    for i, kind in enumerate(series):
        parts.append(
            f'<rect x="{PAD + 8 + i * 150}" y="{PAD - 30}" width="12" height="4" '
            f'fill="{_COLORS[kind]}"/><text x="{PAD + 24 + i * 150}" y="{PAD - 25}" '
            f'font-size="11">{kind}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def render_html(results: Sequence[Comparison], s: Settings) -> str:
    """One page, no scripts, no external resources."""
    body = []
    for c in results:
        u = c.usage
        rows = "".join(
            f"<tr><td>{escape(o.kind)}</td><td>{escape(o.label)}</td>"
            f"<td>{escape(option_cost(o))}</td><td>{escape(money(o.usd_per_mtok))}/M</td>"
            f"<td{' class=watch' if o.watch else ''}>{escape(option_where(o, s.watch))}</td></tr>"
            for o in (c.closed, c.host, c.selfhost)
            if o is not None
        )
        peer = (
            (
                f"<p>Peer <b>{escape(c.peer.model)}</b> (confidence {escape(c.peer.confidence)}, "
                f"{escape(c.peer.evidence_date)}): {escape(c.peer.evidence)} "
                f"<small>{escape(c.peer.source)}</small></p>"
            )
            if c.peer
            else ""
        )
        items = "".join(
            f"<li>break-even {escape(b.versus)}: {escape(break_even_text(b))}</li>"
            for b in c.break_even
        )
        items += "".join(f"<li class=warn>{escape(w)}</li>" for w in c.warnings)
        body.append(
            f"<section><h2>{escape(u.model)}</h2><p>{tokens(u.requests)} requests, "
            f"{tokens(u.input_tokens)} input / {tokens(u.output_tokens)} output tokens per month"
            f"</p><table><tr><th>option</th><th>what</th><th>monthly</th><th>per M tokens</th>"
            f"<th>jurisdiction</th></tr>{rows}</table>{peer}<ul>{items}</ul>{chart(c)}</section>"
        )
    style = (
        "body{font-family:system-ui,sans-serif;max-width:900px;margin:2em auto;color:#222}"
        "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px}"
        ".watch{background:#fdecea;font-weight:bold}.warn{color:#9a6700}"
    )
    return (
        "<!DOCTYPE html><html lang=en><head><meta charset=utf-8>"
        "<title>modeldeps cost</title>"
        f"<style>{style}</style></head><body><h1>Model cost: closed API vs open-weight "
        f"alternatives</h1>{''.join(body)}<p><small>prices as of {s.at.date().isoformat()}; "
        f"watch list: {escape(', '.join(s.watch) or 'none')}</small></p></body></html>\n"
    )
