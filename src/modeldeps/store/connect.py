"""Open a store by URL: SQLite (the default, a file in the user data folder) or PostgreSQL.

SQLite runs in WAL mode with a busy timeout, so readers never block the writer and concurrent
writers wait instead of failing; a write transaction starts with ``BEGIN IMMEDIATE`` so two
writers queue at the start rather than deadlock on a lock upgrade. A store is migrated to the
newest schema on open; one written by a newer modeldeps is refused, never changed. A store
opened read-only (the dashboard) is never migrated and its connections refuse every write.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError

from modeldeps.errors import StoreError
from modeldeps.store import migrate

ENV_VAR = "MODELDEPS_STORE"
BUSY_TIMEOUT_S = 60.0  # a scan-many driver may hold the write lock for a large scan's rows
CONNECT_TIMEOUT_S = 10  # an unreachable PostgreSQL server is reported, not waited for


def default_path() -> Path:
    """The SQLite store used when no URL is given: ``store.sqlite3`` in the user data folder."""
    import platformdirs

    return Path(platformdirs.user_data_dir("modeldeps", appauthor=False)) / "store.sqlite3"


def resolve_url(value: str | None) -> tuple[str, bool]:
    """The store URL from ``--store``, ``MODELDEPS_STORE`` or the default; and whether default.

    A value without ``://`` is a path to a SQLite file.
    """
    text = value or os.environ.get(ENV_VAR) or ""
    if not text:
        return f"sqlite:///{default_path()}", True
    if "://" not in text:
        return f"sqlite:///{Path(text).expanduser().resolve()}", False
    return text, False


def display_url(url: str) -> str:
    """``url`` with any password hidden, for messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<invalid store URL>"


