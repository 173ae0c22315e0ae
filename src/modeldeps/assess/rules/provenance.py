"""MD1xx provenance rules: denied or watched origin, unknown origin, concentration."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from modeldeps.assess.concentration import Shares, compute_shares
from modeldeps.assess.matching import Subject, match, subjects
from modeldeps.assess.policy import policy_file, policy_key
from modeldeps.assess.rules.interface import Rule, RuleContext
from modeldeps.model import Finding, Location, RefKind, make_fingerprint

# References of these kinds name a model whose origin should be knowable.
_NAMED_KINDS = frozenset(
    {RefKind.HUB_MODEL.value, RefKind.OLLAMA_MODEL.value, RefKind.API_MODEL.value}
)


def _allowed(ctx: RuleContext, subject: Subject) -> bool:
    return match(ctx.policy.allow, subject, ctx.kb, lineage=False) is not None


def _accept_hint(ctx: RuleContext, subject: Subject) -> str:
    """The exact ``[allow]`` entries that would exempt ``subject``, in the policy's own file."""
    pol = ctx.policy
    hint = f'to accept it, in {policy_file(pol)} add "{subject.model_id}" to '
    hint += policy_key(pol, "allow", "models")
    pub = subject.identity.publisher if subject.identity else None
    if pub is not None:
        hint += f' (or "{pub.id}" to {policy_key(pol, "allow", "publishers")})'
    return hint


class DeniedOrigin(Rule):
    """A model the policy denies, by jurisdiction, country, publisher, license, family or name.

    Fires for every reference and artifact that matches the ``[deny]`` table of the policy:
    ``countries`` (ISO 3166 codes, ``"*"`` for any known country), ``jurisdictions`` (named
    groups such as ``prc``), ``publishers``, ``licenses``, ``families`` and ``models`` (globs
    over the name as written and the resolved canonical id). With ``include-lineage = true``
    (the default) a derivative is judged by its base models' origin too, so a fine-tune of a
    denied base is denied. An entry in ``[allow]`` is an exception that wins over deny and watch.

    Nothing is denied by default: the policy decides.
    """

    id = "MD101"

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        if ctx.policy.deny.empty:
            return
        for s in subjects(ctx.result):
            why = match(ctx.policy.deny, s, ctx.kb, lineage=ctx.policy.include_lineage)
            if why and not _allowed(ctx, s):
                yield self.make(
                    f"{s.model_id}: denied by policy ({why}); {_accept_hint(ctx, s)}",
                    s.location,
                    s.model_id,
                )


class WatchedOrigin(Rule):
    """A model from a watch-listed jurisdiction or publisher.

    Fires like MD101 but for the ``[watch]`` table, and never for a model MD101 already denies.
    A watch is for what needs a conscious decision rather than a ban: a reviewer should know
    the dependency exists. By default the watch list is the ``prc`` jurisdiction (CN, HK, MO and
    operators the knowledge base flags ``prc``); set ``watch = {}`` to watch nothing. See
    docs/policy.md for why this default was chosen.
    """

    id = "MD102"

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        if ctx.policy.watch.empty:
            return
        lineage = ctx.policy.include_lineage
        for s in subjects(ctx.result):
            why = match(ctx.policy.watch, s, ctx.kb, lineage=lineage)
            if not why or _allowed(ctx, s):
                continue
            if match(ctx.policy.deny, s, ctx.kb, lineage=lineage):
                continue
            yield self.make(
                f"{s.model_id}: on the watch list ({why}); {_accept_hint(ctx, s)}",
                s.location,
                s.model_id,
            )


class UnknownProvenance(Rule):
    """A model whose publisher could not be determined.

    Fires for Hub, Ollama and API model references, and for inspected weight files, when the
    resolver could not tell who published the model, or only that a Hub account the knowledge
    base does not know did, with no country. Unknown origin is not proof of risk, but a
    dependency nobody can attribute cannot be reviewed under any policy. Teach the resolver with
    a knowledge-base overlay (``--kb FILE``) or ``--online``.
    """

    id = "MD103"

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        for ref in ctx.result.references:
            if ref.kind.value not in _NAMED_KINDS:
                continue
            pub = ref.identity.publisher if ref.identity else None
            if pub is None or pub.country == "unknown":
                # a Hub account the KB does not know is named, but not who or where it is
                who = "publisher unknown" if pub is None else f"{pub.name}: country unknown"
                yield self.make(
                    f"{ref.value}: {who}", ref.location, f"{ref.kind.value}:{ref.value}"
                )
        for art in ctx.result.artifacts:
            if art.format in {"unrecognized", "chat-template", "safetensors-index"}:
                continue
            if art.identity is None or art.identity.publisher is None:
                yield self.make(
                    f"{art.location.path}: {art.format} weights of unknown publisher",
                    art.location,
                    art.location.path,
                )


