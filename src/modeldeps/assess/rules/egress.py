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
    """Everything one file sends to one API host: the first place, and the models named."""

    ref: ModelReference
    op: OperatorFacts
    host: str  # the host, or "<operator> API" when only the model's publisher is known
    direct: bool  # the host is written in the code or configuration
    models: list[str] = field(default_factory=list)


class WatchedEgress(Rule):
    """Requests go to an API endpoint operated in a watch-listed or denied jurisdiction.

    Prompts, documents and user data sent to an API are processed under the law of the
    operator's jurisdiction. The endpoint is the ``base_url`` of a client, an endpoint URL in
    configuration, or, for a closed-API model called without a ``base_url``, the model
    publisher's own API. The operator and its jurisdiction come from the knowledge base.
    Jurisdictions are those of the ``[watch]`` and ``[deny]`` tables (by default ``prc``); an
    operator or country in ``[allow]`` is exempt.

    One finding is reported per API host and file, at the first place the host is named (the
    ``base_url`` or endpoint when there is one); its message lists the models sent there. The
    message names the policy keys that decide: the list entry that matched, the ``[allow]``
    entry that would exempt the operator, and ``[severity] MD501`` to report without failing
    CI (see docs/policy.md for why the default is high).
    """

    id = "MD501"

    def _operator(self, ctx: RuleContext, ref: ModelReference) -> tuple[OperatorFacts, str] | None:
        url = ref.value if ref.kind is RefKind.ENDPOINT else str(ref.context.get("base_url") or "")
        if url:
            host = host_of(url)
            op = ctx.kb.endpoint_operator(host) if host else None
            return (op, host) if op is not None and host else None
        if ref.kind is not RefKind.API_MODEL or ref.identity is None:
            return None
        pub = ref.identity.publisher
        provider = str(ref.context.get("provider") or "")
        if pub is None or (provider and provider.lower() != pub.id.lower()):
            return None
        flags = ctx.kb.publisher_flags(pub.id)
        return OperatorFacts(pub.id, pub.name, pub.country, flags), ""

    def _groups(self, ctx: RuleContext) -> list[_Egress]:
        """Watched egress grouped by (file, host), in reference order."""
        groups: dict[tuple[str, str], _Egress] = {}
        inferred: list[tuple[ModelReference, OperatorFacts]] = []
        for ref in sorted(ctx.result.references, key=ModelReference.sort_key):
            found = self._operator(ctx, ref)
            if found is None or not self._watched(ctx.policy, found[0]):
                continue
            op, host = found
            if not host:  # only the publisher is known: fold into a named host below
                inferred.append((ref, op))
                continue
            group = groups.setdefault(
                (ref.location.path, host), _Egress(ref, op, host, direct=True)
            )
            if ref.kind is RefKind.API_MODEL:
                group.models.append(ref.value)
        for ref, op in inferred:
            # A model of the same operator in a file that names the operator's host is the
            # same traffic; otherwise the publisher's own API is the destination.
            same = [
                g
                for (path, _), g in groups.items()
                if path == ref.location.path and g.op.id == op.id
            ]
            key = (same[0].ref.location.path, same[0].host) if same else None
            if key is None:
                key = (ref.location.path, f"{op.id} API")
                groups.setdefault(key, _Egress(ref, op, key[1], direct=False))
            groups[key].models.append(ref.value)
        return sorted(groups.values(), key=lambda g: g.ref.sort_key())

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
            subject = ":".join([g.op.id, g.host, *models])
            dest = g.host if g.direct else f"the {g.host}"
            f = self.make(
                f"requests to {dest}{sent} go to {g.op.name or g.op.id} ({g.op.country}); "
                f"{_why(policy, g.op)}; {_how_to_accept(policy, g.op)}",
                g.ref.location,
                subject,
                confidence=Confidence.HIGH if g.direct else Confidence.MEDIUM,
            )
            # The fingerprint follows operator, host and file, not the models: adding a model
            # to a reviewed client does not make the finding new.
            yield replace(
                f, fingerprint=make_fingerprint(self.id, g.ref.location.path, f"{g.op.id}:{g.host}")
            )


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
