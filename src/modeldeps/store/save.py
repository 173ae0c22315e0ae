"""Write a scan into the store, normalized: model names and identities once, rows per finding.

Saving is one transaction: a scan is in the store whole or not at all, so a process killed
mid-save leaves every earlier scan intact. Saving the same result of the same commit with the
same tool and knowledge-base versions again only moves the stored scan's ``last_seen_at``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from modeldeps.model import Finding, Identity, Location, ScanResult
from modeldeps.serialize import to_data
from modeldeps.store import schema as t
from modeldeps.store.identify import RepoIdentity
from modeldeps.store.queries.rows import chunks
from modeldeps.summary import distinct_models


@dataclass(frozen=True, slots=True)
class SaveOutcome:
    """Where a scan went: its id, its repository's id, and whether it was new."""

    scan_id: int
    repository_id: int
    created: bool


def utcnow() -> datetime:
    """Now, as the naive UTC the store keeps."""
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


def parse_time(text: str) -> datetime:
    """An ISO-8601 time as naive UTC (a time without zone is taken as UTC)."""
    value = datetime.fromisoformat(text)
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value


def _digest(data: Any) -> str:
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()


def result_digest(result: ScanResult) -> str:
    """A digest of what a scan found: times, statistics and the absolute roots aside."""
    data = to_data(result)
    for key in ("started_at", "stats", "roots"):
        data.pop(key, None)
    return _digest(data)


def identity_digest(ident: Identity) -> str:
    return _digest(to_data(ident))


def locations_of(finding: Finding) -> tuple[Location, ...]:
    """Every location of a finding, the one it is reported at first (``seq`` 0 in the store)."""
    return (finding.location, *(loc for loc in finding.places if loc != finding.location))


def artifact_model_name(path: str, ident: Identity | None) -> str:
    """The model an artifact counts as: its canonical id when known, else its path."""
    if ident is not None and ident.canonical_id:
        return ident.canonical_id
    return path


def upsert_repository(conn: sa.Connection, repo: RepoIdentity, now: datetime) -> int:
    digest = t.digest_of(repo.key)
    row = conn.execute(
        sa.select(t.repositories.c.id, t.repositories.c.path, t.repositories.c.remote_url).where(
            t.repositories.c.key_digest == digest
        )
    ).first()
    if row is None:
        return int(
            conn.execute(
                sa.insert(t.repositories).values(
                    key=repo.key,
                    key_digest=digest,
                    name=repo.name,
                    path=repo.path,
                    remote_url=repo.remote_url,
                    first_seen_at=now,
                )
            ).inserted_primary_key[0]  # type: ignore[index]
        )
    if (row.path, row.remote_url) != (repo.path, repo.remote_url):
        conn.execute(
            sa.update(t.repositories)
            .where(t.repositories.c.id == row.id)
            .values(path=repo.path, remote_url=repo.remote_url, name=repo.name)
        )
    return int(row.id)


