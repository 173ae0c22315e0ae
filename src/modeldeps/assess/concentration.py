"""Share of the models by publisher country and by publisher, and the Herfindahl–Hirschman index."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from modeldeps.assess.matching import Subject
from modeldeps.summary import hhi, ranked

__all__ = ["Shares", "compute_shares", "hhi", "usage_weights"]


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
    weighted: int = 0  # distinct models of known publisher with a weight above zero


def _ranked(totals: Mapping[str, float]) -> tuple[tuple[str, float], ...]:
    whole = sum(totals.values())
    if whole <= 0:
        return ()
    return tuple((k, round(v / whole, 6)) for k, v in ranked(totals))


def compute_shares(
    items: Iterable[Subject],
    weight: str = "references",
    usage: Mapping[str, float] | None = None,
) -> Shares:
    """Shares by country and publisher of ``items``.

    ``references`` weighs a model by how often it is referenced, ``models`` counts each distinct
    model once, ``usage`` weighs by ``usage[name]`` (e.g. monthly tokens), where a model's names
    are its canonical id and every name it is referenced by (case-insensitive; the usage of all
    of them is added). A model absent from ``usage`` weighs nothing. ``usage`` falls back to
    ``references`` when no usage is given.
    """
    if weight == "usage" and not usage:
        weight = "references"
    per_model: dict[str, float] = defaultdict(float)
    names_of: dict[str, set[str]] = defaultdict(set)
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
        names_of[key] |= {key.lower(), item.value.lower()}
    if weight == "models":
        per_model = defaultdict(float, dict.fromkeys(per_model, 1.0))
    elif weight == "usage" and usage is not None:
        lowered: dict[str, float] = defaultdict(float)
        for name, value in usage.items():
            lowered[name.lower()] += float(value)
        per_model = defaultdict(
            float, {k: sum(lowered.get(n, 0.0) for n in names_of[k]) for k in per_model}
        )
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
        weighted=sum(1 for w in per_model.values() if w > 0),
    )


def usage_weights(path: Path) -> dict[str, float]:
    """Monthly tokens (input, cached input included, plus output) per model in a usage file.

    The file is read by the cost stage's parser (``modeldeps cost --usage`` takes the same
    file); entries for one model under several providers are added.
    """
    from modeldeps.usage import read_usage_file

    totals: dict[str, float] = defaultdict(float)
    for u in read_usage_file(path):
        totals[u.model] += u.input_tokens + u.output_tokens
    return dict(totals)
