"""Turns a string that reached a loader argument into a reference kind, value and context."""

from __future__ import annotations

import re

from modeldeps.discover.detectors import vocab
from modeldeps.discover.detectors.pyast.loaders import OPEN_WEIGHT_HOSTS, Kind
from modeldeps.model import ContextValue, RefKind

#: A bare hub name as legacy loaders accept it (``gpt2``, ``bert-base-uncased``).
_BARE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,95}$")
#: What an API model name may contain (``gpt-4o``, ``ft:gpt-4o:org::id``, ``accounts/x/models/y``).
_API_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:@/\-]{0,199}$")
_HUB_PREFIXES = ("hf_hub:", "hf-hub:", "https://huggingface.co/", "huggingface.co/")
_WEIGHT_SUFFIXES = (".gguf", ".safetensors", ".bin", ".pt", ".pth", ".ckpt", ".onnx", ".h5", ".pkl")
#: Placeholders and names that are never a model, even with a loader (``gpt2`` is a real model).
_PLACEHOLDERS = vocab.NOT_MODELS - {"gpt2"}
_CLOSED_ORGS = frozenset({"openai", "anthropic", "google", "x-ai", "cohere", "mistralai"})

Classified = tuple[RefKind, str, dict[str, ContextValue]]


def is_path(value: str) -> bool:
    """A filesystem path rather than a hub id: explicit prefixes, weight suffixes, deep paths."""
    if value.startswith(("./", "../", "/", "~", ".\\")) or re.match(r"^[A-Za-z]:[\\/]", value):
        return True
    if value.lower().endswith(_WEIGHT_SUFFIXES):
        return True
    return value.count("/") >= 2 or "\\" in value


def classify(value: str, kind: Kind, provider: str | None) -> Classified | None:
    """Reference kind, value and extra context for ``value`` reaching a ``kind`` argument."""
    v = value.strip()
    if not v or len(v) > 300 or "\n" in v or "{" in v or v.lower() in _PLACEHOLDERS:
        return None
    if v.startswith(("http://", "https://")) and not v.startswith(_HUB_PREFIXES[2]):
        return None
    ctx: dict[str, ContextValue] = {}
    if provider:
        ctx["provider"] = provider
    if kind is Kind.LOCAL:
        return RefKind.LOCAL_ARTIFACT, v, ctx
    if kind is Kind.HUB:
        return _hub(v, ctx)
    if kind is Kind.OLLAMA:
        if vocab.OLLAMA_TAG_RE.match(v):
            return RefKind.OLLAMA_MODEL, v, ctx
        return None
    if kind is Kind.PROVIDER:
        return _provider_model(v, provider, ctx)
    if kind is Kind.API:
        return _api(v, provider, ctx)
    # Kind.AUTO: only a recognised shape counts as evidence.
    head, sep, rest = v.partition(":")
    if sep and rest and head.lower() in vocab.PROVIDER_PREFIXES:
        return _provider_model(v, provider, ctx)
    if v.startswith("ft:"):  # an OpenAI fine-tune id, ``ft:gpt-4o-mini:org::abc123``
        return _api(v, provider, ctx)
    auto = vocab.kind_for_name(v)
    if auto is None and ":" in v and "/" not in v and vocab.OLLAMA_TAG_RE.match(v):
        # ``name:tag`` under a model key is how Ollama names models (``mistral:7b-instruct``).
        return RefKind.OLLAMA_MODEL, v, ctx
    if auto is None or auto is RefKind.ENDPOINT:
        return None
    if auto is RefKind.API_MODEL:
        return _api(v, provider, ctx)
    if auto is RefKind.HUB_MODEL:
        return _hub(v, ctx)
    return auto, v, ctx


def _hub(v: str, ctx: dict[str, ContextValue]) -> Classified | None:
    for prefix in _HUB_PREFIXES:
        if v.startswith(prefix):
            v = v[len(prefix) :].strip("/")
            break
    if " " in v:
        return (RefKind.LOCAL_ARTIFACT, v, ctx) if is_path(v) else None
    if is_path(v):
        return RefKind.LOCAL_ARTIFACT, v, ctx
    if vocab.looks_like_hub_id(v) or _BARE_RE.match(v):
        return RefKind.HUB_MODEL, v, ctx
    return None


def _api(v: str, provider: str | None, ctx: dict[str, ContextValue]) -> Classified | None:
    if " " in v or not _API_RE.match(v):
        return None
    head, sep, rest = v.partition(":")
    if sep and head.lower() in vocab.PROVIDER_PREFIXES and rest:
        return _provider_model(v, provider, ctx)
    if vocab.BEDROCK_ID_RE.match(v):
        ctx.setdefault("provider", provider or "amazon-bedrock")
        return RefKind.API_MODEL, v, ctx
    if vocab.looks_like_hub_id(v):
        org, _, name = v.partition("/")
        if org.lower() in _CLOSED_ORGS and vocab.api_provider_for(name):
            ctx.setdefault("provider", provider or org.lower())
            return RefKind.API_MODEL, v, ctx
        return RefKind.HUB_MODEL, v, ctx
    if provider is None:
        guessed = vocab.api_provider_for(v)
        if guessed:
            ctx["provider"] = guessed
    return RefKind.API_MODEL, v, ctx


def _provider_model(
    v: str, provider: str | None, ctx: dict[str, ContextValue]
) -> Classified | None:
    """``openai/gpt-4o``, ``openai:gpt-4o``, ``ollama/llama3``, ``together_ai/org/name``."""
    if " " in v:
        return None
    for sep in (":", "/"):
        head, found, rest = v.partition(sep)
        if found and rest and head.lower() in vocab.PROVIDER_PREFIXES:
            prefix = head.lower()
            ctx["provider"] = prefix
            if prefix.startswith("ollama"):
                return (
                    (RefKind.OLLAMA_MODEL, rest, ctx) if vocab.OLLAMA_TAG_RE.match(rest) else None
                )
            if vocab.looks_like_hub_id(rest) and prefix in OPEN_WEIGHT_HOSTS | {"huggingface"}:
                return RefKind.HUB_MODEL, rest, ctx
            return _api(rest, prefix, ctx)
    return _api(v, provider, ctx)
