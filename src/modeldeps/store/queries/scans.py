"""Repositories and their scans: lists, lookups, the latest scan at a date."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from modeldeps.store import schema as t
from modeldeps.store.queries.rows import RepositoryRow, ScanRow, chunks


def list_repositories(conn: sa.Connection) -> list[RepositoryRow]:
    """Every stored repository, by name, with its scan count and latest scan."""
    r, s = t.repositories, t.scans
    counts = (
        sa.select(s.c.repository_id, sa.func.count().label("n"))
        .group_by(s.c.repository_id)
        .subquery()
    )
    latest = latest_scan_ids(conn)
    started = _started_at(conn, list(latest.values()))
    rows = conn.execute(
        sa.select(r, sa.func.coalesce(counts.c.n, 0).label("n"))
        .outerjoin(counts, counts.c.repository_id == r.c.id)
        .order_by(r.c.name, r.c.id)
    )
    out = []
    for row in rows:
        scan_id = latest.get(row.id)
        out.append(
            RepositoryRow(
                id=row.id,
                key=row.key,
                name=row.name,
                path=row.path,
                remote_url=row.remote_url,
                first_seen_at=row.first_seen_at,
                scans=int(row.n),
                latest_scan_id=scan_id,
                latest_started_at=started.get(scan_id) if scan_id is not None else None,
            )
        )
    return out


def _started_at(conn: sa.Connection, scan_ids: Sequence[int]) -> dict[int, datetime]:
    out: dict[int, datetime] = {}
    for chunk in chunks(scan_ids):
        rows = conn.execute(
            sa.select(t.scans.c.id, t.scans.c.started_at).where(t.scans.c.id.in_(list(chunk)))
        )
        out.update({r.id: r.started_at for r in rows})
    return out


def find_repositories(conn: sa.Connection, text: str) -> list[RepositoryRow]:
    """Repositories matching ``text``: a key, a path, a name, or an id (``#12`` or ``12``)."""
    rows = list_repositories(conn)
    wanted = text.strip()
    if wanted.lstrip("#").isdigit():
        rid = int(wanted.lstrip("#"))
        hit = [r for r in rows if r.id == rid]
        if hit:
            return hit
    for field in ("key", "path", "name"):
        hit = [r for r in rows if getattr(r, field) == wanted]
        if hit:
            return hit
    path_key = f"path:{wanted}"
    return [r for r in rows if r.key == path_key or r.key.startswith(path_key + "#")][:1]


def _scan_select() -> sa.Select[Any]:
    s, r = t.scans, t.repositories
    return sa.select(s, r.c.name.label("repo_name"), r.c.key.label("repo_key")).join(
        r, r.c.id == s.c.repository_id
    )


def _scan_row(row: Any) -> ScanRow:
    return ScanRow(
        id=row.id,
        repository_id=row.repository_id,
        repository=row.repo_name,
        repository_key=row.repo_key,
        started_at=row.started_at,
        saved_at=row.saved_at,
        last_seen_at=row.last_seen_at,
        commit=row.commit_sha,
        branch=row.branch,
        tool_version=row.tool_version,
        kb_version=row.kb_version,
        references=row.reference_count,
        models=row.model_count,
        findings=row.finding_count,
        skipped=row.skipped_count,
        files_seen=row.files_seen,
        duration_s=row.duration_s,
    )


def list_scans(
    conn: sa.Connection,
    repository_id: int | None = None,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int | None = None,
) -> list[ScanRow]:
    """Stored scans, newest first, optionally of one repository and within a time window."""
    s = t.scans
    query = _scan_select().order_by(s.c.started_at.desc(), s.c.id.desc())
    if repository_id is not None:
        query = query.where(s.c.repository_id == repository_id)
    if since is not None:
        query = query.where(s.c.started_at >= since)
    if until is not None:
        query = query.where(s.c.started_at <= until)
    if limit is not None:
        query = query.limit(limit)
    return [_scan_row(row) for row in conn.execute(query)]


def get_scan(conn: sa.Connection, scan_id: int) -> ScanRow | None:
    row = conn.execute(_scan_select().where(t.scans.c.id == scan_id)).first()
    return _scan_row(row) if row is not None else None


def get_scans(conn: sa.Connection, scan_ids: Sequence[int]) -> list[ScanRow]:
    """The rows of ``scan_ids``, in that order (unknown ids left out)."""
    found: dict[int, ScanRow] = {}
    for chunk in chunks(scan_ids):
        for row in conn.execute(_scan_select().where(t.scans.c.id.in_(list(chunk)))):
            found[row.id] = _scan_row(row)
    return [found[i] for i in scan_ids if i in found]


def _latest_ranked(at: datetime | None) -> sa.Subquery:
    """Every scan (started at or before ``at``) numbered 1, 2, … from its repository's latest:
    "latest" is by start time, then by id (the later saved of two scans started together)."""
    s = t.scans
    ranked = sa.select(
        s.c.id,
        s.c.repository_id,
        sa.func.row_number()
        .over(partition_by=s.c.repository_id, order_by=(s.c.started_at.desc(), s.c.id.desc()))
        .label("rn"),
    )
    if at is not None:
        ranked = ranked.where(s.c.started_at <= at)
    return ranked.subquery()


def latest_ids_select(at: datetime | None = None) -> sa.Select[Any]:
    """``SELECT id`` of the latest scan of every repository (at ``at``), to use in a query."""
    sub = _latest_ranked(at)
    return sa.select(sub.c.id).where(sub.c.rn == 1)


def latest_scan_ids(conn: sa.Connection, at: datetime | None = None) -> dict[int, int]:
    """Repository id → id of its latest scan started at or before ``at`` (default: ever)."""
    sub = _latest_ranked(at)
    rows = conn.execute(sa.select(sub.c.repository_id, sub.c.id).where(sub.c.rn == 1))
    return {int(r.repository_id): int(r.id) for r in rows}


def _stored_by(
    conn: sa.Connection,
    key: str,
    where: sa.ColumnElement[bool],
    tool_version: str,
    kb_version: str | None,
) -> int | None:
    """The newest scan of repository ``key`` matching ``where``, by this tool and KB version."""
    s, r = t.scans, t.repositories
    query = (
        sa.select(s.c.id)
        .join(r, r.c.id == s.c.repository_id)
        .where(
            r.c.key_digest == t.digest_of(key),
            where,
            s.c.tool_version == tool_version,
            s.c.kb_version.is_(None) if kb_version is None else s.c.kb_version == kb_version,
        )
    )
    found = conn.execute(query.order_by(s.c.id.desc()).limit(1)).scalar()
    return int(found) if found is not None else None


def stored_at_commit(
    conn: sa.Connection, key: str, commit: str, tool_version: str, kb_version: str | None
) -> int | None:
    """A scan of repository ``key`` at ``commit`` by this tool and KB version (for --resume)."""
    return _stored_by(conn, key, t.scans.c.commit_sha == commit, tool_version, kb_version)


def stored_with_tree(
    conn: sa.Connection, key: str, tree_digest: str, tool_version: str, kb_version: str | None
) -> int | None:
    """A scan of tree ``key`` whose files had this stat digest (for --resume without git)."""
    return _stored_by(conn, key, t.scans.c.tree_digest == tree_digest, tool_version, kb_version)


def last_durations(conn: sa.Connection, keys: set[str]) -> dict[str, float]:
    """Repository key → how long its latest stored scan took (to schedule long ones first)."""
    s, r = t.scans, t.repositories
    out: dict[str, float] = {}
    for chunk in chunks(sorted(t.digest_of(k) for k in keys)):
        latest = (
            sa.select(s.c.repository_id, sa.func.max(s.c.id).label("id"))
            .join(r, r.c.id == s.c.repository_id)
            .where(r.c.key_digest.in_(list(chunk)))
            .group_by(s.c.repository_id)
            .subquery()
        )
        rows = conn.execute(
            sa.select(r.c.key, s.c.duration_s)
            .join(latest, latest.c.id == s.c.id)
            .join(r, r.c.id == s.c.repository_id)
        )
        out.update({row.key: float(row.duration_s) for row in rows})
    return out
