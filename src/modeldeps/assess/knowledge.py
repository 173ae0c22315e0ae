"""What the rules need from the knowledge base, as plain facts, whatever the KB's record shapes."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

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

    def publisher_flags(self, publisher_id: str) -> frozenset[str]: ...


class EmptyKnowledge:
    """Knows nothing: used when the resolve stage is not installed or disabled."""

    def license(self, license_id: str) -> LicenseFacts | None:
        return None

    def api_model(self, name: str) -> ApiModelFacts | None:
        return None

    def endpoint_operator(self, host: str) -> OperatorFacts | None:
        return None

    def publisher_flags(self, publisher_id: str) -> frozenset[str]:
        return frozenset()


@dataclass(frozen=True)
class StaticKnowledge:
    """Knowledge given as plain mappings: for library callers and tests that bring their own."""

    licenses: Mapping[str, LicenseFacts] = field(default_factory=dict)
    api_models: Mapping[str, ApiModelFacts] = field(default_factory=dict)
    operators: Mapping[str, OperatorFacts] = field(default_factory=dict)
    flags: Mapping[str, frozenset[str]] = field(default_factory=dict)

    def license(self, license_id: str) -> LicenseFacts | None:
        return self.licenses.get(license_id.lower())

    def api_model(self, name: str) -> ApiModelFacts | None:
        return self.api_models.get(name)

    def endpoint_operator(self, host: str) -> OperatorFacts | None:
        return self.operators.get(host.lower())

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


def _get(record: Any, name: str, default: Any = None) -> Any:
    """A field of a KB record, whether it is a mapping or an object."""
    if record is None:
        return default
    if isinstance(record, Mapping):
        return record.get(name, default)
    return getattr(record, name, default)


def _as_date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip()[:10])
        except ValueError:
            return None
    return None


def _strs(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, Iterable):
        return tuple(str(v) for v in value if v)
    return ()


class ResolverKnowledge:
    """Adapts the resolve stage's knowledge base (``Resolver.create().kb``) to ``Knowledge``."""

    def __init__(self, kb: Any) -> None:
        self._kb = kb

    def _ask(self, method: str, key: str) -> Any:
        fn = getattr(self._kb, method, None)
        if fn is None:
            return None
        try:
            return fn(key)
        except (KeyError, LookupError, ValueError):
            return None

    def license(self, license_id: str) -> LicenseFacts | None:
        rec = self._ask("license", license_id)
        if rec is None:
            return None
        restrictions = _strs(_get(rec, "restrictions", ()))
        aup, thresholds, territory = classify_restrictions(restrictions)
        commercial = str(_get(rec, "commercial", "yes")).strip().lower()
        if commercial in {"true", "1"}:
            commercial = "yes"
        elif commercial in {"false", "0"}:
            commercial = "no"
        return LicenseFacts(
            id=str(_get(rec, "id", license_id)),
            name=str(_get(rec, "name", "") or ""),
            commercial=commercial,
            acceptable_use=_strs(_get(rec, "acceptable_use", ())) or aup,
            thresholds=_strs(_get(rec, "thresholds", ())) or thresholds,
            territory=_strs(_get(rec, "territory", ())) or territory,
            attribution=str(_get(rec, "attribution", "") or ""),
        )

    def api_model(self, name: str) -> ApiModelFacts | None:
        rec = self._ask("api_model", name)
        if rec is None:
            return None
        provider = _get(rec, "provider", None) or _get(rec, "publisher", "")
        return ApiModelFacts(
            name=str(_get(rec, "id", None) or _get(rec, "name", None) or name),
            provider=str(_get(provider, "id", provider) or ""),
            deprecated=_as_date(_get(rec, "deprecated", None) or _get(rec, "deprecation", None)),
            retired=_as_date(_get(rec, "retired", None) or _get(rec, "retirement", None)),
            replacement=_get(rec, "replacement", None),
            verified=_get(rec, "verified", True) is not False,
        )

    def endpoint_operator(self, host: str) -> OperatorFacts | None:
        rec = self._ask("endpoint_operator", host)
        if rec is None:
            return None
        if isinstance(rec, tuple):  # (operator record, jurisdiction country, flags)
            operator, country, flags = (*rec, None, None, None)[:3]
        else:
            operator = _get(rec, "operator", rec)
            country = _get(rec, "jurisdiction", None) or _get(rec, "country", None)
            flags = _get(rec, "flags", ())
        op_id = str(_get(operator, "id", operator) or "")
        country = country or _get(operator, "country", None) or "unknown"
        all_flags = {f.lower() for f in (*_strs(flags), *_strs(_get(operator, "flags", ())))}
        return OperatorFacts(
            id=op_id,
            name=str(_get(operator, "name", op_id) or op_id),
            country=str(country),
            flags=frozenset(all_flags) | self.publisher_flags(op_id),
        )

    def publisher_flags(self, publisher_id: str) -> frozenset[str]:
        rec = self._ask("publisher", publisher_id)
        return frozenset(f.lower() for f in _strs(_get(rec, "flags", ())))


def load_knowledge(resolver: Any | None = None) -> Knowledge:
    """The bundled knowledge base through the resolve stage, or nothing when it is unavailable."""
    if resolver is None:
        from modeldeps.pipeline import load_stage

        resolver = load_stage("resolve", "modeldeps.resolve").Resolver.create()
    kb = getattr(resolver, "kb", None)
    return EmptyKnowledge() if kb is None else ResolverKnowledge(kb)
