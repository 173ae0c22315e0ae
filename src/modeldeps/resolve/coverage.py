"""How much of a list of model references the knowledge base covers: publisher and country.

Used by ``benchmarks/kb_coverage.py`` and its test (docs/kb.md, "Coverage"). Two ways of counting:
a Hub account the KB does not know is the publisher of its repositories (``publisher_accounts``)
or not (``publisher``); an individual's account has no country a source gives, so the country
share is also given without individuals.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from modeldeps import safeyaml
from modeldeps.model import Identity, Location, ModelReference, RefKind
from modeldeps.resolve.resolver import ACCOUNT_PREFIX, Resolver

KINDS = ("hub_model", "api_model", "ollama_model", "endpoint")


@dataclass
class Refs:
    """Distinct values by kind, and the Hub accounts of single persons."""

    values: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    individuals: frozenset[str] = frozenset()


def from_copy(path: Path) -> Refs:
    """The distinct values and individual accounts of a coverage list (tests/data/coverage)."""
    doc = safeyaml.load(path.read_text(encoding="utf-8"))
    out = Refs(individuals=frozenset(i.lower() for i in doc["individual_accounts"]))
    for kind in KINDS:
        out.values[kind] |= set(doc[f"{kind}s"])
    return out


def individuals_of(path: Path) -> list[str]:
    return list(safeyaml.load(path.read_text(encoding="utf-8"))["individual_accounts"])


def from_examples(folder: Path) -> Refs:
    """Every model reference a scan of folder finds (offline, no cache)."""
    from modeldeps.options import ScanOptions
    from modeldeps.pipeline import scan

    result = scan([folder], ScanOptions(use_cache=False))
    out = Refs()
    for ref in result.references:
        if ref.kind.value in KINDS:
            out.values[ref.kind.value].add(ref.value)
    return out


@dataclass
class Tally:
    units: int = 0
    publisher: int = 0  # a KB publisher (or a re-upload's base publisher)
    publisher_accounts: int = 0  # ... or the Hub account itself
    country: int = 0
    country_units_without_individuals: int = 0
    country_without_individuals: int = 0
    misses: list[str] = field(default_factory=list)

    def add(self, unit: str, idents: list[Identity], individual: bool) -> None:
        self.units += 1
        kb_pub = all(i.publisher and not i.publisher.id.startswith(ACCOUNT_PREFIX) for i in idents)
        any_pub = all(i.publisher for i in idents)
        country = all(i.country != "unknown" for i in idents)
        self.publisher += kb_pub
        self.publisher_accounts += any_pub
        self.country += country
        if not individual:
            self.country_units_without_individuals += 1
            self.country_without_individuals += country
        if not (kb_pub and country):
            got = ", ".join(
                f"{i.publisher.id if i.publisher else None}/{i.country}" for i in idents[:2]
            )
            who = " (individual)" if individual else ""
            self.misses.append(f"{unit}{who}: {got}")


def _ref(kind: str, value: str) -> ModelReference:
    return ModelReference(RefKind(kind), value, Location("coverage"), "coverage")


def coverage(refs: Refs, r: Resolver | None = None) -> dict[str, Tally]:
    """Tallies for Hub orgs, Hub models, API models, Ollama tags and endpoint hosts."""
    r = r or Resolver.create()
    out: dict[str, Tally] = {k: Tally() for k in ("hub org", *KINDS)}
    by_org: dict[str, list[Identity]] = defaultdict(list)
    for kind in KINDS:
        seen: set[str] = set()
        for value in sorted(refs.values.get(kind, ())):
            unit = value
            if kind == "endpoint":
                unit = urlsplit(value if "://" in value else f"https://{value}").hostname or value
                if unit in seen:
                    continue
                seen.add(unit)
            ident = r.resolve_reference(_ref(kind, value))
            org = value.split("/", 1)[0] if kind == "hub_model" and "/" in value else ""
            if org:
                by_org[org].append(ident)
            out[kind].add(unit, [ident], org.lower() in refs.individuals)
    for org, idents in sorted(by_org.items(), key=lambda kv: kv[0].lower()):
        out["hub org"].add(org, idents, org.lower() in refs.individuals)
    return out


def merge(*parts: Refs) -> Refs:
    out = Refs(individuals=frozenset().union(*(p.individuals for p in parts)))
    for p in parts:
        for kind, values in p.values.items():
            out.values[kind] |= values
    return out


#: How a licence was decided, most reliable first (docs/kb.md, "Licence resolution").
LICENSE_BASES = ("exact", "rule", "card", "online", "assumed", "none")


def license_basis(ident: Identity) -> str:
    """The step that gave a model its licence: ``exact``/``rule``/... from the licence evidence
    (a re-upload carries its base's), or ``none``."""
    rules = [e.rule for e in ident.evidence if e.rule.startswith("license-")]
    for basis in LICENSE_BASES[:-1]:
        if f"license-{basis}" in rules:
            return basis
    return "none"


def license_coverage(ids: list[str], r: Resolver) -> dict[str, list[str]]:
    """Hub ids grouped by the basis of their licence."""
    out: dict[str, list[str]] = {b: [] for b in LICENSE_BASES}
    for model_id in ids:
        out[license_basis(r.resolve_hub_id(model_id))].append(model_id)
    return out
