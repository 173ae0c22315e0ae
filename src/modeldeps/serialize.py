"""Turn contract types into JSON-ready data and back (for the report and the scan cache)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from enum import Enum
from typing import Any

from modeldeps.model import (
    ArtifactInfo,
    Confidence,
    Dependency,
    Evidence,
    Finding,
    Identity,
    LineageEdge,
    Location,
    ModelReference,
    PublisherRef,
    RefKind,
    ScanResult,
    ScanStats,
    Severity,
    Skipped,
    Stage,
)


def to_data(obj: Any) -> Any:
    """A JSON-ready copy of ``obj``: dataclasses become dicts, enums their values, tuples lists."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: to_data(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, Enum):
        return obj.value
    if isinstance(obj, Mapping):
        return {str(k): to_data(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple | set | frozenset):
        items = [to_data(v) for v in obj]
        return sorted(items, key=repr) if isinstance(obj, set | frozenset) else items
    if isinstance(obj, bytes):
        return obj.hex()
    return obj


def location_from_data(data: Mapping[str, Any]) -> Location:
    return Location(str(data["path"]), data.get("line"), data.get("column"))


def publisher_from_data(data: Mapping[str, Any] | None) -> PublisherRef | None:
    if data is None:
        return None
    return PublisherRef(str(data["id"]), str(data["name"]), str(data["country"]))


def identity_from_data(data: Mapping[str, Any] | None) -> Identity | None:
    if data is None:
        return None
    return Identity(
        canonical_id=data.get("canonical_id"),
        family=data.get("family"),
        publisher=publisher_from_data(data.get("publisher")),
        licenses=tuple(data.get("licenses", ())),
        open_weights=data.get("open_weights"),
        lineage=tuple(LineageEdge(**e) for e in data.get("lineage", ())),
        lineage_countries=tuple(data.get("lineage_countries", ())),
        uploader=data.get("uploader"),
        evidence=tuple(Evidence(**e) for e in data.get("evidence", ())),
        confidence=Confidence(data.get("confidence", "low")),
        decided_by=data.get("decided_by", "unknown"),
    )


def reference_from_data(data: Mapping[str, Any]) -> ModelReference:
    return ModelReference(
        kind=RefKind(data["kind"]),
        value=str(data["value"]),
        location=location_from_data(data["location"]),
        detector=str(data["detector"]),
        context=dict(data.get("context", {})),
        identity=identity_from_data(data.get("identity")),
    )


def dependency_from_data(data: Mapping[str, Any]) -> Dependency:
    return Dependency(
        ecosystem=str(data["ecosystem"]),
        name=str(data["name"]),
        specifier=str(data.get("specifier", "")),
        location=location_from_data(data["location"]),
        category=str(data.get("category", "sdk")),
    )


def skipped_from_data(data: Mapping[str, Any]) -> Skipped:
    return Skipped(location_from_data(data["location"]), Stage(data["stage"]), str(data["reason"]))


def finding_from_data(data: Mapping[str, Any]) -> Finding:
    return Finding(
        rule_id=str(data["rule_id"]),
        severity=Severity(data["severity"]),
        confidence=Confidence(data["confidence"]),
        title=str(data["title"]),
        message=str(data["message"]),
        location=location_from_data(data["location"]),
        fingerprint=str(data.get("fingerprint", "")),
        remediation=str(data.get("remediation", "")),
        subject=str(data.get("subject", "")),
        locations=tuple(location_from_data(loc) for loc in data.get("locations", ())),
    )


def artifact_from_data(data: Mapping[str, Any]) -> ArtifactInfo:
    return ArtifactInfo(
        location=location_from_data(data["location"]),
        format=str(data["format"]),
        size_bytes=int(data["size_bytes"]),
        sha256=data.get("sha256"),
        tensors=data.get("tensors"),
        params=data.get("params"),
        dtype=data.get("dtype"),
        metadata=dict(data.get("metadata", {})),
        findings=tuple(finding_from_data(f) for f in data.get("findings", ())),
        bytes_read=data.get("bytes_read"),
        identity=identity_from_data(data.get("identity")),
    )


def result_from_data(data: Mapping[str, Any]) -> ScanResult:
    """A ``ScanResult`` from ``to_data`` of one (the inverse, for the whole-scan cache)."""
    return ScanResult(
        roots=tuple(data["roots"]),
        started_at=str(data["started_at"]),
        tool_version=str(data["tool_version"]),
        kb_version=data.get("kb_version"),
        references=tuple(reference_from_data(r) for r in data["references"]),
        dependencies=tuple(dependency_from_data(d) for d in data["dependencies"]),
        artifacts=tuple(artifact_from_data(a) for a in data["artifacts"]),
        findings=tuple(finding_from_data(f) for f in data["findings"]),
        skipped=tuple(skipped_from_data(s) for s in data["skipped"]),
        stats=ScanStats(**data["stats"]),
    )
