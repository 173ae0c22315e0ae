"""One CycloneDX 1.6 BOM for the organization: each repository a component holding its models.

Each repository's part is the scan report's own BOM (``report.cyclonedx_bom``), nested under
a component for the repository, with every bom-ref prefixed by the repository's key so refs
stay unique; the whole document is validated against the official schema before it is returned.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Mapping
from typing import Any

from modeldeps.model import ScanResult
from modeldeps.report.cyclonedx_bom import bom_data, validate
from modeldeps.report.interface import RenderOptions
from modeldeps.report.redact import redact_data
from modeldeps.store.org import OrgReport, RepositorySummary

NS = "modeldeps"
ORG_REF = "organization"


def _prefixed(node: Any, prefix: str) -> Any:
    """A copy of BOM data with every bom-ref, dependency ref and dependsOn entry prefixed."""
    if isinstance(node, list):
        return [_prefixed(v, prefix) for v in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in ("bom-ref", "ref") and isinstance(value, str):
            out[key] = prefix + value
        elif key == "dependsOn" and isinstance(value, list):
            out[key] = [prefix + v for v in value]
        else:
            out[key] = _prefixed(value, prefix)
    return out


def _prop(name: str, value: object) -> dict[str, str]:
    return {"name": f"{NS}:{name}", "value": str(value)}


def _repository(
    repo: RepositorySummary, result: ScanResult | None
) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]:
    """The repository's component, its services and its dependency entries."""
    ref = f"repo:{repo.key}"
    comp: dict[str, Any] = {"type": "application", "bom-ref": ref, "name": repo.name}
    if repo.commit:
        comp["version"] = repo.commit
    props = [_prop("repository-key", repo.key)]
    if repo.scan_id is not None:
        props.append(_prop("scan-id", repo.scan_id))
    if repo.started_at is not None:
        props.append(_prop("scanned-at", repo.started_at.isoformat() + "Z"))
    if repo.failed:
        props.append(_prop("latest-attempt-failed", repo.failed))
    comp["properties"] = props
    if repo.key.count("/") >= 2 and not repo.key.startswith(("path:", "remote:")):
        comp["externalReferences"] = [{"type": "vcs", "url": "https://" + repo.key.split("#")[0]}]
    if result is None:
        return comp, [], [{"ref": ref}]
    doc = _prefixed(bom_data(result, RenderOptions(reproducible=True)), ref + "/")
    children = doc.get("components", [])
    if children:
        comp["components"] = children
    deps = []
    for entry in doc.get("dependencies", []):
        if entry["ref"] == ref + "/root":
            deps.append({"ref": ref, "dependsOn": entry.get("dependsOn", [])})
        else:
            deps.append(entry)
    return comp, doc.get("services", []), deps


def org_bom(report: OrgReport, results: Mapping[int, ScanResult]) -> dict[str, Any]:
    components, services, deps = [], [], []
    for repo in report.repositories:
        comp, svc, dep = _repository(repo, results.get(repo.id))
        components.append(comp)
        services += svc
        deps += dep
    deps.insert(0, {"ref": ORG_REF, "dependsOn": [c["bom-ref"] for c in components]})
    meta_props = [_prop("kb-version", v) for v in report.kb_versions]
    meta_props.append(_prop("repositories", len(report.repositories)))
    if report.at is not None:
        meta_props.append(_prop("as-of", report.at.isoformat() + "Z"))
    doc: dict[str, Any] = {
        "$schema": "http://cyclonedx.org/schema/bom-1.6.schema.json",
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "serialNumber": "",
        "version": 1,
        "metadata": {
            "timestamp": report.generated_at.isoformat() + "Z",
            "tools": {
                "components": [
                    {"type": "application", "name": "modeldeps", "version": report.tool_version}
                ]
            },
            "component": {"type": "application", "bom-ref": ORG_REF, "name": "organization"},
            "properties": meta_props,
        },
        "components": components,
    }
    if services:
        doc["services"] = services
    doc["dependencies"] = deps
    doc = redact_data(doc)
    digest = hashlib.sha256(json.dumps(doc, sort_keys=True).encode()).digest()
    doc["serialNumber"] = f"urn:uuid:{uuid.UUID(bytes=digest[:16], version=5)}"
    return doc


def render_org(report: OrgReport, results: Mapping[int, ScanResult]) -> str:
    text = json.dumps(org_bom(report, results), indent=2, ensure_ascii=False) + "\n"
    validate(text)
    return text
