"""Migrations: the schema the migrations build is the code's, a first-version store upgrades
in place with its data, and a store from a newer modeldeps is refused untouched."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from modeldeps.errors import StoreError
from modeldeps.model import Location
from modeldeps.store import migrate, queries
from modeldeps.store import schema as t
from modeldeps.store.connect import open_store
from modeldeps.store.schema import digest_of, metadata
from tests.store.builders import repo, rich_result, save


def test_head_constant_is_the_newest_migration() -> None:
    assert migrate.script_directory().get_current_head() == migrate.HEAD


def test_migrations_build_exactly_the_schema_in_code(store_url: str) -> None:
    with open_store(store_url) as store, store.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, metadata) == []


def _first_version_store(url: str) -> None:
    """A store as modeldeps wrote it at schema 0001, with one scan in it."""
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        migrate.upgrade(conn, "0001")
    now = dt.datetime(2026, 10, 1, 12, 0, 0)
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO repositories (id, key, key_digest, name, path, remote_url, "
                "first_seen_at) VALUES (1, 'git.example.test/acme/old', :kd, 'old', "
                "'/repos/old', NULL, :now)"
            ),
            {"now": now, "kd": digest_of("git.example.test/acme/old")},
        )
        conn.execute(
            sa.text(
                "INSERT INTO scans (id, repository_id, started_at, saved_at, last_seen_at, "
                "commit_sha, branch, tree_digest, tool_version, kb_version, result_digest, "
                "dedup_key, roots, reference_count, model_count, finding_count, skipped_count, "
                "files_seen, files_parsed, files_cached, bytes_read, duration_s) VALUES "
                "(1, 1, :now, :now, :now, :commit, 'main', NULL, '0.1.0', '2026.10.1', :d, :d, "
                "'[\"/repos/old\"]', 1, 1, 1, 0, 3, 3, 0, 100, 0.1)"
            ),
            {"now": now, "commit": "c" * 40, "d": "d" * 64},
        )
        conn.execute(
            sa.text(
                "INSERT INTO models (id, kind, name, digest) VALUES (1, 'hub_model', 'x/y', :d)"
            ),
            {"d": digest_of("hub_model", "x/y")},
        )
        conn.execute(
            sa.text(
                "INSERT INTO model_refs (scan_id, model_id, identity_id, path, line, col, "
                "detector, context) VALUES (1, 1, NULL, 'app.py', 3, 1, 'python', '{}')"
            )
        )
        conn.execute(
            sa.text(
                "INSERT INTO findings (id, scan_id, artifact_id, rule_id, severity, confidence, "
                "title, message, fingerprint, remediation, subject, path, line, col) VALUES "
                "(1, 1, NULL, 'MD401', 'medium', 'high', 'Unpinned', 'x/y is not pinned', "
                "'f00d', 'pin it', 'x/y', 'app.py', 3, 1)"
            )
        )
        if engine.dialect.name == "postgresql":  # rows inserted with their ids: move sequences
            for table in ("repositories", "scans", "models", "findings"):
                conn.execute(sa.text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), 1)"))
    engine.dispose()


def test_a_first_version_store_upgrades_in_place(store_url: str) -> None:
    _first_version_store(store_url)
    with open_store(store_url) as store:
        with store.read() as conn:
            assert migrate.current_revision(conn) == migrate.HEAD
            old = queries.load_result(conn, 1)
            findings = queries.findings_of(conn, [1])
        assert old is not None
        assert [r.value for r in old.references] == ["x/y"]
        assert [(f.rule_id, f.location.path, f.location.line) for f in old.findings] == [
            ("MD401", "app.py", 3)
        ]
        assert [loc.column for f in findings for loc in f.locations] == [1]
        # and the upgraded store takes new scans
        saved = save(store, rich_result(), repo())
        with store.read() as conn:
            assert len(queries.list_scans(conn)) == 2
            assert queries.load_result(conn, saved.scan_id) is not None


def _second_version_store(url: str) -> None:
    """A store as modeldeps wrote it at schema 0002 (no unmatched, inspected or skipped file
    counts, no line of a skipped entry), with one scan and one skipped file in it."""
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        migrate.upgrade(conn, "0002")
        assert "files_skipped" not in {c["name"] for c in sa.inspect(conn).get_columns("scans")}
    now = dt.datetime(2026, 11, 1, 12, 0, 0)
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO repositories (id, key, key_digest, name, path, remote_url, "
                "first_seen_at) VALUES (1, 'git.example.test/acme/mid', :kd, 'mid', "
                "'/repos/mid', NULL, :now)"
            ),
            {"now": now, "kd": digest_of("git.example.test/acme/mid")},
        )
        conn.execute(
            sa.text(
                "INSERT INTO scans (id, repository_id, started_at, saved_at, last_seen_at, "
                "commit_sha, branch, tree_digest, tool_version, kb_version, result_digest, "
                "dedup_key, roots, reference_count, model_count, finding_count, skipped_count, "
                "files_seen, files_parsed, files_cached, bytes_read, duration_s) VALUES "
                "(1, 1, :now, :now, :now, :commit, 'main', NULL, '0.1.0', '2026.11.1', :d, :d, "
                "'[\"/repos/mid\"]', 0, 0, 0, 0, 7, 5, 2, 100, 0.1)"
            ),
            {"now": now, "commit": "c" * 40, "d": "d" * 64},
        )
        conn.execute(
            sa.text(
                "INSERT INTO skipped (scan_id, path, stage, reason) "
                "VALUES (1, 'big.json', 'detect', 'larger than 4 MiB')"
            )
        )
        if engine.dialect.name == "postgresql":
            for table in ("repositories", "scans"):
                conn.execute(sa.text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), 1)"))
    engine.dispose()


def test_a_0002_store_upgrades_then_keeps_every_count_and_skipped_line(
    store_url: str,
) -> None:
    _second_version_store(store_url)
    with open_store(store_url) as store:
        with store.read() as conn:
            assert migrate.current_revision(conn) == migrate.HEAD
            old = queries.load_result(conn, 1)
        assert old is not None
        # counts the old schema kept come back; those it never recorded read as none
        st = old.stats
        assert (st.files_seen, st.files_parsed, st.files_cached) == (7, 5, 2)
        assert (st.files_unmatched, st.files_inspected, st.files_skipped) == (0, 0, 0)
        assert [(k.location, k.stage.value) for k in old.skipped] == [
            (Location("big.json"), "detect")
        ]
        new = rich_result()
        saved = save(store, new, repo())
        with store.read() as conn:
            back = queries.load_result(conn, saved.scan_id)
            nulls = conn.execute(
                sa.select(t.scans.c.files_unmatched, t.scans.c.files_skipped).where(
                    t.scans.c.id == 1
                )
            ).one()
    assert back is not None and back.stats == new.stats and back.skipped == new.skipped
    assert Location("models.lock", 3) in {k.location for k in back.skipped}
    assert new.stats.files_skipped > 0 and new.stats.files_inspected > 0
    assert tuple(nulls) == (None, None)  # "not recorded", not a count of zero


def test_a_store_from_a_newer_modeldeps_is_refused_and_left_alone(store_url: str) -> None:
    with open_store(store_url) as store:
        save(store, rich_result(), repo())
    engine = sa.create_engine(store_url)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '0099'"))
    with pytest.raises(StoreError, match=r"newer modeldeps \(schema revision 0099"):
        open_store(store_url)
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM scans")).scalar() == 1
        assert conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar() == "0099"
    engine.dispose()


def test_a_database_with_other_tables_named_like_ours_is_not_taken(store_url: str) -> None:
    engine = sa.create_engine(store_url)
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE scans (id INTEGER PRIMARY KEY, note TEXT)"))
    engine.dispose()
    with pytest.raises(StoreError, match="not a store"):
        open_store(store_url)
