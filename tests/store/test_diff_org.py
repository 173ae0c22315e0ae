"""history diff (two scans, two dates) and the organization report's figures."""

from __future__ import annotations

import dataclasses

import pytest

from modeldeps.errors import UsageError
from modeldeps.model import Location, RefKind, ScanResult, Severity
from modeldeps.store.connect import open_store
from modeldeps.store.diff import diff_dates, diff_scans
from modeldeps.store.org import build_org_report
from modeldeps.summary import hhi
from tests.contract import DEEPSEEK_DISTILL, LLAMA, OPENAI, QWEN, finding
from tests.store.builders import at, ref, repo, result

MD205 = finding("MD205", Severity.HIGH, "Qwen/Qwen2.5-7B-Instruct", Location("app.py", 3))
MD501 = finding("MD501", Severity.HIGH, "https://api.deepseek.com", Location("llm.py", 9))


def _before() -> ScanResult:
    return result(
        ref(RefKind.HUB_MODEL, "Qwen/Qwen2.5-7B-Instruct", "app.py", 3, QWEN),
        ref(RefKind.API_MODEL, "gpt-4o", "llm.py", 4, OPENAI),
        ref(RefKind.HUB_MODEL, "deepseek-ai/DeepSeek-R1-Distill-Llama-8B", "d.py", 1, LLAMA),
        findings=(MD205,),
        started="2026-10-01T10:00:00+00:00",
    )


def _after() -> ScanResult:
    return result(
        ref(RefKind.API_MODEL, "gpt-4o", "llm.py", 4, OPENAI),
        # the KB learnt this model's real publisher and lineage
        ref(
            RefKind.HUB_MODEL,
            "deepseek-ai/DeepSeek-R1-Distill-Llama-8B",
            "d.py",
            1,
            DEEPSEEK_DISTILL,
        ),
        ref(RefKind.ENDPOINT, "https://api.deepseek.com", "llm.py", 9, None),
        findings=(MD501,),
        started="2026-11-01T10:00:00+00:00",
    )


def test_diff_of_two_scans_of_one_repository(tmp_path: object) -> None:
    with open_store(f"sqlite:///{tmp_path}/s.sqlite3") as store:
        with store.write() as conn:
            from modeldeps.store.save import save_scan

            a = save_scan(conn, _before(), repo(commit="1" * 40))
            b = save_scan(conn, _after(), repo(commit="2" * 40))
        with store.read() as conn:
            diff = diff_scans(conn, a.scan_id, b.scan_id)
    assert [(m.kind, m.name) for m in diff.models_added] == [
        ("endpoint", "https://api.deepseek.com")
    ]
    assert [(m.name, m.country, m.whole) for m in diff.models_removed] == [
        ("Qwen/Qwen2.5-7B-Instruct", "CN", True)
    ]
    [changed] = diff.identities_changed
    assert changed.name == "deepseek-ai/DeepSeek-R1-Distill-Llama-8B"
    fields = {c[0]: (c[1], c[2]) for c in changed.changes}
    assert fields["publisher"] == ("Meta", "DeepSeek")
    assert fields["country"] == ("US", "CN")
    assert fields["licenses"] == ("llama3.1", "llama3.1, mit")
    assert fields["lineage"] == ("", "distill meta-llama/Llama-3.1-8B")
    assert [f.rule_id for f in diff.findings_new] == ["MD501"]
    assert [f.rule_id for f in diff.findings_fixed] == ["MD205"]
    before = {r.key: r.share for r in diff.shares_before.by_country}
    after = {r.key: r.share for r in diff.shares_after.by_country}
    assert before == pytest.approx({"US": 2 / 3, "CN": 1 / 3}, abs=1e-4)
    assert after == pytest.approx({"US": 0.5, "CN": 0.5}, abs=1e-4)
    assert diff.shares_after.country_hhi == 5000.0


def test_two_scans_of_different_repositories_are_not_diffed(tmp_path: object) -> None:
    with open_store(f"sqlite:///{tmp_path}/s.sqlite3") as store:
        with store.write() as conn:
            from modeldeps.store.save import save_scan

            a = save_scan(conn, _before(), repo("a"))
            b = save_scan(conn, _after(), repo("b"))
        with store.read() as conn, pytest.raises(UsageError, match="one repository"):
            diff_scans(conn, a.scan_id, b.scan_id)


