"""Identity from artifact signals: own id, maker, bases, then family recognition (DESIGN §5).

A maker is named by the artifact itself (card developer fields, the id its card's code loads,
GGUF ``general.organization``), never inferred from the family: a fine-tune looks like its base.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from modeldeps.model import UNKNOWN_IDENTITY, Confidence, Evidence, Identity, LineageEdge
from modeldeps.resolve.identity import build, edge_to, licenses_of, weakest, with_lineage
from modeldeps.resolve.kb import Family, Publisher
from modeldeps.resolve.recognize import BASE_ARCH_TYPES, FamilyMatch, Signals

if TYPE_CHECKING:
    from modeldeps.resolve.resolver import Resolver

_RELATIONS = frozenset({"quantized", "adapter", "merge", "finetune"})
#: Steps whose licences are the family's default licence, not a fact about this model.
_GUESSED_LICENSE_STEPS = frozenset({"publisher-org", "family-pattern"})


@dataclass(frozen=True, slots=True)
class Maker:
    """Who the artifact says made it: a KB publisher, or a name the KB does not know."""

    publisher: Publisher | None = None
    unknown: str | None = None  # an org or id named as the maker that the KB lacks
    evidence: Evidence | None = None
    reupload: bool = False  # the id the card gives is a re-uploader's: a conversion


def find_maker(r: Resolver, s: Signals, fam: Family | None) -> Maker:
    """Front-matter developer orgs, then the id the card's code loads, then free-text maker
    fields, then config ``_name_or_path`` when it names an org other than the family's."""
    kb = r.kb
    for org in s.developer_orgs:
        pub = kb.publisher_for_org(org)
        if pub:
            return Maker(pub, None, Evidence("artifact", "card-developer", f"card developer {org}"))
    if s.self_ids:
        sid = s.self_ids[0]
        org = sid.split("/")[0]
        if kb.reuploader(org):
            return Maker(reupload=True)
        pub = kb.publisher_for_org(org)
        ev = Evidence("artifact", "card-self-id", f"the card's own code loads {sid}")
        return Maker(pub, None if pub else sid, ev)
    for text in s.developer_texts:
        pub = kb.publisher_by_text(text)
        if pub:
            return Maker(pub, None, Evidence("artifact", "card-developer", f"maker: {text!r}"))
    nop = s.name_or_path or ""
    org = nop.split("/")[0] if nop.count("/") == 1 and not nop.startswith((".", "/")) else ""
    base_orgs = {b.split("/")[0].lower() for b in s.base_models}
    if org and org.lower() not in base_orgs and not kb.reuploader(org):
        pub = kb.publisher_for_org(org)
        # the family's own org says nothing (an original and a fine-tune loaded from it agree),
        # nor does an org the KB lacks (staging copies and personal mirrors are common)
        if pub is not None and (fam is None or pub.id != fam.publisher):
            ev = Evidence("artifact", "config-name-or-path", f"config _name_or_path {nop}")
            return Maker(pub, None, ev)
    return Maker()


#: Config model types, architectures or names of models that take images (or other media) in.
_MULTIMODAL = re.compile(r"mllama|vision|llava|(^|[-_])vl([-_]|$)|image-text", re.IGNORECASE)


def multimodal(s: Signals) -> bool:
    """Whether the artifact's config or names say the model is multimodal (licence clauses
    such as Llama 3.2's EU clause depend on it)."""
    return any(_MULTIMODAL.search(x) for x in (s.model_type or "", *s.architectures, *s.names))


