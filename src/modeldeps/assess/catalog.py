"""The rule catalogue as data and as Markdown (docs/rules.md is generated from it)."""

from __future__ import annotations

from typing import Any

from modeldeps.assess.rules import RULE_CLASSES, Rule

__all__ = ["rule_record", "rules_markdown"]

_GROUPS = (
    ("MD0", "Policy hygiene"),
    ("MD1", "Provenance and jurisdiction"),
    ("MD2", "Code execution"),
    ("MD3", "License"),
    ("MD4", "Lifecycle"),
    ("MD5", "Data egress"),
)


def rule_record(cls: type[Rule]) -> dict[str, Any]:
    """One rule's metadata and documentation as a JSON-ready mapping."""
    return {
        "id": cls.id,
        "title": cls.title,
        "severity": cls.severity.value,
        "confidence": cls.confidence.value,
        "cwe": f"CWE-{cls.cwe}" if cls.cwe else None,
        "remediation": cls.remediation,
        "emitted_by": cls.emitted_by,
        "summary": cls.summary(),
        "doc": cls.doc(),
    }


def rules_markdown() -> str:
    """The whole catalogue as Markdown, in ID order."""
    out = [
        "# Rules",
        "",
        "<!-- Generated from the rule docstrings by modeldeps.assess.catalog; do not edit. -->",
        "<!-- Regenerate: MODELDEPS_UPDATE_SNAPSHOTS=1 pytest tests/assess/test_catalog.py -->",
        "",
        "Rule IDs are stable: a rule is never renamed or renumbered. Severities are defaults;",
        "a policy can change them (see [policy.md](policy.md)). `modeldeps rules ID` prints one.",
        "",
        "| ID | Title | Severity | CWE |",
        "| --- | --- | --- | --- |",
    ]
    for cls in RULE_CLASSES:
        cwe = f"CWE-{cls.cwe}" if cls.cwe else ""
        out.append(
            f"| [{cls.id}](#{cls.id.lower()}) | {cls.title} | {cls.severity.value} | {cwe} |"
        )
    for prefix, heading in _GROUPS:
        members = [cls for cls in RULE_CLASSES if cls.id.startswith(prefix)]
        if not members:
            continue
        out += ["", f"## {heading}"]
        for cls in members:
            out += [
                "",
                f"### {cls.id}",
                "",
                f"**{cls.title}** — severity {cls.severity.value}, "
                f"confidence {cls.confidence.value}"
                + (
                    f", [CWE-{cls.cwe}](https://cwe.mitre.org/data/definitions/{cls.cwe}.html)"
                    if cls.cwe
                    else ""
                )
                + (
                    "; reported by the weight-file inspectors"
                    if cls.emitted_by == "inspect"
                    else "; reported by the lock check of `scan`"
                    if cls.emitted_by == "lock"
                    else ""
                ),
                "",
                cls.doc(),
                "",
                f"*Remediation:* {cls.remediation}",
            ]
    return "\n".join(out) + "\n"
