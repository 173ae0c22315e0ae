"""Repositories: each with its latest scan in brief, and the models of one scan."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

import sqlalchemy as sa

from modeldeps.model import Identity
from modeldeps.store import queries as sq
from modeldeps.store import schema as t
from modeldeps.web.inventory import pick_identity
from modeldeps.web.queries import names_of


@dataclass(frozen=True, slots=True)
class RepositorySummary:
    """A repository, its latest scan, the worst severity found there and a failed attempt."""

    id: int
    name: str
    key: str
    remote_url: str | None
    path: str
    scans: int
    latest: sq.ScanRow | None
    worst: str | None
    failure: sq.RunItemRow | None


def repository_summaries(conn: sa.Connection) -> list[RepositorySummary]:
    """Every repository by name, with its latest scan in brief."""
    repos = sq.list_repositories(conn)
    latest_ids = [r.latest_scan_id for r in repos if r.latest_scan_id is not None]
    rows = {s.id: s for s in sq.get_scans(conn, latest_ids)}
    worst = sq.worst_severities(conn, latest_ids)  # by repository, as the org report has it
    failures = sq.latest_failures(conn)
    out = []
    for r in repos:
        scan = rows.get(r.latest_scan_id) if r.latest_scan_id is not None else None
        worst_sev = worst.get(r.id) if scan is not None else None
        out.append(
            RepositorySummary(
                id=r.id,
                name=r.name,
                key=r.key,
                remote_url=r.remote_url,
                path=r.path,
                scans=r.scans,
                latest=scan,
                worst=worst_sev.value if worst_sev is not None else None,
                failure=failures.get(r.id),
            )
        )
    return out


@dataclass(frozen=True, slots=True)
class ScanModel:
    """A model one scan names: its id for links, who it is, and how often it is named."""

    model_id: int
    kind: str
    name: str
    identity: Identity | None
    references: int


def scan_models(conn: sa.Connection, scan_id: int) -> list[ScanModel]:
    """The models of one scan, most referenced first."""
    counts: dict[int, Counter[int | None]] = defaultdict(Counter)
    for table in (t.model_refs, t.artifacts):
        query = (
            sa.select(table.c.model_id, table.c.identity_id, sa.func.count())
            .where(table.c.scan_id == scan_id)
            .group_by(table.c.model_id, table.c.identity_id)
        )
        for mid, iid, n in conn.execute(query):
            counts[int(mid)][iid] += int(n)
    names = names_of(conn, counts)
    picked = {mid: pick_identity(c) for mid, c in counts.items()}
    idents = sq.identities_by_id(conn, [i for i in picked.values() if i is not None])
    out = [
        ScanModel(
            mid,
            names[mid][0],
            names[mid][1],
            idents.get(picked[mid]) if picked[mid] is not None else None,  # type: ignore[arg-type]
            sum(c.values()),
        )
        for mid, c in counts.items()
    ]
    out.sort(key=lambda m: (-m.references, m.kind, m.name.lower()))
    return out
