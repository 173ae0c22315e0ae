"""Pins for closed-API models: a fixed version is a pin, an alias is visibly not one."""

from __future__ import annotations

import re
from typing import Any

from modeldeps.lock.lockfile import ApiPin

#: Name endings providers use for fixed, dated versions: ``-2024-08-06``, ``-20241022``,
#: ``-0613`` (OpenAI's month-day), ``@20251001`` (Vertex AI), ``-v1:0`` (Bedrock), ``-002``
#: (Gemini's numbered stable versions).
_DATED = re.compile(r"(-\d{4}-\d{2}-\d{2}|-\d{8}|-\d{4}|@\d{8}|-v\d+:\d+|-0\d\d)$")
#: Names that say they move: ``mistral-large-latest``, ``chatgpt-4o-latest``.
_MOVING = re.compile(r"(-latest|:latest)$")


def _snapshots(kb: Any) -> frozenset[str]:
    """Every name the knowledge base records as the fixed version an alias points to."""
    return frozenset(
        a.alias_of.lower() for a in getattr(kb, "api_models", ()) if getattr(a, "alias_of", None)
    )


def api_pin(name: str, kb: Any | None, provider: str | None, used_in: tuple[str, ...]) -> ApiPin:
    """What the lock says of an API model name, from the knowledge base's alias records."""
    rec = kb.api_model(name) if kb is not None else None
    exact = rec is not None and bool(rec.id) and rec.id.lower() == name.lower()
    provider = (rec.publisher if rec is not None else None) or provider
    target = getattr(rec, "alias_of", None) if exact else None
    if target:
        cited = kb.citation(rec.sources) if kb is not None and rec is not None else None
        per = f" ({cited})" if cited else ""
        return ApiPin(
            name,
            provider,
            False,
            target,
            f"alias: the provider can point it to new versions; the knowledge base records it "
            f"pointing to {target}{per}. Use the dated name to pin it",
            used_in,
        )
    if _MOVING.search(name):
        reason = "alias: the name says it moves to new versions"
        return ApiPin(name, provider, False, None, reason, used_in)
    if _DATED.search(name) or (kb is not None and name.lower() in _snapshots(kb)):
        reason = "a fixed version: the provider does not change it until it is retired"
        return ApiPin(name, provider, True, None, reason, used_in)
    return ApiPin(
        name,
        provider,
        False,
        None,
        "not known to be a fixed version: the provider may serve new weights under this name",
        used_in,
    )
