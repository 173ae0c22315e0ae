"""What the rules need from the knowledge base, as plain facts, whatever the KB's record shapes."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from modeldeps.resolve.kb import KnowledgeBase
    from modeldeps.resolve.resolver import Resolver

__all__ = [
    "ApiModelFacts",
    "EmptyKnowledge",
    "Knowledge",
    "LicenseFacts",
    "OperatorFacts",
    "ResolverKnowledge",
    "StaticKnowledge",
    "classify_restrictions",
    "load_knowledge",
]


@dataclass(frozen=True, slots=True)
class LicenseFacts:
    """A licence as the license rules see it; restriction lists hold the clauses as written."""

    id: str
    name: str = ""
    commercial: str = "yes"  # yes | conditional | no
    acceptable_use: tuple[str, ...] = ()
    thresholds: tuple[str, ...] = ()  # user-count or revenue thresholds
    territory: tuple[str, ...] = ()  # territories where the licence grants no rights
    attribution: str = ""


@dataclass(frozen=True, slots=True)
class ApiModelFacts:
    """A closed-API model's lifecycle: when it was deprecated or retired, and what replaces it."""

    name: str
    provider: str = ""
    deprecated: date | None = None  # deprecation announced (still served)
    retired: date | None = None  # shut down, or scheduled to be on this date
    replacement: str | None = None
    verified: bool = True  # False: the KB marks the record's dates as not re-read at the source


@dataclass(frozen=True, slots=True)
class OperatorFacts:
    """Who operates an API host, and under which jurisdiction."""

    id: str
    name: str = ""
    country: str = "unknown"
    flags: frozenset[str] = field(default_factory=frozenset)


class Knowledge(Protocol):
    """The questions rules ask the knowledge base; every answer may be ``None`` (unknown)."""

    def license(self, license_id: str) -> LicenseFacts | None: ...

    def api_model(self, name: str) -> ApiModelFacts | None: ...

    def endpoint_operator(self, host: str) -> OperatorFacts | None: ...

    def operator(self, provider: str) -> OperatorFacts | None:
        """The operator of a provider's own API, named by publisher id (or its name)."""
        ...

    def publisher_flags(self, publisher_id: str) -> frozenset[str]: ...


class EmptyKnowledge:
    """Knows nothing: used when the resolve stage is not installed or disabled."""

    def license(self, license_id: str) -> LicenseFacts | None:
        return None

    def api_model(self, name: str) -> ApiModelFacts | None:
        return None

    def endpoint_operator(self, host: str) -> OperatorFacts | None:
        return None

    def operator(self, provider: str) -> OperatorFacts | None:
        return None

    def publisher_flags(self, publisher_id: str) -> frozenset[str]:
        return frozenset()


@dataclass(frozen=True)
class StaticKnowledge:
    """Knowledge given as plain mappings: for library callers and tests that bring their own."""

    licenses: Mapping[str, LicenseFacts] = field(default_factory=dict)
    api_models: Mapping[str, ApiModelFacts] = field(default_factory=dict)
    operators: Mapping[str, OperatorFacts] = field(default_factory=dict)  # by API host
    providers: Mapping[str, OperatorFacts] = field(default_factory=dict)  # by publisher id
    flags: Mapping[str, frozenset[str]] = field(default_factory=dict)

    def license(self, license_id: str) -> LicenseFacts | None:
        return self.licenses.get(license_id.lower())

    def api_model(self, name: str) -> ApiModelFacts | None:
        return self.api_models.get(name)

    def endpoint_operator(self, host: str) -> OperatorFacts | None:
        return self.operators.get(host.lower())

    def operator(self, provider: str) -> OperatorFacts | None:
        return self.providers.get(provider.lower())

    def publisher_flags(self, publisher_id: str) -> frozenset[str]:
        return self.flags.get(publisher_id, frozenset())


# Keyword classes for licence restrictions written as free text (the KB keeps clauses verbatim).
_AUP = re.compile(r"acceptable use|use policy|prohibited use|use restriction|usage policy", re.I)
_THRESHOLD = re.compile(
    r"monthly active|\bMAU\b|\busers?\b.*\b(million|[0-9]{3,})|revenue|royalt|US\$|\$[0-9]", re.I
)
_TERRITORY = re.compile(
    r"territor|not granted to|domiciled|within the european union|\bEU\b|excludes? .*(UK|EU)", re.I
)


def classify_restrictions(
    restrictions: Iterable[str],
) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """Split free-text clauses into (acceptable-use, thresholds, territory); may overlap."""
    aup: list[str] = []
    thresholds: list[str] = []
    territory: list[str] = []
    for clause in restrictions:
        if _AUP.search(clause):
            aup.append(clause)
        if _THRESHOLD.search(clause):
            thresholds.append(clause)
        if _TERRITORY.search(clause):
            territory.append(clause)
    return tuple(aup), tuple(thresholds), tuple(territory)


def _as_date(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None


class ResolverKnowledge:
    """The resolve stage's knowledge base seen through the facts the rules need.

    This is the one seam between assess and resolve: it reads the knowledge base's typed records
    (``modeldeps.resolve.kb``) and nothing else, so a field the rules need and the KB lacks is a
    type error here, not a silent ``None``.
    """

    def __init__(self, kb: KnowledgeBase) -> None:
        self._kb = kb

    def license(self, license_id: str) -> LicenseFacts | None:
        rec = self._kb.license(license_id)
        if rec is None:
            return None
        aup, thresholds, territory = classify_restrictions(rec.restrictions)
        return LicenseFacts(
            id=rec.id,
            name=rec.name,
            commercial=rec.commercial.strip().lower(),
            acceptable_use=aup,
            thresholds=thresholds,
            territory=territory,
            attribution=rec.attribution or "",
        )

    def api_model(self, name: str) -> ApiModelFacts | None:
        rec = self._kb.api_model(name)
        if rec is None:
            return None
        return ApiModelFacts(
            name=rec.id or name,
            provider=rec.publisher,
            deprecated=_as_date(rec.deprecated),
            retired=_as_date(rec.retired),
            verified=rec.verified,
        )

    def endpoint_operator(self, host: str) -> OperatorFacts | None:
        found = self._kb.endpoint_operator(host)
        if found is None:
            return None
        operator, country, flags = found
        return OperatorFacts(
            id=operator.id,
            name=operator.name,
            country=country,
            flags=frozenset(f.lower() for f in flags),
        )

    def operator(self, provider: str) -> OperatorFacts | None:
        pub = self._kb.publisher(provider) or self._kb.publisher_by_text(provider)
        if pub is None:
            return None
        return OperatorFacts(pub.id, pub.name, pub.country, frozenset(f.lower() for f in pub.flags))

    def publisher_flags(self, publisher_id: str) -> frozenset[str]:
        pub = self._kb.publisher(publisher_id)
        return frozenset(f.lower() for f in pub.flags) if pub is not None else frozenset()


def load_knowledge(resolver: Resolver | None = None) -> Knowledge:
    """The bundled knowledge base (plus the resolver's overlays) through the resolve stage."""
    if resolver is None:
        from modeldeps.pipeline import load_stage

        resolver = load_stage("resolve", "modeldeps.resolve").Resolver.create()
    assert resolver is not None
    return ResolverKnowledge(resolver.kb)
