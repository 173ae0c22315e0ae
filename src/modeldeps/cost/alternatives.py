"""Open-weight peers of closed models (sourced, dated, with a confidence) and jurisdictions."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from modeldeps.cost.architectures import ModelArch, lookup_arch
from modeldeps.cost.tables import bundled
from modeldeps.model import Location, ModelReference, RefKind
from modeldeps.resolve import Resolver

DEFAULT_WATCH = ("CN",)


@dataclass(frozen=True, slots=True)
class Peer:
    """An open-weight model of comparable quality and the evidence for saying so."""

    closed_model: str
    model: str
    rank: int
    confidence: str
    evidence: str
    evidence_date: str
    source: str
    pinned: bool = False


@dataclass(frozen=True, slots=True)
class Jurisdiction:
    """Country of the party that decides about a model or receives the traffic."""

    country: str
    who: str
    source: str


def _norm(name: str) -> str:
    return name.strip().lower().split("/")[-1]


def closed_row(model: str) -> dict[str, str] | None:
    """The closed-model table row whose name is the longest prefix of ``model``."""
    key = _norm(model)
    best: dict[str, str] | None = None
    for row in bundled("closed_models.csv"):
        if key.startswith(row["model"]) and (
            best is None or len(row["model"]) > len(best["model"])
        ):
            best = dict(row)
    return best


def peers_for(model: str) -> tuple[Peer, ...]:
    """Ranked peers for a closed model (longest matching prefix in ``peers.csv``)."""
    key = _norm(model)
    rows = [r for r in bundled("peers.csv") if key.startswith(r["closed_model"])]
    if not rows:
        return ()
    longest = max(len(r["closed_model"]) for r in rows)
    return tuple(
        sorted(
            (
                Peer(
                    r["closed_model"],
                    r["peer"],
                    int(r["rank"]),
                    r["confidence"],
                    r["evidence"],
                    r["evidence_date"],
                    r["source"],
                )
                for r in rows
                if len(r["closed_model"]) == longest
            ),
            key=lambda p: p.rank,
        )
    )


def pinned_peer(closed_model: str, model: str) -> Peer:
    """A peer the user chose; the evidence is theirs."""
    return Peer(closed_model, model, 0, "user choice", "pinned in the usage file", "", "user", True)


def _kb_publisher(pid: str) -> tuple[str, str, str] | None:
    """(name, country, citation) of a publisher or API operator from the knowledge base, the
    one source of countries (ids in any of the operator's aliases: ``moonshotai``, ``zai``)."""
    kb = _resolver().kb
    key = pid.split(" ")[0].removeprefix("huggingface_").lower()
    rec = kb.publisher(key)
    if rec is None:
        return None
    return rec.name, rec.country, kb.citation(rec.sources) or ""


def publisher_jurisdiction(publisher: str) -> Jurisdiction:
    """Headquarters country of a publisher id from the bundled table."""
    found = _kb_publisher(publisher) if publisher else None
    name, country, source = found or (publisher or "unknown", "unknown", "")
    return Jurisdiction(country, name, source)


@cache
def _resolver() -> Resolver:
    """The resolve stage's offline resolver (bundled knowledge base, no network)."""
    return Resolver.create()


def _resolver_country(arch: ModelArch) -> Jurisdiction | None:
    """Who publishes the model, according to the resolve stage (the same answer ``scan``
    gives); ``None`` when it does not know the repository or its publisher's country."""
    if not arch.hf_repo:
        return None
    ref = ModelReference(RefKind.HUB_MODEL, arch.hf_repo, Location("cost"), "cost")
    publisher = _resolver().resolve_reference(ref).publisher
    if publisher is None or publisher.country in ("", "unknown"):
        return None
    return Jurisdiction(publisher.country, publisher.name, "modeldeps.resolve knowledge base")


def model_jurisdiction(model: str) -> Jurisdiction:
    """Publisher country of an open-weight model: the resolver first, else the sourced table."""
    arch = lookup_arch(model)
    if arch is None:
        return Jurisdiction("unknown", "unknown", "")
    return _resolver_country(arch) or publisher_jurisdiction(arch.publisher)


def closed_jurisdiction(model: str, provider: str | None) -> Jurisdiction:
    """Publisher country of a closed model, from the closed-model table or its provider."""
    row = closed_row(model)
    publisher = row["publisher"] if row else (provider or "")
    return publisher_jurisdiction(publisher)


def host_country(provider: str) -> str:
    """Headquarters country of an API host, or ``unknown``."""
    found = _kb_publisher(provider)
    return found[1] if found else "unknown"
