"""The store on SQLite and PostgreSQL: round trip, de-duplication, normalization, queries."""

from __future__ import annotations

import dataclasses

import pytest
import sqlalchemy as sa

from modeldeps.model import Location, RefKind, Severity
from modeldeps.serialize import to_data
from modeldeps.store import queries
from modeldeps.store import schema as t
from modeldeps.store.connect import open_store
from tests.contract import LLAMA, QWEN, finding
from tests.store.builders import at, ref, repo, result, rich_result, save


def test_a_saved_scan_loads_back_as_it_was(store_url: str) -> None:
    res = rich_result()
    with open_store(store_url) as store:
        saved = save(store, res, repo())
        assert saved.created
        with store.read() as conn:
            back = queries.load_result(conn, saved.scan_id)
            row = queries.get_scan(conn, saved.scan_id)
    assert back is not None and row is not None
    assert to_data(back) == to_data(res)
    assert (row.commit, row.branch, row.references, row.findings) == ("a" * 40, "main", 5, 2)
    assert row.models == 4  # three distinct referenced models (endpoint aside) and one artifact


def test_the_same_commit_twice_is_stored_once(store_url: str) -> None:
    first = rich_result("2026-11-01T10:00:00+00:00")
    again = rich_result("2026-11-02T10:00:00+00:00")  # a later run, same commit and findings
    with open_store(store_url) as store:
        a = save(store, first, repo())
        b = save(store, again, repo())
        c = save(store, dataclasses.replace(again, tool_version="0.2.0"), repo())
        d = save(store, again, repo(commit="b" * 40))
        with store.read() as conn:
            scans = queries.list_scans(conn)
            seen = conn.execute(sa.select(t.scans.c.last_seen_at).where(t.scans.c.id == a.scan_id))
            last_seen = seen.scalar_one()
            saved_at = conn.execute(
                sa.select(t.scans.c.saved_at).where(t.scans.c.id == a.scan_id)
            ).scalar_one()
    assert (a.created, b.created, c.created, d.created) == (True, False, True, True)
    assert b.scan_id == a.scan_id
    assert len(scans) == 3
    assert last_seen >= saved_at


def test_names_and_identities_are_stored_once_across_scans(store_url: str) -> None:
    with open_store(store_url) as store:
        for i, name in enumerate(("app", "api", "worker")):
            save(store, rich_result(f"2026-11-0{i + 1}T10:00:00+00:00"), repo(name))
        with store.read() as conn:
            n_models = conn.execute(sa.select(sa.func.count()).select_from(t.models)).scalar()
            n_idents = conn.execute(sa.select(sa.func.count()).select_from(t.identities)).scalar()
            n_refs = conn.execute(sa.select(sa.func.count()).select_from(t.model_refs)).scalar()
    assert n_models == 5  # four referenced names and one artifact, whatever the scan count
    assert n_idents == 3  # Qwen, OpenAI, Llama (the artifact's); unknowns have no row
    assert n_refs == 15


def test_every_location_of_a_finding_is_kept(store_url: str) -> None:
    places = (Location("a.py", 1), Location("b.py", 7, 3), Location("c/d.yaml", 40))
    many = finding("MD102", Severity.MEDIUM, "Qwen/Qwen2.5-7B-Instruct", *places)
    with open_store(store_url) as store:
        saved = save(store, result(findings=(many,)), repo())
        with store.read() as conn:
            rows = queries.findings_of(conn, [saved.scan_id])
            back = queries.load_result(conn, saved.scan_id)
    assert [r.locations for r in rows] == [places]
    assert back is not None and [f.locations for f in back.findings] == [places]


def test_latest_scan_per_repository_at_a_date(store_url: str) -> None:
    with open_store(store_url) as store:
        a1 = save(store, result(started="2026-10-01T09:00:00+00:00"), repo("a", "1" * 40))
        a2 = save(store, rich_result("2026-11-01T09:00:00+00:00"), repo("a", "2" * 40))
        b1 = save(store, result(started="2026-10-15T09:00:00+00:00"), repo("b", "3" * 40))
        with store.read() as conn:
            now = queries.latest_scan_ids(conn)
            october = queries.latest_scan_ids(conn, at("2026-10-20T00:00:00+00:00"))
            september = queries.latest_scan_ids(conn, at("2026-09-01T00:00:00+00:00"))
            scans_of_a = queries.list_scans(conn, a1.repository_id)
            found = queries.find_repositories(conn, "git.example.test/acme/b")
    assert now == {a1.repository_id: a2.scan_id, b1.repository_id: b1.scan_id}
    assert october == {a1.repository_id: a1.scan_id, b1.repository_id: b1.scan_id}
    assert september == {}
    assert [s.id for s in scans_of_a] == [a2.scan_id, a1.scan_id]  # newest first
    assert [r.id for r in found] == [b1.repository_id]


