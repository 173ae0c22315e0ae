"""Findings of the latest scans by rule and severity, and the list behind each count."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from modeldeps.model import Location, Severity
from modeldeps.store import schema as t
from modeldeps.store.queries import latest_ids_select
from modeldeps.store.queries.results import locations_by_finding


def rule_severity_matrix(
    conn: sa.Connection, repository_id: int | None = None
) -> dict[tuple[str, str], int]:
    """(rule id, severity) → findings in the latest scans (of one repository, if given)."""
    f, s = t.findings, t.scans
    query = (
        sa.select(f.c.rule_id, f.c.severity, sa.func.count())
        .where(f.c.scan_id.in_(latest_ids_select()))
        .group_by(f.c.rule_id, f.c.severity)
    )
    if repository_id is not None:
        query = query.join(s, s.c.id == f.c.scan_id).where(s.c.repository_id == repository_id)
    return {(rule, sev): int(n) for rule, sev, n in conn.execute(query)}


#: Severities worst first, as an SQL expression (the column holds their names).
_SEVERITY_ORDER = sa.case(
    {s.value: -s.rank for s in Severity}, value=t.findings.c.severity, else_=0
)


@dataclass(frozen=True, slots=True)
class FindingItem:
    """A finding of a latest scan, with its repository and every location."""

    repository_id: int
    repository: str
    scan_id: int
    rule_id: str
    severity: Severity
    title: str
    message: str
    subject: str
    locations: tuple[Location, ...]


def findings_list(
    conn: sa.Connection,
    *,
    rule: str | None = None,
    severity: str | None = None,
    repo: int | None = None,
    limit: int = 200,
    offset: int = 0,
) -> tuple[list[FindingItem], int]:
    """One page of the findings of the latest scans matching the filters, and how many match.

    Ordered by severity (worst first), repository, rule and id, in the database, so that a
    page is the same slice however often it is asked for.
    """
    f, s, r = t.findings, t.scans, t.repositories
    where: list[sa.ColumnElement[bool]] = [f.c.scan_id.in_(latest_ids_select())]
    if rule:
        where.append(f.c.rule_id == rule)
    if severity:
        where.append(f.c.severity == severity)
    if repo is not None:
        where.append(s.c.repository_id == repo)
    base = sa.select(f.c.id).join(s, s.c.id == f.c.scan_id).where(*where)
    total = conn.execute(sa.select(sa.func.count()).select_from(base.subquery())).scalar() or 0
    rows = list(
        conn.execute(
            sa.select(*finding_columns())
            .join(s, s.c.id == f.c.scan_id)
            .join(r, r.c.id == s.c.repository_id)
            .where(*where)
            .order_by(_SEVERITY_ORDER, r.c.name, f.c.rule_id, f.c.id)
            .limit(limit)
            .offset(offset)
        )
    )
    return finding_items(conn, rows), int(total)


def finding_columns() -> tuple[Any, ...]:
    """What a query selects for ``finding_items``: the finding, its repository's id and name
    (joined through ``scans`` and ``repositories`` by the caller)."""
    return (t.findings, t.scans.c.repository_id, t.repositories.c.name.label("repo"))


def finding_items(conn: sa.Connection, rows: Sequence[Any]) -> list[FindingItem]:
    """The rows of a ``finding_columns`` query as items, in order, with every location."""
    locations = locations_by_finding(conn, [row.id for row in rows])
    return [
        FindingItem(
            repository_id=row.repository_id,
            repository=row.repo,
            scan_id=row.scan_id,
            rule_id=row.rule_id,
            severity=Severity(row.severity),
            title=row.title,
            message=row.message,
            subject=row.subject,
            locations=tuple(locations.get(row.id, ())),
        )
        for row in rows
    ]
