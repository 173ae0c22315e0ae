"""A stored scan read back whole, as the ScanResult it was saved from."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
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
from modeldeps.store.queries.rows import chunks


def identity_of_row(row: Any, prefix: str = "i_") -> Identity | None:
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


def identity_columns() -> list[sa.Label[Any]]:
    return [c.label(f"i_{c.name}") for c in t.identities.c]


def _location(path: str, line: int | None, col: int | None) -> Location:
    return Location(path, line, col)


def _finding(row: Any, locations: Sequence[Location]) -> Finding:
    """A stored finding as it was reported. The scan's own findings come from the assess
    stage, which lists every place (``locations``) even when there is one; an artifact's
    findings are as its inspector reported them, at one place and with no list."""
    place = locations[0] if locations else Location("")
    listed = tuple(locations) if row.artifact_id is None or len(locations) > 1 else ()
    return Finding(
        rule_id=row.rule_id,
        severity=Severity(row.severity),
        confidence=Confidence(row.confidence),
        title=row.title,
        message=row.message,
        location=place,
        fingerprint=row.fingerprint,
        remediation=row.remediation,
        subject=row.subject,
        locations=listed,
    )


def locations_by_finding(
    conn: sa.Connection, finding_ids: Sequence[int]
) -> dict[int, list[Location]]:
    fl = t.finding_locations
    out: dict[int, list[Location]] = defaultdict(list)
    for chunk in chunks(finding_ids):
        rows = conn.execute(
            sa.select(fl)
            .where(fl.c.finding_id.in_(list(chunk)))
            .order_by(fl.c.finding_id, fl.c.seq)
        )
        for r in rows:
            out[r.finding_id].append(_location(r.path, r.line, r.col))
    return out


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
            identity=identity_of_row(row),
        )
        for row in conn.execute(
            sa.select(t.model_refs, m.c.kind, m.c.name, *identity_columns())
            .join(m, m.c.id == t.model_refs.c.model_id)
            .outerjoin(i, i.c.id == t.model_refs.c.identity_id)
            .where(t.model_refs.c.scan_id == scan_id)
            .order_by(t.model_refs.c.id)
        )
    ]
    f = t.findings
    finding_rows = list(conn.execute(sa.select(f).where(f.c.scan_id == scan_id).order_by(f.c.id)))
    locations = locations_by_finding(conn, [r.id for r in finding_rows])
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
            identity=identity_of_row(row),
        )
        for row in conn.execute(
            sa.select(a, *identity_columns())
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
        Skipped(_location(row.path, row.line, row.col), Stage(row.stage), row.reason)
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
            # NULL on a scan saved before schema 0003: not recorded, read as none
            files_unmatched=head.files_unmatched or 0,
            files_inspected=head.files_inspected or 0,
            files_skipped=head.files_skipped or 0,
        ),
    )


def identities_by_id(conn: sa.Connection, ids: Iterable[int]) -> dict[int, Identity]:
    """The identities with these row ids."""
    i = t.identities
    out: dict[int, Identity] = {}
    for chunk in chunks(sorted(set(ids))):
        for row in conn.execute(sa.select(*identity_columns()).where(i.c.id.in_(list(chunk)))):
            ident = identity_of_row(row)
            if ident is not None:
                out[row.i_id] = ident
    return out
