"""Chart data for the pages: plain JSON a page embeds and ``app.js`` hands to Chart.js.

A chart is ``{"type", "labels", "series": [{"name", "values", "color"}], "unit"}``; the
script maps it to a Chart.js configuration, so no page carries code. Colours are chosen here,
once, so a country has the same colour in every chart of a page.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from modeldeps.store.org import ShareRow, Shares
from modeldeps.store.queries import ScanRow
from modeldeps.web.overview import SharePoint

PALETTE = (
    "#2f6db5",
    "#d1495b",
    "#edae49",
    "#00798c",
    "#7a5195",
    "#66a182",
    "#ef7c3e",
    "#4f6d7a",
    "#b56576",
    "#8d9e3a",
)
UNKNOWN_COLOR = "#a7adb5"
OTHER_COLOR = "#d5d9de"
SEVERITY_COLORS = {
    "critical": "#7d0a0a",
    "high": "#cf222e",
    "medium": "#bc4c00",
    "low": "#9a6700",
    "info": "#59636e",
}
TOP = 8  # slices or lines before the rest is "other"


def colors_for(keys: Sequence[str]) -> dict[str, str]:
    """A colour per key in order; ``unknown`` grey, ``other`` light grey."""
    out: dict[str, str] = {}
    i = 0
    for key in keys:
        if key == "unknown":
            out[key] = UNKNOWN_COLOR
        elif key == "other":
            out[key] = OTHER_COLOR
        else:
            out[key] = PALETTE[i % len(PALETTE)]
            i += 1
    return out


def _top(rows: Sequence[ShareRow], n: int = TOP) -> list[tuple[str, str, int]]:
    """The ``n`` largest rows (unknown kept apart), the rest summed as ``other``."""
    known = [r for r in rows if r.key != "unknown"]
    unknown = [r for r in rows if r.key == "unknown"]
    out = [(r.key, r.label, r.count) for r in known[:n]]
    rest = sum(r.count for r in known[n:])
    if rest:
        out.append(("other", "other", rest))
    out += [(r.key, r.label, r.count) for r in unknown]
    return out


def share_chart(rows: Sequence[ShareRow], kind: str = "doughnut") -> dict[str, Any]:
    """One share table as a doughnut or a horizontal bar chart (counts, labelled by share)."""
    top = _top(rows)
    colors = colors_for([k for k, _, _ in top])
    return {
        "type": kind,
        "labels": [label for _, label, _ in top],
        "series": [
            {
                "name": "repositories × models",
                "values": [n for _, _, n in top],
                "colors": [colors[k] for k, _, _ in top],
            }
        ],
        "unit": "",
    }


def share_history_chart(
    points: Sequence[SharePoint], current: Shares, by: str = "country"
) -> dict[str, Any]:
    """Share by country (or publisher) at each point, as stacked areas in percent.

    The six largest today are drawn on their own, the rest as ``other``; unknown stays apart.
    """
    rows_now = current.by_country if by == "country" else current.by_publisher
    keys = [k for k, _, _ in _top(rows_now, 6) if k not in ("other", "unknown")]
    labels = {r.key: r.label for r in rows_now}
    colors = colors_for([*keys, "other", "unknown"])
    series = []
    for key in [*keys, "other", "unknown"]:
        values = []
        for p in points:
            rows = p.shares.by_country if by == "country" else p.shares.by_publisher
            total = p.shares.total or 1
            if key == "other":
                n = sum(r.count for r in rows if r.key not in (*keys, "unknown"))
            else:
                n = next((r.count for r in rows if r.key == key), 0)
            values.append(round(100.0 * n / total, 2))
        if any(values):
            series.append({"name": labels.get(key, key), "values": values, "color": colors[key]})
    return {
        "type": "area",
        "labels": [p.at.strftime("%Y-%m-%d") for p in points],
        "series": series,
        "unit": "%",
    }


def hhi_history_chart(points: Sequence[SharePoint]) -> dict[str, Any]:
    return {
        "type": "line",
        "labels": [p.at.strftime("%Y-%m-%d") for p in points],
        "series": [
            {
                "name": "by country",
                "values": [p.shares.country_hhi for p in points],
                "color": PALETTE[0],
            },
            {
                "name": "by publisher",
                "values": [p.shares.publisher_hhi for p in points],
                "color": PALETTE[1],
            },
        ],
        "unit": "",
        "max": 10000,
    }


def severity_chart(counts: Sequence[tuple[str, int]]) -> dict[str, Any]:
    return {
        "type": "bar",
        "labels": [k for k, _ in counts],
        "series": [
            {
                "name": "findings",
                "values": [n for _, n in counts],
                "colors": [SEVERITY_COLORS.get(k, UNKNOWN_COLOR) for k, _ in counts],
            }
        ],
        "unit": "",
    }


def scans_chart(scans: Sequence[ScanRow]) -> dict[str, Any]:
    """A repository's scans, oldest first: models, references and findings."""
    ordered = sorted(scans, key=lambda s: (s.started_at, s.id))
    return {
        "type": "line",
        "labels": [s.started_at.strftime("%Y-%m-%d %H:%M") for s in ordered],
        "series": [
            {"name": "models", "values": [s.models for s in ordered], "color": PALETTE[0]},
            {"name": "references", "values": [s.references for s in ordered], "color": PALETTE[3]},
            {"name": "findings", "values": [s.findings for s in ordered], "color": PALETTE[1]},
        ],
        "unit": "",
    }
