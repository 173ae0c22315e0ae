"""Fixtures of the dashboard tests: an organization store built by scanning, the app, a live
server on 127.0.0.1 and a real headless Chromium."""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pytest

from modeldeps.store.connect import Store, open_store
from modeldeps.usage import ModelUsage
from tests import pg_cluster
from tests.web.orgstore import BuiltStore, build_store

CHROMIUM_NAMES = ("chromium", "chromium-browser")
#: The flags every browser test runs Chromium with: headless, and nothing that calls out.
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)


@contextmanager
def _build(url: str | None = None) -> Iterator[BuiltStore]:
    # A neutral folder name: it shows in failure reasons, and so in the screenshots.
    workdir = Path(tempfile.mkdtemp(prefix="acme-"))
    try:
        with pytest.MonkeyPatch.context() as mp:
            mp.setenv("XDG_CACHE_HOME", str(workdir / ".cache"))
            built = build_store(workdir, url)
        yield built
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture(scope="session")
def org_store() -> Iterator[BuiltStore]:
    """A SQLite store of real scans of five generated repositories (read it, never write)."""
    with _build() as built:
        yield built


@pytest.fixture(scope="session")
def pg_org_store() -> Iterator[BuiltStore]:
    """The same store on a real PostgreSQL server (the session's, or one started here)."""
    import psycopg

    base: Path | None = None
    server = os.environ.get(pg_cluster.ENV)
    if not server:
        base = Path(tempfile.mkdtemp(prefix="modeldeps-pg-"))
        try:
            server = pg_cluster.start(base)
        except RuntimeError as exc:
            pg_cluster.stop(base)
            pytest.fail(f"PostgreSQL is required for the dashboard's store tests: {exc}")
    name = f"web_{uuid.uuid4().hex[:12]}"
    admin = psycopg.connect(
        server.replace("postgresql+psycopg://", "postgresql://"), autocommit=True
    )
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        with _build(server.rsplit("/", 1)[0] + "/" + name) as built:
            yield built
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
        if base is not None:
            pg_cluster.stop(base)


@pytest.fixture(scope="session")
def read_store(org_store: BuiltStore) -> Iterator[Store]:
    with open_store(org_store.url, read_only=True) as store:
        yield store


@contextmanager
def serving(
    store: Store, usages: Sequence[ModelUsage] = (), usage_source: str | None = None
) -> Iterator[str]:
    """The dashboard over ``store`` served by uvicorn on 127.0.0.1 (a free port): its base URL."""
    import uvicorn

    from modeldeps.web.app import create_app
    from modeldeps.web.serve import listen, server_config

    sock = listen("127.0.0.1", 0)
    app = create_app(store, usages=usages, usage_source=usage_source)
    server = uvicorn.Server(server_config(app))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the dashboard server did not start")
        time.sleep(0.02)
    host, port = sock.getsockname()[:2]
    try:
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


@pytest.fixture(scope="session")
def live_server(read_store: Store) -> Iterator[str]:
    """The dashboard over the organization store, with the bundled usage figures."""
    from modeldeps.usage import merge, read_usage_file

    usage = Path(__file__).resolve().parents[2] / "examples" / "usage.toml"
    with serving(
        read_store, usages=merge(read_usage_file(usage)), usage_source="usage.toml"
    ) as url:
        yield url


def chromium_path() -> str:
    """Debian's Chromium; the browser tests fail (never skip) without it."""
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    pytest.fail(
        "headless Chromium is required for the dashboard's browser tests but was not found "
        "(`make browser` installs Debian's chromium, or: apt-get install chromium)"
    )


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """A real headless Chromium driven by Playwright (the system's binary; nothing downloaded)."""
    from playwright.sync_api import Error, sync_playwright

    executable = chromium_path()
    with sync_playwright() as pw:
        try:
            chromium = pw.chromium.launch(executable_path=executable, args=list(CHROMIUM_FLAGS))
        except Error as exc:
            pytest.fail(f"headless Chromium ({executable}) could not be started: {exc}")
        try:
            yield chromium
        finally:
            chromium.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
