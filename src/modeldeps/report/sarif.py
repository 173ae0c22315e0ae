"""SARIF 2.1.0 for code-scanning upload: one run, rule metadata, locations, partial fingerprints."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import PurePosixPath
from typing import Any, ClassVar
from urllib.parse import quote

from modeldeps.errors import ReportError
from modeldeps.model import Finding, Location, ScanResult, Severity
from modeldeps.report.interface import RenderOptions, Reporter
from modeldeps.report.redact import redact, redact_data
from modeldeps.rule_catalog import RULES

SARIF_SCHEMA_URI = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
SRCROOT = "%SRCROOT%"
#: partialFingerprints key; bumped when fingerprints change meaning (v2: one per rule and model).
FINGERPRINT_KEY = "modeldeps/v2"

#: GitHub code scanning maps security-severity to critical ≥ 9.0, high ≥ 7.0, medium ≥ 4.0, low > 0.
SECURITY_SEVERITY = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "3.0",
}
LEVEL = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFO: "note",
}
CATEGORY = {
    "MD1": "provenance",
    "MD2": "code-execution",
    "MD3": "license",
    "MD4": "lifecycle",
    "MD5": "data-egress",
}


@dataclass(frozen=True, slots=True)
class RuleMeta:
    """What SARIF says about a rule: from the rule registry, or derived from a finding."""

    id: str
    name: str
    title: str
    doc: str
    severity: Severity
    precision: str  # the rule's confidence: low, medium, high
    remediation: str = ""
    cwe: int | None = None


def registry_rules() -> dict[str, RuleMeta]:
    """Every rule's metadata from the rule catalog, with its documentation, keyed by id."""
    from modeldeps.assess.rules import get_rule

    out: dict[str, RuleMeta] = {}
    for info in RULES:
        cls = get_rule(info.id)
        if cls is None:  # the catalog and the registry are tested to agree
            raise ReportError(f"rule {info.id} has no documentation")
        out[info.id] = RuleMeta(
            id=info.id,
            name=cls.__name__,
            title=info.title,
            doc=cls.doc() or info.title,
            severity=info.severity,
            precision=info.confidence.value,
            remediation=info.remediation,
            cwe=info.cwe,
        )
    return out


_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+\.)\s")


def _reflow(doc: str) -> str:
    """Join hard-wrapped docstring lines into paragraphs; list items keep their own lines."""
    paragraphs = []
    for para in doc.strip().split("\n\n"):
        lines: list[str] = []
        for line in para.splitlines():
            if lines and not _LIST_ITEM.match(line):
                lines[-1] += " " + line.strip()
            else:
                lines.append(line.rstrip())
        paragraphs.append("\n".join(lines))
    return "\n\n".join(paragraphs)


def _rule_entry(meta: RuleMeta) -> dict[str, Any]:
    category = CATEGORY.get(meta.id[:3], "other")
    tags = ["security", "ai-model", category]
    doc = _reflow(meta.doc)
    plain = doc.replace("``", "")
    markdown = doc.replace("``", "`")  # docstrings quote code reST-style
    help_text = plain + (f"\n\nRemediation: {meta.remediation}" if meta.remediation else "")
    help_md = markdown + (f"\n\n**Remediation:** {meta.remediation}" if meta.remediation else "")
    props: dict[str, Any] = {"tags": tags, "precision": meta.precision}
    if meta.severity in SECURITY_SEVERITY:
        props["security-severity"] = SECURITY_SEVERITY[meta.severity]
    entry: dict[str, Any] = {
        "id": meta.id,
        "name": meta.name,
        "shortDescription": {"text": meta.title},
        "fullDescription": {"text": plain.split("\n\n", 1)[0]},
        "help": {"text": help_text, "markdown": help_md},
        "defaultConfiguration": {"level": LEVEL[meta.severity]},
        "properties": props,
    }
    if meta.cwe is not None:
        # Both conventions: CodeQL-style tag (GitHub search) and a SARIF taxonomy relationship.
        tags.append(f"external/cwe/cwe-{meta.cwe}")
        entry["relationships"] = [
            {
                "target": {"id": str(meta.cwe), "toolComponent": {"name": "CWE"}},
                "kinds": ["superset"],
            }
        ]
    return entry


