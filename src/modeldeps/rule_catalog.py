"""The rule catalog: every rule's id, title, severity, confidence, CWE and remediation, once.

This module is neutral ground: the inspectors (which emit MD2xx findings), the assess stage (its
rules), the SARIF report and the generated docs/rules.md all read their rule facts from here, so
a rule cannot reach a report under two names. It imports nothing but the contract types. A rule's
user documentation is the docstring of its class in ``modeldeps.assess.rules``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from modeldeps.model import Confidence, Severity

__all__ = ["RULES", "RuleInfo", "known", "rule_info"]


@dataclass(frozen=True, slots=True)
class RuleInfo:
    """What every consumer says about a rule. IDs are stable: never renamed or renumbered."""

    id: str
    title: str
    severity: Severity  # the default; a policy may re-grade it
    confidence: Confidence
    cwe: int | None
    emitted_by: str  # "assess" (a rule's check), "inspect" (the inspectors) or "lock" (the lock)
    remediation: str


#: Every rule, in ID order.
RULES: tuple[RuleInfo, ...] = (
    RuleInfo(
        "MD001",
        "Expired ignore",
        Severity.HIGH,
        Confidence.HIGH,
        cwe=None,
        emitted_by="assess",
        remediation=(
            "Review the ignored findings; fix them, or renew the ignore with a new reason and date."
        ),
    ),
    RuleInfo(
        "MD101",
        "Model denied by policy",
        Severity.HIGH,
        Confidence.HIGH,
        cwe=829,
        emitted_by="assess",
        remediation=(
            "Replace the model with one the policy allows, or add a reviewed exception to [allow] "
            "or an ignore with a reason and an expiry date."
        ),
    ),
    RuleInfo(
        "MD102",
        "Model from a watch-listed jurisdiction or publisher",
        Severity.MEDIUM,
        Confidence.HIGH,
        cwe=829,
        emitted_by="assess",
        remediation=(
            "Record a decision: keep it (add it to [allow] or ignore it with a reason), or "
            "replace it with a model from outside the watch list."
        ),
    ),
    RuleInfo(
        "MD103",
        "Unknown provenance",
        Severity.LOW,
        Confidence.MEDIUM,
        cwe=1357,
        emitted_by="assess",
        remediation=(
            "Identify the publisher (model card, base_model, repository owner) and record it in a "
            "knowledge-base overlay, or replace the model with one of known origin."
        ),
    ),
    RuleInfo(
        "MD104",
        "Concentration by country above threshold",
        Severity.MEDIUM,
        Confidence.MEDIUM,
        cwe=None,
        emitted_by="assess",
        remediation=(
            "Qualify an alternative model from another jurisdiction for the main use cases."
        ),
    ),
    RuleInfo(
        "MD105",
        "Concentration by publisher above threshold",
        Severity.MEDIUM,
        Confidence.MEDIUM,
        cwe=None,
        emitted_by="assess",
        remediation="Qualify an alternative model from another publisher for the main use cases.",
    ),
    RuleInfo(
        "MD201",
        "Pickle imports a dangerous callable",
        Severity.CRITICAL,
        Confidence.HIGH,
        cwe=502,
        emitted_by="inspect",
        remediation=(
            "Do not load the file. Get the weights in safetensors (or GGUF/ONNX) from the "
            "original publisher, and report the file to where it came from."
        ),
    ),
    RuleInfo(
        "MD202",
        "Pickle imports a global outside the allowlist",
        Severity.MEDIUM,
        Confidence.MEDIUM,
        cwe=502,
        emitted_by="inspect",
        remediation=(
            "Review what the global does; prefer safetensors. If it is safe, load with "
            "torch.load(weights_only=True) and torch.serialization.add_safe_globals."
        ),
    ),
    RuleInfo(
        "MD203",
        "Pickle-capable format where a safe format exists",
        Severity.LOW,
        Confidence.HIGH,
        cwe=502,
        emitted_by="inspect",
        remediation=(
            "Convert the weights to safetensors and load them with safetensors.torch.load_file."
        ),
    ),
    RuleInfo(
        "MD204",
        "torch.load without weights_only=True",
        Severity.MEDIUM,
        Confidence.HIGH,
        cwe=502,
        emitted_by="assess",
        remediation=(
            "Pass weights_only=True (and add_safe_globals for any custom type), or use safetensors."
        ),
    ),
    RuleInfo(
        "MD205",
        "trust_remote_code=True",
        Severity.HIGH,
        Confidence.HIGH,
        cwe=94,
        emitted_by="assess",
        remediation=(
            "Use a model whose architecture is built into transformers, or review the remote code "
            "and pin revision= to the reviewed 40-hex commit."
        ),
    ),
    RuleInfo(
        "MD206",
        "Keras Lambda layer or unknown custom object",
        Severity.HIGH,
        Confidence.HIGH,
        cwe=94,
        emitted_by="inspect",
        remediation=(
            "Load with keras.models.load_model(..., safe_mode=True) and replace Lambda layers "
            "with registered layers."
        ),
    ),
    RuleInfo(
        "MD207",
        "Chat template reaches outside the Jinja sandbox",
        Severity.CRITICAL,
        Confidence.HIGH,
        cwe=1336,
        emitted_by="inspect",
        remediation=(
            "Replace the template with the publisher's original; render templates only in "
            "jinja2.sandbox.ImmutableSandboxedEnvironment."
        ),
    ),
    RuleInfo(
        "MD208",
        "Path escapes the model folder",
        Severity.HIGH,
        Confidence.HIGH,
        cwe=22,
        emitted_by="inspect",
        remediation="Do not extract or load the file; get a clean copy from the publisher.",
    ),
    RuleInfo(
        "MD209",
        "Format not statically verifiable",
        Severity.MEDIUM,
        Confidence.MEDIUM,
        cwe=829,
        emitted_by="inspect",
        remediation=(
            "Prefer a data-only export (safetensors, ONNX without custom ops), or load it only in "
            "a sandbox."
        ),
    ),
    RuleInfo(
        "MD210",
        "Malformed model file",
        Severity.LOW,
        Confidence.MEDIUM,
        cwe=None,
        emitted_by="inspect",
        remediation="Download the file again and compare its hash with the publisher's.",
    ),
    RuleInfo(
        "MD211",
        "Unrecognized binary",
        Severity.INFO,
        Confidence.LOW,
        cwe=None,
        emitted_by="assess",
        remediation="Check what the file is; remove it if it is not needed.",
    ),
    RuleInfo(
        "MD301",
        "Non-commercial license",
        Severity.HIGH,
        Confidence.HIGH,
        cwe=None,
        emitted_by="assess",
        remediation=(
            "Use a commercially licensed model, or obtain a commercial licence from the publisher."
        ),
    ),
    RuleInfo(
        "MD302",
        "Acceptable-use policy",
        Severity.LOW,
        Confidence.HIGH,
        cwe=None,
        emitted_by="assess",
        remediation=(
            "Read the acceptable-use policy, pass it on to your users, and record the review."
        ),
    ),
    RuleInfo(
        "MD303",
        "User-count or revenue threshold",
        Severity.MEDIUM,
        Confidence.HIGH,
        cwe=None,
        emitted_by="assess",
        remediation=(
            "Check your users and revenue against the threshold and plan a licence before "
            "reaching it."
        ),
    ),
    RuleInfo(
        "MD304",
        "Territory exclusion",
        Severity.MEDIUM,
        Confidence.HIGH,
        cwe=None,
        emitted_by="assess",
        remediation="Confirm where you and your users are against the excluded territories.",
    ),
    RuleInfo(
        "MD305",
        "License inherited from a base differs from the model's own",
        Severity.LOW,
        Confidence.MEDIUM,
        cwe=None,
        emitted_by="assess",
        remediation="Apply the stricter of the two licences; check the base model's terms.",
    ),
    RuleInfo(
        "MD306",
        "Unknown license",
        Severity.LOW,
        Confidence.MEDIUM,
        cwe=None,
        emitted_by="assess",
        remediation="Read the model card's licence and record it in a knowledge-base overlay.",
    ),
    RuleInfo(
        "MD401",
        "Hub model without a pinned commit revision",
        Severity.LOW,
        Confidence.HIGH,
        cwe=1357,
        emitted_by="assess",
        remediation=(
            'Pass revision="<commit sha>" (40 hex characters) to the loader (or --revision to '
            "the command that downloads it), or pin it in models.lock with `modeldeps lock`."
        ),
    ),
    RuleInfo(
        "MD402",
        "Retired or deprecated API model",
        Severity.MEDIUM,
        Confidence.HIGH,
        cwe=1104,
        emitted_by="assess",
        remediation="Migrate to the provider's recommended replacement before the retirement date.",
    ),
    RuleInfo(
        "MD403",
        "Model differs from models.lock",
        Severity.HIGH,
        Confidence.HIGH,
        cwe=345,
        emitted_by="lock",
        remediation=(
            "Restore the locked bytes (download the locked revision again, pull the tag again), "
            "or review the new bytes and pin them with `modeldeps lock --upgrade`."
        ),
    ),
    RuleInfo(
        "MD501",
        "Data sent to an API operated in a watch-listed jurisdiction",
        Severity.HIGH,
        Confidence.HIGH,
        cwe=359,
        emitted_by="assess",
        remediation=(
            "Send the data to an endpoint operated in an accepted jurisdiction (many open-weight "
            "models are also served by other hosts, or can be self-hosted), or record the "
            "decision in the policy: exempt the operator in [allow] publishers, or re-grade MD501 "
            "in [severity] so it is reported without failing CI."
        ),
    ),
)

_BY_ID: Mapping[str, RuleInfo] = MappingProxyType({r.id: r for r in RULES})


def rule_info(rule_id: str) -> RuleInfo:
    """The catalog entry of ``rule_id``; an unknown id is a programming error (``KeyError``)."""
    return _BY_ID[rule_id]


def known(rule_id: str) -> bool:
    """Whether ``rule_id`` is a rule of the catalog."""
    return rule_id in _BY_ID
