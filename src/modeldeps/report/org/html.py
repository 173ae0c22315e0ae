"""The organization report as one self-contained HTML page with charts (no network)."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from modeldeps.report.html import BAR_W, LABEL_W, ROW_H, chart
from modeldeps.report.redact import redact
from modeldeps.store.org import OrgReport
from modeldeps.textsafe import shown

if TYPE_CHECKING:
    import jinja2

SEVERITIES = ("critical", "high", "medium", "low", "info")


@cache
def _env() -> jinja2.Environment:
    import jinja2

    # Our packaged templates only (the page's, and the scan report's stylesheet).
    return jinja2.Environment(
        loader=jinja2.ChoiceLoader(
            [
                jinja2.PackageLoader("modeldeps.report.org", "templates"),
                jinja2.PackageLoader("modeldeps.report", "templates"),
            ]
        ),
        autoescape=True,
        # Every value shown passes the shared escaping helper before HTML escaping: control
        # characters and bidi overrides in repository and model names are shown, not obeyed.
        finalize=shown,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render_org(report: OrgReport) -> str:
    s = report.shares
    worst = {sev: sum(1 for r in report.repositories if r.worst == sev) for sev in SEVERITIES}
    charts = [
        chart(
            "country",
            "Share by publisher country",
            [(r.label, r.count) for r in s.by_country],
            share=True,
        ),
        chart(
            "publisher",
            "Share by publisher",
            [(r.label, r.count) for r in s.by_publisher],
            share=True,
        ),
        chart(
            "models",
            "Models by repositories using them",
            [(m.name, len(m.repositories)) for m in report.models if m.kind != "endpoint"],
        ),
        chart(
            "worst",
            "Repositories by their most severe finding",
            [(sev, worst[sev]) for sev in SEVERITIES],
            css=True,
        ),
        chart("rules", "Findings by rule", [(r.rule_id, r.findings) for r in report.rules]),
    ]
    return (
        _env()
        .get_template("org.html.j2")
        .render(
            report=report,
            charts=charts,
            label_w=LABEL_W,
            bar_w=BAR_W,
            row_h=ROW_H,
            redact=redact,
            model_count=sum(1 for m in report.models if m.kind != "endpoint"),
        )
    )
