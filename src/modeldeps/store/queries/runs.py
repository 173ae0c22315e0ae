"""scan-many runs and what became of each target."""

from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa

from modeldeps.store import schema as t
from modeldeps.store.queries.rows import RunItemRow, RunRow


def list_runs(conn: sa.Connection, limit: int | None = None) -> list[RunRow]:
    """scan-many runs, newest first, with what became of their targets."""
    ru, it = t.runs, t.run_items
    counts: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in conn.execute(
        sa.select(it.c.run_id, it.c.status, sa.func.count().label("n")).group_by(
            it.c.run_id, it.c.status
        )
    ):
        counts[row.run_id][row.status] = int(row.n)
    query = sa.select(ru).order_by(ru.c.id.desc())
    if limit is not None:
        query = query.limit(limit)
    return [
        RunRow(
            id=row.id,
            started_at=row.started_at,
            finished_at=row.finished_at,
            executor=row.executor,
            targets=row.targets,
            stored=counts[row.id]["stored"],
            duplicate=counts[row.id]["duplicate"],
            failed=counts[row.id]["failed"],
            skipped=counts[row.id]["skipped"],
        )
        for row in conn.execute(query)
    ]


def run_items(conn: sa.Connection, run_id: int) -> list[RunItemRow]:
    it = t.run_items
    return [
        RunItemRow(
            run_id=row.run_id,
            target=row.target,
            repository_id=row.repository_id,
            scan_id=row.scan_id,
            status=row.status,
            reason=row.reason,
            at=row.at,
        )
        for row in conn.execute(sa.select(it).where(it.c.run_id == run_id).order_by(it.c.id))
    ]


def latest_failures(conn: sa.Connection) -> dict[int, RunItemRow]:
    """Repository id → its latest run item, where that item is a failure."""
    it = t.run_items
    latest = (
        sa.select(sa.func.max(it.c.id).label("id"))
        .where(it.c.repository_id.is_not(None))
        .group_by(it.c.repository_id)
        .subquery()
    )
    rows = conn.execute(sa.select(it).join(latest, latest.c.id == it.c.id))
    return {
        row.repository_id: RunItemRow(
            row.run_id, row.target, row.repository_id, row.scan_id, row.status, row.reason, row.at
        )
        for row in rows
        if row.status == "failed"
    }