def test_the_organization_at_two_dates(store_url: str) -> None:
    from modeldeps.store.save import save_scan

    with open_store(store_url) as store:
        with store.write() as conn:
            save_scan(conn, _before(), repo("a", "1" * 40))
            save_scan(conn, _after(), repo("a", "2" * 40))
            # in November repository b drops gpt-4o; a adds an endpoint and drops Qwen
            save_scan(
                conn,
                dataclasses.replace(_before(), started_at="2026-10-05T00:00:00+00:00"),
                repo("b", "3" * 40),
            )
            save_scan(
                conn,
                result(
                    ref(RefKind.HUB_MODEL, "Qwen/Qwen2.5-7B-Instruct", "app.py", 3, QWEN),
                    ref(
                        RefKind.HUB_MODEL,
                        "deepseek-ai/DeepSeek-R1-Distill-Llama-8B",
                        "x.py",
                        2,
                        DEEPSEEK_DISTILL,
                    ),
                    started="2026-11-10T00:00:00+00:00",
                ),
                repo("b", "4" * 40),
            )
        with store.read() as conn:
            diff = diff_dates(
                conn, at("2026-10-31T23:59:59+00:00"), at("2026-11-30T23:59:59+00:00")
            )
    added = {(m.name): m for m in diff.models_added}
    assert set(added) == {"https://api.deepseek.com"}
    removed = {m.name: m for m in diff.models_removed}
    assert removed["gpt-4o"].repositories == ("b",)
    assert not removed["gpt-4o"].whole  # repository a still uses it
    assert diff.before.repositories == ("a", "b") and diff.after.repositories == ("a", "b")


def test_org_report_counts_uses_shares_and_hhi(store_url: str) -> None:
    from modeldeps.store.save import save_scan

    with open_store(store_url) as store:
        with store.write() as conn:
            for name in ("a", "b", "c"):
                save_scan(
                    conn,
                    result(
                        ref(RefKind.API_MODEL, "gpt-4o", "llm.py", 4, OPENAI),
                        findings=(MD501,) if name == "c" else (),
                    ),
                    repo(name),
                )
            save_scan(
                conn,
                result(ref(RefKind.HUB_MODEL, "Qwen/Qwen2.5-7B-Instruct", "app.py", 3, QWEN)),
                repo("a", "9" * 40),
            )
        with store.read() as conn:
            report = build_org_report(conn)
    # a's latest scan has only Qwen: gpt-4o is used by b and c, Qwen by a
    uses = {m.name: len(m.repositories) for m in report.models}
    assert uses == {"gpt-4o": 2, "Qwen/Qwen2.5-7B-Instruct": 1}
    assert [(r.key, r.count) for r in report.shares.by_country] == [("US", 2), ("CN", 1)]
    assert report.shares.country_hhi == hhi([2 / 3, 1 / 3]) == pytest.approx(5555.56)
    assert [(r.rule_id, r.findings, r.repositories) for r in report.rules] == [("MD501", 1, 1)]
    worst = {r.name: r.worst for r in report.repositories}
    assert worst == {"a": None, "b": None, "c": "high"}
    assert report.scans == 3


def test_shares_over_time(store_url: str) -> None:
    from modeldeps.store.org import shares_over_time
    from modeldeps.store.save import save_scan

    with open_store(store_url) as store:
        with store.write() as conn:
            save_scan(conn, _before(), repo("a", "1" * 40))
            save_scan(conn, _after(), repo("a", "2" * 40))
        dates = [at(f"2026-{m:02d}-28T00:00:00+00:00") for m in (9, 10, 11)]
        with store.read() as conn:
            series = shares_over_time(conn, dates)
    cn = [next((r.share for r in s.by_country if r.key == "CN"), 0.0) for _, s in series]
    assert cn == pytest.approx([0.0, 1 / 3, 0.5], abs=1e-4)  # nothing, then growing