def _location(loc: Location) -> dict[str, Any] | None:
    if not loc.path or loc.path == ".":
        return None
    physical: dict[str, Any] = {
        "artifactLocation": {"uri": quote(loc.path, safe="/"), "uriBaseId": SRCROOT}
    }
    if loc.line:
        physical["region"] = {"startLine": loc.line}
    return {"physicalLocation": physical}


def _result(f: Finding, index: int) -> dict[str, Any]:
    out: dict[str, Any] = {
        "ruleId": f.rule_id,
        "ruleIndex": index,
        "level": LEVEL[f.severity],
        "message": {"text": f.message},
    }
    # Every place of a finding about a model; code scanning shows the first, the others follow.
    locs = [loc for place in f.places if (loc := _location(place))]
    if locs:
        out["locations"] = locs
    if f.fingerprint:
        out["partialFingerprints"] = {FINGERPRINT_KEY: f.fingerprint}
    props: dict[str, Any] = {"severity": f.severity.value, "confidence": f.confidence.value}
    if f.subject:
        props["subject"] = f.subject
    out["properties"] = props
    return out


def sarif_data(result: ScanResult, options: RenderOptions) -> dict[str, Any]:
    """The SARIF log as Python data."""
    known = registry_rules()
    metas: dict[str, RuleMeta] = {}
    for f in result.findings:
        if f.rule_id not in known:
            raise ReportError(f"finding of rule {f.rule_id!r}, which the rule catalog lacks")
        metas[f.rule_id] = known[f.rule_id]
    rule_ids = sorted(metas)
    index = {rid: i for i, rid in enumerate(rule_ids)}
    findings = sorted(
        result.findings,
        key=lambda f: (f.location.path, f.location.line or 0, f.rule_id, f.fingerprint),
    )
    driver: dict[str, Any] = {
        "name": "modeldeps",
        "semanticVersion": result.tool_version,
        "version": result.tool_version,
        "rules": [_rule_entry(metas[rid]) for rid in rule_ids],
    }
    if any(m.cwe is not None for m in metas.values()):
        driver["supportedTaxonomies"] = [{"name": "CWE"}]
    notes = [
        {
            "level": "warning",
            "message": {"text": f"{s.stage.value}: {s.reason}"},
            "locations": [loc] if (loc := _location(s.location)) else [],
        }
        for s in sorted(result.skipped, key=lambda s: (s.location, s.reason))
    ]
    run: dict[str, Any] = {
        "tool": {"driver": driver},
        "invocations": [{"executionSuccessful": True, "toolExecutionNotifications": notes}],
        "results": [_result(f, index[f.rule_id]) for f in findings],
        "columnKind": "unicodeCodePoints",
    }
    if any(m.cwe is not None for m in metas.values()):
        run["taxonomies"] = [
            {
                "name": "CWE",
                "organization": "MITRE",
                "shortDescription": {"text": "The MITRE Common Weakness Enumeration"},
                "taxa": [{"id": str(c)} for c in sorted({m.cwe for m in metas.values() if m.cwe})],
            }
        ]
    root = result.roots[0] if len(result.roots) == 1 else None
    if not options.reproducible and root and PurePosixPath(root).is_absolute():
        run["originalUriBaseIds"] = {SRCROOT: {"uri": "file://" + quote(root.rstrip("/")) + "/"}}
    data: dict[str, Any] = redact_data(
        {"$schema": SARIF_SCHEMA_URI, "version": "2.1.0", "runs": [run]}
    )
    return data


@cache
def _schema() -> dict[str, Any]:
    text = resources.files("modeldeps.report").joinpath("schemas/sarif-schema-2.1.0.json")
    loaded: dict[str, Any] = json.loads(text.read_text(encoding="utf-8"))
    return loaded


def validate(data: Any) -> None:
    """Raise ``ReportError`` unless ``data`` is a valid SARIF 2.1.0 log (official OASIS schema)."""
    import jsonschema  # imported here: only this format pays for it

    validator = jsonschema.Draft4Validator(_schema())
    error = jsonschema.exceptions.best_match(validator.iter_errors(data))
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path)
        raise ReportError(f"SARIF output invalid at /{where}: {redact(error.message)}")


class SarifReporter(Reporter):
    """SARIF 2.1.0, ready for GitHub code scanning; validated before it is returned."""

    name: ClassVar[str] = "sarif"
    suffix: ClassVar[str] = ".sarif"

    def render(self, result: ScanResult, options: RenderOptions) -> str:
        data = sarif_data(result, options)
        validate(data)
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
