"""One finding per rule and model: findings with the same fingerprint merged, every place kept."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from modeldeps.model import Finding, Location

__all__ = ["merge_by_fingerprint"]

_CONFIDENCE_RANK = {"low": 0, "medium": 1, "high": 2}


def _place_key(loc: Location) -> tuple[str, int, int]:
    return (loc.path, loc.line or 0, loc.column or 0)


def merge_by_fingerprint(findings: Iterable[Finding]) -> list[Finding]:
    """Merge findings that share a fingerprint into one carrying all their locations.

    The merged finding speaks with the voice of its most severe (then most confident, then first)
    member: that member's severity, confidence and message; ``locations`` are every distinct
    place, sorted, and ``location`` is the first. Order follows first appearance.
    """
    groups: dict[str, list[Finding]] = {}
    for f in findings:
        groups.setdefault(f.fingerprint, []).append(f)
    out: list[Finding] = []
    for members in groups.values():
        places = sorted({loc for f in members for loc in f.places}, key=_place_key)
        lead = min(
            members,
            key=lambda f: (
                -f.severity.rank,
                -_CONFIDENCE_RANK[f.confidence.value],
                _place_key(f.location),
            ),
        )
        out.append(replace(lead, location=places[0], locations=tuple(places)))
    return out