def _insert_ignore(conn: sa.Connection, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    """Insert rows, skipping those a unique constraint already holds (another writer's)."""
    if not rows:
        return
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        conn.execute(pg_insert(table).on_conflict_do_nothing(), rows)
    else:
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        conn.execute(sqlite_insert(table).on_conflict_do_nothing(), rows)


def _model_ids(conn: sa.Connection, names: set[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """Row ids of the ``(kind, name)`` models, created when missing (by another writer too)."""
    by_digest = {t.digest_of(kind, name): (kind, name) for kind, name in names}
    found: dict[tuple[str, str], int] = {}

    def lookup() -> None:
        m = t.models
        for chunk in chunks([d for d, n in by_digest.items() if n not in found]):
            rows = conn.execute(sa.select(m.c.id, m.c.digest).where(m.c.digest.in_(list(chunk))))
            found.update({by_digest[r.digest]: int(r.id) for r in rows})

    lookup()
    missing = [
        {"kind": n[0], "name": n[1], "digest": d} for d, n in by_digest.items() if n not in found
    ]
    if missing:
        _insert_ignore(conn, t.models, missing)
        lookup()
    return found


def identity_row(ident: Identity) -> dict[str, Any]:
    """The ``identities`` row of an identity (without its id)."""
    pub = ident.publisher
    return {
        "digest": identity_digest(ident),
        "canonical_id": ident.canonical_id,
        "family": ident.family,
        "publisher_id": pub.id if pub else None,
        "publisher_name": pub.name if pub else None,
        "country": ident.country,
        "licenses": list(ident.licenses),
        "open_weights": ident.open_weights,
        "lineage": to_data(ident.lineage),
        "lineage_countries": list(ident.lineage_countries),
        "uploader": ident.uploader,
        "evidence": to_data(ident.evidence),
        "confidence": ident.confidence.value,
        "decided_by": ident.decided_by,
    }


def _identity_ids(conn: sa.Connection, idents: Iterable[Identity]) -> dict[str, int]:
    rows = {}
    for ident in idents:
        row = identity_row(ident)
        rows[row["digest"]] = row
    found: dict[str, int] = {}

    def lookup() -> None:
        i = t.identities
        for chunk in chunks([d for d in rows if d not in found]):
            got = conn.execute(sa.select(i.c.id, i.c.digest).where(i.c.digest.in_(list(chunk))))
            found.update({r.digest: int(r.id) for r in got})

    lookup()
    missing = [row for d, row in rows.items() if d not in found]
    if missing:
        _insert_ignore(conn, t.identities, missing)
        lookup()
    return found


def save_scan(
    conn: sa.Connection,
    result: ScanResult,
    repo: RepoIdentity,
    *,
    tree_digest: str | None = None,
    now: datetime | None = None,
) -> SaveOutcome:
    """Save ``result`` of repository ``repo`` on ``conn`` (inside the caller's transaction)."""
    now = now or utcnow()
    repo_id = upsert_repository(conn, repo, now)
    rdigest = result_digest(result)
    dedup = _digest(
        [repo.commit or tree_digest or "", result.tool_version, result.kb_version, rdigest]
    )
    s = t.scans
    existing = conn.execute(
        sa.select(s.c.id).where(s.c.repository_id == repo_id, s.c.dedup_key == dedup)
    ).scalar()
    if existing is not None:
        conn.execute(sa.update(s).where(s.c.id == existing).values(last_seen_at=now))
        return SaveOutcome(int(existing), repo_id, created=False)

    stats = result.stats
    scan_id = int(
        conn.execute(
            sa.insert(s).values(
                repository_id=repo_id,
                started_at=parse_time(result.started_at),
                saved_at=now,
                last_seen_at=now,
                commit_sha=repo.commit,
                branch=repo.branch,
                tree_digest=tree_digest,
                tool_version=result.tool_version,
                kb_version=result.kb_version,
                result_digest=rdigest,
                dedup_key=dedup,
                roots=list(result.roots),
                reference_count=len(result.references),
                model_count=len(distinct_models(result)),
                finding_count=len(result.findings),
                skipped_count=len(result.skipped),
                files_seen=stats.files_seen,
                files_parsed=stats.files_parsed,
                files_cached=stats.files_cached,
                bytes_read=stats.bytes_read,
                duration_s=stats.duration_s,
                files_unmatched=stats.files_unmatched,
                files_inspected=stats.files_inspected,
                files_skipped=stats.files_skipped,
            )
        ).inserted_primary_key[0]  # type: ignore[index]
    )
    _save_contents(conn, scan_id, result)
    return SaveOutcome(scan_id, repo_id, created=True)


def _save_contents(conn: sa.Connection, scan_id: int, result: ScanResult) -> None:
    model_names = {(r.kind.value, r.value) for r in result.references}
    model_names |= {
        ("artifact", artifact_model_name(a.location.path, a.identity)) for a in result.artifacts
    }
    model_ids = _model_ids(conn, model_names)
    idents = [r.identity for r in result.references if r.identity is not None]
    idents += [a.identity for a in result.artifacts if a.identity is not None]
    ident_ids = _identity_ids(conn, idents)

    def ident_id(ident: Identity | None) -> int | None:
        return ident_ids[identity_digest(ident)] if ident is not None else None

    if result.references:
        conn.execute(
            sa.insert(t.model_refs),
            [
                {
                    "scan_id": scan_id,
                    "model_id": model_ids[(r.kind.value, r.value)],
                    "identity_id": ident_id(r.identity),
                    "path": r.location.path,
                    "line": r.location.line,
                    "col": r.location.column,
                    "detector": r.detector,
                    "context": to_data(r.context),
                }
                for r in result.references
            ],
        )
    if result.dependencies:
        conn.execute(
            sa.insert(t.dependencies),
            [
                {
                    "scan_id": scan_id,
                    "ecosystem": d.ecosystem,
                    "name": d.name,
                    "specifier": d.specifier,
                    "category": d.category,
                    "path": d.location.path,
                    "line": d.location.line,
                    "col": d.location.column,
                }
                for d in result.dependencies
            ],
        )
    for art in result.artifacts:
        art_id = conn.execute(
            sa.insert(t.artifacts).values(
                scan_id=scan_id,
                model_id=model_ids[
                    ("artifact", artifact_model_name(art.location.path, art.identity))
                ],
                identity_id=ident_id(art.identity),
                path=art.location.path,
                format=art.format,
                size_bytes=art.size_bytes,
                sha256=art.sha256,
                tensors=art.tensors,
                params=art.params,
                dtype=art.dtype,
                meta=to_data(art.metadata),
                bytes_read=art.bytes_read,
            )
        ).inserted_primary_key[0]  # type: ignore[index]
        _save_findings(conn, scan_id, art.findings, int(art_id))
    _save_findings(conn, scan_id, result.findings, None)
    if result.skipped:
        conn.execute(
            sa.insert(t.skipped),
            [
                {
                    "scan_id": scan_id,
                    "path": k.location.path,
                    "line": k.location.line,
                    "col": k.location.column,
                    "stage": k.stage.value,
                    "reason": k.reason,
                }
                for k in result.skipped
            ],
        )


def _save_findings(
    conn: sa.Connection, scan_id: int, items: Sequence[Finding], artifact_id: int | None
) -> None:
    if not items:
        return
    ids = (
        conn.execute(
            sa.insert(t.findings).returning(t.findings.c.id, sort_by_parameter_order=True),
            [
                {
                    "scan_id": scan_id,
                    "artifact_id": artifact_id,
                    "rule_id": f.rule_id,
                    "severity": f.severity.value,
                    "confidence": f.confidence.value,
                    "title": f.title,
                    "message": f.message,
                    "fingerprint": f.fingerprint,
                    "remediation": f.remediation,
                    "subject": f.subject,
                }
                for f in items
            ],
        )
        .scalars()
        .all()
    )
    conn.execute(
        sa.insert(t.finding_locations),
        [
            {"finding_id": fid, "seq": seq, "path": loc.path, "line": loc.line, "col": loc.column}
            for fid, f in zip(ids, items, strict=True)
            for seq, loc in enumerate(locations_of(f))
        ],
    )


__all__ = [
    "SaveOutcome",
    "artifact_model_name",
    "identity_row",
    "locations_of",
    "parse_time",
    "result_digest",
    "save_scan",
    "utcnow",
]