class Store:
    """An open store: an engine, and transactions for reading and for writing."""

    def __init__(self, engine: sa.Engine, url: str) -> None:
        self.engine = engine
        self.url = url
        self.display = display_url(url)
        self.is_sqlite = engine.dialect.name == "sqlite"

    @contextmanager
    def read(self) -> Iterator[sa.Connection]:
        """A connection in a read transaction (a consistent snapshot under WAL)."""
        try:
            with self.engine.connect() as conn, conn.begin():
                yield conn
        except SQLAlchemyError as exc:
            raise StoreError(f"store {self.display}: {_reason(exc)}") from exc

    @contextmanager
    def write(self) -> Iterator[sa.Connection]:
        """A connection in a write transaction; committed when the block ends without error."""
        try:
            with self.engine.connect() as conn:
                conn = conn.execution_options(modeldeps_write=True)
                with conn.begin():
                    yield conn
        except SQLAlchemyError as exc:
            raise StoreError(f"store {self.display}: {_reason(exc)}") from exc

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _reason(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None)
    text = str(orig if orig is not None else exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def _sqlite_engine(url: sa.URL, read_only: bool = False) -> sa.Engine:
    # The DBAPI's own transaction handling is switched off (isolation_level=None) so that the
    # "begin" hook below decides: BEGIN for reads, BEGIN IMMEDIATE for writes.
    engine = sa.create_engine(
        url,
        connect_args={"timeout": BUSY_TIMEOUT_S, "isolation_level": None},
        poolclass=sa.pool.NullPool if url.database in (None, "", ":memory:") else None,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        cur = dbapi_conn.cursor()
        if read_only:
            # Setting the journal mode may write to the file; a reader leaves it as it is.
            cur.execute("PRAGMA query_only=ON")
        else:
            cur.execute("PRAGMA journal_mode=WAL")
        cur.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_S * 1000)}")
        cur.execute("PRAGMA foreign_keys=ON")
        # With WAL, NORMAL loses no committed transaction when the process is killed;
        # only a power cut can lose the last few.
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: sa.Connection) -> None:
        write = conn.get_execution_options().get("modeldeps_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


def open_store(value: str | None = None, *, create: bool = True, read_only: bool = False) -> Store:
    """Open the store named by ``value`` (or ``MODELDEPS_STORE``, or the default).

    ``create=False`` (the reading commands) refuses to create a store that does not exist.
    ``read_only=True`` (the dashboard) also refuses to migrate one, and every connection
    refuses writes (SQLite ``query_only``, PostgreSQL read-only transactions).
    Raises ``StoreError`` with a message naming the store for every failure.
    """
    create = create and not read_only
    url_text, is_default = resolve_url(value)
    shown = display_url(url_text)
    try:
        url = make_url(url_text)
    except ArgumentError:
        raise StoreError(f"invalid store URL {url_text!r}") from None
    try:
        if url.get_backend_name() == "sqlite":
            engine = _prepare_sqlite(url, is_default, create, shown, read_only)
        elif url.get_backend_name() == "postgresql":
            args: dict[str, Any] = {"connect_timeout": CONNECT_TIMEOUT_S}
            if read_only:
                args["options"] = "-c default_transaction_read_only=on"
            engine = sa.create_engine(url, connect_args=args, pool_pre_ping=True)
        else:
            raise StoreError(
                f"unsupported store URL {shown} (use sqlite:///FILE or postgresql+psycopg://…)"
            )
    except (NoSuchModuleError, ModuleNotFoundError) as exc:
        raise StoreError(
            f"store {shown} needs a database driver that is not installed ({exc}); for "
            "PostgreSQL install the extra: pip install 'modeldeps[postgres]'"
        ) from None
    store = Store(engine, url_text)
    try:
        _ensure_schema(store, create, read_only)
    except StoreError:
        store.close()
        raise
    except SQLAlchemyError as exc:
        store.close()
        raise StoreError(f"cannot open store {shown}: {_reason(exc)}") from None
    return store


def _prepare_sqlite(
    url: sa.URL, is_default: bool, create: bool, shown: str, read_only: bool = False
) -> sa.Engine:
    path = Path(url.database or "")
    if url.database in (None, "", ":memory:"):
        raise StoreError("an in-memory SQLite store keeps nothing; give a file path")
    if not path.exists():
        if not create:
            raise StoreError(
                f"no store at {path} (save a scan with `modeldeps scan --save` or "
                "`modeldeps scan-many` first, or name one with --store)"
            )
        if is_default:
            path.parent.mkdir(parents=True, exist_ok=True)
        elif not path.parent.is_dir():
            raise StoreError(f"cannot create store {shown}: no such directory {path.parent}")
    elif not path.is_file():
        raise StoreError(f"store {shown} is not a file")
    return _sqlite_engine(url, read_only)


def _ensure_schema(store: Store, create: bool, read_only: bool = False) -> None:
    with store.engine.connect() as conn:
        revision = migrate.current_revision(conn)
        tables = set(sa.inspect(conn).get_table_names())
        conn.rollback()
    migrate.check_revision(revision, tables, f"store {store.display}")
    if revision == migrate.HEAD:
        return
    if revision is None and not create:
        raise StoreError(f"store {store.display} is empty (nothing has been saved to it yet)")
    if read_only:
        raise StoreError(
            f"store {store.display} has schema revision {revision}, older than this "
            f"modeldeps reads ({migrate.HEAD}); a writing command (`modeldeps scan --save`) "
            "upgrades it. Opened read-only, nothing was changed."
        )
    _migrate(store)


def _migrate(store: Store) -> None:
    """Bring the store to the newest revision, one process at a time."""
    with store.engine.connect() as conn:
        raw = conn.connection.driver_connection
        if store.is_sqlite:
            # SQLite's procedure for changing a table: foreign keys off outside the
            # transaction (a rebuilt table would otherwise cascade-delete its children),
            # checked once the change is made, on again afterwards.
            raw.execute("PRAGMA foreign_keys=OFF")  # type: ignore[union-attr]
        try:
            wconn = conn.execution_options(modeldeps_write=True)
            with wconn.begin():
                if not store.is_sqlite:
                    # Two processes opening a new PostgreSQL store: the second waits here.
                    wconn.execute(sa.text("SELECT pg_advisory_xact_lock(7316001)"))
                revision = migrate.current_revision(wconn)  # again, under the lock
                migrate.check_revision(revision, set(), f"store {store.display}")
                if revision != migrate.HEAD:
                    migrate.upgrade(wconn)
                if store.is_sqlite:
                    bad = wconn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if bad:
                        raise StoreError(
                            f"store {store.display}: migration left broken references {bad[:3]}"
                        )
        finally:
            if store.is_sqlite:
                raw.execute("PRAGMA foreign_keys=ON")  # type: ignore[union-attr]
