"""Building Identity values: publisher refs, lineage edges with countries, licence sets."""

from __future__ import annotations

from collections.abc import Iterable

from modeldeps.model import Confidence, Evidence, Identity, LineageEdge, PublisherRef
from modeldeps.resolve.kb import Family, KnowledgeBase, Publisher

_RANK = {Confidence.LOW: 0, Confidence.MEDIUM: 1, Confidence.HIGH: 2}


def pref(p: Publisher | None) -> PublisherRef | None:
    return PublisherRef(p.id, p.name, p.country) if p else None


def family_base_id(fam: Family) -> str:
    """Stand-in id for "some model of this family" when the exact base is not known."""
    return f"family:{fam.id}"


def weakest(*levels: Confidence) -> Confidence:
    return min(levels, key=lambda c: _RANK[c])


def licenses_of(
    kb: KnowledgeBase, values: Iterable[str], *, multimodal: bool = False
) -> tuple[str, ...]:
    """Normalise licence strings to KB ids where known, keep others as written, dedupe. For a
    multimodal model a licence with a multimodal variant (``llama3.2``) becomes that variant:
    a clause of its use policy covers multimodal models only."""
    out: list[str] = []
    for v in values:
        lic = kb.license(v)
        if lic is not None and multimodal and lic.multimodal_variant:
            lic = kb.license(lic.multimodal_variant) or lic
        out.append(lic.id if lic else v.strip().lower())
    return tuple(dict.fromkeys(x for x in out if x))


def build(
    *,
    canonical_id: str | None,
    family: Family | None,
    publisher: Publisher | None,
    licenses: Iterable[str],
    lineage: Iterable[LineageEdge],
    evidence: Iterable[Evidence],
    confidence: Confidence,
    decided_by: str,
    open_weights: bool | None = True,
    uploader: str | None = None,
) -> Identity:
    edges = tuple(dict.fromkeys(lineage))
    countries = tuple(dict.fromkeys(e.country for e in edges if e.country))
    return Identity(
        canonical_id=canonical_id,
        family=family.id if family else None,
        publisher=pref(publisher),
        licenses=tuple(dict.fromkeys(licenses)),
        open_weights=open_weights,
        lineage=edges,
        lineage_countries=countries,
        uploader=uploader,
        evidence=tuple(evidence),
        confidence=confidence,
        decided_by=decided_by,
    )


def edge_to(relation: str, base: Identity, base_id: str) -> tuple[LineageEdge, ...]:
    """The edge to a base plus the base's own lineage (nearest first)."""
    first = LineageEdge(
        relation=relation,
        base=base.canonical_id or base_id,
        publisher=base.publisher.id if base.publisher else None,
        country=base.publisher.country if base.publisher else None,
    )
    return (first, *base.lineage)


def with_lineage(ident: Identity, lineage: Iterable[LineageEdge], **changes: object) -> Identity:
    """Copy of ident with a new lineage; lineage_countries follows the edges."""
    from dataclasses import replace

    edges = tuple(dict.fromkeys(lineage))
    countries = tuple(dict.fromkeys(e.country for e in edges if e.country))
    return replace(ident, lineage=edges, lineage_countries=countries, **changes)  # type: ignore[arg-type]
