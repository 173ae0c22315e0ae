"""Across scans: which models are used where, and the findings they carry."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from modeldeps.model import Identity, Severity
from modeldeps.store import schema as t
from modeldeps.store.queries.results import identities_by_id, locations_by_finding
from modeldeps.store.queries.rows import FindingRow, ModelUse, chunks


def model_uses(conn: sa.Connection, scan_ids: Sequence[int]) -> list[ModelUse]:
    """Every model the scans name (endpoints included), with the repositories using it.

    A model's identity is the one its newest scan resolved it to. Ordered by the number of
    repositories using it, most first, then by kind and name. The database does the counting:
    one row per (model, repository, identity) comes back, not one per reference.
    """
    if not scan_ids:
        return []
    m, s = t.models, t.scans
    repos: dict[int, set[int]] = defaultdict(set)
    counts: dict[int, int] = defaultdict(int)
    newest: dict[int, tuple[int, int | None]] = {}  # model -> (scan id, identity id)
    names: dict[int, tuple[str, str]] = {}
    for table in (t.model_refs, t.artifacts):
        for chunk in chunks(list(scan_ids)):
            query = (
                sa.select(
                    table.c.model_id,
                    s.c.repository_id,
                    table.c.identity_id,
                    sa.func.max(table.c.scan_id).label("scan_id"),
                    sa.func.count().label("n"),
                )
                .join(s, s.c.id == table.c.scan_id)
                .where(table.c.scan_id.in_(list(chunk)))
                .group_by(table.c.model_id, s.c.repository_id, table.c.identity_id)
            )
            for row in conn.execute(query):
                repos[row.model_id].add(row.repository_id)
                counts[row.model_id] += int(row.n)
                seen = newest.get(row.model_id)
                # the newest scan's identity wins; a known identity beats an unknown one
                better = seen is None or (
                    (row.identity_id is not None, row.scan_id) > (seen[1] is not None, seen[0])
                )
                if better:
                    newest[row.model_id] = (row.scan_id, row.identity_id)
    for chunk in chunks(sorted(repos)):
        for row in conn.execute(
            sa.select(m.c.id, m.c.kind, m.c.name).where(m.c.id.in_(list(chunk)))
        ):
            names[row.id] = (row.kind, row.name)
    idents = identities_by_id(conn, (v[1] for v in newest.values() if v[1] is not None))
    out = [
        ModelUse(
            kind=names[mid][0],
            name=names[mid][1],
            identity=_get(idents, newest[mid][1]),
            repositories=tuple(sorted(repos[mid])),
            references=counts[mid],
        )
        for mid in names
    ]
    out.sort(key=lambda u: (-len(u.repositories), u.kind, u.name))
    return out


def _get(idents: dict[int, Identity], ident_id: int | None) -> Identity | None:
    return idents.get(ident_id) if ident_id is not None else None


def finding_keys(conn: sa.Connection, scan_ids: Sequence[int]) -> dict[tuple[int, str], int]:
    """``(repository id, fingerprint)`` → a finding id, for every finding of the scans."""
    f, s = t.findings, t.scans
    out: dict[tuple[int, str], int] = {}
    for chunk in chunks(list(scan_ids)):
        rows = conn.execute(
            sa.select(s.c.repository_id, f.c.fingerprint, f.c.id)
            .join(s, s.c.id == f.c.scan_id)
            .where(f.c.scan_id.in_(list(chunk)))
        )
        for row in rows:
            out.setdefault((row.repository_id, row.fingerprint), row.id)
    return out


def worst_severities(conn: sa.Connection, scan_ids: Sequence[int]) -> dict[int, Severity]:
    """Repository id → the most severe finding of its scan among ``scan_ids``."""
    f, s = t.findings, t.scans
    out: dict[int, Severity] = {}
    for chunk in chunks(list(scan_ids)):
        rows = conn.execute(
            sa.select(s.c.repository_id, f.c.severity)
            .join(s, s.c.id == f.c.scan_id)
            .where(f.c.scan_id.in_(list(chunk)))
            .group_by(s.c.repository_id, f.c.severity)
        )
        for row in rows:
            sev = Severity(row.severity)
            if row.repository_id not in out or sev.rank > out[row.repository_id].rank:
                out[row.repository_id] = sev
    return out


def findings_of(
    conn: sa.Connection, scan_ids: Sequence[int], *, finding_ids: Sequence[int] | None = None
) -> list[FindingRow]:
    """Every finding of the scans (artifact findings included), with all their locations;
    or, with ``finding_ids``, those findings only."""
    f, s = t.findings, t.scans
    column = f.c.id if finding_ids is not None else f.c.scan_id
    rows = []
    for chunk in chunks(list(finding_ids if finding_ids is not None else scan_ids)):
        rows += list(
            conn.execute(
                sa.select(f, s.c.repository_id)
                .join(s, s.c.id == f.c.scan_id)
                .where(column.in_(list(chunk)))
                .order_by(f.c.id)
            )
        )
    locations = locations_by_finding(conn, [r.id for r in rows])
    return [
        FindingRow(
            scan_id=r.scan_id,
            repository_id=r.repository_id,
            rule_id=r.rule_id,
            severity=Severity(r.severity),
            title=r.title,
            message=r.message,
            fingerprint=r.fingerprint,
            subject=r.subject,
            locations=tuple(locations.get(r.id, ())),
        )
        for r in rows
    ]


def findings_by_rule(
    conn: sa.Connection, scan_ids: Sequence[int]
) -> list[tuple[str, str, int, int]]:
    """``(rule_id, worst severity, findings, repositories)`` per rule, most findings first."""
    f, s = t.findings, t.scans
    totals: dict[str, list[Any]] = {}
    for chunk in chunks(list(scan_ids)):
        query = (
            sa.select(f.c.rule_id, f.c.severity, s.c.repository_id, sa.func.count().label("n"))
            .join(s, s.c.id == f.c.scan_id)
            .where(f.c.scan_id.in_(list(chunk)))
            .group_by(f.c.rule_id, f.c.severity, s.c.repository_id)
        )
        for row in conn.execute(query):
            entry = totals.setdefault(row.rule_id, [Severity.INFO, 0, set()])
            sev = Severity(row.severity)
            if sev.rank > entry[0].rank:
                entry[0] = sev
            entry[1] += int(row.n)
            entry[2].add(row.repository_id)
    out = [(rule, e[0].value, e[1], len(e[2])) for rule, e in totals.items()]
    out.sort(key=lambda x: (-x[2], x[0]))
    return out