def test_model_uses_and_findings_by_rule_across_repositories(store_url: str) -> None:
    with open_store(store_url) as store:
        ids = [save(store, rich_result(), repo(n)).scan_id for n in ("a", "b")]
        ids.append(
            save(
                store,
                result(
                    ref(RefKind.HUB_MODEL, "meta-llama/Llama-3.1-8B-Instruct", "x.py", 1, LLAMA)
                ),
                repo("c"),
            ).scan_id
        )
        with store.read() as conn:
            uses = {(u.kind, u.name): u for u in queries.model_uses(conn, ids)}
            rules = queries.findings_by_rule(conn, ids)
    qwen = uses[("hub_model", "Qwen/Qwen2.5-7B-Instruct")]
    assert len(qwen.repositories) == 2 and qwen.references == 4
    assert qwen.identity == QWEN
    assert len(uses[("artifact", "meta-llama/Llama-3.1-8B-Instruct")].repositories) == 2
    assert len(uses[("hub_model", "meta-llama/Llama-3.1-8B-Instruct")].repositories) == 1
    assert rules[0][0] in {"MD205", "MD501", "MD201"}
    assert {r[0]: (r[1], r[2], r[3]) for r in rules} == {
        "MD201": ("critical", 2, 2),
        "MD205": ("high", 2, 2),
        "MD501": ("high", 2, 2),
    }


def test_a_store_url_with_a_password_is_never_shown() -> None:
    from modeldeps.store.connect import display_url

    shown = display_url("postgresql+psycopg://me:hunter2@db.example.test/modeldeps")
    assert "hunter2" not in shown and "db.example.test" in shown


@pytest.mark.parametrize("value", ["store.sqlite3", "./x/store.sqlite3"])
def test_a_plain_path_is_a_sqlite_file(value: str) -> None:
    from modeldeps.store.connect import resolve_url

    url, default = resolve_url(value)
    assert url.startswith("sqlite:////") and url.endswith("store.sqlite3") and not default


def test_values_of_any_length_are_stored_whole(store_url: str) -> None:
    from modeldeps.model import Dependency
    from modeldeps.store.identify import RepoIdentity

    long_model = "org/" + "m" * 5000
    res = dataclasses.replace(
        result(ref(RefKind.HUB_MODEL, long_model, "a/" * 900 + "x.py", 1, None)),
        dependencies=(
            Dependency("pypi", "p" * 400, "@ https://x.test/" + "s" * 3000, Location("r")),
        ),
    )
    deep = RepoIdentity(
        key="path:/" + "d/" * 1500,
        name="n" * 600,
        path="/" + "d/" * 1500,
        commit="c" * 40,
        branch="b" * 600,
    )
    with open_store(store_url) as store:
        saved = save(store, res, deep)
        again = save(store, res, deep)
        with store.read() as conn:
            back = queries.load_result(conn, saved.scan_id)
            [found] = queries.find_repositories(conn, deep.key)
    assert not again.created and back is not None
    assert to_data(back) == to_data(res)
    assert found.name == "n" * 600


def test_a_nul_character_from_a_scanned_file_never_fails_a_save(store_url: str) -> None:
    res = result(ref(RefKind.HUB_MODEL, "org/na\x00me", "a\x00.py", 1, None, via="x\x00y"))
    with open_store(store_url) as store:
        saved = save(store, res, repo())
        with store.read() as conn:
            back = queries.load_result(conn, saved.scan_id)
    assert back is not None
    name = back.references[0].value
    # SQLite keeps it; PostgreSQL cannot hold U+0000 and keeps the replacement character
    assert name == ("org/na\x00me" if store_url.startswith("sqlite") else "org/na\ufffdme")
