"""Resolve stage: who made each model, where, under which license, built on what."""

from __future__ import annotations

from modeldeps.resolve.resolver import Resolver
from modeldeps.resolve.sources.bundled import manifest

#: Version of the bundled knowledge base; every report carries it.
KB_VERSION: str = str(manifest().get("kb_version", "unknown"))

__all__ = ["KB_VERSION", "Resolver"]
