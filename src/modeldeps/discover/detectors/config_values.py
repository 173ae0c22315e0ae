"""Configuration values: the events readers make, bounds, and how a value is cleaned."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

#: Files larger than this are not parsed: configuration that big is data, not configuration.
MAX_CONFIG_BYTES = 2 * 1024 * 1024
#: Deepest nesting followed in any structured file.
MAX_DEPTH = 64
#: Most scalar values looked at in one file (bounds work on machine-generated files).
MAX_EVENTS = 200_000

# --- Values: env-var defaults and templates -------------------------------------------------

_ENV_DEFAULT_RE = re.compile(r"^\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?[-=])([^}]*)\}$")
_HELM_DEFAULT_RE = re.compile(r"^\{\{-?.*\|\s*default\s+\"([^\"]+)\".*-?\}\}$")
_PLACEHOLDER_RE = re.compile(r"\$\{|\$\(|\$[A-Za-z_]|\{\{|%\(|^<.*>$|^os\.environ")


def clean_value(raw: str) -> tuple[str, str | None] | None:
    """Strip quotes, resolve ``${VAR:-default}``: ``(value, env)``, ``None`` for a bare variable."""
    text = raw.strip().strip("\"'").strip()
    env: str | None = None
    m = _ENV_DEFAULT_RE.match(text)
    if m:
        env, text = m.group(1), m.group(2).strip().strip("\"'")
    else:
        h = _HELM_DEFAULT_RE.match(text)
        if h:
            text = h.group(1)
    if not text or _PLACEHOLDER_RE.search(text):
        return None
    return text, env


# --- Keys ---------------------------------------------------------------------------------------

#: ``model_args: pretrained=org/name,dtype=…`` (lm-evaluation-harness) and similar.
MODEL_ARGS_RE = re.compile(r"(?:^|,)\s*(?:pretrained|model|peft|tokenizer)=([^,\s]+)")


@dataclass(frozen=True, slots=True)
class Event:
    """One scalar in a structured file: the keys leading to it, its text and where it starts."""

    path: tuple[str, ...]
    value: str
    offset: int
    siblings: Mapping[str, str] = field(default_factory=dict)
    group: int = 0  # shared by the items of one list (and the values of one mapping)
    in_comment: bool = False  # read from a commented-out line
