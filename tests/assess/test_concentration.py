"""Shares by country and publisher, weighting, and the Herfindahl–Hirschman index."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from modeldeps.assess.concentration import compute_shares
from modeldeps.assess.matching import Subject
from modeldeps.model import Location
from modeldeps.summary import hhi
from tests.assess.helpers import ident


def subj(model: str, pub: str, country: str) -> Subject:
    return Subject(Location("a.py"), model, "hub_model", ident(model, pub, country))


def test_weights_by_references_models_and_usage() -> None:
    items = [
        subj("q/1", "qwen", "CN"),
        subj("q/1", "qwen", "CN"),
        subj("q/1", "qwen", "CN"),
        subj("m/1", "meta", "US"),
        Subject(Location("b.py"), "mystery", "hub_model", None),
    ]
    refs = compute_shares(items)
    assert refs.by_country == (("CN", 0.75), ("US", 0.25))
    assert (refs.models, refs.unknown) == (2, 1)
    assert refs.country_hhi == 6250.0
    models = compute_shares(items, "models")
    assert models.by_country == (("CN", 0.5), ("US", 0.5)) and models.publisher_hhi == 5000.0
    usage = compute_shares(items, "usage", {"M/1": 900.0, "q/1": 100.0})
    assert usage.by_publisher == (("meta", 0.9), ("qwen", 0.1)) and usage.weight == "usage"
    assert compute_shares(items, "usage").weight == "references"


def test_empty_input() -> None:
    s = compute_shares([])
    assert s.by_country == () and s.country_hhi == 0.0 and s.models == 0


@given(st.lists(st.sampled_from(["CN", "US", "FR", "GB", "AE"]), min_size=1, max_size=60))
def test_hhi_bounds_and_shares_sum_to_one(countries: list[str]) -> None:
    items = [subj(f"m/{i}", c.lower(), c) for i, c in enumerate(countries)]
    s = compute_shares(items)
    assert abs(sum(v for _, v in s.by_country) - 1.0) < 1e-4
    n = len(s.by_country)
    assert 10000.0 / n - 0.5 <= s.country_hhi <= 10000.0 + 1e-6
    assert s.country_hhi == hhi(v for _, v in s.by_country)
    assert [v for _, v in s.by_country] == sorted((v for _, v in s.by_country), reverse=True)


def test_one_concentration_formula_and_one_share_order() -> None:
    # The scan's rules, the organization report and the dashboard read summary.hhi and
    # summary.ranked; a second copy of either could drift from the other.
    import re
    from pathlib import Path

    import modeldeps

    src = Path(modeldeps.__file__).resolve().parent
    copies = [
        p.relative_to(src).as_posix()
        for p in src.rglob("*.py")
        if p.name != "summary.py"
        and re.search(
            r"def hhi\(|\*\s*100(\.0)?\)\s*\*\*\s*2|key=lambda kv: \(-kv\[1\], kv\[0\]\)",
            p.read_text("utf-8"),
        )
    ]
    assert copies == []
    assert hhi([0.5, 0.5]) == 5000.0 and hhi([1.0]) == 10000.0
