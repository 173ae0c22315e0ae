"""Terminal tables (Rich) for the organization report, diffs, scan lists and runs."""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from modeldeps.report.redact import redact
from modeldeps.store.diff import Diff, FindingChange, ModelChange
from modeldeps.store.org import OrgReport, Shares
from modeldeps.store.queries import RunItemRow, RunRow, ScanRow
from modeldeps.textsafe import terminal

TOP = 25  # rows of the longest tables; the JSON report has them all


def printable(value: object) -> str:
    """Text safe for a terminal, credentials redacted: control characters, line breaks and bidi
    overrides shown as escapes, not obeyed (``textsafe.terminal``)."""
    return terminal(redact(str(value)))


def _text(value: object) -> str:
    return escape(printable(value))


def _render(build: Callable[[Console], None], width: int) -> str:
    buf = io.StringIO()
    console = Console(file=buf, width=width, force_terminal=False, color_system=None)
    build(console)
    return buf.getvalue()


def _shares_table(title: str, shares: Shares) -> Table:
    table = Table(title=title, title_justify="left")
    table.add_column("country")
    table.add_column("share", justify="right")
    table.add_column("publisher")
    table.add_column("share", justify="right")
    rows = max(len(shares.by_country), len(shares.by_publisher))
    for i in range(min(rows, 10)):
        c = shares.by_country[i] if i < len(shares.by_country) else None
        p = shares.by_publisher[i] if i < len(shares.by_publisher) else None
        table.add_row(
            _text(c.label) if c else "",
            f"{c.share:.0%} ({c.count})" if c else "",
            _text(p.label) if p else "",
            f"{p.share:.0%} ({p.count})" if p else "",
        )
    return table


def render_org(report: OrgReport, width: int = 120) -> str:
    def build(con: Console) -> None:
        at = f" at {report.at:%Y-%m-%d %H:%M}" if report.at else ""
        failed = sum(1 for r in report.repositories if r.failed)
        con.print(
            f"Organization{at}: {len(report.repositories)} repositories ({failed} failed), "
            f"{sum(1 for m in report.models if m.kind != 'endpoint')} models, "
            f"{sum(r.findings for r in report.repositories)} findings. "
            f"Concentration (HHI, 0-10000): country {report.shares.country_hhi:.0f}, "
            f"publisher {report.shares.publisher_hhi:.0f}."
        )
        models = Table(title="Models by use", title_justify="left")
        for col in ("model", "kind", "publisher", "country", "repos", "refs"):
            models.add_column(col, justify="right" if col in {"repos", "refs"} else "left")
        for m in report.models[:TOP]:
            models.add_row(
                _text(m.name),
                m.kind,
                _text(m.publisher),
                m.country,
                str(len(m.repositories)),
                str(m.references),
            )
        if len(report.models) > TOP:
            models.caption = f"{len(report.models) - TOP} more in --format json"
        con.print(models)
        con.print(
            _shares_table("Shares (weighted by repositories using each model)", report.shares)
        )
        repos = Table(title="Repositories", title_justify="left")
        for col in ("repository", "scanned", "commit", "models", "findings", "worst", "countries"):
            repos.add_column(col)
        for r in report.repositories:
            repos.add_row(
                _text(r.name),
                f"{r.started_at:%Y-%m-%d}" if r.started_at else "-",
                (r.commit or "")[:10],
                str(r.models),
                str(r.findings),
                r.worst or "",
                ", ".join(r.countries) + (f" FAILED: {_text(r.failed)[:60]}" if r.failed else ""),
            )
        con.print(repos)
        rules = Table(title="Findings by rule", title_justify="left")
        for col in ("rule", "severity", "findings", "repositories"):
            rules.add_column(col)
        for rule in report.rules:
            rules.add_row(rule.rule_id, rule.severity, str(rule.findings), str(rule.repositories))
        con.print(rules)

    return _render(build, width)


def _model_rows(table: Table, sign: str, changes: Sequence[ModelChange]) -> None:
    for c in changes:
        scope = "new" if sign == "+" and c.whole else ("gone" if c.whole else "")
        table.add_row(
            sign,
            _text(c.name),
            c.kind,
            _text(c.publisher),
            c.country,
            _text(", ".join(c.repositories[:4]) + (" …" if len(c.repositories) > 4 else "")),
            scope,
        )


def _finding_rows(table: Table, sign: str, changes: Sequence[FindingChange]) -> None:
    for c in changes[:TOP]:
        table.add_row(
            sign, c.rule_id, c.severity, _text(c.repository), _text(c.subject), _text(c.location)
        )


