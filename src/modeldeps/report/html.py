"""Self-contained HTML report: inline CSS, JS and SVG charts, a sortable inventory, no network."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, ClassVar

from modeldeps.model import SEVERITY_ORDER, ScanResult

if TYPE_CHECKING:
    import jinja2
from modeldeps.report.interface import RenderOptions, Reporter
from modeldeps.report.inventory import (
    inventory_rows,
    license_counts,
    more_places,
    sorted_findings,
)
from modeldeps.report.redact import redact
from modeldeps.summary import summarize
from modeldeps.textsafe import shown

MAX_BARS = 12  # longer tails are folded into "other" so a chart stays readable
LABEL_W, BAR_W, ROW_H = 170, 240, 22  # SVG geometry in user units


@dataclass(frozen=True, slots=True)
class Bar:
    """One bar of a horizontal bar chart, with its geometry precomputed."""

    label: str
    value: int
    width: float
    y: int
    css: str  # extra class, e.g. the severity
    text: str  # the figure printed after the bar


@dataclass(frozen=True, slots=True)
class Chart:
    """A titled horizontal bar chart rendered as inline SVG."""

    id: str
    title: str
    bars: tuple[Bar, ...]
    height: int
    total: int


def chart(
    chart_id: str,
    title: str,
    items: Sequence[tuple[str, int]],
    *,
    css: bool = False,
    share: bool = False,
) -> Chart:
    """Bars for ``items`` (already ordered), the tail beyond ``MAX_BARS`` summed as "other"."""
    rows = list(items[:MAX_BARS])
    rest = sum(v for _, v in items[MAX_BARS:])
    if rest:
        rows.append(("other", rest))
    top = max((v for _, v in rows), default=0) or 1
    total = sum(v for _, v in rows)
    bars = tuple(
        Bar(
            label=label,
            value=value,
            width=round(BAR_W * value / top, 1),
            y=i * ROW_H,
            css=label if css else "",
            text=f"{value} ({value / total:.0%})" if share and total else str(value),
        )
        for i, (label, value) in enumerate(rows)
    )
    return Chart(chart_id, title, bars, max(len(bars), 1) * ROW_H, total)


@cache
def html_env(*packages: str) -> jinja2.Environment:
    """The Jinja environment of the HTML reports: the ``templates`` folders of ``packages``
    (first match wins), autoescaped, strict about names."""
    import jinja2  # only the HTML formats pay for importing it

    # Our own packaged templates only; scanned content is passed as data and always escaped.
    return jinja2.Environment(
        loader=jinja2.ChoiceLoader([jinja2.PackageLoader(p, "templates") for p in packages]),
        autoescape=True,
        # Every value shown passes through the shared escaping helper before HTML escaping:
        # control characters, line breaks and bidi overrides in scanned names are shown, not
        # obeyed.
        finalize=shown,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


class HtmlReporter(Reporter):
    """One HTML file that opens offline: charts of share and risk, and a sortable inventory."""

    name: ClassVar[str] = "html"
    suffix: ClassVar[str] = ".html"

    def render(self, result: ScanResult, options: RenderOptions) -> str:
        s = summarize(result)
        severities = dict(s.findings_by_severity)
        charts = [
            chart(
                "country", "Share by country", [(r.key, r.count) for r in s.by_country], share=True
            ),
            chart(
                "publisher",
                "Share by publisher",
                [(r.key, r.count) for r in s.by_publisher],
                share=True,
            ),
            chart("license", "Licenses", license_counts(result)),
            chart(
                "severity",
                "Findings by severity",
                [(sev.value, severities.get(sev.value, 0)) for sev in SEVERITY_ORDER],
                css=True,
            ),
        ]
        project = PurePosixPath(result.roots[0]).name if result.roots else ""
        return (
            html_env("modeldeps.report")
            .get_template("report.html.j2")
            .render(
                title=f"modeldeps report{': ' + project if project else ''}",
                summary=s,
                charts=charts,
                label_w=LABEL_W,
                bar_w=BAR_W,
                row_h=ROW_H,
                findings=sorted_findings(result.findings),
                rows=inventory_rows(result),
                dependencies=sorted(result.dependencies, key=lambda d: (d.ecosystem, d.name)),
                skipped=sorted(result.skipped, key=lambda k: (k.location, k.reason)),
                result=result,
                started_at=None if options.reproducible else result.started_at,
                redact=redact,
                more_places=more_places,
            )
        )
