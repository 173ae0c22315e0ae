"""What changed between two scans of one repository, or in the organization between two dates:
models added and removed, identities that changed, findings new and fixed, shares before/after."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from modeldeps.errors import UsageError
from modeldeps.model import Identity
from modeldeps.store import queries
from modeldeps.store.org import Shares, compute_shares
from modeldeps.store.queries import FindingRow, ModelUse


@dataclass(frozen=True, slots=True)
class Side:
    """One side of a diff: a scan, or the organization at a date."""

    label: str
    scans: int
    repositories: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ModelChange:
    """A model that appeared in (or left) some repositories."""

    kind: str
    name: str
    publisher: str
    country: str
    repositories: tuple[str, ...]  # where it was added (or removed)
    whole: bool  # new to (or gone from) the whole side, not only from some repositories


@dataclass(frozen=True, slots=True)
class IdentityChange:
    """A model present on both sides whose identity changed (lineage, licence, publisher...)."""

    kind: str
    name: str
    changes: tuple[tuple[str, str, str], ...]  # (field, before, after)


@dataclass(frozen=True, slots=True)
class FindingChange:
    rule_id: str
    severity: str
    repository: str
    subject: str
    message: str
    location: str


@dataclass(frozen=True, slots=True)
class Diff:
    before: Side
    after: Side
    models_added: tuple[ModelChange, ...]
    models_removed: tuple[ModelChange, ...]
    identities_changed: tuple[IdentityChange, ...]
    findings_new: tuple[FindingChange, ...]
    findings_fixed: tuple[FindingChange, ...]
    shares_before: Shares
    shares_after: Shares
    repositories_added: tuple[str, ...]
    repositories_removed: tuple[str, ...]


def _ident_fields(ident: Identity | None) -> dict[str, str]:
    if ident is None:
        return {"publisher": "unknown", "country": "unknown"}
    return {
        "canonical id": ident.canonical_id or "",
        "publisher": ident.publisher.name if ident.publisher else "unknown",
        "country": ident.country,
        "licenses": ", ".join(sorted(ident.licenses)),
        "lineage": "; ".join(f"{e.relation} {e.base}" for e in ident.lineage),
        "open weights": "" if ident.open_weights is None else str(ident.open_weights).lower(),
    }


def _by_repo(uses: list[ModelUse]) -> dict[tuple[str, str], set[int]]:
    return {(u.kind, u.name): set(u.repositories) for u in uses}


def _changes(
    before: dict[tuple[str, str], set[int]],
    after: dict[tuple[str, str], set[int]],
    info: dict[tuple[str, str], ModelUse],
    names: dict[int, str],
) -> list[ModelChange]:
    out = []
    for key in sorted(after):
        gained = after[key] - before.get(key, set())
        if not gained:
            continue
        ident = info[key].identity
        pub = ident.publisher if ident is not None else None
        out.append(
            ModelChange(
                kind=key[0],
                name=key[1],
                publisher=pub.name if pub else "unknown",
                country=pub.country if pub else "unknown",
                repositories=tuple(sorted(names.get(r, str(r)) for r in gained)),
                whole=key not in before,
            )
        )
    return out


def _finding(f: FindingRow, names: dict[int, str]) -> FindingChange:
    loc = f.locations[0] if f.locations else None
    return FindingChange(
        rule_id=f.rule_id,
        severity=f.severity.value,
        repository=names.get(f.repository_id, str(f.repository_id)),
        subject=f.subject,
        message=f.message,
        location=str(loc) if loc is not None else "",
    )


def _diff(
    conn: sa.Connection,
    before: dict[int, int],
    after: dict[int, int],
    labels: tuple[str, str],
) -> Diff:
    """Diff two sets of scans, each at most one per repository (repository id → scan id)."""
    names = {r.id: r.name for r in queries.list_repositories(conn)}
    uses_a = queries.model_uses(conn, sorted(before.values()))
    uses_b = queries.model_uses(conn, sorted(after.values()))
    info = {(u.kind, u.name): u for u in [*uses_a, *uses_b]}  # after wins: newer identity
    map_a, map_b = _by_repo(uses_a), _by_repo(uses_b)
    added = _changes(map_a, map_b, info, names)
    info_a = {(u.kind, u.name): u for u in uses_a}
    removed = _changes(map_b, map_a, {**info, **info_a}, names)

    changed = []
    old = {(u.kind, u.name): u.identity for u in uses_a}
    for use in uses_b:
        key = (use.kind, use.name)
        if key not in old:
            continue
        fa, fb = _ident_fields(old[key]), _ident_fields(use.identity)
        diffs = tuple(
            (k, fa.get(k, ""), fb.get(k, ""))
            for k in fb.keys() | fa.keys()
            if fa.get(k, "") != fb.get(k, "")
        )
        if diffs:
            changed.append(IdentityChange(use.kind, use.name, tuple(sorted(diffs))))
    changed.sort(key=lambda c: (c.kind, c.name))

    # Findings are matched by repository and fingerprint (which carries no line number); only
    # the findings that differ are loaded whole.
    keys_a = queries.finding_keys(conn, sorted(before.values()))
    keys_b = queries.finding_keys(conn, sorted(after.values()))
    new_ids = [fid for key, fid in keys_b.items() if key not in keys_a]
    fixed_ids = [fid for key, fid in keys_a.items() if key not in keys_b]
    new = [_finding(f, names) for f in queries.findings_of(conn, (), finding_ids=new_ids)]
    fixed = [_finding(f, names) for f in queries.findings_of(conn, (), finding_ids=fixed_ids)]

    repos_a, repos_b = set(before), set(after)

    def side(label: str, scans: dict[int, int]) -> Side:
        return Side(label, len(scans), tuple(sorted(names.get(r, str(r)) for r in scans)))

    return Diff(
        before=side(labels[0], before),
        after=side(labels[1], after),
        models_added=tuple(added),
        models_removed=tuple(removed),
        identities_changed=tuple(changed),
        findings_new=tuple(sorted(_dedup(new), key=_order)),
        findings_fixed=tuple(sorted(_dedup(fixed), key=_order)),
        shares_before=compute_shares(uses_a),
        shares_after=compute_shares(uses_b),
        repositories_added=tuple(sorted(names.get(r, str(r)) for r in repos_b - repos_a)),
        repositories_removed=tuple(sorted(names.get(r, str(r)) for r in repos_a - repos_b)),
    )


def _order(c: FindingChange) -> tuple[str, str, str, str]:
    return (c.repository, c.rule_id, c.subject, c.location)


def _dedup(items: list[FindingChange]) -> list[FindingChange]:
    return list(dict.fromkeys(items))


def diff_scans(conn: sa.Connection, scan_a: int, scan_b: int) -> Diff:
    """What changed from scan ``scan_a`` to scan ``scan_b`` (normally of one repository)."""
    rows = {s.id: s for s in queries.get_scans(conn, [scan_a, scan_b])}
    for sid in (scan_a, scan_b):
        if sid not in rows:
            raise UsageError(f"no stored scan #{sid} (see `modeldeps history list`)")
    a, b = rows[scan_a], rows[scan_b]
    if a.repository_id != b.repository_id:
        raise UsageError(
            f"scan #{scan_a} is of {a.repository} and #{scan_b} of {b.repository}; `history diff` "
            "compares two scans of one repository, or the organization at two dates"
        )
    return _diff(conn, {a.repository_id: a.id}, {b.repository_id: b.id}, (_label(a), _label(b)))


def _label(scan: queries.ScanRow) -> str:
    commit = f" {scan.commit[:10]}" if scan.commit else ""
    return f"#{scan.id} {scan.started_at:%Y-%m-%d %H:%M}{commit}"


def diff_dates(conn: sa.Connection, at_a: datetime, at_b: datetime) -> Diff:
    """What changed in the organization from ``at_a`` to ``at_b`` (latest scans at each)."""
    before = queries.latest_scan_ids(conn, at_a)
    after = queries.latest_scan_ids(conn, at_b)
    return _diff(conn, before, after, (f"{at_a:%Y-%m-%d %H:%M:%S}", f"{at_b:%Y-%m-%d %H:%M:%S}"))


def group_by_repository(changes: tuple[FindingChange, ...]) -> dict[str, list[FindingChange]]:
    out: dict[str, list[FindingChange]] = defaultdict(list)
    for c in changes:
        out[c.repository].append(c)
    return out
