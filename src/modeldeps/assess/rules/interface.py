"""The rule seam: a rule has a stable ID, metadata, a docstring that documents it, and a check."""

from __future__ import annotations

import inspect
from abc import ABC
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import ClassVar

from modeldeps.assess.knowledge import Knowledge
from modeldeps.assess.policy import Policy
from modeldeps.model import (
    Confidence,
    Finding,
    Location,
    ScanResult,
    Severity,
    make_fingerprint,
)
from modeldeps.rule_catalog import rule_info

__all__ = ["Rule", "RuleContext"]


@dataclass(frozen=True, slots=True)
class RuleContext:
    """What every rule may look at: the scan result, the policy, the knowledge base, today."""

    result: ScanResult
    policy: Policy
    kb: Knowledge
    today: date  # the scan's own date, so a re-render of the same result gives the same answer
    root: Path | None = None  # the scan root, to name configuration files relative to it
    usage: Mapping[str, float] | None = None  # model id -> usage (tokens, requests), if known


#: Facts a rule class takes from the catalog and may not state itself.
_CATALOG_FIELDS = ("title", "severity", "confidence", "cwe", "remediation", "emitted_by")


class Rule(ABC):
    """One risk with a stable ID. The class docstring is the rule's user documentation.

    A rule class names its ``id``; its title, severity, confidence, CWE, remediation and emitting
    stage come from ``modeldeps.rule_catalog`` (one source for every report and the inspectors).
    Rules that only describe findings an inspector already emits (most of MD2xx) keep the default
    ``check``, which yields nothing.
    """

    id: ClassVar[str]
    title: ClassVar[str]
    severity: ClassVar[Severity]
    confidence: ClassVar[Confidence]
    cwe: ClassVar[int | None]
    remediation: ClassVar[str]
    #: Which stage emits the finding: "assess" (this rule's check) or "inspect" (an inspector).
    emitted_by: ClassVar[str]

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        if "id" not in cls.__dict__:
            return  # a shared base of several rules
        stated = [name for name in _CATALOG_FIELDS if name in cls.__dict__]
        if stated:
            raise TypeError(f"{cls.__name__} states {', '.join(stated)}: the catalog holds them")
        info = rule_info(cls.id)
        cls.title = info.title
        cls.severity = info.severity
        cls.confidence = info.confidence
        cls.cwe = info.cwe
        cls.remediation = info.remediation
        cls.emitted_by = info.emitted_by

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        """Yield this rule's findings for the whole scan."""
        return iter(())

    @classmethod
    def doc(cls) -> str:
        """The rule's user documentation (its docstring, dedented)."""
        return inspect.cleandoc(cls.__doc__ or "")

    @classmethod
    def summary(cls) -> str:
        """The first paragraph of the documentation, on one line."""
        first = cls.doc().split("\n\n", 1)[0]
        return " ".join(first.split())

    def make(
        self,
        message: str,
        location: Location,
        subject: str,
        *,
        severity: Severity | None = None,
        confidence: Confidence | None = None,
    ) -> Finding:
        """A finding of this rule about ``subject``, fingerprinted by rule and subject alone.

        The subject names what the finding is about (a model, a file, an ignore): the assess
        stage merges every finding with the same fingerprint into one with all their locations,
        so a model referenced in twenty places is one finding, and a new place of an accepted
        finding is not a new finding.
        """
        return Finding(
            rule_id=self.id,
            severity=severity or self.severity,
            confidence=confidence or self.confidence,
            title=self.title,
            message=message,
            location=location,
            remediation=self.remediation,
            subject=subject,
            fingerprint=make_fingerprint(self.id, "", subject),
        )
