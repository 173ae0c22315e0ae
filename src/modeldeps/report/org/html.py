"""The organization report as one self-contained HTML page with charts (no network)."""

from __future__ import annotations

from modeldeps.model import SEVERITY_ORDER
from modeldeps.report.html import BAR_W, LABEL_W, ROW_H, chart, html_env
from modeldeps.report.redact import redact
from modeldeps.store.org import OrgReport

SEVERITIES = tuple(s.value for s in SEVERITY_ORDER)


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
        # the page's templates, and the scan report's stylesheet
        html_env("modeldeps.report.org", "modeldeps.report")
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
