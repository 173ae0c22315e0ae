"""The inventory: every model of the latest scans, who it is, who uses it, filtered."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from modeldeps.model import Identity, LineageEdge, Location
from modeldeps.store import queries as sq
from modeldeps.store import schema as t
from modeldeps.store.org import UNKNOWN
from modeldeps.store.queries import latest_ids_select
from modeldeps.web.digests import ScanDigests, ScanHead, latest_only
from modeldeps.web.queries import names_of, repository_names


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


def pick_identity(idents: Counter[int | None]) -> int | None:
    """The identity most uses resolved to (a known one over none; the newer on a tie)."""
    known = [(n, iid) for iid, n in idents.items() if iid is not None]
    return max(known)[1] if known else None


def all_models(conn: sa.Connection, digests: ScanDigests) -> list[InventoryRow]:
    """Every model in the latest scans, most used first.

    Kept between requests while the latest scans and the repositories' names are the same:
    those, with the immutable rows of models and identities, are all it is made of.
    """
    latest = latest_only(conn)
    repo_names = repository_names(conn)
    key = (
        tuple(sorted(h.key for h in latest.values())),
        tuple(sorted(repo_names.items())),
    )
    return digests.derived(key, lambda: _all_models(conn, digests, latest, repo_names))


def _all_models(
    conn: sa.Connection,
    digests: ScanDigests,
    latest: dict[int, ScanHead],
    repo_names: dict[int, str],
) -> list[InventoryRow]:
    per_scan = digests.uses(conn, list(latest.values()))
    idents: dict[int, Counter[int | None]] = {}
    repos: dict[int, set[int]] = {}
    files: Counter[int] = Counter()
    refs: Counter[int] = Counter()
    for repo_id, head in latest.items():
        for use in per_scan[head.id]:
            idents.setdefault(use.model_id, Counter())[use.identity_id] += use.references
            repos.setdefault(use.model_id, set()).add(repo_id)
            files[use.model_id] += use.files
            refs[use.model_id] += use.references
    names = names_of(conn, idents)
    picked = {mid: pick_identity(c) for mid, c in idents.items()}
    identities = sq.identities_by_id(conn, [i for i in picked.values() if i is not None])
    rank = {
        rid: n for n, rid in enumerate(sorted(repo_names, key=lambda r: (repo_names[r].lower(), r)))
    }
    rows = []
    for mid in idents:
        kind, name = names[mid]
        iid = picked[mid]
        rows.append(
            InventoryRow(
                model_id=mid,
                kind=kind,
                name=name,
                identity=identities.get(iid) if iid is not None else None,
                repositories=tuple(
                    (r, repo_names.get(r, str(r)))
                    for r in sorted(repos[mid], key=lambda r: rank.get(r, -1))
                ),
                files=files[mid],
                references=refs[mid],
            )
        )
    rows.sort(key=SORTS["repos"])
    return rows


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


def inventory(
    conn: sa.Connection, digests: ScanDigests, f: InventoryFilter, sort: str = "repos"
) -> Inventory:
    """The models of the latest scans that pass ``f``, sorted, with every filter's values."""
    rows = all_models(conn, digests)
    facets = _facets(rows, repository_names(conn))
    chosen = [r for r in rows if _matches(r, f)]
    chosen.sort(key=SORTS.get(sort, SORTS["repos"]))
    return Inventory(tuple(chosen), len(rows), facets)


def places(conn: sa.Connection, model_ids: Sequence[int]) -> dict[int, list[str]]:
    """Model id → every ``repository:path:line`` naming it in the latest scans (for exports)."""
    s = t.scans
    wanted = set(model_ids)
    repo_names = repository_names(conn)
    out: dict[int, list[tuple[str, str, int]]] = {}
    for table in (t.model_refs, t.artifacts):
        line = table.c.line if table is t.model_refs else sa.null()
        query = (
            sa.select(table.c.model_id, s.c.repository_id, table.c.path, line)
            .join(s, s.c.id == table.c.scan_id)
            .where(table.c.scan_id.in_(latest_ids_select()))
        )
        if len(wanted) <= 400:
            query = query.where(table.c.model_id.in_(sorted(wanted)))
        for model_id, repo_id, path, at in conn.execute(query):
            if model_id in wanted:
                out.setdefault(model_id, []).append(
                    (repo_names.get(repo_id, str(repo_id)), path, at or 0)
                )
    return {
        mid: [f"{r}:{Location(p, ln or None)}" for r, p, ln in sorted(items)]
        for mid, items in out.items()
    }
