"""One model: its identity, everywhere the latest scans name it, its history and findings."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from modeldeps.model import Identity, Location
from modeldeps.store import queries as sq
from modeldeps.store import schema as t
from modeldeps.store.queries import chunks, latest_ids_select
from modeldeps.web.findings import FindingItem, finding_columns, finding_items
from modeldeps.web.inventory import pick_identity
from modeldeps.web.queries import ARTIFACT, models_named, names_of


@dataclass(frozen=True, slots=True)
class Use:
    """One place a model is named in a repository's latest scan."""

    model_id: int
    repository_id: int
    repository: str
    scan_id: int
    location: Location
    detector: str  # a detector's name, or the weight format for an artifact
    context: dict[str, Any]
    identity_id: int | None


def uses_of(conn: sa.Connection, model_ids: Sequence[int]) -> list[Use]:
    """Every reference and artifact of these models in the latest scans, by repository and file."""
    s, r = t.scans, t.repositories
    out: list[Use] = []
    latest = latest_ids_select()
    for chunk in chunks(sorted(set(model_ids))):
        refs = t.model_refs
        for row in conn.execute(
            sa.select(refs, s.c.repository_id, r.c.name.label("repo"))
            .join(s, s.c.id == refs.c.scan_id)
            .join(r, r.c.id == s.c.repository_id)
            .where(refs.c.model_id.in_(list(chunk)), refs.c.scan_id.in_(latest))
        ):
            out.append(
                Use(
                    row.model_id,
                    row.repository_id,
                    row.repo,
                    row.scan_id,
                    Location(row.path, row.line, row.col),
                    row.detector,
                    dict(row.context),
                    row.identity_id,
                )
            )
        arts = t.artifacts
        for row in conn.execute(
            sa.select(arts, s.c.repository_id, r.c.name.label("repo"))
            .join(s, s.c.id == arts.c.scan_id)
            .join(r, r.c.id == s.c.repository_id)
            .where(arts.c.model_id.in_(list(chunk)), arts.c.scan_id.in_(latest))
        ):
            context: dict[str, Any] = {"format": row.format, "size_bytes": row.size_bytes}
            if row.sha256:
                context["sha256"] = row.sha256
            out.append(
                Use(
                    row.model_id,
                    row.repository_id,
                    row.repo,
                    row.scan_id,
                    Location(row.path),
                    row.format,
                    context,
                    row.identity_id,
                )
            )
    out.sort(key=lambda u: (u.repository.lower(), u.location.path, u.location.line or 0))
    return out


@dataclass(frozen=True, slots=True)
class PastUse:
    """A repository that named the model in an earlier scan but not in its latest."""

    repository_id: int
    repository: str
    last_seen: datetime


@dataclass(frozen=True, slots=True)
class ModelDetail:
    """Everything the model page shows."""

    model_id: int
    kind: str
    name: str
    identity: Identity | None
    other_identities: tuple[Identity, ...]  # when scans resolved the name differently
    uses: tuple[Use, ...]
    past: tuple[PastUse, ...]
    first_seen: datetime | None
    findings: tuple[FindingItem, ...]
    lineage_links: dict[str, int]  # base model name → its model id in the store


def model_detail(conn: sa.Connection, model_id: int) -> ModelDetail | None:
    """The model ``model_id``: identity, uses, history of use, findings; None if unknown."""
    names = names_of(conn, [model_id])
    if model_id not in names:
        return None
    kind, name = names[model_id]
    uses = uses_of(conn, [model_id])
    counts: Counter[int | None] = Counter(u.identity_id for u in uses)
    picked = pick_identity(counts)
    idents = sq.identities_by_id(conn, [i for i in counts if i is not None])
    identity = idents.get(picked) if picked is not None else None
    others = tuple(v for k, v in sorted(idents.items()) if k != picked)
    past, first_seen = _history_of(conn, model_id, {u.repository_id for u in uses})
    bases = [e.base for e in identity.lineage] if identity is not None else []
    return ModelDetail(
        model_id=model_id,
        kind=kind,
        name=name,
        identity=identity,
        other_identities=others,
        uses=tuple(uses),
        past=past,
        first_seen=first_seen,
        findings=tuple(_findings_on(conn, model_id, kind, name, identity)),
        lineage_links=models_named(conn, bases),
    )


