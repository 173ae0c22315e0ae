"""A store opened read-only (as the dashboard opens it) refuses writes and is never migrated."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa

from modeldeps.errors import StoreError
from modeldeps.store import migrate
from modeldeps.store import schema as t
from modeldeps.store.connect import open_store
from modeldeps.store.queries import identities_by_id, list_repositories
from tests.web.orgstore import BuiltStore


def test_reads_work(org_store: BuiltStore) -> None:
    with open_store(org_store.url, read_only=True) as store, store.read() as conn:
        names = {r.name for r in list_repositories(conn)}
    assert names == set(org_store.repositories)


def test_every_write_is_refused(org_store: BuiltStore) -> None:
    before = org_store.path.read_bytes()
    with open_store(org_store.url, read_only=True) as store:
        with pytest.raises(StoreError, match=r"readonly|read-only"), store.read() as conn:
            conn.execute(sa.delete(t.findings))
        with pytest.raises(StoreError), store.write() as conn:
            conn.execute(sa.update(t.repositories).values(name="x"))
    with open_store(org_store.url, read_only=True) as store, store.read() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(t.findings)).scalar()
    assert org_store.path.read_bytes() == before


def test_missing_store_is_not_created(tmp_path: Path) -> None:
    missing = tmp_path / "none.sqlite3"
    with pytest.raises(StoreError, match="no store at"):
        open_store(str(missing), read_only=True)
    assert not missing.exists()


def test_an_older_store_is_refused_not_migrated(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    engine = sa.create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        migrate.upgrade(conn, "0001")
    engine.dispose()
    before = sqlite3.connect(path).execute("select version_num from alembic_version").fetchone()
    with pytest.raises(StoreError, match=r"older than this modeldeps reads .*nothing was changed"):
        open_store(str(path), read_only=True)
    after = sqlite3.connect(path).execute("select version_num from alembic_version").fetchone()
    assert before == after == ("0001",)


def test_identities_by_id(org_store: BuiltStore) -> None:
    with open_store(org_store.url, read_only=True) as store, store.read() as conn:
        ids = [int(i) for i in conn.execute(sa.select(t.identities.c.id)).scalars()]
        found = identities_by_id(conn, [*ids, 10_000_000])
    assert sorted(found) == sorted(ids)
    assert any(i.publisher is not None and i.publisher.country == "CN" for i in found.values())
