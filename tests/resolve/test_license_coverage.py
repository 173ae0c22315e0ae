"""Licences of the 500 most-downloaded Hub models (benchmarks/data/hub_popular.gen.yaml)."""

from __future__ import annotations

from pathlib import Path

from modeldeps import safeyaml
from modeldeps.model import Confidence
from modeldeps.resolve import Resolver
from modeldeps.resolve.coverage import license_basis, license_coverage

LIST = Path(__file__).resolve().parents[2] / "benchmarks" / "data" / "hub_popular.gen.yaml"


def test_the_list_is_the_500_most_downloaded_without_test_fixtures() -> None:
    doc = safeyaml.load(LIST.read_text(encoding="utf-8"))
    models = doc["models"]
    assert len(models) == 500 and doc["sources"][0]["license"] == "MIT"
    downloads = [m["downloads"] for m in models]
    assert downloads == sorted(downloads, reverse=True)
    assert not any("tiny-random" in m["id"] for m in models)


def test_three_quarters_have_a_sourced_licence_and_only_exact_records_are_high() -> None:
    """Measured 75.0 % (exact record or sourced rule; a re-upload counts its base's), 3.4 %
    assumed, the rest unknown offline (long-tail orgs and single persons' accounts)."""
    r = Resolver.create()
    ids = [m["id"] for m in safeyaml.load(LIST.read_text(encoding="utf-8"))["models"]]
    by = license_coverage(ids, r)
    assert (len(by["exact"]) + len(by["rule"])) / len(ids) >= 0.74
    assert len(by["assumed"]) / len(ids) <= 0.05
    for model_id in ids[:200]:
        ident = r.resolve_hub_id(model_id)
        if ident.license_confidence is Confidence.HIGH:
            assert license_basis(ident) == "exact", model_id
