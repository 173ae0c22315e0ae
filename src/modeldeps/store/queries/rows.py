"""Rows the read API returns: frozen dataclasses, one per kind of answer."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from modeldeps.model import Identity, Location, Severity

#: Values per ``IN (...)``: SQLite allows 32766 bound variables, PostgreSQL 65535.
CHUNK = 400


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


def chunks(items: Sequence[Any]) -> Iterable[Sequence[Any]]:
    """``items`` in slices small enough for one ``IN (...)`` on every backend."""
    for i in range(0, len(items), CHUNK):
        yield items[i : i + CHUNK]
