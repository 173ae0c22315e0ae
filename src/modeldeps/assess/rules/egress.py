"""MD5xx data-egress rules: requests sent to an API operated in a watch-listed jurisdiction."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from urllib.parse import urlsplit

from modeldeps.assess.knowledge import OperatorFacts
from modeldeps.assess.policy import Lists
from modeldeps.assess.rules.interface import Rule, RuleContext
from modeldeps.model import Confidence, Finding, ModelReference, RefKind, Severity

_LOCAL_NAMES = frozenset({"localhost", "host.docker.internal", "ollama", "vllm"})


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


def _listed(lists: Lists, op: OperatorFacts) -> str | None:
    if op.id.lower() in lists.publishers or op.name.lower() in lists.publishers:
        return f"operator {op.name or op.id}"
    if op.country in lists.all_countries() or ("*" in lists.countries and op.country != "unknown"):
        return f"jurisdiction {op.country}"
    flags = {f.lower() for f in op.flags} & lists.jurisdictions
    return f"jurisdiction {sorted(flags)[0]}" if flags else None


class WatchedEgress(Rule):
    """Requests go to an API endpoint operated in a watch-listed or denied jurisdiction.

    Prompts, documents and user data sent to an API are processed under the law of the
    operator's jurisdiction. The endpoint is the ``base_url`` of a client, an endpoint URL in
    configuration, or, for a closed-API model called without a ``base_url``, the model
    publisher's own API. The operator and its jurisdiction come from the knowledge base.
    Jurisdictions are those of the ``[watch]`` and ``[deny]`` tables (by default ``prc``); an
    operator or country in ``[allow]`` is exempt.
    """

    id = "MD501"
    title = "Data sent to an API operated in a watch-listed jurisdiction"
    severity = Severity.HIGH
    cwe = 359
    remediation = (
        "Send the data to an endpoint operated in an accepted jurisdiction (many open-weight "
        "models are also served by other hosts, or can be self-hosted), or record the decision."
    )

    def _operator(self, ctx: RuleContext, ref: ModelReference) -> tuple[OperatorFacts, str] | None:
        url = ref.value if ref.kind is RefKind.ENDPOINT else str(ref.context.get("base_url") or "")
        if url:
            host = host_of(url)
            op = ctx.kb.endpoint_operator(host) if host else None
            return (op, host or url) if op is not None else None
        if ref.kind is not RefKind.API_MODEL or ref.identity is None:
            return None
        pub = ref.identity.publisher
        provider = str(ref.context.get("provider") or "")
        if pub is None or (provider and provider.lower() != pub.id.lower()):
            return None
        flags = ctx.kb.publisher_flags(pub.id)
        return OperatorFacts(pub.id, pub.name, pub.country, flags), f"{pub.name or pub.id} API"

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        policy = ctx.policy
        for ref in ctx.result.references:
            found = self._operator(ctx, ref)
            if found is None:
                continue
            op, where = found
            if _listed(policy.allow, op):
                continue
            why = _listed(policy.deny, op) or _listed(policy.watch, op)
            if why is None:
                continue
            direct = ref.kind is RefKind.ENDPOINT or bool(ref.context.get("base_url"))
            yield self.make(
                f"requests for {ref.value} go to {where}, operated by {op.name or op.id} "
                f"({op.country}; {why})",
                ref.location,
                f"{op.id}:{ref.value}",
                confidence=Confidence.HIGH if direct else Confidence.MEDIUM,
            )
