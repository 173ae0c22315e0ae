"""Summaries of a scan result shared by every report: counts by kind, share by country/publisher."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TypeVar

from modeldeps.model import SEVERITY_ORDER, Identity, RefKind, ScanResult

K = TypeVar("K", bound=str)
V = TypeVar("V", int, float)


@dataclass(frozen=True, slots=True)
class Share:
    """One row of a share table: a key, how many models, and the fraction of the total."""

    key: str
    count: int
    share: float


@dataclass(frozen=True, slots=True)
class Summary:
    """What a report shows first."""

    references_by_kind: tuple[tuple[str, int], ...]
    references_by_file: tuple[tuple[str, int], ...]
    models: int  # distinct models (references de-duplicated by kind and value, plus artifacts)
    by_country: tuple[Share, ...]
    by_publisher: tuple[Share, ...]
    by_lineage_country: tuple[Share, ...]  # models with any base from that country
    findings_by_severity: tuple[tuple[str, int], ...]


def ranked(weights: Mapping[K, V]) -> list[tuple[K, V]]:
    """The rows of a share table in the one order every report uses: largest first, ties by
    key, so the same counts always print in the same order."""
    return sorted(weights.items(), key=lambda kv: (-kv[1], kv[0]))


def hhi(shares: Iterable[float]) -> float:
    """Herfindahl–Hirschman index: the sum of squared percentage shares (0..10000). The one
    formula behind the scan's concentration rules, the organization report and the dashboard."""
    return round(sum((s * 100.0) ** 2 for s in shares), 2)


def _shares(counter: Counter[str], total: int) -> tuple[Share, ...]:
    return tuple(Share(k, v, round(v / total, 4) if total else 0.0) for k, v in ranked(counter))


def distinct_models(result: ScanResult) -> dict[str, Identity | None]:
    """Each distinct model once (endpoints excluded), keyed by ``kind:value`` or artifact path."""
    models: dict[str, Identity | None] = {}
    for ref in result.references:
        if ref.kind is RefKind.ENDPOINT:
            continue
        key = f"{ref.kind.value}:{ref.value}"
        if models.get(key) is None:
            models[key] = ref.identity
    for art in result.artifacts:
        if art.format in {"unrecognized"}:
            continue
        models[f"artifact:{art.location.path}"] = art.identity
    return models


def summarize(result: ScanResult) -> Summary:
    """Compute the summary of ``result`` (a pure function: same result, same summary)."""
    kinds = Counter(r.kind.value for r in result.references)
    files = Counter(r.location.path for r in result.references)
    models = distinct_models(result)
    countries: Counter[str] = Counter()
    publishers: Counter[str] = Counter()
    lineage: Counter[str] = Counter()
    for ident in models.values():
        if ident is None or ident.publisher is None:
            countries["unknown"] += 1
            publishers["unknown"] += 1
        else:
            countries[ident.publisher.country] += 1
            publishers[ident.publisher.name] += 1
        if ident is not None:
            for c in sorted(set(ident.lineage_countries)):
                lineage[c] += 1
    sev = Counter(f.severity.value for f in result.findings)
    return Summary(
        references_by_kind=tuple(sorted(kinds.items())),
        references_by_file=tuple(ranked(files)),
        models=len(models),
        by_country=_shares(countries, len(models)),
        by_publisher=_shares(publishers, len(models)),
        by_lineage_country=_shares(lineage, len(models)),
        findings_by_severity=tuple((s.value, sev[s.value]) for s in SEVERITY_ORDER if sev[s.value]),
    )