def _history_of(
    conn: sa.Connection, model_id: int, current: set[int]
) -> tuple[tuple[PastUse, ...], datetime | None]:
    s, r = t.scans, t.repositories
    seen: dict[int, tuple[str, datetime, datetime]] = {}
    for table in (t.model_refs, t.artifacts):
        query = (
            sa.select(
                s.c.repository_id,
                r.c.name,
                sa.func.min(s.c.started_at).label("first"),
                sa.func.max(s.c.started_at).label("last"),
            )
            .select_from(table)
            .join(s, s.c.id == table.c.scan_id)
            .join(r, r.c.id == s.c.repository_id)
            .where(table.c.model_id == model_id)
            .group_by(s.c.repository_id, r.c.name)
        )
        for row in conn.execute(query):
            old = seen.get(row.repository_id)
            first = min(row.first, old[1]) if old else row.first
            last = max(row.last, old[2]) if old else row.last
            seen[row.repository_id] = (row.name, first, last)
    past = tuple(
        PastUse(rid, name, last)
        for rid, (name, _first, last) in sorted(seen.items(), key=lambda kv: -kv[1][2].timestamp())
        if rid not in current
    )
    first_seen = min((v[1] for v in seen.values()), default=None)
    return past, first_seen


def _findings_on(
    conn: sa.Connection,
    model_id: int,
    kind: str,
    name: str,
    identity: Identity | None,
) -> list[FindingItem]:
    """Findings of the latest scans reported where this model is named (or on its artifact).

    A finding is about the model when one of its locations is a place the model is named in
    the same scan and, if several models are named there, its subject names this one. The
    database matches the places: from the model's references (indexed by model) to the
    findings of their scans (indexed by scan) to each finding's locations (by primary key).
    """
    f, fl, s, r = t.findings, t.finding_locations, t.scans, t.repositories
    refs = t.model_refs
    head_cols = finding_columns()
    latest = latest_ids_select()
    at_refs = (
        sa.select(*head_cols, refs.c.path.label("at_path"), refs.c.line.label("at_line"))
        .select_from(refs)
        .join(f, f.c.scan_id == refs.c.scan_id)
        .join(
            fl,
            sa.and_(
                fl.c.finding_id == f.c.id,
                fl.c.path == refs.c.path,
                fl.c.line.is_not_distinct_from(refs.c.line),
            ),
        )
        .join(s, s.c.id == f.c.scan_id)
        .join(r, r.c.id == s.c.repository_id)
        .where(refs.c.model_id == model_id, refs.c.scan_id.in_(latest))
    )
    heads: dict[int, Any] = {}
    matched: dict[int, set[tuple[int, str, int | None]]] = defaultdict(set)
    for row in conn.execute(at_refs):
        heads[row.id] = row
        matched[row.id].add((row.scan_id, row.at_path, row.at_line))
    if kind == ARTIFACT:
        art = t.artifacts
        on_artifact = (
            sa.select(*head_cols)
            .join(art, art.c.id == f.c.artifact_id)
            .join(s, s.c.id == f.c.scan_id)
            .join(r, r.c.id == s.c.repository_id)
            .where(art.c.model_id == model_id, f.c.scan_id.in_(latest))
        )
        for row in conn.execute(on_artifact):
            heads[row.id] = row
    if not heads:
        return []
    # Several models named on one line: keep a finding whose subject names another of them
    # only when it names this one too.
    named = _names_at(conn, model_id) if matched else {}
    mine = {name.lower()}
    if identity is not None and identity.canonical_id:
        mine.add(identity.canonical_id.lower())
    kept = []
    for fid, row in heads.items():
        subject = (row.subject or "").lower()
        others = set().union(*(named.get(p, set()) for p in matched.get(fid, ())))
        if others and any(o in subject for o in others) and not any(n in subject for n in mine):
            continue
        kept.append(row)
    out = finding_items(conn, kept)
    out.sort(key=lambda x: (-x.severity.rank, x.rule_id, x.repository.lower()))
    return out


def _names_at(conn: sa.Connection, model_id: int) -> dict[tuple[int, str, int | None], set[str]]:
    """(scan, path, line) → names of the other models named where this one is (latest scans)."""
    mine, other, m = t.model_refs.alias("mine"), t.model_refs.alias("other"), t.models
    query = (
        sa.select(other.c.scan_id, other.c.path, other.c.line, m.c.name)
        .select_from(mine)
        .join(
            other,
            sa.and_(
                other.c.scan_id == mine.c.scan_id,
                other.c.path == mine.c.path,
                other.c.line.is_not_distinct_from(mine.c.line),
                other.c.model_id != mine.c.model_id,
            ),
        )
        .join(m, m.c.id == other.c.model_id)
        .where(mine.c.model_id == model_id, mine.c.scan_id.in_(latest_ids_select()))
    )
    out: dict[tuple[int, str, int | None], set[str]] = defaultdict(set)
    for scan_id, path, line, name in conn.execute(query):
        out[(scan_id, path, line)].add(name.lower())
    return out
