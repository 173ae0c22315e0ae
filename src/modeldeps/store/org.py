"""The organization over stored scans: models by use, shares and concentration, repositories,
findings by rule — computed from the latest scan of every repository (at a date)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from modeldeps import __version__
from modeldeps.model import RefKind
from modeldeps.store import queries
from modeldeps.store.queries import ModelUse
from modeldeps.store.save import utcnow
from modeldeps.summary import hhi, ranked

UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class ShareRow:
    """One row of a share table: a key (country code or publisher id), its label, weight."""

    key: str
    label: str
    count: int  # repositories × models: a model used by three repositories counts three times
    share: float  # of all models, unknown origin included


@dataclass(frozen=True, slots=True)
class Shares:
    """Shares by publisher country and by publisher, with Herfindahl–Hirschman indexes.

    The indexes (0..10000) are over models of known origin only: an unknown publisher is not
    one vendor, and counting it as one would overstate concentration.
    """

    by_country: tuple[ShareRow, ...]
    by_publisher: tuple[ShareRow, ...]
    country_hhi: float
    publisher_hhi: float
    total: int
    unknown: int


@dataclass(frozen=True, slots=True)
class ModelSummary:
    """A model across the organization."""

    kind: str
    name: str
    canonical_id: str | None
    publisher: str  # display name, or "unknown"
    publisher_id: str | None
    country: str
    licenses: tuple[str, ...]
    lineage_countries: tuple[str, ...]
    repositories: tuple[str, ...]  # names of the repositories using it
    references: int


@dataclass(frozen=True, slots=True)
class RepositorySummary:
    """One repository: its latest scan in brief, or why its latest attempt failed."""

    id: int
    name: str
    key: str
    scan_id: int | None
    started_at: datetime | None
    commit: str | None
    models: int
    references: int
    findings: int
    worst: str | None  # the most severe finding's severity
    countries: tuple[str, ...]  # publisher countries of its models
    failed: str | None = None  # reason, when the latest attempt failed


@dataclass(frozen=True, slots=True)
class RuleSummary:
    rule_id: str
    severity: str
    findings: int
    repositories: int


@dataclass(frozen=True, slots=True)
class OrgReport:
    """Everything the organization report shows."""

    generated_at: datetime
    at: datetime | None  # the date the report looks at; None: now
    tool_version: str
    kb_versions: tuple[str, ...]
    repositories: tuple[RepositorySummary, ...]
    models: tuple[ModelSummary, ...]
    shares: Shares
    rules: tuple[RuleSummary, ...]
    scans: int  # scans the report covers (one per repository)


def counts_models(use: ModelUse) -> bool:
    """Endpoints are where requests go, not models; shares count models only."""
    return use.kind != RefKind.ENDPOINT.value


def compute_shares(uses: Sequence[ModelUse]) -> Shares:
    """Shares weighted by the number of repositories using each model."""
    country: Counter[str] = Counter()
    publisher: Counter[str] = Counter()
    labels: dict[str, str] = {UNKNOWN: UNKNOWN}
    for use in uses:
        if not counts_models(use):
            continue
        weight = len(use.repositories)
        ident = use.identity
        if ident is None or ident.publisher is None:
            country[UNKNOWN] += weight
            publisher[UNKNOWN] += weight
            continue
        country[ident.publisher.country] += weight
        publisher[ident.publisher.id] += weight
        labels[ident.publisher.id] = ident.publisher.name
    return shares_from_counts(country, publisher, labels)


def shares_from_counts(
    country: Counter[str], publisher: Counter[str], labels: Mapping[str, str]
) -> Shares:
    """Shares and indexes from (repository, model) pairs counted by country and publisher id.

    ``labels`` maps a publisher id to its name. Shared by ``compute_shares`` and by views that
    count the pairs another way (the dashboard's history of the shares).
    """
    total = sum(v for v in country.values() if v > 0)
    unknown = max(country[UNKNOWN], 0)

    def rows(counter: Counter[str], label: bool) -> tuple[ShareRow, ...]:
        return tuple(
            ShareRow(k, labels.get(k, k) if label else k, v, round(v / total, 4) if total else 0.0)
            for k, v in ranked(counter)
            if v > 0
        )

    def index(counter: Counter[str]) -> float:
        known = {k: v for k, v in counter.items() if k != UNKNOWN and v > 0}
        whole = sum(known.values())
        return hhi(v / whole for v in known.values()) if whole else 0.0

    return Shares(
        by_country=rows(country, False),
        by_publisher=rows(publisher, True),
        country_hhi=index(country),
        publisher_hhi=index(publisher),
        total=total,
        unknown=unknown,
    )


def model_summary(use: ModelUse, names: dict[int, str]) -> ModelSummary:
    ident = use.identity
    pub = ident.publisher if ident is not None else None
    return ModelSummary(
        kind=use.kind,
        name=use.name,
        canonical_id=ident.canonical_id if ident is not None else None,
        publisher=pub.name if pub else UNKNOWN,
        publisher_id=pub.id if pub else None,
        country=pub.country if pub else UNKNOWN,
        licenses=tuple(ident.licenses) if ident is not None else (),
        lineage_countries=tuple(ident.lineage_countries) if ident is not None else (),
        repositories=tuple(sorted(names.get(r, str(r)) for r in use.repositories)),
        references=use.references,
    )


def build_org_report(conn: sa.Connection, at: datetime | None = None) -> OrgReport:
    """The organization as its latest scans (at ``at``) show it."""
    latest = queries.latest_scan_ids(conn, at)
    scan_ids = sorted(latest.values())
    repos = queries.list_repositories(conn)
    names = {r.id: r.name for r in repos}
    uses = queries.model_uses(conn, scan_ids)
    scan_rows = {s.id: s for s in queries.get_scans(conn, scan_ids)}
    failures = queries.latest_failures(conn) if at is None else {}

    countries: dict[int, set[str]] = {}
    for use in uses:
        if not counts_models(use):
            continue
        country = use.identity.country if use.identity is not None else UNKNOWN
        for rid in use.repositories:
            countries.setdefault(rid, set()).add(country)
    worst = queries.worst_severities(conn, scan_ids)

    summaries = []
    for repo in repos:
        scan_id = latest.get(repo.id)
        failure = failures.get(repo.id)
        if scan_id is None and failure is None:
            continue  # not yet scanned at that date
        row = scan_rows.get(scan_id) if scan_id is not None else None
        sev = worst.get(repo.id)
        summaries.append(
            RepositorySummary(
                id=repo.id,
                name=repo.name,
                key=repo.key,
                scan_id=scan_id,
                started_at=row.started_at if row else None,
                commit=row.commit if row else None,
                models=row.models if row else 0,
                references=row.references if row else 0,
                findings=row.findings if row else 0,
                worst=sev.value if sev else None,
                countries=tuple(sorted(countries.get(repo.id, ()))),
                failed=failure.reason if failure is not None else None,
            )
        )
    kb_versions = sorted({s.kb_version for s in scan_rows.values() if s.kb_version})
    return OrgReport(
        generated_at=utcnow(),
        at=at,
        tool_version=__version__,
        kb_versions=tuple(kb_versions),
        repositories=tuple(summaries),
        models=tuple(model_summary(u, names) for u in uses),
        shares=compute_shares(uses),
        rules=tuple(RuleSummary(*r) for r in queries.findings_by_rule(conn, scan_ids)),
        scans=len(scan_ids),
    )


def shares_over_time(
    conn: sa.Connection, dates: Sequence[datetime]
) -> list[tuple[datetime, Shares]]:
    """The organization's shares at each date (latest scans then): how reliant, and growing?"""
    out = []
    for at in dates:
        latest = queries.latest_scan_ids(conn, at)
        out.append((at, compute_shares(queries.model_uses(conn, sorted(latest.values())))))
    return out
