"""The overview's figures: totals, shares by origin now and over time, findings by rule."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from modeldeps.model import SEVERITY_ORDER, Severity
from modeldeps.store import queries as sq
from modeldeps.store import schema as t
from modeldeps.store.org import Shares, shares_from_counts
from modeldeps.store.queries import latest_ids_select
from modeldeps.web.digests import ENDPOINT, Origin, ScanDigests, heads, latest_only
from modeldeps.web.queries import names_of


@dataclass(frozen=True, slots=True)
class SharePoint:
    """The shares the organization's latest scans showed at the end of one day (or week)."""

    at: datetime
    repositories: int
    shares: Shares


def shares_from(counts: Counter[Origin]) -> Shares:
    """Shares and indexes (the organization report's arithmetic) from pairs counted by origin."""
    country: Counter[str] = Counter()
    publisher: Counter[str] = Counter()
    labels = {"unknown": "unknown"}
    for (c, pid, pname), n in counts.items():
        country[c] += n
        publisher[pid] += n
        labels[pid] = pname
    return shares_from_counts(country, publisher, labels)


def current_shares(conn: sa.Connection, digests: ScanDigests) -> Shares:
    """Shares over the latest scan of every repository."""
    latest = list(latest_only(conn).values())
    total: Counter[Origin] = Counter()
    for counts in digests.origins(conn, latest).values():
        total.update(counts)
    return shares_from(total)


def share_history(
    conn: sa.Connection, digests: ScanDigests, max_points: int = 120
) -> tuple[SharePoint, ...]:
    """The shares at the end of every day from the first stored scan to the last.

    Over long histories a point stands for a week (or two, four...) so that there are at most
    ``max_points``. Days without a scan carry the previous state, so the time axis is even.
    Scans are walked in time order keeping each repository's latest, so a point is what the
    organization report would have said at its time (tested).
    """
    scans = heads(conn)
    if not scans:
        return ()
    per_scan = digests.origins(conn, scans)
    first = scans[0].started_at.date()
    days = (scans[-1].started_at.date() - first).days + 1
    step = 1
    while -(-days // step) > max_points:
        step = 7 if step == 1 else step * 2
    current: dict[int, int] = {}
    totals: Counter[Origin] = Counter()
    points: list[SharePoint] = []
    i = 0
    for bucket in range(-(-days // step)):
        end = first + timedelta(days=bucket * step + step - 1)
        at = datetime(end.year, end.month, end.day, 23, 59, 59)
        while i < len(scans) and scans[i].started_at <= at:
            row = scans[i]
            old = current.get(row.repository_id)
            if old is not None:
                totals.subtract(per_scan[old])
            totals.update(per_scan[row.id])
            current[row.repository_id] = row.id
            i += 1
        points.append(SharePoint(at, len(current), shares_from(+totals)))
    return tuple(points)


@dataclass(frozen=True, slots=True)
class RuleCount:
    """One rule over the latest scans: its worst severity, how many findings, repositories."""

    rule_id: str
    title: str
    severity: str
    findings: int
    repositories: int


@dataclass(frozen=True, slots=True)
class Totals:
    """Counts over the latest scan of every repository."""

    repositories: int
    scans: int
    models: int
    references: int
    endpoints: int
    findings: int
    by_severity: tuple[tuple[str, int], ...]


def totals(conn: sa.Connection, digests: ScanDigests) -> Totals:
    """Repositories, scans, and what the latest scans hold."""
    latest = latest_only(conn)
    uses = digests.uses(conn, list(latest.values()))
    model_ids = {u.model_id for counts in uses.values() for u in counts}
    kinds = {mid: kind for mid, (kind, _name) in names_of(conn, model_ids).items()}
    endpoints = sum(1 for mid in model_ids if kinds.get(mid) == ENDPOINT)
    repos = conn.execute(sa.select(sa.func.count()).select_from(t.repositories)).scalar() or 0
    f = t.findings
    sev: dict[str, int] = {
        str(k): int(n)
        for k, n in conn.execute(
            sa.select(f.c.severity, sa.func.count())
            .where(f.c.scan_id.in_(latest_ids_select()))
            .group_by(f.c.severity)
        )
    }
    order = [v.value for v in SEVERITY_ORDER]
    return Totals(
        repositories=int(repos),
        scans=int(conn.execute(sa.select(sa.func.count()).select_from(t.scans)).scalar() or 0),
        models=len(model_ids) - endpoints,
        references=sum(h.references for h in latest.values()),
        endpoints=endpoints,
        findings=sum(sev.values()),
        by_severity=tuple((k, sev[k]) for k in order if sev.get(k)),
    )


def rule_counts(
    conn: sa.Connection, titles: dict[str, str], repository_id: int | None = None
) -> list[RuleCount]:
    """Findings of the latest scans by rule: worst severity, count, repositories (the store's
    ``findings_by_rule``, which the organization report shows too), worst rules first."""
    latest = sq.latest_scan_ids(conn)
    if repository_id is not None:
        latest = {repository_id: latest[repository_id]} if repository_id in latest else {}
    scan_ids = sorted(latest.values())
    rows = sq.findings_by_rule(conn, scan_ids)
    # A rule this version does not know (saved by a newer one) keeps the title it was saved with.
    stored = _stored_titles(conn, scan_ids, [r[0] for r in rows if r[0] not in titles])
    out = [
        RuleCount(rule, titles.get(rule) or stored.get(rule, rule), severity, n, repos)
        for rule, severity, n, repos in rows
    ]
    out.sort(key=lambda x: (-Severity(x.severity).rank, -x.findings, x.rule_id))
    return out


def _stored_titles(
    conn: sa.Connection, scan_ids: Sequence[int], rules: Sequence[str]
) -> dict[str, str]:
    """The title each of ``rules`` was saved with in these scans."""
    if not rules:
        return {}
    f = t.findings
    out: dict[str, str] = {}
    for chunk in sq.chunks(list(scan_ids)):
        query = (
            sa.select(f.c.rule_id, sa.func.min(f.c.title))
            .where(f.c.scan_id.in_(list(chunk)), f.c.rule_id.in_(list(rules)))
            .group_by(f.c.rule_id)
        )
        out.update({str(rule): str(title) for rule, title in conn.execute(query)})
    return out
