"""Publisher countries agree between the resolve stage and the cost tables; hosts are sourced."""

from __future__ import annotations

from modeldeps.cost.alternatives import (
    _resolver_country,
    host_country,
    model_jurisdiction,
    publisher_jurisdiction,
)
from modeldeps.cost.architectures import open_models


def test_resolver_and_sourced_table_agree_on_every_open_model() -> None:
    asked = 0
    for arch in open_models():
        resolved = _resolver_country(arch)
        if resolved is None:
            continue
        asked += 1
        assert resolved.country == publisher_jurisdiction(arch.publisher).country, arch.name
    assert asked >= 15  # the resolver knows nearly every bundled model


def test_model_jurisdiction_comes_from_the_resolver() -> None:
    j = model_jurisdiction("Qwen2.5-72B-Instruct")
    assert (j.country, j.source) == ("CN", "modeldeps.resolve knowledge base")


def test_host_countries_come_from_the_knowledge_base() -> None:
    """The KB is the one source of operator countries; ids in any alias scheme resolve."""
    assert host_country("deepinfra") == "US"
    assert host_country("fireworks") == "US" and host_country("sambanova") == "US"
    assert host_country("databricks") == "US"
    assert host_country("moonshotai") == host_country("moonshot") == "CN"
    assert host_country("zai") == host_country("zhipu") == "CN"
    assert host_country("ovhcloud") == "unknown"  # no page found: said so, not guessed
