"""The dashboard's queries agree with the store's own views and filter as documented."""

from __future__ import annotations

import dataclasses
import itertools
from datetime import datetime

import pytest

from modeldeps.store import queries as sq
from modeldeps.store.connect import Store, open_store
from modeldeps.store.org import build_org_report, compute_shares
from modeldeps.web import findings, inventory, modelpage, overview, queries, repos
from modeldeps.web.digests import ScanDigests
from modeldeps.web.inventory import InventoryFilter
from tests.web.orgstore import HOSTILE, BuiltStore


def _share_key(shares: object) -> tuple[object, ...]:
    s = shares
    return (
        tuple((r.key, r.count) for r in s.by_country),  # type: ignore[attr-defined]
        tuple((r.key, r.label, r.count) for r in s.by_publisher),  # type: ignore[attr-defined]
        s.country_hhi,  # type: ignore[attr-defined]
        s.publisher_hhi,  # type: ignore[attr-defined]
        s.total,  # type: ignore[attr-defined]
        s.unknown,  # type: ignore[attr-defined]
    )


def test_every_point_of_the_history_is_what_the_org_report_said_then(read_store: Store) -> None:
    with read_store.read() as conn:
        history = overview.share_history(conn, ScanDigests())
        assert len(history) == 60  # every day from 2026-09-01 to 2026-10-30
        assert [p.repositories for p in history[:6]] == [1, 2, 3, 4, 5, 5]
        for point in history:
            report = build_org_report(conn, point.at)
            assert _share_key(point.shares) == _share_key(report.shares), point.at


def test_current_shares_are_the_org_reports(read_store: Store) -> None:
    with read_store.read() as conn:
        latest = sorted(sq.latest_scan_ids(conn).values())
        expected = compute_shares(sq.model_uses(conn, latest))
        current = overview.current_shares(conn, ScanDigests())
        last = overview.share_history(conn, ScanDigests())[-1].shares
    assert _share_key(current) == _share_key(expected) == _share_key(last)
    assert {r.key for r in current.by_country} == {"CN", "US", "unknown"}
    assert 0 < current.country_hhi <= 10000


def test_history_is_bucketed_by_week_when_long(read_store: Store) -> None:
    with read_store.read() as conn:
        weekly = overview.share_history(conn, ScanDigests(), max_points=10)
    assert len(weekly) == 9  # 60 days in weeks
    assert all((b.at - a.at).days == 7 for a, b in itertools.pairwise(weekly))
    with read_store.read() as conn:
        assert _share_key(weekly[-1].shares) == _share_key(
            overview.current_shares(conn, ScanDigests())
        )


def test_inventory_filters(read_store: Store) -> None:
    with read_store.read() as conn:
        everything = inventory.inventory(conn, ScanDigests(), InventoryFilter())
        cn = inventory.inventory(conn, ScanDigests(), InventoryFilter(country=("CN",)))
        api = inventory.inventory(conn, ScanDigests(), InventoryFilter(kind=("api_model",)))
        apache = inventory.inventory(conn, ScanDigests(), InventoryFilter(license=("apache-2.0",)))
        ds = inventory.inventory(conn, ScanDigests(), InventoryFilter(publisher=("deepseek",)))
        closed = inventory.inventory(conn, ScanDigests(), InventoryFilter(open_weights="no"))
        named = inventory.inventory(conn, ScanDigests(), InventoryFilter(q="QWEN"))
        repos = {r.name: r.id for r in sq.list_repositories(conn)}
        chat = inventory.inventory(conn, ScanDigests(), InventoryFilter(repo=(repos["chat-web"],)))
    names = {r.name for r in everything.rows}
    # 13 with EMBEDDER = "BAAI/bge-m3", a module constant the recognizer reads (no loader)
    assert everything.total == len(everything.rows) == 13
    assert HOSTILE in names
    assert "mistralai/Mistral-7B-v0.3" not in names  # dropped before the latest scans
    assert {r.country for r in cn.rows} == {"CN"} and len(cn.rows) == 8
    assert {r.kind for r in api.rows} == {"api_model"}
    assert all("apache-2.0" in r.licenses for r in apache.rows) and apache.rows
    assert {r.publisher for r in ds.rows} == {"DeepSeek"}
    assert all(r.open_weights is False for r in closed.rows) and closed.rows
    assert all("qwen" in r.name.lower() for r in named.rows) and len(named.rows) == 3
    assert {r.name for r in chat.rows} == {"claude-sonnet-4-20250514", "gpt-4o-mini"}
    countries = {f.value: f.count for f in everything.facets["country"]}
    assert countries == {"CN": 8, "US": 4, "unknown": 1}


