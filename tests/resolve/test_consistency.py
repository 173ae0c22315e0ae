"""One source of truth: every copy of a host, operator id, country or jurisdiction agrees with
the knowledge base (hosts: resolve/data/endpoints.yaml; countries: publishers.yaml)."""

from __future__ import annotations

from modeldeps.assess.policy import JURISDICTIONS
from modeldeps.cost.alternatives import closed_jurisdiction, host_country
from modeldeps.cost.tables import bundled
from modeldeps.discover.detectors import kb_vocab, recognizer
from modeldeps.errors import CostError
from modeldeps.resolve.sources.bundled import load_kb

KB = load_kb()


def _probe(host: str) -> str | None:
    """A concrete host a KB host entry covers (``*.x`` -> ``a.x``), None for inner globs."""
    if host.startswith("*."):
        return "a" + host[1:]
    return None if "*" in host else host


def test_detector_knows_every_kb_host_under_the_kb_operator_id() -> None:
    for ep in KB.endpoints:
        probe = _probe(ep.host)
        if probe is None:
            continue
        found = recognizer.provider_for_url(f"https://{probe}/v1")
        assert found is not None, f"{ep.host} is in endpoints.yaml but the detector misses it"
        op = KB.publisher(found[1])
        assert op is not None and op.id == ep.operator, (ep.host, found[1], ep.operator)


def test_every_detector_host_is_a_kb_endpoint_of_the_same_operator() -> None:
    # the detector's host table is generated from endpoints.yaml (gen_kb_vocab)
    for pattern, facts in kb_vocab.ENDPOINT_HOSTS:
        host = pattern.replace("*", "a")
        ep = KB.endpoint(host)
        assert ep is not None, f"detector host {pattern} is not in endpoints.yaml"
        op = KB.publisher(facts.split()[0])
        assert op is not None and op.id == ep.operator, (pattern, facts, ep.operator)


def test_cost_countries_are_the_kb_countries() -> None:
    for row in bundled("hosts.csv"):
        pub = KB.publisher(row["provider"].split(" ")[0])
        assert pub is not None, f"cost host {row['provider']} is not a KB operator id"
        assert host_country(row["provider"]) == pub.country
    for row in bundled("closed_models.csv"):
        pub = KB.publisher(row["publisher"])
        assert pub is not None and closed_jurisdiction(row["model"], None).country == (pub.country)
    for gone in ("host_countries.csv", "publishers.csv"):  # no second table of countries
        try:
            bundled(gone)
        except CostError:
            continue
        raise AssertionError(f"cost/data/{gone} is a second copy of KB countries")


def test_policy_jurisdictions_are_the_kb_jurisdictions() -> None:
    kb = {j.id: frozenset(j.countries) for j in KB.jurisdictions.values()}
    assert dict(JURISDICTIONS) == kb


def test_prc_flag_matches_the_prc_countries() -> None:
    prc = frozenset(KB.jurisdictions["prc"].countries)
    for p in KB.publishers.values():
        assert ("prc" in p.flags) == (p.country in prc), p.id
    for ep in KB.endpoints:
        op = KB.publishers[ep.operator]
        if op.country in prc:
            assert "prc" in ep.flags, ep.host


def test_one_id_per_operator() -> None:
    ids = set(KB.publishers)
    for p in KB.publishers.values():
        assert not (set(p.aliases) & ids), f"{p.id}: alias is another publisher's id"
    assert KB.publisher("alibaba-qwen") is KB.publishers["alibaba"]
    assert KB.publisher("zai") is KB.publishers["zhipu"]
    assert KB.publisher("moonshotai") is KB.publishers["moonshot"]
    assert KB.publisher("togethercomputer") is KB.publishers["together"]


def test_epoch_countries_agree_with_curated_countries() -> None:
    assert len(KB.country_evidence) >= 30
    for c in KB.country_evidence:
        assert KB.publishers[c.publisher].country == c.country, (c.publisher, c.organization)
