"""Credential redaction for anything a report prints: URLs with user info or secret parameters."""

from __future__ import annotations

import re
from typing import Any

_USERINFO = re.compile(r"(?P<scheme>[a-zA-Z][a-zA-Z0-9+.\-]*://)[^/@\s:]+(?::[^/@\s]*)?@")
_SECRET_PARAM = re.compile(
    r"(?P<key>[?&](?:api[_-]?key|key|token|access[_-]?token|secret|sig|signature|password|pwd|"
    r"code|auth)=)[^&#\s]+",
    re.IGNORECASE,
)
_BEARER = re.compile(r"\b(sk-[A-Za-z0-9_\-]{8})[A-Za-z0-9_\-]{8,}")


def redact(text: str) -> str:
    """``text`` with URL credentials, secret query parameters and API-key-like tokens masked."""
    if "@" not in text and "=" not in text and "sk-" not in text:
        return text  # nothing to mask; most strings in a report take this path
    out = _USERINFO.sub(r"\g<scheme>***@", text)
    out = _SECRET_PARAM.sub(r"\g<key>***", out)
    return _BEARER.sub(r"\1***", out)


def redact_data(obj: Any) -> Any:
    """Apply ``redact`` to every string inside JSON-ready data."""
    cls = type(obj)
    if cls is str:
        return redact(obj)
    if cls is dict:
        return {k: v if type(v) in _LEAVES else redact_data(v) for k, v in obj.items()}
    if cls is list:
        return [v if type(v) in _LEAVES else redact_data(v) for v in obj]
    if isinstance(obj, str | dict | list):  # subclasses take the slower, general path
        if isinstance(obj, str):
            return redact(obj)
        if isinstance(obj, dict):
            return {k: redact_data(v) for k, v in obj.items()}
        return [redact_data(v) for v in obj]
    return obj


#: JSON leaves that can hold no credential.
_LEAVES: frozenset[type] = frozenset({int, float, bool, type(None)})
