"""MD5xx data-egress rules: requests sent to an API operated in a watch-listed jurisdiction."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from urllib.parse import urlsplit

from modeldeps.assess.knowledge import OperatorFacts
from modeldeps.assess.policy import (
    DEFAULT_WATCH,
    JURISDICTIONS,
    Lists,
    Policy,
    policy_file,
    policy_key,
)
from modeldeps.assess.refs import egress_of
from modeldeps.assess.rules.interface import Rule, RuleContext
from modeldeps.model import Confidence, Finding, ModelReference, RefKind, make_fingerprint

_LOCAL_NAMES = frozenset({"localhost", "host.docker.internal", "ollama", "vllm"})
#: Model names listed in one message; the rest are counted.
_MAX_NAMED = 5


def host_of(value: str) -> str | None:
    """The host of a URL or bare host name, lower-case; None for local or unparsable ones."""
    text = value.strip()
    if not text:
        return None
    if "://" not in text:
        text = "//" + text
    try:
        host = urlsplit(text).hostname
    except ValueError:
        return None
    if not host:
        return None
    host = host.lower().rstrip(".")
    if host in _LOCAL_NAMES or host.endswith(".local") or host.endswith(".internal"):
        return None
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return host
    return None if (ip.is_private or ip.is_loopback or ip.is_link_local) else host


def _listed(lists: Lists, op: OperatorFacts) -> tuple[str, str] | None:
    """The (key, value) of ``lists`` that names the operator, e.g. ("jurisdictions", "prc")."""
    for name in (op.id, op.name):
        if name and name.lower() in lists.publishers:
            return "publishers", name.lower()
    if op.country in lists.countries:
        return "countries", op.country
    for jur in sorted(lists.jurisdictions):
        if op.country in JURISDICTIONS.get(jur, ()) or jur in {f.lower() for f in op.flags}:
            return "jurisdictions", jur
    if "*" in lists.countries and op.country != "unknown":
        return "countries", "*"
    return None


@dataclass
class _Egress:
    """Everything sent to one destination: where, and which models."""

    op: OperatorFacts
    host: str  # the host, or "<operator> API" when only the provider is known
    direct: bool  # the host is written in the code or configuration
    refs: list[ModelReference] = field(default_factory=list)
    models: list[str] = field(default_factory=list)


class WatchedEgress(Rule):
    """Requests go to an API endpoint operated in a watch-listed or denied jurisdiction.

    Prompts, documents and user data sent to an API are processed under the law of the
    operator's jurisdiction. Only code that really sends requests counts: a client constructed
    with the endpoint as its base URL or host, a call of a provider's SDK (DashScope, Qianfan,
    ZhipuAI, Moonshot, …), an HTTP request to the URL, or a base-URL setting the application
    reads. A list of model names or a URL that nothing calls is not egress. The operator and its
    jurisdiction come from the knowledge base, for every host it lists. Jurisdictions are those
    of the ``[watch]`` and ``[deny]`` tables (by default ``prc``); an operator or country in
    ``[allow]`` is exempt.

    One finding is reported per destination (API host, or a provider's own API for an SDK call)
    with every place that sends there; its message lists the models sent. The message names the
    policy keys that decide: the list entry that matched, the ``[allow]`` entry that would exempt
    the operator, and ``[severity] MD501`` to report without failing CI (see docs/policy.md for
    why the default is high).
    """

    id = "MD501"

    @staticmethod
    def _destination(ctx: RuleContext, ref: ModelReference) -> tuple[OperatorFacts, str] | None:
        """Who receives what ``ref`` sends, and the host ("" when only the provider is known)."""
        url = ref.value if ref.kind is RefKind.ENDPOINT else str(ref.context.get("base_url") or "")
        if url:
            host = host_of(url)
            op = ctx.kb.endpoint_operator(host) if host else None
            return (op, host) if op is not None and host else None
        provider = str(ref.context.get("provider") or "")
        if provider:
            op = ctx.kb.operator(provider)
            return (op, "") if op is not None else None
        pub = ref.identity.publisher if ref.identity is not None else None
        if ref.kind is RefKind.API_MODEL and pub is not None:
            # A closed-API model sent without a named provider goes to its publisher's API.
            return OperatorFacts(pub.id, pub.name, pub.country, ctx.kb.publisher_flags(pub.id)), ""
        return None

    def _groups(self, ctx: RuleContext) -> list[_Egress]:
        """Watched egress grouped by destination, in reference order."""
        groups: dict[tuple[str, str], _Egress] = {}
        for ref in sorted(ctx.result.references, key=ModelReference.sort_key):
            if egress_of(ref) is None:
                continue  # named, never sent to
            found = self._destination(ctx, ref)
            if found is None or not self._watched(ctx.policy, found[0]):
                continue
            op, host = found
            label = host or f"{op.id} API"
            group = groups.setdefault((op.id, label), _Egress(op, label, direct=bool(host)))
            group.refs.append(ref)
            if ref.kind is RefKind.API_MODEL:
                group.models.append(ref.value)
        return list(groups.values())

    @staticmethod
    def _watched(policy: Policy, op: OperatorFacts) -> bool:
        if _listed(policy.allow, op):
            return False
        return bool(_listed(policy.deny, op) or _listed(policy.watch, op))

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        policy = ctx.policy
        for g in self._groups(ctx):
            models = list(dict.fromkeys(g.models))
            named = ", ".join(models[:_MAX_NAMED])
            if len(models) > _MAX_NAMED:
                named += f" and {len(models) - _MAX_NAMED} more"
            sent = f" (models: {named})" if named else ""
            dest = g.host if g.direct else f"the {g.host}"
            message = (
                f"requests to {dest}{sent} go to {g.op.name or g.op.id} ({g.op.country}); "
                f"{_why(policy, g.op)}; {_how_to_accept(policy, g.op)}"
            )
            # One finding per place, all with the destination's fingerprint: the assess stage
            # applies ignores place by place, then merges them into one finding. The subject
            # names the models too, so an ignore by model glob can match.
            subject = ":".join([g.op.id, g.host, *models])
            fingerprint = make_fingerprint(self.id, "", f"{g.op.id}:{g.host}")
            confidence = Confidence.HIGH if g.direct else Confidence.MEDIUM
            for ref in g.refs:
                f = self.make(message, ref.location, subject, confidence=confidence)
                yield replace(f, fingerprint=fingerprint)


def _why(policy: Policy, op: OperatorFacts) -> str:
    """Which policy entry put the operator on a list, as the user would write it."""
    for table, lists in (("deny", policy.deny), ("watch", policy.watch)):
        hit = _listed(lists, op)
        if hit is None:
            continue
        key, value = hit
        default = " (the default watch list)" if table == "watch" and lists == DEFAULT_WATCH else ""
        return f'matched {policy_key(policy, table, key)} = ["{value}"]{default}'
    return "on the watch list"


def _how_to_accept(policy: Policy, op: OperatorFacts) -> str:
    """The exact keys that accept this egress: exempt the operator, or re-grade the rule."""
    return (
        f'to accept it, in {policy_file(policy)} add "{op.id}" to '
        f"{policy_key(policy, 'allow', 'publishers')}, or set "
        f'{policy_key(policy, "severity", "MD501")} = "medium" to report it without failing CI'
    )
