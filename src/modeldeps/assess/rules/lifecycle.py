"""MD4xx lifecycle rules: unpinned Hub revisions, retired or deprecated API models."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from modeldeps.assess.knowledge import ApiModelFacts
from modeldeps.assess.refs import downloads_weights
from modeldeps.assess.rules.interface import Rule, RuleContext
from modeldeps.assess.rules.serialization import is_commit
from modeldeps.model import Confidence, Finding, RefKind, Severity


class UnpinnedRevision(Rule):
    """A Hugging Face Hub model is downloaded without a pinned commit revision.

    Without ``revision="<40-hex commit>"`` every download takes whatever the repository holds
    that day: weights, tokenizer, chat template and remote code can change under you, silently
    and without review. A branch or tag (``main``, ``v1.0``) is not a pin; it moves.

    Only references that download the model's files count: a Hub id sent to an inference API
    (Together, Groq, OpenRouter, Hugging Face's hosted inference, any client with a
    ``base_url``) runs on someone else's servers, and no revision of yours applies. One finding
    per model lists every place it is loaded.

    A model that ``models.lock`` at the scan root pins (``modeldeps lock``) is not reported:
    the lock holds its commit and file hashes, and ``modeldeps verify`` checks the copies.
    """

    id = "MD401"

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        for ref in ctx.result.references:
            if not downloads_weights(ref):
                continue
            revision = ref.context.get("revision")
            if revision is not None and is_commit(str(revision)):
                continue
            if is_commit(str(ref.context.get("locked_revision") or "")):
                continue  # pinned in models.lock
            said = f"revision {revision!r} is a branch or tag" if revision else "no revision"
            loaded = bool(ref.context.get("loader"))
            yield self.make(
                f"{ref.value}: {said}; the download can change without review",
                ref.location,
                ref.value,
                confidence=Confidence.HIGH if loaded else Confidence.MEDIUM,
            )


class LockDrift(Rule):
    """A model's local copy differs from the bytes ``models.lock`` pins.

    With a ``models.lock`` at the scan root, every local copy it pins that is present on this
    machine is hashed and compared with the lock: weight files in the project, the files of a
    cached Hub snapshot (the Hugging Face cache, found as huggingface_hub finds it), Ollama
    manifests and layers. A difference means the bytes that would run are not the bytes that
    were reviewed: a swapped file in a shared cache, a tampered blob, a tag pulled again. A
    link in a cache that points outside it is drift too, and is never read.

    Copies absent from this machine are not findings (CI runners rarely hold model caches);
    ``modeldeps verify`` reports them. A lockfile that cannot be read is a ``Skipped`` entry
    (stage ``lock``). Digests are remembered by each file's device, inode, size, modification
    and change time, so an unchanged cache is not hashed again on every scan; ``verify``
    always hashes.
    """

    id = "MD403"


class RetiredApiModel(Rule):
    """A closed-API model is retired, scheduled for retirement, or deprecated.

    Calls to a retired model fail; a deprecated one still answers but will stop on a date the
    provider announces. The knowledge base records providers' retirement dates (and deprecation
    dates where a record carries one); the scan's own date decides which state applies:

    - retired, its date today or past: severity **high** (the calls fail now);
    - retirement scheduled for a later date: **medium**;
    - deprecated (the deprecation date is today or past) with no retirement date yet: **medium**;
    - a deprecation announced for a later date, and no retirement: nothing yet.

    Confidence is medium when the knowledge-base record is marked unverified (its date was not
    re-read from the provider's page), high otherwise. A policy's ``[severity] MD402`` re-grades
    every state alike.
    """

    id = "MD402"

    @staticmethod
    def _state(facts: ApiModelFacts, today: date) -> tuple[str, Severity] | None:
        """What the dates say on ``today``, and how severe that is."""
        deprecated = facts.deprecated if facts.deprecated and facts.deprecated <= today else None
        since = f"deprecated since {deprecated.isoformat()} and " if deprecated else ""
        if facts.retired is not None and facts.retired <= today:
            return f"retired on {facts.retired.isoformat()}; calls to it fail", Severity.HIGH
        if facts.retired is not None:
            return (
                f"{since}scheduled for retirement on {facts.retired.isoformat()}",
                Severity.MEDIUM,
            )
        if deprecated is not None:
            return f"deprecated since {deprecated.isoformat()}", Severity.MEDIUM
        return None

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        for ref in ctx.result.references:
            if ref.kind is not RefKind.API_MODEL:
                continue
            facts = ctx.kb.api_model(ref.value)
            if facts is None:
                continue
            found = self._state(facts, ctx.today)
            if found is None:
                continue
            state, severity = found
            instead = f"; replacement: {facts.replacement}" if facts.replacement else ""
            yield self.make(
                f"{ref.value} is {state}{instead}",
                ref.location,
                ref.value,
                severity=severity,
                confidence=Confidence.HIGH if facts.verified else Confidence.MEDIUM,
            )
