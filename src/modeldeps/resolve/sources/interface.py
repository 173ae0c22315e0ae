"""The knowledge-source seam: a source turns a model id into provenance facts, or says nothing."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass

from modeldeps.errors import ResolveError


class KnowledgeSourceError(ResolveError):
    """A knowledge source failed; the resolver records it and falls through to the next step."""


@dataclass(frozen=True, slots=True)
class HubFacts:
    """What a source knows about one Hub repository id; empty fields mean "not known"."""

    model_id: str
    base_models: tuple[str, ...] = ()
    relation: str | None = None  # finetune, quantized, adapter, merge
    licenses: tuple[str, ...] = ()
    source: str = ""
    detail: str = ""


class KnowledgeSource(ABC):
    """Answers questions about Hub model ids. Implementations never raise for "not found"."""

    name: str = ""

    @abstractmethod
    def hub_facts(self, model_id: str) -> HubFacts | None:
        """Facts about model_id, or None when this source has none."""
