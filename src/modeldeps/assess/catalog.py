"""The rule catalogue as data and as Markdown (docs/rules.md is generated from it)."""

from __future__ import annotations

from typing import Any

from modeldeps.assess.rules import get_rule
from modeldeps.rule_catalog import RULES, rule_info

__all__ = ["REPORTED_BY", "rule_record", "rule_records", "rules_markdown"]

_GROUPS = (
    ("MD0", "Policy hygiene"),
    ("MD1", "Provenance and jurisdiction"),
    ("MD2", "Code execution"),
    ("MD3", "License"),
    ("MD4", "Lifecycle"),
    ("MD5", "Data egress"),
)


#: How the documentation says which stage reports a rule that no assess check emits.
REPORTED_BY = {
    "inspect": "reported by the weight-file inspectors",
    "lock": "reported by the lock check of `scan`",
}


def rule_record(rule_id: str) -> dict[str, Any]:
    """One rule's facts from the rule catalog and its documentation, JSON-ready."""
    info = rule_info(rule_id)
    cls = get_rule(info.id)
    if cls is None:  # the catalog and the registry are tested to agree
        raise KeyError(f"rule {info.id} of the catalog has no class")
    return {
        "id": info.id,
        "title": info.title,
        "severity": info.severity.value,
        "confidence": info.confidence.value,
        "cwe": f"CWE-{info.cwe}" if info.cwe else None,
        "remediation": info.remediation,
        "emitted_by": info.emitted_by,
        "summary": cls.summary(),
        "doc": cls.doc(),
    }


def rule_records() -> dict[str, dict[str, Any]]:
    """Every rule's record by id, in the catalog's (id) order."""
    return {info.id: rule_record(info.id) for info in RULES}


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
    records = list(rule_records().values())
    for rec in records:
        out.append(
            f"| [{rec['id']}](#{rec['id'].lower()}) | {rec['title']} | {rec['severity']} "
            f"| {rec['cwe'] or ''} |"
        )
    for prefix, heading in _GROUPS:
        members = [rec for rec in records if rec["id"].startswith(prefix)]
        if not members:
            continue
        out += ["", f"## {heading}"]
        for rec in members:
            cwe = rec["cwe"]
            number = cwe[4:] if cwe else ""
            by = REPORTED_BY.get(rec["emitted_by"])
            out += [
                "",
                f"### {rec['id']}",
                "",
                f"**{rec['title']}** — severity {rec['severity']}, "
                f"confidence {rec['confidence']}"
                + (
                    f", [{cwe}](https://cwe.mitre.org/data/definitions/{number}.html)"
                    if cwe
                    else ""
                )
                + (f"; {by}" if by else ""),
                "",
                rec["doc"],
                "",
                f"*Remediation:* {rec['remediation']}",
            ]
    return "\n".join(out) + "\n"
