"""What each stored scan names, aggregated once per scan and kept in memory.

A stored scan never changes (saving the same result again only moves its ``last_seen_at``),
so its aggregates are computed once: the models by publisher country and publisher for every
scan (the history of the shares), and for the latest scan of each repository the count of
every (model, identity) (the inventory). Entries are keyed by the scan's id *and* its result
digest — a digest of everything the scan found, identities included — so a scan id reused
after a deletion can never be answered with another scan's figures.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

import sqlalchemy as sa

from modeldeps.model import RefKind
from modeldeps.store import schema as t
from modeldeps.store.org import UNKNOWN
from modeldeps.store.queries import chunks

ENDPOINT = RefKind.ENDPOINT.value
Origin = tuple[str, str, str]  # country, publisher id, publisher name ("unknown" thrice)
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class ScanHead:
    """A stored scan in brief: enough to order it and to key its aggregates."""

    id: int
    repository_id: int
    started_at: datetime
    result_digest: str
    references: int

    @property
    def key(self) -> tuple[int, str]:
        return (self.id, self.result_digest)


@dataclass(frozen=True, slots=True)
class UseCount:
    """How often one scan names one model with one identity, and in how many files."""

    model_id: int
    identity_id: int | None
    references: int
    files: int


def heads(conn: sa.Connection) -> list[ScanHead]:
    """Every stored scan, oldest first (by start time, then id: the store's order)."""
    s = t.scans
    rows = conn.execute(
        sa.select(
            s.c.id, s.c.repository_id, s.c.started_at, s.c.result_digest, s.c.reference_count
        ).order_by(s.c.started_at, s.c.id)
    )
    return [ScanHead(int(r[0]), int(r[1]), r[2], r[3], int(r[4])) for r in rows]


def latest_heads(all_heads: Sequence[ScanHead]) -> dict[int, ScanHead]:
    """Repository id → its latest scan (the last of ``heads`` order, as the store defines)."""
    out: dict[int, ScanHead] = {}
    for head in all_heads:
        out[head.repository_id] = head
    return out


def latest_only(conn: sa.Connection) -> dict[int, ScanHead]:
    """Repository id → its latest scan, asked of the database (no need to read every scan)."""
    s = t.scans
    ranked = sa.select(
        s.c.id,
        s.c.repository_id,
        s.c.started_at,
        s.c.result_digest,
        s.c.reference_count,
        sa.func.row_number()
        .over(partition_by=s.c.repository_id, order_by=(s.c.started_at.desc(), s.c.id.desc()))
        .label("rn"),
    ).subquery()
    rows = conn.execute(
        sa.select(
            ranked.c.id,
            ranked.c.repository_id,
            ranked.c.started_at,
            ranked.c.result_digest,
            ranked.c.reference_count,
        ).where(ranked.c.rn == 1)
    )
    return {int(r[1]): ScanHead(int(r[0]), int(r[1]), r[2], r[3], int(r[4])) for r in rows}


def origin(country: str | None, pub_id: str | None, pub_name: str | None) -> Origin:
    if pub_id is None:
        return (UNKNOWN, UNKNOWN, UNKNOWN)
    return (country or UNKNOWN, pub_id, pub_name or pub_id)


class ScanDigests:
    """The cache. Safe to share between the threads that serve requests."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._origins: dict[tuple[int, str], Counter[Origin]] = {}
        self._uses: dict[tuple[int, str], tuple[UseCount, ...]] = {}
        self._derived: tuple[Hashable, Any] | None = None

    def derived(self, key: Hashable, compute: Callable[[], T]) -> T:
        """The last value computed for ``key`` (which must name every input it depends on)."""
        with self._lock:
            kept = self._derived
        if kept is not None and kept[0] == key:
            value: T = kept[1]
            return value
        value = compute()
        with self._lock:
            self._derived = (key, value)
        return value

    def origins(self, conn: sa.Connection, scans: Sequence[ScanHead]) -> dict[int, Counter[Origin]]:
        """Scan id → its distinct models (endpoints aside) counted by origin.

        A model named with several identities in one scan counts once, with a known one.
        """
        with self._lock:
            missing = [h for h in scans if h.key not in self._origins]
        if missing:
            found = _origin_counts(conn, [h.id for h in missing])
            with self._lock:
                for h in missing:
                    self._origins[h.key] = found.get(h.id, Counter())
        with self._lock:
            return {h.id: self._origins[h.key] for h in scans}

    def uses(
        self, conn: sa.Connection, scans: Sequence[ScanHead]
    ) -> dict[int, tuple[UseCount, ...]]:
        """Scan id → what it names, per (model, identity). Only these scans stay cached."""
        wanted = {h.key for h in scans}
        with self._lock:
            missing = [h for h in scans if h.key not in self._uses]
        if missing:
            found = _use_counts(conn, [h.id for h in missing])
            with self._lock:
                for h in missing:
                    self._uses[h.key] = found.get(h.id, ())
        with self._lock:
            # Keep the scans asked for (the latest ones); older ones are not asked again.
            for key in [k for k in self._uses if k not in wanted]:
                del self._uses[key]
            return {h.id: self._uses[h.key] for h in scans}


def _origin_counts(conn: sa.Connection, scan_ids: Sequence[int]) -> dict[int, Counter[Origin]]:
    m, i = t.models, t.identities
    out: dict[int, Counter[Origin]] = {}
    for chunk in chunks(sorted(scan_ids)):
        for table in (t.model_refs, t.artifacts):
            per_model = (
                sa.select(
                    table.c.scan_id,
                    table.c.model_id,
                    sa.func.max(table.c.identity_id).label("iid"),
                )
                .where(table.c.scan_id.in_(list(chunk)))
                .group_by(table.c.scan_id, table.c.model_id)
            )
            if table is t.model_refs:
                per_model = per_model.join(m, m.c.id == table.c.model_id).where(
                    m.c.kind != ENDPOINT
                )
            sub = per_model.subquery()
            query = (
                sa.select(
                    sub.c.scan_id,
                    i.c.country,
                    i.c.publisher_id,
                    i.c.publisher_name,
                    sa.func.count(),
                )
                .outerjoin(i, i.c.id == sub.c.iid)
                .group_by(sub.c.scan_id, i.c.country, i.c.publisher_id, i.c.publisher_name)
            )
            for scan_id, country, pub_id, pub_name, n in conn.execute(query):
                out.setdefault(int(scan_id), Counter())[origin(country, pub_id, pub_name)] += int(n)
    return out


def _use_counts(conn: sa.Connection, scan_ids: Sequence[int]) -> dict[int, tuple[UseCount, ...]]:
    acc: dict[int, list[UseCount]] = {}
    for chunk in chunks(sorted(scan_ids)):
        for table in (t.model_refs, t.artifacts):
            query = (
                sa.select(
                    table.c.scan_id,
                    table.c.model_id,
                    table.c.identity_id,
                    sa.func.count(),
                    sa.func.count(sa.distinct(table.c.path)),
                )
                .where(table.c.scan_id.in_(list(chunk)))
                .group_by(table.c.scan_id, table.c.model_id, table.c.identity_id)
            )
            for scan_id, model_id, identity_id, n, files in conn.execute(query):
                acc.setdefault(int(scan_id), []).append(
                    UseCount(
                        int(model_id),
                        int(identity_id) if identity_id is not None else None,
                        int(n),
                        int(files),
                    )
                )
    return {k: tuple(v) for k, v in acc.items()}
