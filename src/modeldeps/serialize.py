"""Turn contract types into JSON-ready data and back (for the report and the scan cache)."""

from __future__ import annotations

import collections.abc
import dataclasses
import types
import typing
from collections.abc import Callable, Mapping
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

#: Types returned as they are (the bulk of a report's leaves).
_PLAIN: frozenset[type] = frozenset({str, int, float, bool, type(None)})
#: Field names of each dataclass met, so a report of thousands of records does not ask
#: ``dataclasses`` for them per record (serialising a large scan result took about a second).
_FIELDS: dict[type, tuple[str, ...]] = {}


def to_data(obj: Any) -> Any:
    """A JSON-ready copy of ``obj``: dataclasses become dicts, enums their values, tuples lists."""
    cls = type(obj)
    if cls in _PLAIN:
        return obj
    names = _FIELDS.get(cls)
    if names is None and dataclasses.is_dataclass(cls) and not isinstance(obj, type):
        names = _FIELDS.setdefault(cls, tuple(f.name for f in dataclasses.fields(cls)))
    if names is not None:
        # Leaves (most fields) are kept without a call: a report holds hundreds of thousands.
        return {
            name: v if type(v) in _PLAIN else to_data(v)
            for name in names
            for v in (getattr(obj, name),)
        }
    if isinstance(obj, Enum):
        return obj.value
    if isinstance(obj, Mapping):
        return {str(k): to_data(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple | set | frozenset):
        items = [v if type(v) in _PLAIN else to_data(v) for v in obj]
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


# --- strict decoding, for cache entries: any deviation from the types is an error ------------


class ShapeError(ValueError):
    """Data does not have the shape of the contract type it claims to be."""


_DECODERS: dict[Any, Callable[[Any], Any]] = {}


def _json_value(data: Any, depth: int = 0) -> Any:
    """``data`` if it is plain JSON (bounded in depth), else ``ShapeError``."""
    if depth > 64:
        raise ShapeError("nested too deeply")
    if data is None or isinstance(data, str | bool | int | float):
        return data
    if isinstance(data, list):
        return [_json_value(v, depth + 1) for v in data]
    if isinstance(data, dict) and all(isinstance(k, str) for k in data):
        return {k: _json_value(v, depth + 1) for k, v in data.items()}
    raise ShapeError(f"not JSON data: {type(data).__name__}")


def decode(tp: Any, data: Any) -> Any:
    """``data`` (as ``to_data`` wrote it) decoded into type ``tp``, checking every field.

    The inverse of ``to_data`` for the contract types, strict where the lenient ``*_from_data``
    readers are forgiving: a missing or unknown field, or a value of the wrong type anywhere,
    raises ``ShapeError``. The scan caches use it, so an entry of the wrong shape is a miss
    rather than a crash or a result that silently lost its identities.
    """
    return _decoder(tp)(data)


def _decoder(tp: Any) -> Callable[[Any], Any]:
    """A decoding function for ``tp``, built once per type (a warm scan decodes thousands)."""
    found = _DECODERS.get(tp)
    if found is None:
        found = _DECODERS[tp] = _build(tp)
    return found


def _scalar(kind: type, name: str) -> Callable[[Any], Any]:
    def check(data: Any) -> Any:
        if isinstance(data, bool) is not (kind is bool) or not isinstance(data, kind):
            raise ShapeError(f"expected {name}, got {type(data).__name__}")
        return data

    return check


def _build(tp: Any) -> Callable[[Any], Any]:
    if tp is Any:
        return _json_value
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        args = typing.get_args(tp)
        if all(a in (str, int, float, bool, type(None)) for a in args):
            exact = frozenset(args)  # plain values: their own type decides (no bool for int)

            def plain(data: Any) -> Any:
                if type(data) not in exact:
                    raise ShapeError(f"{data!r:.60} is none of {tp}")
                return data

            return plain
        optional = type(None) in args
        members = [_decoder(m) for m in args if m is not type(None)]

        def union(data: Any) -> Any:
            if data is None and optional:
                return None
            for member in members:
                try:
                    return member(data)
                except ShapeError:
                    continue
            raise ShapeError(f"{data!r:.60} is none of {tp}")

        return union
    if origin is tuple:
        args = typing.get_args(tp)
        if len(args) != 2 or args[1] is not Ellipsis:
            raise ShapeError(f"cannot decode {tp}")
        item = _decoder(args[0])

        def sequence(data: Any) -> Any:
            if not isinstance(data, list):
                raise ShapeError(f"expected a list for {tp}")
            return tuple(item(v) for v in data)

        return sequence
    if origin in (dict, collections.abc.Mapping):
        value = _decoder(typing.get_args(tp)[1])

        def mapping(data: Any) -> Any:
            if not isinstance(data, dict) or not all(isinstance(k, str) for k in data):
                raise ShapeError(f"expected a mapping for {tp}")
            return {k: value(v) for k, v in data.items()}

        return mapping
    if tp is type(None):

        def null(data: Any) -> Any:
            if data is not None:
                raise ShapeError("expected null")
            return None

        return null
    if isinstance(tp, type) and issubclass(tp, Enum):
        enum = tp

        def member(data: Any) -> Any:
            try:
                return enum(data)
            except ValueError:
                raise ShapeError(f"{data!r:.60} is not a {enum.__name__}") from None

        return member
    if tp is float:

        def number(data: Any) -> Any:
            if isinstance(data, bool) or not isinstance(data, int | float):
                raise ShapeError("expected a number")
            return float(data)

        return number
    if tp in (bool, int, str):
        return _scalar(tp, tp.__name__)
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        cls = tp
        order = [f.name for f in dataclasses.fields(cls) if f.init]
        names = frozenset(order)
        hints = typing.get_type_hints(cls)
        fields = [(name, _decoder(hints[name])) for name in order]

        def record(data: Any) -> Any:
            if type(data) is not dict or data.keys() != names:
                raise ShapeError(f"expected the fields of {cls.__name__}")
            return cls(*[field(data[name]) for name, field in fields])

        return record
    raise ShapeError(f"cannot decode {tp}")
