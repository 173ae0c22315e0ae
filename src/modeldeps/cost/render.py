"""Render a cost comparison as a terminal table, JSON or Markdown (pure: result in, text out)."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from modeldeps.cost.compare import BreakEven, Comparison, Option, Settings
from modeldeps.cost.prices import genai_prices_version

COST_SCHEMA_VERSION = "1.0"


def money(x: float) -> str:
    """$1,234 or $0.42."""
    if x >= 100:
        return f"${x:,.0f}"
    return f"${x:,.2f}"


def tokens(x: float) -> str:
    """1.2B, 340M, 12k."""
    for unit, div in (("T", 1e12), ("B", 1e9), ("M", 1e6), ("k", 1e3)):
        if x >= div:
            return f"{x / div:.3g}{unit}"
    return f"{x:.0f}"


def option_cost(o: Option | None) -> str:
    if o is None:
        return "n/a"
    if o.monthly_usd_low != o.monthly_usd_high:
        return f"{money(o.monthly_usd_low)}–{money(o.monthly_usd_high)}"
    return money(o.monthly_usd)


def option_where(o: Option | None, watch: Sequence[str]) -> str:
    if o is None:
        return ""
    where = (
        o.country
        if not o.host_country or o.host_country == o.country
        else (f"{o.country}, host {o.host_country}")
    )
    return f"{where} ⚠ watch-listed" if o.watch else where


def break_even_text(b: BreakEven) -> str:
    if b.scale is None:
        return "never at these prices"
    if b.scale == 0:
        return "always cheaper"
    return f"{tokens(b.output_tokens or 0)} output tokens/month ({b.scale:.2g}× today)"


def _rows(c: Comparison, s: Settings) -> list[tuple[str, str, str, str, str]]:
    out = []
    for o in (c.closed, c.host, c.selfhost):
        if o is None:
            continue
        out.append(
            (
                o.kind,
                o.label,
                option_cost(o),
                f"{money(o.usd_per_mtok)}/M",
                option_where(o, s.watch),
            )
        )
    return out


def render_table(results: Sequence[Comparison], s: Settings) -> str:
    """Plain aligned text for a terminal."""
    lines: list[str] = []
    for c in results:
        u = c.usage
        lines.append(
            f"{u.model} ({u.provider or 'provider?'}) — {tokens(u.requests)} requests, "
            f"{tokens(u.input_tokens)} in / {tokens(u.output_tokens)} out per month"
        )
        rows = [("option", "what", "monthly", "per M tok", "jurisdiction"), *_rows(c, s)]
        widths = [max(len(r[i]) for r in rows) for i in range(5)]
        for r in rows:
            lines.append(
                "  " + "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(r)).rstrip()
            )
        if c.peer is not None:
            lines.append(
                f"  peer: {c.peer.model} (confidence {c.peer.confidence}; {c.peer.evidence_date}) "
                f"— {c.peer.evidence}"
            )
        for b in c.break_even:
            lines.append(f"  break-even {b.versus}: {break_even_text(b)}")
        for w in c.warnings:
            lines.append(f"  warning: {w}")
        lines.append("")
    lines.append(_footer(s))
    return "\n".join(lines) + "\n"


def _footer(s: Settings) -> str:
    return (
        f"prices: genai-prices {genai_prices_version()} (offline) and sourced tables; "
        f"self-host range = tuned engine at low GPU price … default engine at high GPU price, "
        f"+{s.overhead_fraction:.0%} overhead, {s.precision} weights; "
        f"watch list: {', '.join(s.watch) or 'none'}"
    )


def render_markdown(results: Sequence[Comparison], s: Settings) -> str:
    """Markdown for a pull-request comment or a wiki page."""
    out = ["# Model cost: closed API vs open-weight alternatives", ""]
    for c in results:
        u = c.usage
        out += [
            f"## {u.model}",
            "",
            f"{tokens(u.requests)} requests, {tokens(u.input_tokens)} input "
            f"({tokens(u.cached_input_tokens)} cached) and {tokens(u.output_tokens)} output "
            "tokens per month.",
            "",
            "| option | what | monthly | $/M tokens | jurisdiction |",
            "|---|---|---|---|---|",
        ]
        out += [f"| {' | '.join(r)} |" for r in _rows(c, s)]
        out.append("")
        if c.peer is not None:
            out.append(
                f"Peer **{c.peer.model}** (confidence {c.peer.confidence}, "
                f"{c.peer.evidence_date}): {c.peer.evidence} — source: {c.peer.source}"
            )
            out.append("")
        out += [f"- break-even {b.versus}: {break_even_text(b)}" for b in c.break_even]
        out += [f"- ⚠ {w}" for w in c.warnings]
        out.append("")
    out.append(f"_{_footer(s)}_")
    return "\n".join(out) + "\n"


def _plain(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, float) and value != value:
        return None
    return value


def to_dict(results: Sequence[Comparison], s: Settings) -> dict[str, Any]:
    """The JSON document: every comparison with its inputs, sources and settings."""

    def convert(obj: Any) -> Any:
        if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
            return {f.name: convert(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
        if isinstance(obj, tuple | list):
            return [convert(x) for x in obj]
        if isinstance(obj, dict):
            return {str(k): convert(v) for k, v in obj.items()}
        return _plain(obj)

    return {
        "schema_version": COST_SCHEMA_VERSION,
        "generated_at": s.at.isoformat(),
        "genai_prices_version": genai_prices_version(),
        "settings": convert(dataclasses.replace(s, overrides=())),
        "comparisons": [convert(c) for c in results],
    }


def render_json(results: Sequence[Comparison], s: Settings) -> str:
    return json.dumps(to_dict(results, s), indent=2, sort_keys=True) + "\n"