def resolve_signals(r: Resolver, s: Signals) -> Identity:
    arch, tok = r.recognizer.by_signals(s)
    named = next((n for n in (r.recognizer.by_name(x) for x in s.names) if n), None)
    fam: Family | None = arch.family if arch else tok.family if tok else named[0] if named else None
    sig_ev = tuple(Evidence("artifact", m.rule, m.detail) for m in (arch, tok) if m)
    own_lics = licenses_of(r.kb, s.licenses, multimodal=multimodal(s))
    if own_lics:  # the model's own card or config states its licence: medium (docs/kb.md)
        lic = ", ".join(own_lics)
        sig_ev += (Evidence("card", "license-card", f"licence {lic} stated by the model's card"),)
    maker = find_maker(r, s, fam)
    rel = (s.base_relation or "").lower()
    relation = rel if rel in _RELATIONS else "finetune"
    if not rel and (s.quantized or s.quantized_by or maker.reupload):
        relation = "quantized"
    if s.repo_id:
        ident = r.resolve_hub_id(s.repo_id)
        if ident.known and ident.decided_by != "family-pattern":
            return add_bases(r, ident, s, relation, fam, sig_ev)
    cid = s.repo_id or (s.self_ids[0] if s.self_ids else None)
    pub = maker.publisher
    ev_maker = (maker.evidence,) if maker.evidence else ()
    bases = [(b, r.resolve_hub_id(b)) for b in s.base_models[:4]]
    if not bases:  # a base known by name only, e.g. the local checkpoint a run started from
        bases = [(n, i) for n in s.base_names[:1] if (i := r.resolve_name(n)).known]
    if bases:
        lineage: list[LineageEdge] = []
        lics = list(own_lics)
        for b, base in bases:
            lineage += edge_to(relation, base, b)
            lics += base.licenses
            fam = fam or (r.kb.family(base.family) if base.family else None)
        first = bases[0][1]
        if pub is None and maker.unknown is None and relation == "quantized" and first.publisher:
            pub = r.kb.publisher(first.publisher.id)  # a conversion keeps its base's publisher
        ev = Evidence("artifact", "card-base-model", f"base {', '.join(b for b, _ in bases)}")
        return build(
            canonical_id=cid,
            family=fam,
            publisher=pub,
            licenses=licenses_of(r.kb, lics),
            lineage=lineage,
            evidence=(ev, *ev_maker, *sig_ev, *r.pub_ev(pub)),
            confidence=Confidence.MEDIUM,  # a card's word, not an exact sourced record
            decided_by="card-base-model",
        )
    if pub is not None and maker.evidence is not None:
        ident = r.with_family(
            cid, pub, fam, maker.evidence.rule, Confidence.MEDIUM, maker.evidence, own_lics
        )
        return replace(ident, evidence=(*ident.evidence, *sig_ev))
    if fam is None:
        return replace(
            UNKNOWN_IDENTITY,
            canonical_id=cid,
            licenses=own_lics,
            evidence=(Evidence("artifact", "unknown", "no identifying signal"), *ev_maker),
        )
    on_base = _tokenizer_on_base(r, s, arch, tok, cid, own_lics)
    if on_base is not None and maker.unknown is None:
        return replace(on_base, evidence=(*on_base.evidence, *sig_ev))
    conf = max(
        (m.confidence for m in (arch, tok) if m),
        default=Confidence.LOW,
        key=lambda c: ["low", "medium", "high"].index(c.value),
    )
    why = (
        f"uploader {s.repo_id.split('/')[0]} not in KB"
        if s.repo_id
        else f"maker {maker.unknown} not in KB"
        if maker.unknown
        else ""
    )
    if why:  # someone other than the family's publisher may have made it: publisher unknown
        ident = r.with_family(
            cid,
            None,
            fam,
            "artifact-family",
            weakest(conf, Confidence.MEDIUM),
            Evidence("artifact", "artifact-family", f"{why}; family {fam.name}"),
            own_lics,
        )
        return replace(ident, evidence=(*ident.evidence, *ev_maker, *sig_ev))
    fam_pub = r.kb.publishers[fam.publisher]
    ev = Evidence(
        "artifact",
        "family-default",
        f"signals say {fam.name}; no other publisher named, so "
        f"attributed to the family's publisher (a fine-tune would look the same)",
    )
    ident = r.with_family(cid, fam_pub, fam, "family-default", Confidence.LOW, ev, own_lics)
    return replace(ident, evidence=(*ident.evidence, *sig_ev))


def _tokenizer_on_base(
    r: Resolver,
    s: Signals,
    arch: FamilyMatch | None,
    tok: FamilyMatch | None,
    cid: str | None,
    own_lics: tuple[str, ...],
) -> Identity | None:
    """A foreign tokenizer on a widely reused base architecture: the tokenizer's publisher
    trained on that base (e.g. a distill onto Qwen or Llama)."""
    if not (
        arch
        and tok
        and tok.family.publisher != arch.family.publisher
        and tok.score >= 5
        and (s.model_type or s.gguf_arch or "").lower() in BASE_ARCH_TYPES
    ):
        return None
    pub = r.kb.publishers[tok.family.publisher]
    detail = f"{tok.family.name} tokenizer on {arch.family.name} architecture"
    ev = Evidence("artifact", "tokenizer-on-base", detail)
    return r.with_family(
        cid, pub, arch.family, "tokenizer-on-base", Confidence.MEDIUM, ev, own_lics
    )


def add_bases(
    r: Resolver,
    ident: Identity,
    s: Signals,
    relation: str,
    fam: Family | None,
    sig_ev: tuple[Evidence, ...],
) -> Identity:
    own = licenses_of(r.kb, s.licenses, multimodal=multimodal(s))
    # the card states the model's own licence: it goes first (MD305 reads licenses[0] as the
    # model's own), and replaces a family-default guess; KB facts and bases' licences follow
    guessed = ident.decided_by in _GUESSED_LICENSE_STEPS
    lineage = list(ident.lineage)
    lics = [*own, *(() if own and guessed else ident.licenses)]
    have = {e.base.lower() for e in lineage}
    for b in s.base_models[:4]:
        if b.lower() not in have:
            base = r.resolve_hub_id(b)
            lineage = [*edge_to(relation, base, b), *lineage]
            lics += base.licenses
    family = ident.family or (fam.id if fam else None)
    card_ev: tuple[Evidence, ...] = ()
    evidence = ident.evidence
    if own:
        card_ev = (
            Evidence(
                "card", "license-card", f"licence {', '.join(own)} stated by the model's card"
            ),
        )
        if guessed:  # the card's own statement replaces an assumed licence
            evidence = tuple(e for e in evidence if e.rule != "license-assumed")
    return with_lineage(
        ident,
        lineage,
        licenses=tuple(dict.fromkeys(lics)),
        family=family,
        evidence=(*evidence, *sig_ev, *card_ev),
    )