@pytest.mark.parametrize("sort", sorted(inventory.SORTS))
def test_inventory_sorts(read_store: Store, sort: str) -> None:
    with read_store.read() as conn:
        rows = inventory.inventory(conn, ScanDigests(), InventoryFilter(), sort).rows
    keys = [inventory.SORTS[sort](r) for r in rows]
    assert keys == sorted(keys)


def test_model_detail(read_store: Store) -> None:
    with read_store.read() as conn:
        ids = queries.model_ids(conn, [("hub_model", "Qwen/Qwen2.5-7B-Instruct")])
        detail = modelpage.model_detail(conn, ids[("hub_model", "Qwen/Qwen2.5-7B-Instruct")])
        assert modelpage.model_detail(conn, 10**9) is None
        mistral = queries.model_ids(conn, [("hub_model", "mistralai/Mistral-7B-v0.3")])
        gone = modelpage.model_detail(conn, mistral[("hub_model", "mistralai/Mistral-7B-v0.3")])
    assert detail is not None and detail.identity is not None
    assert detail.identity.country == "CN"
    assert {(u.repository, u.location.path, u.location.line) for u in detail.uses} == {
        ("payments-api", "app/llm.py", 9),
        ("payments-api", "app/llm.py", 10),
    }
    assert detail.first_seen == datetime(2026, 9, 1, 9, 0)
    rules = sorted({f.rule_id for f in detail.findings})
    assert rules == ["MD102", "MD401"]
    assert all(f.repository == "payments-api" for f in detail.findings)
    assert gone is not None and not gone.uses
    assert {p.repository for p in gone.past} == {"ml-training", "search-service"}


def test_findings_on_a_model_exclude_another_models_on_the_same_line(
    read_store: Store,
) -> None:
    # app/llm.py line 14 names gpt-4o and nothing else; line 9 and 10 name only Qwen: the
    # findings of one never show on the other's page.
    with read_store.read() as conn:
        ids = queries.model_ids(
            conn, [("api_model", "gpt-4o"), ("hub_model", "Qwen/Qwen2.5-7B-Instruct")]
        )
        gpt = modelpage.model_detail(conn, ids[("api_model", "gpt-4o")])
        qwen = modelpage.model_detail(conn, ids[("hub_model", "Qwen/Qwen2.5-7B-Instruct")])
    assert gpt is not None and qwen is not None
    assert all("Qwen" not in f.message for f in gpt.findings)
    assert all("Qwen/Qwen2.5-7B-Instruct" in f.message for f in qwen.findings)


def test_rule_counts_match_the_store(read_store: Store) -> None:
    with read_store.read() as conn:
        latest = sorted(sq.latest_scan_ids(conn).values())
        expected = {r[0]: (r[1], r[2], r[3]) for r in sq.findings_by_rule(conn, latest)}
        got = {
            c.rule_id: (c.severity, c.findings, c.repositories)
            for c in overview.rule_counts(conn, {})
        }
        items, total = findings.findings_list(conn, rule="MD102", limit=1000)
        first, _ = findings.findings_list(conn, rule="MD102", limit=3)
        rest, _ = findings.findings_list(conn, rule="MD102", limit=1000, offset=3)
        matrix = findings.rule_severity_matrix(conn)
        totals = overview.totals(conn, ScanDigests())
    assert got == expected
    assert total == expected["MD102"][1] == len(items)
    assert [*first, *rest] == items  # pages are slices of one order
    assert all(i.rule_id == "MD102" and i.locations for i in items)
    assert sum(matrix.values()) == totals.findings == sum(v[1] for v in expected.values())
    assert totals.repositories == 5 and totals.scans == 14
    assert totals.models == 12 and totals.endpoints == 1


def test_repository_summaries_and_scan_models(read_store: Store) -> None:
    with read_store.read() as conn:
        summaries = {r.name: r for r in repos.repository_summaries(conn)}
        pay = summaries["payments-api"]
        assert pay.latest is not None
        models = {m.name for m in repos.scan_models(conn, pay.latest.id)}
    assert pay.scans == 3 and pay.worst == "high" and pay.failure is None
    assert summaries["ml-training"].remote_url is None
    failed = summaries["billing-worker"]
    assert failed.scans == 2 and failed.failure is not None
    assert "not valid TOML" in failed.failure.reason
    assert HOSTILE in models and "gpt-4o" in models


def _inventory(conn: object) -> list[tuple[str, str, int, int]]:
    rows = inventory.inventory(conn, ScanDigests(), InventoryFilter()).rows  # type: ignore[arg-type]
    return [(r.name, r.country, r.files, r.references) for r in rows]


def _history(conn: object) -> list[tuple[object, ...]]:
    points = overview.share_history(conn, ScanDigests())  # type: ignore[arg-type]
    return [(p.at, p.repositories, _share_key(p.shares)) for p in points]


