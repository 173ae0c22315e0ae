"""Summaries of a scan result shared by every report: counts by kind, share by country/publisher."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from modeldeps.model import Identity, RefKind, ScanResult


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


def _shares(counter: Counter[str], total: int) -> tuple[Share, ...]:
    rows = sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))
    return tuple(Share(k, v, round(v / total, 4) if total else 0.0) for k, v in rows)


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
    order = ["critical", "high", "medium", "low", "info"]
    return Summary(
        references_by_kind=tuple(sorted(kinds.items())),
        references_by_file=tuple(sorted(files.items(), key=lambda kv: (-kv[1], kv[0]))),
        models=len(models),
        by_country=_shares(countries, len(models)),
        by_publisher=_shares(publishers, len(models)),
        by_lineage_country=_shares(lineage, len(models)),
        findings_by_severity=tuple((s, sev[s]) for s in order if sev[s]),
    )
