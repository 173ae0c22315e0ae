"""The store's read API: repositories, scans, whole results, and what the latest scans hold.

Every function takes an open connection (``Store.read()``), so a caller — the CLI, the
organization report, the dashboard — can put several questions in one consistent snapshot.
Returned rows are frozen dataclasses; nothing here writes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from modeldeps.model import (
    ArtifactInfo,
    Confidence,
    Dependency,
    Finding,
    Identity,
    Location,
    ModelReference,
    RefKind,
    ScanResult,
    ScanStats,
    Severity,
    Skipped,
    Stage,
)
from modeldeps.serialize import identity_from_data
from modeldeps.store import schema as t
from modeldeps.store.save import FINDING_HAS_LOCATIONS

_CHUNK = 400


@dataclass(frozen=True, slots=True)
class RepositoryRow:
    """A stored repository and a summary of its history."""

    id: int
    key: str
    name: str
    path: str
    remote_url: str | None
    first_seen_at: datetime
    scans: int
    latest_scan_id: int | None
    latest_started_at: datetime | None


@dataclass(frozen=True, slots=True)
class ScanRow:
    """One stored scan, without its contents."""

    id: int
    repository_id: int
    repository: str  # the repository's name
    repository_key: str
    started_at: datetime
    saved_at: datetime
    last_seen_at: datetime
    commit: str | None
    branch: str | None
    tool_version: str
    kb_version: str | None
    references: int
    models: int
    findings: int
    skipped: int
    files_seen: int
    duration_s: float


@dataclass(frozen=True, slots=True)
class ModelUse:
    """A model named by some of the given scans: who it is and which repositories use it."""

    kind: str  # a RefKind value or "artifact"
    name: str
    identity: Identity | None  # the identity of its first reference in the newest scan
    repositories: tuple[int, ...]  # repository ids, ascending
    references: int  # reference rows across the scans


@dataclass(frozen=True, slots=True)
class FindingRow:
    """One stored finding with the scan and repository it belongs to."""

    scan_id: int
    repository_id: int
    rule_id: str
    severity: Severity
    title: str
    message: str
    fingerprint: str
    subject: str
    locations: tuple[Location, ...]


@dataclass(frozen=True, slots=True)
class RunRow:
    """A ``scan-many`` run and what became of its targets."""

    id: int
    started_at: datetime
    finished_at: datetime | None
    executor: str
    targets: int
    stored: int
    duplicate: int
    failed: int
    skipped: int


@dataclass(frozen=True, slots=True)
class RunItemRow:
    """What a run did with one target."""

    run_id: int
    target: str
    repository_id: int | None
    scan_id: int | None
    status: str  # stored, duplicate, failed, skipped
    reason: str
    at: datetime


def _chunks(items: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for i in range(0, len(items), _CHUNK):
        yield items[i : i + _CHUNK]


# ---------------------------------------------------------------- repositories and scans


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
    for chunk in _chunks(scan_ids):
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
    for chunk in _chunks(scan_ids):
        for row in conn.execute(_scan_select().where(t.scans.c.id.in_(list(chunk)))):
            found[row.id] = _scan_row(row)
    return [found[i] for i in scan_ids if i in found]


def latest_scan_ids(conn: sa.Connection, at: datetime | None = None) -> dict[int, int]:
    """Repository id → id of its latest scan started at or before ``at`` (default: ever).

    "Latest" is by start time, then by id (the later saved of two scans started together).
    """
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
    sub = ranked.subquery()
    rows = conn.execute(sa.select(sub.c.repository_id, sub.c.id).where(sub.c.rn == 1))
    return {int(r.repository_id): int(r.id) for r in rows}


def stored_at_commit(
    conn: sa.Connection, key: str, commit: str, tool_version: str, kb_version: str | None
) -> int | None:
    """A scan of repository ``key`` at ``commit`` by this tool and KB version (for --resume)."""
    s, r = t.scans, t.repositories
    query = (
        sa.select(s.c.id)
        .join(r, r.c.id == s.c.repository_id)
        .where(r.c.key == key, s.c.commit_sha == commit, s.c.tool_version == tool_version)
    )
    query = query.where(
        s.c.kb_version.is_(None) if kb_version is None else s.c.kb_version == kb_version
    )
    found = conn.execute(query.order_by(s.c.id.desc()).limit(1)).scalar()
    return int(found) if found is not None else None


def stored_with_tree(
    conn: sa.Connection, key: str, tree_digest: str, tool_version: str, kb_version: str | None
) -> int | None:
    """A scan of tree ``key`` whose files had this stat digest (for --resume without git)."""
    s, r = t.scans, t.repositories
    query = (
        sa.select(s.c.id)
        .join(r, r.c.id == s.c.repository_id)
        .where(r.c.key == key, s.c.tree_digest == tree_digest, s.c.tool_version == tool_version)
    )
    query = query.where(
        s.c.kb_version.is_(None) if kb_version is None else s.c.kb_version == kb_version
    )
    found = conn.execute(query.order_by(s.c.id.desc()).limit(1)).scalar()
    return int(found) if found is not None else None


def last_durations(conn: sa.Connection, keys: set[str]) -> dict[str, float]:
    """Repository key → how long its latest stored scan took (to schedule long ones first)."""
    s, r = t.scans, t.repositories
    out: dict[str, float] = {}
    for chunk in _chunks(sorted(keys)):
        latest = (
            sa.select(s.c.repository_id, sa.func.max(s.c.id).label("id"))
            .join(r, r.c.id == s.c.repository_id)
            .where(r.c.key.in_(list(chunk)))
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


# ---------------------------------------------------------------- whole results


def _identity(row: Any, prefix: str = "i_") -> Identity | None:
    if getattr(row, f"{prefix}id") is None:
        return None
    data: dict[str, Any] = {
        "canonical_id": getattr(row, f"{prefix}canonical_id"),
        "family": getattr(row, f"{prefix}family"),
        "publisher": None,
        "licenses": getattr(row, f"{prefix}licenses"),
        "open_weights": getattr(row, f"{prefix}open_weights"),
        "lineage": getattr(row, f"{prefix}lineage"),
        "lineage_countries": getattr(row, f"{prefix}lineage_countries"),
        "uploader": getattr(row, f"{prefix}uploader"),
        "evidence": getattr(row, f"{prefix}evidence"),
        "confidence": getattr(row, f"{prefix}confidence"),
        "decided_by": getattr(row, f"{prefix}decided_by"),
    }
    pub_id = getattr(row, f"{prefix}publisher_id")
    if pub_id is not None:
        data["publisher"] = {
            "id": pub_id,
            "name": getattr(row, f"{prefix}publisher_name"),
            "country": getattr(row, f"{prefix}country"),
        }
    return identity_from_data(data)


def _identity_columns() -> list[sa.Label[Any]]:
    return [c.label(f"i_{c.name}") for c in t.identities.c]


def _location(path: str, line: int | None, col: int | None) -> Location:
    return Location(path, line, col)


def _finding(row: Any, locations: Sequence[Location]) -> Finding:
    kwargs: dict[str, Any] = {}
    if FINDING_HAS_LOCATIONS:
        kwargs["locations"] = tuple(locations)
    return Finding(
        rule_id=row.rule_id,
        severity=Severity(row.severity),
        confidence=Confidence(row.confidence),
        title=row.title,
        message=row.message,
        location=locations[0] if locations else Location(""),
        fingerprint=row.fingerprint,
        remediation=row.remediation,
        subject=row.subject,
        **kwargs,
    )


def _locations_of(conn: sa.Connection, finding_ids: Sequence[int]) -> dict[int, list[Location]]:
    fl = t.finding_locations
    out: dict[int, list[Location]] = defaultdict(list)
    for chunk in _chunks(finding_ids):
        rows = conn.execute(
            sa.select(fl)
            .where(fl.c.finding_id.in_(list(chunk)))
            .order_by(fl.c.finding_id, fl.c.seq)
        )
        for r in rows:
            out[r.finding_id].append(_location(r.path, r.line, r.col))
    return out


def finding_locations(conn: sa.Connection, finding_ids: Sequence[int]) -> dict[int, list[Location]]:
    """Finding id → its locations in order (the reported one first)."""
    return _locations_of(conn, finding_ids)


def load_result(conn: sa.Connection, scan_id: int) -> ScanResult | None:
    """The stored scan ``scan_id`` as the ``ScanResult`` it was saved from, or ``None``."""
    s = t.scans
    head = conn.execute(sa.select(s).where(s.c.id == scan_id)).first()
    if head is None:
        return None
    m, i = t.models, t.identities
    refs = [
        ModelReference(
            kind=RefKind(row.kind),
            value=row.name,
            location=_location(row.path, row.line, row.col),
            detector=row.detector,
            context=dict(row.context),
            identity=_identity(row),
        )
        for row in conn.execute(
            sa.select(t.model_refs, m.c.kind, m.c.name, *_identity_columns())
            .join(m, m.c.id == t.model_refs.c.model_id)
            .outerjoin(i, i.c.id == t.model_refs.c.identity_id)
            .where(t.model_refs.c.scan_id == scan_id)
            .order_by(t.model_refs.c.id)
        )
    ]
    f = t.findings
    finding_rows = list(conn.execute(sa.select(f).where(f.c.scan_id == scan_id).order_by(f.c.id)))
    locations = _locations_of(conn, [r.id for r in finding_rows])
    by_artifact: dict[int | None, list[Finding]] = defaultdict(list)
    for row in finding_rows:
        by_artifact[row.artifact_id].append(_finding(row, locations.get(row.id, [])))
    a = t.artifacts
    artifacts = [
        ArtifactInfo(
            location=Location(row.path),
            format=row.format,
            size_bytes=row.size_bytes,
            sha256=row.sha256,
            tensors=row.tensors,
            params=row.params,
            dtype=row.dtype,
            metadata=dict(row.meta),
            findings=tuple(by_artifact.get(row.id, ())),
            bytes_read=row.bytes_read,
            identity=_identity(row),
        )
        for row in conn.execute(
            sa.select(a, *_identity_columns())
            .outerjoin(i, i.c.id == a.c.identity_id)
            .where(a.c.scan_id == scan_id)
            .order_by(a.c.id)
        )
    ]
    d = t.dependencies
    deps = [
        Dependency(
            row.ecosystem,
            row.name,
            row.specifier,
            _location(row.path, row.line, row.col),
            row.category,
        )
        for row in conn.execute(sa.select(d).where(d.c.scan_id == scan_id).order_by(d.c.id))
    ]
    k = t.skipped
    skipped = [
        Skipped(Location(row.path), Stage(row.stage), row.reason)
        for row in conn.execute(sa.select(k).where(k.c.scan_id == scan_id).order_by(k.c.id))
    ]
    started = head.started_at.isoformat() + "+00:00"
    return ScanResult(
        roots=tuple(head.roots),
        started_at=started,
        tool_version=head.tool_version,
        kb_version=head.kb_version,
        references=tuple(refs),
        dependencies=tuple(deps),
        artifacts=tuple(artifacts),
        findings=tuple(by_artifact.get(None, ())),
        skipped=tuple(skipped),
        stats=ScanStats(
            files_seen=head.files_seen,
            files_parsed=head.files_parsed,
            files_cached=head.files_cached,
            bytes_read=head.bytes_read,
            duration_s=head.duration_s,
        ),
    )


# ---------------------------------------------------------------- across scans


def identities_by_id(conn: sa.Connection, ids: Iterable[int]) -> dict[int, Identity]:
    """The identities with these row ids."""
    i = t.identities
    out: dict[int, Identity] = {}
    for chunk in _chunks(sorted(set(ids))):
        for row in conn.execute(sa.select(*_identity_columns()).where(i.c.id.in_(list(chunk)))):
            ident = _identity(row)
            if ident is not None:
                out[row.i_id] = ident
    return out


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
        for chunk in _chunks(list(scan_ids)):
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
    for chunk in _chunks(sorted(repos)):
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
    for chunk in _chunks(list(scan_ids)):
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
    for chunk in _chunks(list(scan_ids)):
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
    for chunk in _chunks(list(finding_ids if finding_ids is not None else scan_ids)):
        rows += list(
            conn.execute(
                sa.select(f, s.c.repository_id)
                .join(s, s.c.id == f.c.scan_id)
                .where(column.in_(list(chunk)))
                .order_by(f.c.id)
            )
        )
    locations = _locations_of(conn, [r.id for r in rows])
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
    for chunk in _chunks(list(scan_ids)):
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


# ---------------------------------------------------------------- runs


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
