"""The dashboard's questions to the store, each answered by a few indexed queries.

The store's read API (``store.queries``) lists repositories, scans and findings; what only
the dashboard asks — an inventory filtered by origin, the history of the shares, a model's
uses and findings, the findings by rule and severity — is here. Everything reads the latest
scan of each repository unless it says otherwise, and nothing writes.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from modeldeps.model import Identity, LineageEdge, Location, RefKind, Severity
from modeldeps.store import queries as sq
from modeldeps.store import schema as t
from modeldeps.store.org import UNKNOWN, Shares, shares_from_counts

ARTIFACT = "artifact"
_CHUNK = 400
#: Kinds that are models; endpoints are where requests go and are not counted as models.
ENDPOINT = RefKind.ENDPOINT.value


def _chunks(items: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for i in range(0, len(items), _CHUNK):
        yield items[i : i + _CHUNK]


def latest_ids_select() -> sa.Select[Any]:
    """``SELECT id`` of the latest scan of every repository (the store's definition)."""
    s = t.scans
    ranked = sa.select(
        s.c.id,
        sa.func.row_number()
        .over(partition_by=s.c.repository_id, order_by=(s.c.started_at.desc(), s.c.id.desc()))
        .label("rn"),
    ).subquery()
    return sa.select(ranked.c.id).where(ranked.c.rn == 1)


# ---------------------------------------------------------------- shares and their history


@dataclass(frozen=True, slots=True)
class SharePoint:
    """The shares the organization's latest scans showed at the end of one day."""

    at: datetime
    repositories: int
    shares: Shares


_Origin = tuple[str, str, str]  # country, publisher id, publisher name ("unknown" thrice)


def _origin(country: str | None, pub_id: str | None, pub_name: str | None) -> _Origin:
    if pub_id is None:
        return (UNKNOWN, UNKNOWN, UNKNOWN)
    return (country or UNKNOWN, pub_id, pub_name or pub_id)


def shares_from(counts: Counter[_Origin]) -> Shares:
    """Shares and indexes (the organization report's arithmetic) from pairs counted by origin."""
    country: Counter[str] = Counter()
    publisher: Counter[str] = Counter()
    labels = {UNKNOWN: UNKNOWN}
    for (c, pid, pname), n in counts.items():
        country[c] += n
        publisher[pid] += n
        labels[pid] = pname
    return shares_from_counts(country, publisher, labels)


def origin_counts_by_scan(
    conn: sa.Connection, scan_ids: sa.Select[Any] | Sequence[int] | None = None
) -> dict[int, Counter[_Origin]]:
    """Per scan, its distinct models (endpoints aside) counted by publisher country and id.

    A model named with several identities in one scan counts once, with the known one.
    """
    m, i = t.models, t.identities
    out: dict[int, Counter[_Origin]] = defaultdict(Counter)
    for table in (t.model_refs, t.artifacts):
        per_model = sa.select(
            table.c.scan_id,
            table.c.model_id,
            sa.func.max(table.c.identity_id).label("iid"),
        ).group_by(table.c.scan_id, table.c.model_id)
        if table is t.model_refs:
            per_model = per_model.join(m, m.c.id == table.c.model_id).where(m.c.kind != ENDPOINT)
        if scan_ids is not None:
            per_model = per_model.where(
                table.c.scan_id.in_(scan_ids if isinstance(scan_ids, sa.Select) else list(scan_ids))
            )
        sub = per_model.subquery()
        query = (
            sa.select(
                sub.c.scan_id, i.c.country, i.c.publisher_id, i.c.publisher_name, sa.func.count()
            )
            .outerjoin(i, i.c.id == sub.c.iid)
            .group_by(sub.c.scan_id, i.c.country, i.c.publisher_id, i.c.publisher_name)
        )
        for scan_id, country, pub_id, pub_name, n in conn.execute(query):
            out[int(scan_id)][_origin(country, pub_id, pub_name)] += int(n)
    return out


def current_shares(conn: sa.Connection) -> Shares:
    """Shares over the latest scan of every repository."""
    total: Counter[_Origin] = Counter()
    for counts in origin_counts_by_scan(conn, latest_ids_select()).values():
        total.update(counts)
    return shares_from(total)


def share_history(conn: sa.Connection, max_points: int = 120) -> tuple[SharePoint, ...]:
    """The shares at the end of every day from the first stored scan to the last.

    Over long histories a point stands for a week (or two, four...) so that there are at most
    ``max_points``. Days without a scan carry the previous state, so the time axis is even.
    Scans are walked in time order keeping each repository's latest, so a point is what the
    organization report would have said at its time; one aggregate per scan is read.
    """
    s = t.scans
    scans = list(
        conn.execute(
            sa.select(s.c.id, s.c.repository_id, s.c.started_at).order_by(s.c.started_at, s.c.id)
        )
    )
    if not scans:
        return ()
    per_scan = origin_counts_by_scan(conn)
    first = scans[0].started_at.date()
    days = (scans[-1].started_at.date() - first).days + 1
    step = 1
    while -(-days // step) > max_points:
        step = 7 if step == 1 else step * 2
    current: dict[int, int] = {}
    totals: Counter[_Origin] = Counter()
    points: list[SharePoint] = []
    i = 0
    for bucket in range(-(-days // step)):
        end = first + timedelta(days=bucket * step + step - 1)
        at = datetime(end.year, end.month, end.day, 23, 59, 59)
        while i < len(scans) and scans[i].started_at <= at:
            row = scans[i]
            old = current.get(row.repository_id)
            if old is not None:
                totals.subtract(per_scan.get(old, Counter()))
            totals.update(per_scan.get(row.id, Counter()))
            current[row.repository_id] = row.id
            i += 1
        points.append(SharePoint(at, len(current), shares_from(+totals)))
    return tuple(points)


# ---------------------------------------------------------------- overview


@dataclass(frozen=True, slots=True)
class RuleCount:
    """One rule over the latest scans: its worst severity, how many findings, repositories."""

    rule_id: str
    title: str
    severity: str
    findings: int
    repositories: int


@dataclass(frozen=True, slots=True)
class Totals:
    """Counts over the latest scan of every repository."""

    repositories: int
    scans: int
    models: int
    references: int
    endpoints: int
    findings: int
    by_severity: tuple[tuple[str, int], ...]


def totals(conn: sa.Connection) -> Totals:
    s, r, m, f = t.scans, t.model_refs, t.models, t.findings
    latest = latest_ids_select()
    repos = conn.execute(sa.select(sa.func.count()).select_from(t.repositories)).scalar() or 0
    scans = conn.execute(sa.select(sa.func.count()).select_from(s)).scalar() or 0
    refs = (
        conn.execute(sa.select(sa.func.sum(s.c.reference_count)).where(s.c.id.in_(latest))).scalar()
        or 0
    )
    in_latest = (
        sa.select(r.c.model_id).where(r.c.scan_id.in_(latest)).group_by(r.c.model_id).subquery()
    )
    kinds: dict[bool, int] = {}
    for kind, n in conn.execute(
        sa.select(m.c.kind, sa.func.count())
        .join(in_latest, in_latest.c.model_id == m.c.id)
        .group_by(m.c.kind)
    ):
        kinds[kind == ENDPOINT] = kinds.get(kind == ENDPOINT, 0) + int(n)
    artifacts = (
        conn.execute(
            sa.select(sa.func.count(sa.distinct(t.artifacts.c.model_id))).where(
                t.artifacts.c.scan_id.in_(latest)
            )
        ).scalar()
        or 0
    )
    sev: dict[str, int] = dict(
        conn.execute(
            sa.select(f.c.severity, sa.func.count())
            .where(f.c.scan_id.in_(latest))
            .group_by(f.c.severity)
        ).all()
    )
    order = [v.value for v in sorted(Severity, key=lambda x: -x.rank)]
    return Totals(
        repositories=int(repos),
        scans=int(scans),
        models=int(kinds.get(False, 0)) + int(artifacts),
        references=int(refs),
        endpoints=int(kinds.get(True, 0)),
        findings=int(sum(sev.values())),
        by_severity=tuple((k, int(sev[k])) for k in order if sev.get(k)),
    )


def rule_counts(
    conn: sa.Connection, titles: dict[str, str], repository_id: int | None = None
) -> list[RuleCount]:
    """Findings of the latest scans by rule: worst severity, count, repositories."""
    f, s = t.findings, t.scans
    query = (
        sa.select(
            f.c.rule_id,
            f.c.severity,
            sa.func.count().label("n"),
            sa.func.count(sa.distinct(s.c.repository_id)).label("repos"),
            sa.func.min(f.c.title).label("title"),
        )
        .join(s, s.c.id == f.c.scan_id)
        .where(f.c.scan_id.in_(latest_ids_select()))
        .group_by(f.c.rule_id, f.c.severity)
    )
    if repository_id is not None:
        query = query.where(s.c.repository_id == repository_id)
    acc: dict[str, list[Any]] = {}
    repos_of: dict[str, int] = {}
    for row in conn.execute(query):
        sev = Severity(row.severity)
        entry = acc.setdefault(row.rule_id, [sev, 0, row.title])
        if sev.rank > entry[0].rank:
            entry[0] = sev
        entry[1] += int(row.n)
        repos_of[row.rule_id] = max(repos_of.get(row.rule_id, 0), int(row.repos))
    out = [
        RuleCount(rule, titles.get(rule, e[2]), e[0].value, e[1], repos_of[rule])
        for rule, e in acc.items()
    ]
    out.sort(key=lambda x: (-Severity(x.severity).rank, -x.findings, x.rule_id))
    return out


def rule_repository_counts(conn: sa.Connection) -> dict[str, int]:
    """Rule id → repositories whose latest scan has a finding of it (exact, any severity)."""
    f, s = t.findings, t.scans
    query = (
        sa.select(f.c.rule_id, sa.func.count(sa.distinct(s.c.repository_id)))
        .join(s, s.c.id == f.c.scan_id)
        .where(f.c.scan_id.in_(latest_ids_select()))
        .group_by(f.c.rule_id)
    )
    return {rule: int(n) for rule, n in conn.execute(query)}


# ---------------------------------------------------------------- inventory


@dataclass(frozen=True, slots=True)
class InventoryFilter:
    """What the inventory shows: each field empty means any."""

    country: tuple[str, ...] = ()
    publisher: tuple[str, ...] = ()  # publisher ids ("unknown" for none)
    license: tuple[str, ...] = ()  # licence ids ("none" for models without one)
    kind: tuple[str, ...] = ()
    repo: tuple[int, ...] = ()
    q: str = ""  # a part of the name, case-insensitive
    open_weights: str = ""  # "yes", "no", "unknown" or ""

    def is_empty(self) -> bool:
        return not (
            self.country
            or self.publisher
            or self.license
            or self.kind
            or self.repo
            or self.q
            or self.open_weights
        )


NO_LICENSE = "none"


@dataclass(frozen=True, slots=True)
class InventoryRow:
    """A model named in the latest scans, who it is, and who uses it."""

    model_id: int
    kind: str
    name: str
    identity: Identity | None
    repositories: tuple[tuple[int, str], ...]  # (id, name), by name
    files: int
    references: int

    @property
    def country(self) -> str:
        return self.identity.country if self.identity is not None else UNKNOWN

    @property
    def publisher_id(self) -> str:
        pub = self.identity.publisher if self.identity is not None else None
        return pub.id if pub is not None else UNKNOWN

    @property
    def publisher(self) -> str:
        pub = self.identity.publisher if self.identity is not None else None
        return pub.name if pub is not None else UNKNOWN

    @property
    def licenses(self) -> tuple[str, ...]:
        return self.identity.licenses if self.identity is not None else ()

    @property
    def open_weights(self) -> bool | None:
        return self.identity.open_weights if self.identity is not None else None

    @property
    def lineage(self) -> tuple[LineageEdge, ...]:
        return self.identity.lineage if self.identity is not None else ()


@dataclass(frozen=True, slots=True)
class Facet:
    """One value a filter can take, its label, and how many models have it."""

    value: str
    label: str
    count: int


@dataclass(frozen=True, slots=True)
class Inventory:
    """The rows a filter selects, and the values each filter offers."""

    rows: tuple[InventoryRow, ...]
    total: int  # models before filtering
    facets: dict[str, tuple[Facet, ...]] = field(default_factory=dict)


def _aggregate_uses(
    conn: sa.Connection,
) -> dict[int, tuple[Counter[int | None], set[int], int, int]]:
    """model id → (identity ids by use, repository ids, files, references) in latest scans."""
    s = t.scans
    latest = latest_ids_select()
    acc: dict[int, tuple[Counter[int | None], set[int], int, int]] = {}
    for table in (t.model_refs, t.artifacts):
        query = (
            sa.select(
                table.c.model_id,
                table.c.identity_id,
                s.c.repository_id,
                sa.func.count().label("n"),
                sa.func.count(sa.distinct(table.c.path)).label("files"),
            )
            .join(s, s.c.id == table.c.scan_id)
            .where(table.c.scan_id.in_(latest))
            .group_by(table.c.model_id, table.c.identity_id, s.c.repository_id)
        )
        for row in conn.execute(query):
            idents, repos, files, refs = acc.get(row.model_id, (Counter(), set(), 0, 0))
            idents[row.identity_id] += int(row.n)
            repos.add(int(row.repository_id))
            acc[row.model_id] = (idents, repos, files + int(row.files), refs + int(row.n))
    return acc


def _pick_identity(idents: Counter[int | None]) -> int | None:
    """The identity most uses resolved to (a known one over none; the newer on a tie)."""
    known = [(n, iid) for iid, n in idents.items() if iid is not None]
    return max(known)[1] if known else None


def _names(conn: sa.Connection, model_ids: Iterable[int]) -> dict[int, tuple[str, str]]:
    m = t.models
    out: dict[int, tuple[str, str]] = {}
    for chunk in _chunks(sorted(set(model_ids))):
        for row in conn.execute(
            sa.select(m.c.id, m.c.kind, m.c.name).where(m.c.id.in_(list(chunk)))
        ):
            out[int(row.id)] = (row.kind, row.name)
    return out


def repository_names(conn: sa.Connection) -> dict[int, str]:
    r = t.repositories
    return {int(i): n for i, n in conn.execute(sa.select(r.c.id, r.c.name))}


def all_models(conn: sa.Connection) -> list[InventoryRow]:
    """Every model in the latest scans, most used first."""
    uses = _aggregate_uses(conn)
    names = _names(conn, uses)
    picked = {mid: _pick_identity(v[0]) for mid, v in uses.items()}
    identities = sq.identities_by_id(conn, [i for i in picked.values() if i is not None])
    repo_names = repository_names(conn)
    rows = []
    for mid, (_idents, repos, files, refs) in uses.items():
        kind, name = names[mid]
        iid = picked[mid]
        rows.append(
            InventoryRow(
                model_id=mid,
                kind=kind,
                name=name,
                identity=identities.get(iid) if iid is not None else None,
                repositories=tuple(
                    sorted(((r, repo_names.get(r, str(r))) for r in repos), key=_by_name)
                ),
                files=files,
                references=refs,
            )
        )
    rows.sort(key=lambda r: (-len(r.repositories), -r.references, r.kind, r.name.lower()))
    return rows


def _by_name(item: tuple[int, str]) -> tuple[str, int]:
    return (item[1].lower(), item[0])


def _matches(row: InventoryRow, f: InventoryFilter) -> bool:
    if f.country and row.country not in f.country:
        return False
    if f.publisher and row.publisher_id not in f.publisher:
        return False
    if f.license and not (set(row.licenses or (NO_LICENSE,)) & set(f.license)):
        return False
    if f.kind and row.kind not in f.kind:
        return False
    if f.repo and not ({r for r, _ in row.repositories} & set(f.repo)):
        return False
    if f.q and f.q.lower() not in row.name.lower():
        return False
    if f.open_weights:
        value = {True: "yes", False: "no", None: "unknown"}[row.open_weights]
        if value != f.open_weights:
            return False
    return True


def _facets(
    rows: Sequence[InventoryRow], repo_names: dict[int, str]
) -> dict[str, tuple[Facet, ...]]:
    countries: Counter[str] = Counter(r.country for r in rows)
    publishers: Counter[str] = Counter(r.publisher_id for r in rows)
    pub_label = {r.publisher_id: r.publisher for r in rows}
    licenses: Counter[str] = Counter(lic for r in rows for lic in (r.licenses or (NO_LICENSE,)))
    kinds: Counter[str] = Counter(r.kind for r in rows)
    repos: Counter[int] = Counter(rid for r in rows for rid, _ in r.repositories)

    def ranked(counter: Counter[str], label: dict[str, str] | None = None) -> tuple[Facet, ...]:
        items = sorted(counter.items(), key=lambda kv: (-kv[1], kv[0].lower()))
        return tuple(Facet(k, (label or {}).get(k, k), n) for k, n in items)

    return {
        "country": ranked(countries),
        "publisher": ranked(publishers, pub_label),
        "license": ranked(licenses),
        "kind": ranked(kinds),
        "repo": tuple(
            Facet(str(rid), repo_names.get(rid, str(rid)), n)
            for rid, n in sorted(repos.items(), key=lambda kv: repo_names.get(kv[0], "").lower())
        ),
    }


#: Orders of the inventory: each a key on a row (ascending).
SORTS: dict[str, Callable[[InventoryRow], tuple[Any, ...]]] = {
    "repos": lambda r: (-len(r.repositories), -r.references, r.name.lower()),
    "name": lambda r: (r.name.lower(),),
    "references": lambda r: (-r.references, r.name.lower()),
    "country": lambda r: (r.country == UNKNOWN, r.country, r.name.lower()),
    "publisher": lambda r: (r.publisher_id == UNKNOWN, r.publisher.lower(), r.name.lower()),
    "kind": lambda r: (r.kind, r.name.lower()),
}


def inventory(conn: sa.Connection, f: InventoryFilter, sort: str = "repos") -> Inventory:
    """The models of the latest scans that pass ``f``, sorted, with every filter's values."""
    rows = all_models(conn)
    facets = _facets(rows, repository_names(conn))
    chosen = [r for r in rows if _matches(r, f)]
    chosen.sort(key=SORTS.get(sort, SORTS["repos"]))
    return Inventory(tuple(chosen), len(rows), facets)


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
    for chunk in _chunks(sorted(set(model_ids))):
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


# ---------------------------------------------------------------- one model


@dataclass(frozen=True, slots=True)
class PastUse:
    """A repository that named the model in an earlier scan but not in its latest."""

    repository_id: int
    repository: str
    last_seen: datetime


@dataclass(frozen=True, slots=True)
class ModelFinding:
    """A finding of a latest scan about a model, with where it is."""

    repository_id: int
    repository: str
    scan_id: int
    rule_id: str
    severity: Severity
    title: str
    message: str
    locations: tuple[Location, ...]


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
    findings: tuple[ModelFinding, ...]
    lineage_links: dict[str, int]  # base model name → its model id in the store


def model_detail(conn: sa.Connection, model_id: int) -> ModelDetail | None:
    """The model ``model_id``: identity, uses, history of use, findings; None if unknown."""
    names = _names(conn, [model_id])
    if model_id not in names:
        return None
    kind, name = names[model_id]
    uses = uses_of(conn, [model_id])
    counts: Counter[int | None] = Counter(u.identity_id for u in uses)
    picked = _pick_identity(counts)
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
        findings=tuple(_findings_on(conn, model_id, kind, name, identity, uses)),
        lineage_links=models_named(conn, bases),
    )


def models_named(conn: sa.Connection, names: Sequence[str]) -> dict[str, int]:
    """Name → model id for the names the store knows as a hub model (else any kind)."""
    if not names:
        return {}
    m = t.models
    found: dict[str, tuple[bool, int]] = {}
    for chunk in _chunks(sorted(set(names))):
        for row in conn.execute(
            sa.select(m.c.id, m.c.kind, m.c.name).where(m.c.name.in_(list(chunk)))
        ):
            rank = (row.kind == RefKind.HUB_MODEL.value, -int(row.id))
            if row.name not in found or rank > found[row.name]:
                found[row.name] = rank
    return {k: -v[1] for k, v in found.items()}


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
    uses: Sequence[Use],
) -> list[ModelFinding]:
    """Findings of the latest scans reported where this model is named (or on its artifact).

    A finding is about the model when one of its locations is a place the model is named
    and, if several models are named there, its subject names this one.
    """
    if not uses:
        return []
    f, fl, s, r = t.findings, t.finding_locations, t.scans, t.repositories
    places = {(u.scan_id, u.location.path, u.location.line) for u in uses}
    scan_ids = sorted({u.scan_id for u in uses})
    heads: dict[int, Any] = {}
    matched: dict[int, set[tuple[int, str, int | None]]] = defaultdict(set)
    head_cols = (f, s.c.repository_id, r.c.name.label("repo"))
    for chunk in _chunks(scan_ids):
        query = (
            sa.select(*head_cols, fl.c.path.label("at_path"), fl.c.line.label("at_line"))
            .join(fl, fl.c.finding_id == f.c.id)
            .join(s, s.c.id == f.c.scan_id)
            .join(r, r.c.id == s.c.repository_id)
            .where(f.c.scan_id.in_(list(chunk)))
        )
        for row in conn.execute(query):
            place = (row.scan_id, row.at_path, row.at_line)
            if place in places:
                heads[row.id] = row
                matched[row.id].add(place)
        if kind == ARTIFACT:
            art = t.artifacts
            query = (
                sa.select(*head_cols)
                .join(art, art.c.id == f.c.artifact_id)
                .join(s, s.c.id == f.c.scan_id)
                .join(r, r.c.id == s.c.repository_id)
                .where(art.c.model_id == model_id, f.c.scan_id.in_(list(chunk)))
            )
            for row in conn.execute(query):
                heads[row.id] = row
    if not heads:
        return []
    # Several models named on one line: keep a finding whose subject names another of them
    # only when it names this one too.
    named = _names_at(conn, scan_ids, set().union(*matched.values()) if matched else set())
    mine = {name.lower()}
    if identity is not None and identity.canonical_id:
        mine.add(identity.canonical_id.lower())
    locations = sq.finding_locations(conn, sorted(heads))
    out = []
    for fid, row in heads.items():
        subject = (row.subject or "").lower()
        others = set().union(*(named.get(p, set()) for p in matched.get(fid, ()))) - mine
        if others and any(o in subject for o in others) and not any(n in subject for n in mine):
            continue
        out.append(
            ModelFinding(
                repository_id=row.repository_id,
                repository=row.repo,
                scan_id=row.scan_id,
                rule_id=row.rule_id,
                severity=Severity(row.severity),
                title=row.title,
                message=row.message,
                locations=tuple(locations.get(fid, ())),
            )
        )
    out.sort(key=lambda x: (-x.severity.rank, x.rule_id, x.repository.lower()))
    return out


def _names_at(
    conn: sa.Connection, scan_ids: Sequence[int], places: set[tuple[int, str, int | None]]
) -> dict[tuple[int, str, int | None], set[str]]:
    refs, m = t.model_refs, t.models
    out: dict[tuple[int, str, int | None], set[str]] = defaultdict(set)
    paths = sorted({p for _s, p, _l in places})
    for chunk in _chunks(paths):
        query = (
            sa.select(refs.c.scan_id, refs.c.path, refs.c.line, m.c.name)
            .join(m, m.c.id == refs.c.model_id)
            .where(refs.c.scan_id.in_(list(scan_ids)), refs.c.path.in_(list(chunk)))
        )
        for row in conn.execute(query):
            key = (row.scan_id, row.path, row.line)
            if key in places:
                out[key].add(row.name.lower())
    return out


# ---------------------------------------------------------------- repositories


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
    f = t.findings
    worst: dict[int, Severity] = {}
    query = (
        sa.select(f.c.scan_id, f.c.severity)
        .where(f.c.scan_id.in_(latest_ids_select()))
        .group_by(f.c.scan_id, f.c.severity)
    )
    for scan_id, sev_text in conn.execute(query):
        sev = Severity(sev_text)
        if scan_id not in worst or sev.rank > worst[scan_id].rank:
            worst[scan_id] = sev
    failures = sq.latest_failures(conn)
    out = []
    for r in repos:
        scan = rows.get(r.latest_scan_id) if r.latest_scan_id is not None else None
        worst_sev = worst.get(scan.id) if scan is not None else None
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
    names = _names(conn, counts)
    picked = {mid: _pick_identity(c) for mid, c in counts.items()}
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


# ---------------------------------------------------------------- findings


def rule_severity_matrix(
    conn: sa.Connection, repository_id: int | None = None
) -> dict[tuple[str, str], int]:
    """(rule id, severity) → findings in the latest scans (of one repository, if given)."""
    f, s = t.findings, t.scans
    query = (
        sa.select(f.c.rule_id, f.c.severity, sa.func.count())
        .where(f.c.scan_id.in_(latest_ids_select()))
        .group_by(f.c.rule_id, f.c.severity)
    )
    if repository_id is not None:
        query = query.join(s, s.c.id == f.c.scan_id).where(s.c.repository_id == repository_id)
    return {(rule, sev): int(n) for rule, sev, n in conn.execute(query)}


@dataclass(frozen=True, slots=True)
class FindingItem:
    """A finding of a latest scan, with its repository and every location."""

    repository_id: int
    repository: str
    scan_id: int
    rule_id: str
    severity: Severity
    title: str
    message: str
    subject: str
    locations: tuple[Location, ...]


def findings_list(
    conn: sa.Connection,
    *,
    rule: str | None = None,
    severity: str | None = None,
    repo: int | None = None,
    limit: int = 1000,
) -> tuple[list[FindingItem], int]:
    """Findings of the latest scans matching the filters (at most ``limit``), and how many."""
    f, s, r = t.findings, t.scans, t.repositories
    where: list[sa.ColumnElement[bool]] = [f.c.scan_id.in_(latest_ids_select())]
    if rule:
        where.append(f.c.rule_id == rule)
    if severity:
        where.append(f.c.severity == severity)
    if repo is not None:
        where.append(s.c.repository_id == repo)
    base = sa.select(f.c.id).join(s, s.c.id == f.c.scan_id).where(*where)
    total = conn.execute(sa.select(sa.func.count()).select_from(base.subquery())).scalar() or 0
    rows = list(
        conn.execute(
            sa.select(f, s.c.repository_id, r.c.name.label("repo"))
            .join(s, s.c.id == f.c.scan_id)
            .join(r, r.c.id == s.c.repository_id)
            .where(*where)
            .order_by(r.c.name, f.c.rule_id, f.c.id)
            .limit(limit)
        )
    )
    locations = sq.finding_locations(conn, [row.id for row in rows])
    items = [
        FindingItem(
            repository_id=row.repository_id,
            repository=row.repo,
            scan_id=row.scan_id,
            rule_id=row.rule_id,
            severity=Severity(row.severity),
            title=row.title,
            message=row.message,
            subject=row.subject,
            locations=tuple(locations.get(row.id, ())),
        )
        for row in rows
    ]
    items.sort(key=lambda x: (-x.severity.rank, x.repository.lower(), x.rule_id))
    return items, int(total)


def model_ids(conn: sa.Connection, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """(kind, name) → model id, for the keys the store has."""
    m = t.models
    wanted = sorted(set(keys))
    out: dict[tuple[str, str], int] = {}
    for chunk in _chunks(wanted):
        rows = conn.execute(
            sa.select(m.c.id, m.c.kind, m.c.name).where(
                sa.tuple_(m.c.kind, m.c.name).in_(list(chunk))
            )
        )
        out.update({(row.kind, row.name): int(row.id) for row in rows})
    return out
