"""Whether a model falls under an allow / deny / watch list, and why, in words."""

from __future__ import annotations

import fnmatch
from collections.abc import Iterator
from dataclasses import dataclass

from modeldeps.assess.knowledge import Knowledge
from modeldeps.assess.policy import JURISDICTIONS, Lists
from modeldeps.model import Identity, Location, RefKind, ScanResult

__all__ = ["Subject", "match", "subjects"]


@dataclass(frozen=True, slots=True)
class Subject:
    """A model the scan found: a reference in code or config, or an artifact on disk."""

    location: Location
    value: str  # as written (reference) or the artifact's path
    kind: str  # a RefKind value, or "artifact"
    identity: Identity | None

    @property
    def model_id(self) -> str:
        """The best name for the model: canonical id when resolved, else the value."""
        if self.identity is not None and self.identity.canonical_id:
            return self.identity.canonical_id
        return self.value


def subjects(result: ScanResult, *, endpoints: bool = False) -> Iterator[Subject]:
    """Every reference (endpoints only when asked) and every artifact with an identity."""
    for ref in result.references:
        if ref.kind is RefKind.ENDPOINT and not endpoints:
            continue
        yield Subject(ref.location, ref.value, ref.kind.value, ref.identity)
    for art in result.artifacts:
        if art.identity is not None and art.identity.known:
            yield Subject(art.location, art.location.path, "artifact", art.identity)


def _glob(patterns: tuple[str, ...], *names: str | None) -> str | None:
    for pattern in patterns:
        pat = pattern.lower()
        for name in names:
            if name and fnmatch.fnmatchcase(name.lower(), pat):
                return pattern
    return None


def _origins(ident: Identity, lineage: bool) -> Iterator[tuple[str, str | None, str]]:
    """(country, publisher id, who) for the model's publisher and, if asked, every base."""
    if ident.publisher is not None:
        pub = ident.publisher
        yield pub.country, pub.id, f"publisher {pub.name or pub.id} ({pub.country})"
    if not lineage:
        return
    seen: set[str] = set()
    for edge in ident.lineage:
        if edge.country or edge.publisher:
            country = edge.country or "unknown"
            seen.add(country)
            yield country, edge.publisher, f"base model {edge.base} ({country})"
    for country in ident.lineage_countries:
        if country not in seen:
            yield country, None, f"a base model ({country})"


def match(lists: Lists, subject: Subject, kb: Knowledge, *, lineage: bool = True) -> str | None:
    """Why ``subject`` is on ``lists``, or None when it is not."""
    ident = subject.identity
    hit = _glob(lists.models, subject.value, ident.canonical_id if ident else None)
    if hit:
        return f"model matches {hit!r}"
    if ident is None:
        return None
    hit = _glob(lists.families, ident.family)
    if hit:
        return f"family {ident.family} matches {hit!r}"
    for lic in ident.licenses:
        if lic.lower() in lists.licenses:
            return f"license {lic}"
    named_countries = lists.all_countries()
    for country, publisher, who in _origins(ident, lineage):
        if publisher and publisher.lower() in lists.publishers:
            return who
        own = ident.publisher
        if own is not None and publisher == own.id and own.name.lower() in lists.publishers:
            return who
        if country in named_countries or ("*" in lists.countries and country != "unknown"):
            names = [j for j in sorted(lists.jurisdictions) if country in JURISDICTIONS.get(j, ())]
            return f"{who}, jurisdiction {names[0]}" if names else who
        if publisher and lists.jurisdictions:
            flags = kb.publisher_flags(publisher) & lists.jurisdictions
            if flags:
                return f"{who}, jurisdiction {sorted(flags)[0]}"
    return None