def render_diff(diff: Diff, width: int = 120) -> str:
    def build(con: Console) -> None:
        con.print(
            f"{_text(diff.before.label)} → {_text(diff.after.label)}: "
            f"{len(diff.models_added)} models added, {len(diff.models_removed)} removed, "
            f"{len(diff.identities_changed)} identities changed, "
            f"{len(diff.findings_new)} findings new, {len(diff.findings_fixed)} fixed."
        )
        if diff.repositories_added or diff.repositories_removed:
            con.print(
                f"Repositories: +{len(diff.repositories_added)} -{len(diff.repositories_removed)}"
            )
        models = Table(title="Models", title_justify="left")
        for col in ("", "model", "kind", "publisher", "country", "repositories", ""):
            models.add_column(col)
        _model_rows(models, "+", diff.models_added)
        _model_rows(models, "-", diff.models_removed)
        if models.row_count:
            con.print(models)
        if diff.identities_changed:
            ids = Table(title="Identities changed", title_justify="left")
            for col in ("model", "field", "before", "after"):
                ids.add_column(col)
            for change in diff.identities_changed:
                for field, before, after in change.changes:
                    ids.add_row(_text(change.name), field, _text(before), _text(after))
            con.print(ids)
        findings = Table(title="Findings", title_justify="left")
        for col in ("", "rule", "severity", "repository", "subject", "location"):
            findings.add_column(col)
        _finding_rows(findings, "+", diff.findings_new)
        _finding_rows(findings, "-", diff.findings_fixed)
        if findings.row_count:
            con.print(findings)
        shares = Table(title="Shares before → after", title_justify="left")
        for col in ("", "key", "before", "after"):
            shares.add_column(col)
        for name, before_rows, after_rows in (
            ("country", diff.shares_before.by_country, diff.shares_after.by_country),
            ("publisher", diff.shares_before.by_publisher, diff.shares_after.by_publisher),
        ):
            b = {r.key: r for r in before_rows}
            a = {r.key: r for r in after_rows}
            for key in sorted(b.keys() | a.keys(), key=lambda k: -(a[k].share if k in a else 0)):
                label = (a.get(key) or b[key]).label
                table_before = f"{b[key].share:.0%}" if key in b else "-"
                table_after = f"{a[key].share:.0%}" if key in a else "-"
                shares.add_row(name, _text(label), table_before, table_after)
        shares.add_row(
            "HHI",
            "country",
            f"{diff.shares_before.country_hhi:.0f}",
            f"{diff.shares_after.country_hhi:.0f}",
        )
        shares.add_row(
            "HHI",
            "publisher",
            f"{diff.shares_before.publisher_hhi:.0f}",
            f"{diff.shares_after.publisher_hhi:.0f}",
        )
        con.print(shares)

    return _render(build, width)


def render_scans(scans: Sequence[ScanRow], width: int = 120) -> str:
    def build(con: Console) -> None:
        table = Table(title=f"{len(scans)} scans", title_justify="left")
        for col in (
            "scan",
            "repository",
            "started (UTC)",
            "commit",
            "models",
            "findings",
            "tool/KB",
        ):
            table.add_column(col)
        for s in scans:
            table.add_row(
                f"#{s.id}",
                _text(s.repository),
                f"{s.started_at:%Y-%m-%d %H:%M}",
                (s.commit or "")[:10],
                str(s.models),
                str(s.findings),
                f"{s.tool_version}/{s.kb_version or '-'}",
            )
        con.print(table)

    return _render(build, width)


def render_runs(runs: Sequence[RunRow], items: Sequence[RunItemRow], width: int = 120) -> str:
    def build(con: Console) -> None:
        table = Table(title="scan-many runs", title_justify="left")
        for col in (
            "run",
            "started (UTC)",
            "finished",
            "executor",
            "targets",
            "stored",
            "same",
            "failed",
            "skipped",
        ):
            table.add_column(col)
        for r in runs:
            table.add_row(
                f"#{r.id}",
                f"{r.started_at:%Y-%m-%d %H:%M}",
                f"{r.finished_at:%H:%M:%S}" if r.finished_at else "unfinished",
                r.executor,
                str(r.targets),
                str(r.stored),
                str(r.duplicate),
                str(r.failed),
                str(r.skipped),
            )
        con.print(table)
        if items:
            detail = Table(title="targets", title_justify="left")
            for col in ("target", "status", "scan", "reason"):
                detail.add_column(col)
            for i in items:
                detail.add_row(
                    _text(i.target), i.status, f"#{i.scan_id}" if i.scan_id else "", _text(i.reason)
                )
            con.print(detail)

    return _render(build, width)
