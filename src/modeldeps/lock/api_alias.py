"""Pins for closed-API models: a dated version is a pin, an alias is visibly not one."""

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


def api_pin(name: str, kb: Any | None, provider: str | None, used_in: tuple[str, ...]) -> ApiPin:
    """What the lock says of an API model name, using the knowledge base's alias records."""
    rec = kb.api_model(name) if kb is not None else None
    exact = rec is not None and bool(rec.id) and rec.id.lower() == name.lower()
    provider = (rec.publisher if rec is not None else None) or provider
    snapshot = getattr(rec, "snapshot", None) if exact else None
    if snapshot:
        when = getattr(rec, "snapshot_date", None)
        seen = f" as of {when}" if when else ""
        return ApiPin(
            name,
            provider,
            False,
            snapshot,
            f"alias: the provider moves it to new versions; it pointed to {snapshot}{seen} "
            "(knowledge base). Use the dated name to pin it",
            used_in,
        )
    if _MOVING.search(name):
        return ApiPin(
            name, provider, False, None, "alias: the name says it moves to new versions", used_in
        )
    if _DATED.search(name):
        return ApiPin(
            name, provider, True, None, "a dated version, fixed until it is retired", used_in
        )
    return ApiPin(
        name,
        provider,
        False,
        None,
        "not known to be a fixed version: the provider may serve new weights under this name",
        used_in,
    )
