"""Share of the models by publisher country and by publisher, and the Herfindahl–Hirschman index."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from modeldeps.assess.matching import Subject

__all__ = ["Shares", "compute_shares", "hhi"]


@dataclass(frozen=True, slots=True)
class Shares:
    """Weighted shares (0..1), largest first; models of unknown origin are counted apart."""

    by_country: tuple[tuple[str, float], ...]
    by_publisher: tuple[tuple[str, float], ...]
    publisher_names: Mapping[str, str]  # publisher id -> display name
    country_hhi: float  # 0..10000
    publisher_hhi: float
    models: int  # distinct models with a known publisher
    unknown: int  # distinct models whose publisher is unknown
    weight: str  # what the shares are weighted by: references, models or usage


def hhi(shares: Iterable[float]) -> float:
    """Herfindahl–Hirschman index: the sum of squared percentage shares (0..10000)."""
    return round(sum((s * 100.0) ** 2 for s in shares), 2)


def _ranked(totals: Mapping[str, float]) -> tuple[tuple[str, float], ...]:
    whole = sum(totals.values())
    if whole <= 0:
        return ()
    ranked = sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))
    return tuple((k, round(v / whole, 6)) for k, v in ranked)


def compute_shares(
    items: Iterable[Subject],
    weight: str = "references",
    usage: Mapping[str, float] | None = None,
) -> Shares:
    """Shares by country and publisher of ``items``.

    ``references`` weighs a model by how often it is referenced, ``models`` counts each distinct
    model once, ``usage`` weighs by ``usage[model_id]`` (e.g. monthly tokens) and falls back to
    ``references`` when no usage is given.
    """
    if weight == "usage" and not usage:
        weight = "references"
    per_model: dict[str, float] = defaultdict(float)
    origin: dict[str, tuple[str, str, str]] = {}
    unknown: set[str] = set()
    for item in items:
        ident = item.identity
        key = item.model_id
        if ident is None or ident.publisher is None:
            unknown.add(key)
            continue
        origin[key] = (ident.publisher.country, ident.publisher.id, ident.publisher.name)
        per_model[key] += 1.0
    if weight == "models":
        per_model = defaultdict(float, dict.fromkeys(per_model, 1.0))
    elif weight == "usage" and usage is not None:
        lowered = {k.lower(): float(v) for k, v in usage.items()}
        per_model = defaultdict(float, {k: lowered.get(k.lower(), 0.0) for k in per_model})
    countries: dict[str, float] = defaultdict(float)
    publishers: dict[str, float] = defaultdict(float)
    names: dict[str, str] = {}
    for key, w in per_model.items():
        country, pub_id, pub_name = origin[key]
        countries[country] += w
        publishers[pub_id] += w
        names[pub_id] = pub_name or pub_id
    by_country = _ranked(countries)
    by_publisher = _ranked(publishers)
    return Shares(
        by_country=by_country,
        by_publisher=by_publisher,
        publisher_names=names,
        country_hhi=hhi(s for _, s in by_country),
        publisher_hhi=hhi(s for _, s in by_publisher),
        models=len(origin),
        unknown=len(unknown - set(origin)),
        weight=weight,
    )
