"""Rule registry: every rule, by stable ID. Add one by importing its class here (see ADDING.md)."""

from __future__ import annotations

from modeldeps.assess.rules.egress import WatchedEgress
from modeldeps.assess.rules.interface import Rule, RuleContext
from modeldeps.assess.rules.license import (
    AcceptableUsePolicy,
    InheritedLicenseDiffers,
    NonCommercialLicense,
    TerritoryExclusion,
    UnknownLicense,
    UsageThreshold,
)
from modeldeps.assess.rules.lifecycle import LockDrift, RetiredApiModel, UnpinnedRevision
from modeldeps.assess.rules.meta import ExpiredIgnore
from modeldeps.assess.rules.provenance import (
    CountryConcentration,
    DeniedOrigin,
    PublisherConcentration,
    UnknownProvenance,
    WatchedOrigin,
)
from modeldeps.assess.rules.serialization import (
    ChatTemplateEscape,
    KerasUnsafeLayer,
    MalformedModel,
    NotVerifiable,
    PathEscape,
    PickleCapableFormat,
    PickleDangerousGlobal,
    PickleUnknownGlobal,
    TorchLoadUnsafe,
    TrustRemoteCode,
    UnrecognizedBinary,
)

#: The registry, in ID order. IDs are stable: a rule is never renamed or renumbered.
RULE_CLASSES: tuple[type[Rule], ...] = (
    ExpiredIgnore,
    DeniedOrigin,
    WatchedOrigin,
    UnknownProvenance,
    CountryConcentration,
    PublisherConcentration,
    PickleDangerousGlobal,
    PickleUnknownGlobal,
    PickleCapableFormat,
    TorchLoadUnsafe,
    TrustRemoteCode,
    KerasUnsafeLayer,
    ChatTemplateEscape,
    PathEscape,
    NotVerifiable,
    MalformedModel,
    UnrecognizedBinary,
    NonCommercialLicense,
    AcceptableUsePolicy,
    UsageThreshold,
    TerritoryExclusion,
    InheritedLicenseDiffers,
    UnknownLicense,
    UnpinnedRevision,
    RetiredApiModel,
    LockDrift,
    WatchedEgress,
)


def all_rules() -> tuple[Rule, ...]:
    return tuple(cls() for cls in RULE_CLASSES)


def rule_ids() -> tuple[str, ...]:
    return tuple(cls.id for cls in RULE_CLASSES)


def get_rule(rule_id: str) -> type[Rule] | None:
    """The rule class with ``rule_id`` (case-insensitive), or None."""
    wanted = rule_id.strip().upper()
    for cls in RULE_CLASSES:
        if cls.id == wanted:
            return cls
    return None


__all__ = ["RULE_CLASSES", "Rule", "RuleContext", "all_rules", "get_rule", "rule_ids"]
