"""The recognizer's copy of the knowledge base is generated, and fails when it drifts."""

from __future__ import annotations

from pathlib import Path

import pytest

from modeldeps.discover.detectors import gen_kb_vocab, kb_vocab, recognizer
from modeldeps.resolve.sources.bundled import load_kb


def test_generated_module_matches_the_knowledge_base() -> None:
    expected = gen_kb_vocab.render(load_kb())
    current = gen_kb_vocab.TARGET.read_text(encoding="utf-8")
    assert current == expected, (
        "kb_vocab.py is stale: run python -m modeldeps.discover.detectors.gen_kb_vocab"
    )


def test_check_mode_reports_a_stale_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    stale = tmp_path / "kb_vocab.py"
    stale.write_text("# old\n", encoding="utf-8")
    monkeypatch.setattr(gen_kb_vocab, "TARGET", stale)
    assert gen_kb_vocab.main(["--check"]) == 1
    assert gen_kb_vocab.main([]) == 0
    assert gen_kb_vocab.main(["--check"]) == 0


def test_provider_hosts_come_only_from_the_endpoints_table() -> None:
    kb = load_kb()
    assert len(kb_vocab.ENDPOINT_HOSTS) == len(kb.endpoints)
    for endpoint in kb.endpoints:
        host = endpoint.host.replace("*.", "x.").replace("*", "x")
        found = recognizer.provider_for_url(f"https://{host}/v1")
        assert found is not None and found[1] == endpoint.operator, endpoint.host


def test_provider_prefixes_name_kb_publishers() -> None:
    kb = load_kb()
    unknown = {p for p in recognizer.PROVIDER_PREFIXES.values() if p and p not in kb.publishers}
    assert not unknown, f"provider prefixes point at publishers the KB lacks: {unknown}"


def test_every_api_and_family_pattern_yields_prefilter_words() -> None:
    for pattern, _ in (*kb_vocab.API_PATTERNS, *kb_vocab.FAMILY_PATTERNS):
        assert recognizer._literal_prefixes(pattern), pattern
    assert recognizer.prefilter_words() is not None


def test_loader_tables_name_kb_publishers() -> None:
    from modeldeps.discover.detectors.pyast.loaders import CLASS_HINTS, RULES, SDK_OPERATORS

    kb = load_kb()
    ids = {p for _, p, _ in CLASS_HINTS} | {r.provider for r in RULES if r.provider}
    ids |= {op for _, op in SDK_OPERATORS}
    unknown = {p for p in ids if p and p not in kb.publishers}
    assert not unknown, f"loader tables name publishers the KB lacks: {unknown}"
