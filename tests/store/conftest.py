"""Store fixtures: a store URL on SQLite and on a real PostgreSQL server, and small results.

The PostgreSQL cluster is the one ``make test`` starts (``MODELDEPS_TEST_POSTGRES``); when
the tests run without it, each test process starts its own. If neither works the tests fail:
a store test that silently skipped PostgreSQL would prove nothing about it.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import pg_cluster


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    """The URL of a running PostgreSQL server (its ``postgres`` database)."""
    url = os.environ.get(pg_cluster.ENV)
    if url:
        yield url
        return
    base = Path(tempfile.mkdtemp(prefix="modeldeps-pg-"))
    try:
        url = pg_cluster.start(base)
    except RuntimeError as exc:
        pg_cluster.stop(base)
        pytest.fail(f"PostgreSQL is required for the store tests and could not start: {exc}")
    try:
        yield url
    finally:
        pg_cluster.stop(base)


def _admin(url: str) -> object:
    import psycopg

    return psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True)


@pytest.fixture
def pg_url(pg_server: str) -> Iterator[str]:
    """A fresh, empty database on the server, dropped after the test."""
    name = f"t_{uuid.uuid4().hex[:16]}"
    conn = _admin(pg_server)
    conn.execute(f'CREATE DATABASE "{name}"')  # type: ignore[attr-defined]
    try:
        yield pg_server.rsplit("/", 1)[0] + "/" + name
    finally:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # type: ignore[attr-defined]
        conn.close()  # type: ignore[attr-defined]


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The same test on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.sqlite3'}"
    url: str = request.getfixturevalue("pg_url")
    return url
