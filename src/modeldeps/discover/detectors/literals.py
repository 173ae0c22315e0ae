"""What a language detector hands the recognizer: a string literal, where it sits, and its context.

A detector for a new language only extracts :class:`Literal` records (the string, its position,
and the kind of place it was written in) and passes them to
:func:`modeldeps.discover.detectors.recognizer.references`; the recognizer decides what is a model
reference. See ``ADDING.md``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from modeldeps.model import ContextValue


class Site(StrEnum):
    """The kind of place a literal is written in."""

    VALUE = "value"  # bound to a name or a key: ``X = "…"``, ``key: …`` (``key`` = that name)
    KEY = "key"  # the key of a mapping entry (``key`` = the mapping's name)
    ARGUMENT = "argument"  # a call argument (``call`` = callee, ``key`` = keyword or flag)
    ELEMENT = "element"  # a member of a list, tuple, set, enum or union (``key`` = its name)
    COMPARE = "compare"  # compared for equality or a ``case`` label (``key`` = the other side)
    DEFAULT = "default"  # a parameter, flag or environment default (``key`` = its name)
    PREFIX = "prefix"  # a prefix or pattern filter (``startswith``): never a reference
    TEXT = "text"  # nothing known about the place (the generic pass over other text files)


class Expect(StrEnum):
    """What a known loader or client says its argument is; ``ANY`` when nothing is known."""

    ANY = "any"
    HUB = "hub"  # a Hub id or a bare Hub name; a path is a local artifact
    API = "api"  # a closed-API model name
    OLLAMA = "ollama"  # an Ollama library name and tag
    LOCAL = "local"  # a path to weights or a model folder
    PROVIDER = "provider"  # ``provider/model`` or ``provider:model`` (LiteLLM, AI SDK registries)
    ENDPOINT = "endpoint"  # a base URL of a model API
    NONE = "none"  # a known loader says this argument is not a model (an entry point, a task)


@dataclass(frozen=True, slots=True)
class Literal:
    """One string a detector found, with the evidence around it.

    Position: ``offset`` into the source text, or ``line`` (1-based) and ``column`` when the
    detector works on lines of another text (a notebook cell, a docstring example).
    ``group``: literals sharing a non-zero group are members of one collection (a list, the keys
    of one dict, the arms of one ``if``/``switch`` chain); when one member is recognized with
    confidence, the others are weighed as models too.
    """

    value: str
    offset: int = -1
    site: Site = Site.TEXT
    key: str = ""
    call: str = ""
    group: int = 0
    expect: Expect = Expect.ANY
    provider: str | None = None  # a KB publisher id implied by the client or the file
    in_comment: bool = False  # commented-out code or config, or a usage example in a docstring
    line: int | None = None
    column: int | None = None
    context: Mapping[str, ContextValue] = field(default_factory=dict)


_ANCHORED = re.compile(r"^(?:\^|\\A)(?P<body>.*?)(?:\$|\\Z|\\z)$", re.DOTALL)
_GROUP = re.compile(r"^\((?:\?:)?(?P<alts>[^()]*)\)$")
_PLAIN = re.compile(r"^(?:[A-Za-z0-9_:/@+]|\\[.\-/:@_+]|\.(?=\d)|-)+$")


def anchored_names(pattern: str, *, whole: bool = False) -> list[str] | None:
    """The names a regex compares with when it matches whole strings only.

    ``^dall-e-3$`` and ``^(?:gpt-4o|gpt-4o-mini)$`` are equality tests (the names, escapes
    resolved); ``^gpt-4`` or ``claude-.*`` are family or prefix filters (``None``). With
    ``whole`` (a full-match call) the anchors may be left out.
    """
    m = _ANCHORED.match(pattern)
    if m is not None:
        body = m.group("body")
    elif whole:
        body = pattern
    else:
        return None
    group = _GROUP.match(body)
    alts = group.group("alts").split("|") if group else [body]
    names: list[str] = []
    for alt in alts:
        if not alt or not _PLAIN.match(alt):
            return None
        # an unescaped dot in a version is almost always a literal dot (``gpt-4.1``)
        names.append(re.sub(r"\\(.)", r"\1", alt))
    return names


__all__ = ["Expect", "Literal", "Site", "anchored_names"]
