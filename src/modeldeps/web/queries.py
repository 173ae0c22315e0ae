"""What the dashboard's views share: the latest scans, names of models and repositories.

The store's read API (``store.queries``) lists repositories, scans and findings; what only
the dashboard asks is in the modules beside this one (``overview``, ``inventory``,
``modelpage``, ``repos``, ``findings``). Everything reads the latest scan of each repository
unless it says otherwise, and nothing writes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import sqlalchemy as sa

from modeldeps.model import RefKind
from modeldeps.store import schema as t
from modeldeps.store.queries import chunks

ARTIFACT = "artifact"  # the kind the store gives a model known from a weight file


def names_of(conn: sa.Connection, model_ids: Iterable[int]) -> dict[int, tuple[str, str]]:
    m = t.models
    out: dict[int, tuple[str, str]] = {}
    for chunk in chunks(sorted(set(model_ids))):
        for row in conn.execute(
            sa.select(m.c.id, m.c.kind, m.c.name).where(m.c.id.in_(list(chunk)))
        ):
            out[int(row.id)] = (row.kind, row.name)
    return out


def repository_names(conn: sa.Connection) -> dict[int, str]:
    r = t.repositories
    return {int(i): n for i, n in conn.execute(sa.select(r.c.id, r.c.name))}


def models_named(conn: sa.Connection, names: Sequence[str]) -> dict[str, int]:
    """Name → model id for the names the store knows as a hub model (else any kind)."""
    if not names:
        return {}
    m = t.models
    found: dict[str, tuple[bool, int]] = {}
    for chunk in chunks(sorted(set(names))):
        for row in conn.execute(
            sa.select(m.c.id, m.c.kind, m.c.name).where(m.c.name.in_(list(chunk)))
        ):
            rank = (row.kind == RefKind.HUB_MODEL.value, -int(row.id))
            if row.name not in found or rank > found[row.name]:
                found[row.name] = rank
    return {k: -v[1] for k, v in found.items()}


def model_ids(conn: sa.Connection, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """(kind, name) → model id, for the keys the store has."""
    m = t.models
    wanted = sorted(set(keys))
    out: dict[tuple[str, str], int] = {}
    for chunk in chunks(wanted):
        rows = conn.execute(
            sa.select(m.c.id, m.c.kind, m.c.name).where(
                sa.tuple_(m.c.kind, m.c.name).in_(list(chunk))
            )
        )
        out.update({(row.kind, row.name): int(row.id) for row in rows})
    return out
