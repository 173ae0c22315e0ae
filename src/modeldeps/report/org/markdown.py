"""The organization report as GitHub-flavoured Markdown (an issue, a wiki page, a summary)."""

from __future__ import annotations

from collections.abc import Sequence

from modeldeps.report.markdown import cell
from modeldeps.store.org import OrgReport, ShareRow

TOP = 50


def _table(head: Sequence[str], rows: Sequence[Sequence[object]]) -> list[str]:
    out = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    out += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return out


def _shares(rows: Sequence[ShareRow]) -> list[list[object]]:
    return [[r.label, r.count, f"{r.share:.1%}"] for r in rows]


def render_org(report: OrgReport) -> str:
    at = f" as of {report.at:%Y-%m-%d %H:%M} UTC" if report.at else ""
    s = report.shares
    lines = [
        f"# AI models across the organization{at}",
        "",
        f"{len(report.repositories)} repositories, {report.scans} scans, "
        f"{sum(1 for m in report.models if m.kind != 'endpoint')} models. "
        f"Concentration (Herfindahl–Hirschman, 0–10,000): by country **{s.country_hhi:.0f}**, "
        f"by publisher **{s.publisher_hhi:.0f}**"
        + (f"; {s.unknown} of {s.total} model uses of unknown origin." if s.unknown else "."),
        "",
        "## Models by use",
        "",
        *_table(
            ["Model", "Kind", "Publisher", "Country", "Licenses", "Repositories", "References"],
            [
                [
                    m.name,
                    m.kind,
                    m.publisher,
                    m.country,
                    ", ".join(m.licenses),
                    len(m.repositories),
                    m.references,
                ]
                for m in report.models[:TOP]
            ],
        ),
    ]
    if len(report.models) > TOP:
        lines += ["", f"_{len(report.models) - TOP} more models in the JSON report._"]
    lines += [
        "",
        "## Share by publisher country",
        "",
        *_table(["Country", "Uses", "Share"], _shares(s.by_country)),
        "",
        "## Share by publisher",
        "",
        *_table(["Publisher", "Uses", "Share"], _shares(s.by_publisher)),
        "",
        "## Repositories",
        "",
        *_table(
            [
                "Repository",
                "Scanned",
                "Commit",
                "Models",
                "Findings",
                "Worst",
                "Countries",
                "Status",
            ],
            [
                [
                    r.name,
                    f"{r.started_at:%Y-%m-%d}" if r.started_at else "",
                    (r.commit or "")[:10],
                    r.models,
                    r.findings,
                    r.worst or "",
                    ", ".join(r.countries),
                    f"failed: {r.failed}" if r.failed else "ok",
                ]
                for r in report.repositories
            ],
        ),
        "",
        "## Findings by rule",
        "",
        *_table(
            ["Rule", "Severity", "Findings", "Repositories"],
            [[r.rule_id, r.severity, r.findings, r.repositories] for r in report.rules],
        ),
        "",
        f"<sub>modeldeps {report.tool_version}; knowledge base "
        f"{', '.join(report.kb_versions) or 'unknown'}.</sub>",
        "",
    ]
    return "\n".join(lines)
