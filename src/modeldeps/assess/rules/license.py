"""MD3xx license rules: non-commercial, acceptable use, thresholds, territory, inheritance."""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from modeldeps.assess.knowledge import LicenseFacts
from modeldeps.assess.matching import Subject, subjects
from modeldeps.assess.rules.interface import Rule, RuleContext
from modeldeps.model import Confidence, Finding, RefKind

# Closed API models are used under terms of service, not a weights licence.
_LICENSED_KINDS = frozenset(
    {RefKind.HUB_MODEL.value, RefKind.OLLAMA_MODEL.value, RefKind.LOCAL_ARTIFACT.value, "artifact"}
)


def licensed(ctx: RuleContext) -> Iterator[tuple[Subject, str, LicenseFacts | None]]:
    """(model, licence id, licence facts) for every licence of every resolved open model."""
    for s in subjects(ctx.result):
        if s.kind not in _LICENSED_KINDS or s.identity is None or not s.identity.known:
            continue
        if s.identity.open_weights is False:
            continue  # a closed model named like a Hub id: no weights licence applies
        for lic in dict.fromkeys(s.identity.licenses):
            yield s, lic, ctx.kb.license(lic)


def basis(s: Subject) -> tuple[Confidence | None, str]:
    """The confidence of the model's licence and the words a finding adds when it is low: a
    licence assumed from the publisher's usual one must not fail CI silently as a fact."""
    conf = s.identity.license_confidence if s.identity else None
    if conf is Confidence.LOW:
        return conf, " (licence assumed from the publisher's usual licence: low confidence)"
    return conf, ""


def _clauses(items: tuple[str, ...]) -> str:
    return "; ".join(items[:3]) + (" …" if len(items) > 3 else "")


class NonCommercialLicense(Rule):
    """The model's licence forbids commercial use.

    Fires for licences the knowledge base records as ``commercial: no`` (CC-BY-NC, research-only
    licences...). Using such a model in a product, even internally at a company, is usually a
    licence breach. Licences of base models count too: their terms flow down to derivatives.
    """

    id = "MD301"

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        for s, lic, facts in licensed(ctx):
            if facts is not None and facts.commercial == "no":
                name = facts.name or lic
                conf, note = basis(s)
                yield self.make(
                    f"{s.model_id}: {name} does not allow commercial use{note}",
                    s.location,
                    f"{s.model_id}:{lic}",
                    confidence=conf,
                )


class _ClauseRule(Rule):
    """A licence rule that fires when the licence has clauses of one kind (``clause``)."""

    clause: ClassVar[str]

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        for s, lic, facts in licensed(ctx):
            clauses = getattr(facts, self.clause, ()) if facts is not None else ()
            if facts is not None and clauses:
                conf, note = basis(s)
                yield self.make(
                    f"{s.model_id}: {facts.name or lic} — {_clauses(clauses)}{note}",
                    s.location,
                    f"{s.model_id}:{lic}",
                    confidence=conf,
                )


class AcceptableUsePolicy(_ClauseRule):
    """The model's licence binds you to an acceptable-use policy.

    Llama, Gemma and others incorporate a use policy by reference; it can change, flows down to
    your users and derivatives, and must be passed on. Fires so that someone reads it once.
    """

    id = "MD302"

    clause = "acceptable_use"


class UsageThreshold(_ClauseRule):
    """The model's licence changes above a user-count or revenue threshold.

    For example Llama's 700 million monthly active users clause, or revenue-based royalties. A
    product that grows past the threshold needs a separate licence from the publisher.
    """

    id = "MD303"

    clause = "thresholds"


class TerritoryExclusion(_ClauseRule):
    """The model's licence grants no rights in some territories.

    Some licences exclude the European Union, the UK or other regions. A clause that covers only
    some models of a licence fires only for those: the Llama 3.2 use policy withholds rights from
    EU-domiciled licensees for its multimodal models (11B/90B Vision), not for the 1B/3B text
    models, so the knowledge base records the multimodal ones under ``llama3.2-multimodal``;
    every Llama 4 model is multimodal. Shipping there, or being domiciled there, is a breach.
    """

    id = "MD304"

    clause = "territory"


class InheritedLicenseDiffers(Rule):
    """A derivative's own licence differs from a licence inherited from its base model.

    A fine-tune or quantization labelled ``apache-2.0`` of a Llama or Qwen base is still bound by
    the base's licence; the label on the derivative does not replace it. The resolver lists the
    model's own licence first and its bases' licences after it.
    """

    id = "MD305"

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        for s in subjects(ctx.result):
            ident = s.identity
            if s.kind not in _LICENSED_KINDS or ident is None or not ident.lineage:
                continue
            if len(ident.licenses) < 2:
                continue
            own = ident.licenses[0]
            inherited = sorted({lic for lic in ident.licenses[1:] if lic.lower() != own.lower()})
            if inherited:
                yield self.make(
                    f"{s.model_id}: labelled {own} but built on a model under "
                    f"{', '.join(inherited)}",
                    s.location,
                    f"{s.model_id}:{own}",
                )


class UnknownLicense(Rule):
    """The licence of a known open model is unknown.

    Fires when a resolved model has no licence recorded, or one the knowledge base does not
    know (``other`` on the Hub is common). Without the licence nobody can say whether the use is
    allowed. Models of unknown origin are reported by MD103 instead.
    """

    id = "MD306"

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        for s in subjects(ctx.result):
            ident = s.identity
            if s.kind not in _LICENSED_KINDS or ident is None or not ident.known:
                continue
            if ident.open_weights is False:
                continue
            if not ident.licenses:
                yield self.make(f"{s.model_id}: no licence recorded", s.location, s.model_id)
                continue
            for lic in dict.fromkeys(ident.licenses):
                if ctx.kb.license(lic) is None:
                    yield self.make(
                        f"{s.model_id}: licence {lic!r} is not in the knowledge base",
                        s.location,
                        f"{s.model_id}:{lic}",
                        confidence=Confidence.LOW,
                    )