def test_same_answers_on_postgresql(pg_org_store: BuiltStore, read_store: Store) -> None:
    with (
        open_store(pg_org_store.url, read_only=True) as pg,
        pg.read() as pconn,
        read_store.read() as sconn,
    ):
        assert overview.current_shares(pconn, ScanDigests()) == overview.current_shares(
            sconn, ScanDigests()
        )
        assert overview.totals(pconn, ScanDigests()) == overview.totals(sconn, ScanDigests())
        assert [
            (p.at, p.repositories, _share_key(p.shares))
            for p in overview.share_history(pconn, ScanDigests())
        ] == [
            (p.at, p.repositories, _share_key(p.shares))
            for p in overview.share_history(sconn, ScanDigests())
        ]
        assert _inventory(pconn) == _inventory(sconn)
        assert [(c.rule_id, c.findings) for c in overview.rule_counts(pconn, {})] == [
            (c.rule_id, c.findings) for c in overview.rule_counts(sconn, {})
        ]


def test_cache_is_keyed_by_what_each_scan_found(org_store: BuiltStore, tmp_path: object) -> None:
    """One cache over two stores whose scans have the same ids but other contents."""
    from pathlib import Path

    from modeldeps.store.save import save_scan
    from tests.web.orgstore import build_store

    digests = ScanDigests()
    with open_store(org_store.url, read_only=True) as store, store.read() as conn:
        before = overview.current_shares(conn, digests)
        rows_before = len(inventory.all_models(conn, digests))
    other = Path(str(tmp_path)) / "other"
    other.mkdir()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XDG_CACHE_HOME", str(other / ".cache"))
        built = build_store(other)
    # Same ids, other results: the last saved scan is replaced by another repository's result.
    with open_store(built.url) as store:
        with store.read() as conn:
            newest = max(sq.list_scans(conn), key=lambda x: x.id)
            donor = next(x for x in sq.list_scans(conn) if x.repository == "payments-api")
            result = sq.load_result(conn, donor.id)
        assert result is not None
        trimmed = dataclasses.replace(result, started_at=newest.started_at.isoformat())
        with store.write() as conn:
            conn.exec_driver_sql(f"DELETE FROM scans WHERE id = {newest.id}")
            repo = sq.list_repositories(conn)
            ident = next(r for r in repo if r.id == newest.repository_id)
            from modeldeps.store.identify import RepoIdentity

            saved = save_scan(
                conn,
                trimmed,
                RepoIdentity(ident.key, ident.name, ident.path, ident.remote_url, "f" * 40),
                now=newest.started_at,
            )
    assert saved.scan_id == newest.id  # SQLite reused the id
    with open_store(built.url, read_only=True) as store, store.read() as conn:
        fresh = overview.current_shares(conn, ScanDigests())
        cached = overview.current_shares(conn, digests)
        assert _share_key(cached) == _share_key(fresh) != _share_key(before)
        assert len(inventory.all_models(conn, digests)) == len(
            inventory.all_models(conn, ScanDigests())
        )
    assert rows_before == 13


def test_a_rule_seen_at_two_severities_counts_every_repository(tmp_path: object) -> None:
    # The overview and the organization report count a rule's repositories the same way (the
    # store's findings_by_rule): a rule graded medium in one repository and low in another is
    # in two repositories, whatever its severities.
    from pathlib import Path

    from modeldeps.model import Location, Severity
    from tests.contract import finding
    from tests.store.builders import repo, result, save

    url = f"sqlite:///{Path(str(tmp_path)) / 's.sqlite3'}"
    with open_store(url) as store:
        for name, sev in (("a", Severity.MEDIUM), ("b", Severity.LOW), ("c", Severity.LOW)):
            found = finding("MD102", sev, "Qwen/Qwen2.5-7B-Instruct", Location("app.py", 3))
            future = finding("MD999", Severity.INFO, "x", Location("app.py", 4))
            save(store, result(findings=(found, future)), repo(name))
        with store.read() as conn:
            counts = {c.rule_id: c for c in overview.rule_counts(conn, {"MD102": "Watched"})}
            latest = sorted(sq.latest_scan_ids(conn).values())
            org = {r[0]: r for r in sq.findings_by_rule(conn, latest)}
            one = overview.rule_counts(conn, {}, sq.list_repositories(conn)[0].id)
    md102 = counts["MD102"]
    assert (md102.severity, md102.findings, md102.repositories) == ("medium", 3, 3)
    assert org["MD102"] == ("MD102", "medium", 3, 3)
    assert md102.title == "Watched"
    assert counts["MD999"].title == "MD999 title"  # unknown here: the title it was saved with
    assert [(c.rule_id, c.repositories) for c in one] == [("MD102", 1), ("MD999", 1)]
