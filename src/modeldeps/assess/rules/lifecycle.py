"""MD4xx lifecycle rules: unpinned Hub revisions, retired or deprecated API models."""

from __future__ import annotations

from collections.abc import Iterator

from modeldeps.assess.rules.interface import Rule, RuleContext
from modeldeps.assess.rules.serialization import is_commit
from modeldeps.model import Confidence, Finding, RefKind, Severity


class UnpinnedRevision(Rule):
    """A Hugging Face Hub model is used without a pinned commit revision.

    Without ``revision="<40-hex commit>"`` every download takes whatever the repository holds
    that day: weights, tokenizer, chat template and remote code can change under you, silently
    and without review. A branch or tag (``main``, ``v1.0``) is not a pin; it moves.
    """

    id = "MD401"
    title = "Hub model without a pinned commit revision"
    severity = Severity.LOW
    cwe = 1357
    remediation = (
        'Pass revision="<commit sha>" (40 hex characters) to the loader, or pin it in '
        "models.lock with `modeldeps lock`."
    )

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        for ref in ctx.result.references:
            if ref.kind is not RefKind.HUB_MODEL:
                continue
            revision = ref.context.get("revision")
            if revision is not None and is_commit(str(revision)):
                continue
            said = f"revision {revision!r} is a branch or tag" if revision else "no revision"
            loaded = bool(ref.context.get("loader"))
            yield self.make(
                f"{ref.value}: {said}; the download can change without review",
                ref.location,
                ref.value,
                confidence=Confidence.HIGH if loaded else Confidence.MEDIUM,
            )


class RetiredApiModel(Rule):
    """A closed-API model is retired, scheduled for retirement, or deprecated.

    Calls to a retired model fail; a deprecated one will stop working on a known date. The
    knowledge base records providers' announced deprecation and retirement dates; the scan's
    own date decides which applies.
    """

    id = "MD402"
    title = "Retired or deprecated API model"
    severity = Severity.MEDIUM
    cwe = 1104
    remediation = "Migrate to the provider's recommended replacement before the retirement date."

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        for ref in ctx.result.references:
            if ref.kind is not RefKind.API_MODEL:
                continue
            facts = ctx.kb.api_model(ref.value)
            if facts is None:
                continue
            if facts.retired is not None and facts.retired <= ctx.today:
                state = f"retired on {facts.retired.isoformat()}"
            elif facts.retired is not None:
                state = f"scheduled for retirement on {facts.retired.isoformat()}"
            elif facts.deprecated is not None and facts.deprecated <= ctx.today:
                state = f"deprecated since {facts.deprecated.isoformat()}"
            else:
                continue
            instead = f"; replacement: {facts.replacement}" if facts.replacement else ""
            yield self.make(f"{ref.value} is {state}{instead}", ref.location, ref.value)
