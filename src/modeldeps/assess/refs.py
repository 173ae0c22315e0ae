"""What a reference's context says it does: send requests somewhere, or download weights."""

from __future__ import annotations

from typing import Final

from modeldeps.model import ModelReference, RefKind

__all__ = ["EGRESS_KINDS", "downloads_weights", "egress_of"]

#: How code sends data to the place a reference names (the detectors' ``context["egress"]``):
#: ``client`` an SDK client constructed with that base URL or host, ``sdk`` a call of a
#: provider's SDK, ``request`` an HTTP or websocket request to the URL, ``config`` a base-URL
#: setting the application reads. No ``egress`` means a mere mention.
EGRESS_KINDS: Final = frozenset({"client", "sdk", "request", "config"})

#: Call names of Hugging Face's hosted inference: the model runs on their servers, not here.
_REMOTE_HF = ("Inference", "Endpoint", "HuggingFaceHub")


def egress_of(ref: ModelReference) -> str | None:
    """How the code sends requests to what ``ref`` names, or ``None`` when it only names it.

    ``context["egress"]`` decides. A reference that carries a ``base_url`` is a call through a
    client constructed with that URL (detectors record it only there), and an endpoint passed as
    a keyword argument of a call (``OpenAI(base_url=...)``: a ``loader`` and a ``key``) is that
    client's construction: both are ``client`` egress.
    """
    said = ref.context.get("egress")
    if isinstance(said, str) and said in EGRESS_KINDS:
        return said
    if ref.context.get("base_url"):
        return "client"
    if ref.kind is RefKind.ENDPOINT and ref.context.get("loader") and ref.context.get("key"):
        return "client"
    return None


def downloads_weights(ref: ModelReference) -> bool:
    """Whether using ``ref`` downloads a Hub model's files (so its revision matters).

    A Hub id sent to an inference API (Together, Groq, OpenRouter, Hugging Face's own hosted
    inference…) names a model that runs on someone else's servers: nothing is downloaded.
    """
    if ref.kind is not RefKind.HUB_MODEL or egress_of(ref) is not None:
        return False
    provider = str(ref.context.get("provider") or "").lower()
    if not provider:
        return True
    if provider in {"huggingface", "hf"}:
        loader = str(ref.context.get("loader") or "")
        return not any(word in loader for word in _REMOTE_HF)
    return False
