"""API model ids of every kind (chat, image, video, speech, embedding) from LiteLLM's catalogue.

LiteLLM's ``model_prices_and_context_window_backup.json`` lists the models each provider serves,
with their mode (``chat``, ``image_generation``, ``video_generation``, ``audio_speech``,
``audio_transcription``, ``embedding``, ``rerank``...). An id becomes a KB API model of a
publisher when the provider is that model's developer (Stability's ``sd3-large``, Black Forest
Labs' ``flux-pro-1.1``, Sber's ``GigaChat-2-Max``) or, for a provider that also resells other
developers' models (DashScope, Volcengine, Vertex AI), when the KB's own API or family patterns
already give the id to that publisher. Names that are plain operations or words (``inpaint``,
``base``, ``Embeddings``) are left out: an id is kept when it carries a digit, matches a KB
pattern, or starts with the product word of the developer's numbered ids (``flux-dev`` beside
``flux-pro-1.1``).

Used by ``tools/build_kb.py``; writes nothing itself.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

#: LiteLLM providers run by the developer of every model they list -> KB publisher id.
DEVELOPERS: dict[str, str] = {
    "openai": "openai",
    "text-completion-openai": "openai",
    "anthropic": "anthropic",
    "gemini": "google",
    "mistral": "mistral",
    "codestral": "mistral",
    "text-completion-codestral": "mistral",
    "xai": "xai",
    "deepseek": "deepseek",
    "moonshot": "moonshot",
    "cohere": "cohere",
    "cohere_chat": "cohere",
    "zai": "zhipu",
    "bigmodel": "zhipu",
    "minimax": "minimax",
    "stability": "stability",
    "black_forest_labs": "black-forest-labs",
    "gigachat": "sber",
    "elevenlabs": "elevenlabs",
    "voyage": "voyage",
    "jina_ai": "jina",
    "perplexity": "perplexity",
    "ai21": "ai21",
    "xiaomi_mimo": "xiaomi",
    "amazon_nova": "amazon",
    "meta_llama": "meta",
    "sarvam": "sarvam",
}
#: Providers that serve their developer's models beside other developers' -> publisher; an id
#: is kept only when the KB's patterns already give it to that publisher.
RESELLING_DEVELOPERS: dict[str, str] = {
    "dashscope": "alibaba",
    "qwencloud": "alibaba",
    "qwen_ai_platform": "alibaba",
    "volcengine": "bytedance",
    "tencent": "tencent",
    "vertex_ai": "google",
    "vertex_ai-language-models": "google",
    "vertex_ai-image-models": "google",
    "vertex_ai-video-models": "google",
    "vertex_ai-embedding-models": "google",
    "vertex_ai-text-models": "google",
}
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:@\-]*$")
_DIGIT = re.compile(r"\d")


def _first_token(name: str) -> str:
    return re.split(r"[-_.:@]", name.lower(), maxsplit=1)[0]


def _name(key: str, routes: frozenset[str]) -> str | None:
    """The model id LiteLLM's key stands for: its provider route dropped, or ``None`` for a
    routed, sized or fine-tuned variant (``low/1024-x-1024/gpt-image-1``, ``ft:…``)."""
    head, sep, rest = key.partition("/")
    name = rest if sep and head in routes else key
    if "/" in name or name.startswith("ft:") or not _ID.match(name):
        return None
    if len(name) < 5 and not re.search(r"[-_.:@]", name):
        return None  # ``sd3``: a short abbreviation that code uses for much besides the API
    return name


def build(
    catalogues: Sequence[tuple[str, Path]],
    known_ids: Iterable[str],
    *,
    api_patterns: Iterable[tuple[str, str]],
    family_patterns: Iterable[tuple[str, str]],
    publishers: Iterable[str],
) -> list[dict[str, Any]]:
    """API model records for ids the KB lacks: ``catalogues`` are (source id, JSON path) pairs,
    newest first; ``api_patterns`` and ``family_patterns`` are (regex, publisher id) pairs."""
    api = [(re.compile(p, re.IGNORECASE), pub) for p, pub in api_patterns]
    fams = [(re.compile(p.removeprefix("(?i)"), re.IGNORECASE), pub) for p, pub in family_patterns]
    have = {i.lower() for i in known_ids}
    valid = frozenset(publishers)
    owners = {**DEVELOPERS, **RESELLING_DEVELOPERS}
    found: dict[str, tuple[str, str, str]] = {}  # lower id -> (id, publisher, source)
    for source, path in catalogues:
        data: Mapping[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        routes = frozenset(
            {str(r.get("litellm_provider")) for r in data.values() if isinstance(r, dict)}
            | {p.split("-")[0] for p in owners}
        )
        for key, rec in sorted(data.items()):
            if not isinstance(rec, dict):
                continue
            provider = str(rec.get("litellm_provider"))
            publisher = owners.get(provider)
            name = _name(key, routes)
            if publisher is None or publisher not in valid or name is None:
                continue
            low = name.lower()
            if low in have or low in found:
                continue
            mine = _claimed(low, publisher, api, fams)
            if not mine and (provider in RESELLING_DEVELOPERS or _claimed(low, None, api, fams)):
                continue  # another developer's model that this provider serves too
            found[low] = (name, publisher, source)
    numbered: dict[str, set[str]] = {}
    for low, (_, pub, _) in found.items():
        if _DIGIT.search(low):
            numbered.setdefault(pub, set()).add(_first_token(low))
    records = []
    for low, (name, pub, source) in found.items():
        # a plain word or operation (``inpaint``, ``base``) names no model; a product line of
        # the developer's numbered ids does (``flux-dev`` beside ``flux-pro-1.1``)
        product_line = "-" in low and _first_token(low) in numbered.get(pub, ())
        if not _DIGIT.search(low) and not _claimed(low, pub, api, fams) and not product_line:
            continue
        records.append({"id": name, "publisher": pub, "sources": [source]})
    return sorted(records, key=lambda r: (r["publisher"], r["id"].lower()))


def _claimed(
    low: str,
    publisher: str | None,
    api: list[tuple[re.Pattern[str], str]],
    fams: list[tuple[re.Pattern[str], str]],
) -> bool:
    """Whether the KB's API or family patterns give ``low`` to ``publisher`` (``None``: to
    any publisher at all)."""
    for rx, pub in (*api, *fams):
        if (publisher is None or pub == publisher) and rx.search(low):
            return True
    return False