def _project_finding(rule: Rule, message: str, location: Location, subject: str) -> Finding:
    """A project-wide finding shown at a representative place but fingerprinted by project."""
    f = rule.make(message, location, subject)
    return replace(f, fingerprint=make_fingerprint(rule.id, ".", subject))


def _shares(ctx: RuleContext) -> Shares:
    """Shares under the policy's weighting; usage figures, when the scan has them, win."""
    weight = "usage" if ctx.usage else ctx.policy.concentration.weight
    return compute_shares(subjects(ctx.result), weight, ctx.usage)


def _basis(shares: Shares) -> str:
    """What a share is a share of, in words."""
    if shares.weight == "usage":
        return f"of usage (figures for {shares.weighted} of {shares.models} models)"
    if shares.weight == "models":
        return "of distinct models"
    return "of model references"


def _first_location(ctx: RuleContext, pred: str, by: str) -> Location:
    for s in subjects(ctx.result):
        ident = s.identity
        if ident is None or ident.publisher is None:
            continue
        key = ident.publisher.country if by == "country" else ident.publisher.id
        if key == pred:
            return s.location
    return Location(".")


class CountryConcentration(Rule):
    """The models come mostly from one country.

    The share of each publisher country is weighted by references (``weight = "references"``,
    the default) or by distinct models (``"models"``); when usage is known (``modeldeps scan
    --usage FILE``, monthly tokens per model) it is weighted by usage, and a model without usage
    figures weighs nothing. Fires when the largest share exceeds ``max-country-share`` (default
    0.8) and at least ``min-models`` distinct models (default 3) have a known origin.
    Concentration is a resilience risk: export controls, sanctions or a regulator's decision in
    one jurisdiction can remove every model at once.
    """

    id = "MD104"

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        conc = ctx.policy.concentration
        shares = _shares(ctx)
        if shares.models < conc.min_models or not shares.by_country:
            return
        country, share = shares.by_country[0]
        if share > conc.max_country_share:
            yield _project_finding(
                self,
                f"{share:.0%} {_basis(shares)} come from {country}; threshold "
                f"{conc.max_country_share:.0%}; country HHI {shares.country_hhi:.0f}",
                _first_location(ctx, country, "country"),
                f"country:{country}",
            )


class PublisherConcentration(Rule):
    """The models come mostly from one publisher, or the publisher market is concentrated.

    Fires when one publisher's share exceeds ``max-publisher-share`` (default 0.8), or when the
    Herfindahl–Hirschman index over publishers (sum of squared percentage shares, 0 to 10000)
    exceeds ``max-hhi`` (default 5000), with at least ``min-models`` distinct models of known
    origin. Weighting is as for MD104. A single-vendor dependency is a lock-in and availability
    risk: a licence change or a retirement hits everything.
    """

    id = "MD105"

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        conc = ctx.policy.concentration
        shares = _shares(ctx)
        if shares.models < conc.min_models or not shares.by_publisher:
            return
        pub, share = shares.by_publisher[0]
        name = shares.publisher_names.get(pub, pub)
        over_share = share > conc.max_publisher_share
        over_hhi = shares.publisher_hhi > conc.max_hhi
        if over_share or over_hhi:
            yield _project_finding(
                self,
                f"{share:.0%} {_basis(shares)} come from {name}; publisher HHI "
                f"{shares.publisher_hhi:.0f} (thresholds: share {conc.max_publisher_share:.0%}, "
                f"HHI {conc.max_hhi:.0f})",
                _first_location(ctx, pub, "publisher"),
                f"publisher:{pub}",
            )
