"""Schema migrations run programmatically: a store is brought to the newest revision on open."""

from __future__ import annotations

from typing import TYPE_CHECKING

import sqlalchemy as sa

from modeldeps.errors import StoreError

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

#: Alembic's own table; read directly so that opening a current store never imports Alembic.
VERSION_TABLE = "alembic_version"

#: The newest revision this modeldeps knows; a test checks it is the migrations' head.
HEAD = "0003"


def alembic_config() -> Config:
    """A fresh configuration (``upgrade`` hands each its own connection)."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", "modeldeps.store:migrations")
    return cfg


def script_directory() -> ScriptDirectory:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config())


def current_revision(conn: sa.Connection) -> str | None:
    """The revision the store's ``alembic_version`` table names, ``None`` for an empty store."""
    if not sa.inspect(conn).has_table(VERSION_TABLE):
        return None
    version = sa.table(VERSION_TABLE, sa.column("version_num"))
    rows = conn.execute(sa.select(version.c.version_num)).scalars().all()
    if len(rows) > 1:
        raise StoreError(f"the store has several schema revisions ({', '.join(rows)})")
    return str(rows[0]) if rows else None


def check_revision(revision: str | None, tables: set[str], where: str) -> None:
    """Refuse a store written by a newer modeldeps, or a database that is not a store."""
    if revision is None:
        ours = {"repositories", "scans"}
        if tables & ours:
            raise StoreError(
                f"{where} has modeldeps tables but no schema revision; it is not a store "
                "this version can open"
            )
        return
    if revision == HEAD:
        return
    try:
        known = script_directory().get_revision(revision)
    except Exception:  # alembic raises several types for an unknown id
        known = None
    if known is None:
        raise StoreError(
            f"{where} was written by a newer modeldeps (schema revision {revision}; this "
            f"version knows up to {HEAD}); upgrade modeldeps to use it. Nothing was changed."
        )


def upgrade(conn: sa.Connection, target: str = "heads") -> None:
    """Run every migration after the store's revision up to ``target``, on ``conn``."""
    from alembic import command

    cfg = alembic_config()
    cfg.attributes["connection"] = conn
    try:
        command.upgrade(cfg, target)
    finally:
        cfg.attributes.pop("connection", None)
