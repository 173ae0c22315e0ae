"""Contract types: the frozen dataclasses that flow between pipeline stages."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

#: Version of the JSON report layout (``docs/report-schema.md``); bump on incompatible change.
SCHEMA_VERSION = "2.0"

#: A value recorded in a reference's context: what the call site or file said.
ContextValue = str | int | float | bool | None


class RefKind(StrEnum):
    """What kind of model a reference names."""

    HUB_MODEL = "hub_model"  # a model repository id, e.g. ``Qwen/Qwen2.5-7B-Instruct``
    API_MODEL = "api_model"  # a model served by a closed API, e.g. ``gpt-4o``
    OLLAMA_MODEL = "ollama_model"  # an Ollama library name and tag, e.g. ``qwen2.5:7b``
    LOCAL_ARTIFACT = "local_artifact"  # a path to weights or a model folder on disk
    ENDPOINT = "endpoint"  # a base URL or host of a model provider's API


class Severity(StrEnum):
    """Severity of a finding, ordered from least to most severe."""

    INFO = "info"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return _SEVERITY_RANK[self]

    @classmethod
    def parse(cls, text: str) -> Severity:
        try:
            return cls(text.strip().lower())
        except ValueError:
            choices = ", ".join(s.value for s in cls)
            raise ValueError(f"unknown severity {text!r} (expected one of: {choices})") from None


_SEVERITY_RANK = {s: i for i, s in enumerate(Severity)}

#: Severities, the worst first: the order every report and the dashboard list them in.
SEVERITY_ORDER: tuple[Severity, ...] = tuple(reversed(Severity))


class Confidence(StrEnum):
    """How sure a detector, rule or resolver is."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class Stage(StrEnum):
    """Pipeline stage that produced a ``Skipped`` entry."""

    WALK = "walk"
    DETECT = "detect"
    INSPECT = "inspect"
    RESOLVE = "resolve"
    ASSESS = "assess"
    LOCK = "lock"  # models.lock could not be used (malformed, newer format)


@dataclass(frozen=True, slots=True, order=True)
class Location:
    """A place in a scanned file. ``path`` is relative to the scan root, POSIX form."""

    path: str
    line: int | None = None  # 1-based line in the file as stored
    column: int | None = None  # 1-based column

    def __str__(self) -> str:
        if self.line is None:
            return self.path
        return f"{self.path}:{self.line}"


@dataclass(frozen=True, slots=True)
class PublisherRef:
    """Who published a model, and the jurisdiction of their headquarters."""

    id: str
    name: str
    country: str  # ISO-3166 alpha-2, or "INTL" / "unknown"


@dataclass(frozen=True, slots=True)
class LineageEdge:
    """One step from a model to the model it was built on, nearest first."""

    relation: str  # finetune, quantized, adapter, merge, distill, reupload
    base: str  # the base model's id
    publisher: str | None = None  # publisher id of the base, when known
    country: str | None = None  # country of the base's publisher, when known


@dataclass(frozen=True, slots=True)
class Evidence:
    """Why the resolver believes something: which source and rule, with what detail."""

    source: str  # e.g. "bundled-kb", "overlay", "artifact", "online"
    rule: str  # e.g. "exact", "reuploader", "publisher-org", "family-pattern", "gguf.pre"
    detail: str = ""
    citation: str | None = None  # URL or citation backing the fact, when there is one


@dataclass(frozen=True, slots=True)
class Identity:
    """What a reference or artifact is: family, publisher, licenses and lineage."""

    canonical_id: str | None = None
    family: str | None = None
    publisher: PublisherRef | None = None
    licenses: tuple[str, ...] = ()
    open_weights: bool | None = None
    lineage: tuple[LineageEdge, ...] = ()
    lineage_countries: tuple[str, ...] = ()  # countries of all bases, own publisher excluded
    uploader: str | None = None  # re-uploader or quantizer org; never used for country
    evidence: tuple[Evidence, ...] = ()
    confidence: Confidence = Confidence.LOW
    decided_by: str = "unknown"  # the resolution step that decided, e.g. "exact", "unknown"

    @property
    def country(self) -> str:
        return self.publisher.country if self.publisher else "unknown"

    @property
    def known(self) -> bool:
        return self.publisher is not None or self.family is not None

    @property
    def license_confidence(self) -> Confidence | None:
        """How sure the licence is, from the evidence that says where it came from
        (``LICENSE_BASIS``); None when no licence evidence was recorded."""
        found = [LICENSE_BASIS[e.rule] for e in self.evidence if e.rule in LICENSE_BASIS]
        order = (Confidence.HIGH, Confidence.MEDIUM, Confidence.LOW)
        return min(found, key=order.index) if found else None


#: Evidence rules naming where a model's licence came from, and the confidence each gives
#: (docs/kb.md, "Confidence"): only an exact sourced record for this model is high.
LICENSE_BASIS: Mapping[str, Confidence] = {
    "license-exact": Confidence.HIGH,
    "license-rule": Confidence.MEDIUM,
    "license-card": Confidence.MEDIUM,
    "license-online": Confidence.MEDIUM,
    "license-assumed": Confidence.LOW,
}

UNKNOWN_IDENTITY = Identity()


@dataclass(frozen=True, slots=True)
class ModelReference:
    """A place where software names a model.

    ``context`` records what the call site or file says: ``loader``, ``revision``,
    ``trust_remote_code``, ``base_url``, ``provider``, ``via`` (the constant or variable the
    value flowed through), ``cell`` (notebook cell index), ``key`` (config key).
    """

    kind: RefKind
    value: str
    location: Location
    detector: str
    context: Mapping[str, ContextValue] = field(default_factory=dict)
    identity: Identity | None = None  # filled by the resolve stage

    def sort_key(self) -> tuple[str, int, str, str]:
        return (self.location.path, self.location.line or 0, self.kind.value, self.value)


@dataclass(frozen=True, slots=True)
class Dependency:
    """An AI SDK or runtime a manifest declares (not a model reference)."""

    ecosystem: str  # "pypi" or "npm"
    name: str
    specifier: str  # version constraint as written, "" when none
    location: Location
    category: str = "sdk"  # sdk, runtime, framework


@dataclass(frozen=True, slots=True)
class Finding:
    """A risk worth telling someone about. ``fingerprint`` never contains a line number.

    The assess stage reports one finding per rule and model (per fingerprint): ``locations`` then
    holds every place it was seen, sorted, and ``location`` is the first of them.
    """

    rule_id: str
    severity: Severity
    confidence: Confidence
    title: str
    message: str
    location: Location
    fingerprint: str = ""
    remediation: str = ""
    subject: str = ""  # what the finding is about: a model id, a file, a global name
    locations: tuple[Location, ...] = ()

    @property
    def places(self) -> tuple[Location, ...]:
        """Every place of the finding (``location`` alone before the assess stage groups)."""
        return self.locations or (self.location,)

    def with_fingerprint(self) -> Finding:
        """A copy fingerprinted by rule, path and subject: a finding about a file. Findings about
        a model are fingerprinted by rule and model alone (``Rule.make``)."""
        if self.fingerprint:
            return self
        from dataclasses import replace

        return replace(
            self,
            fingerprint=make_fingerprint(
                self.rule_id, self.location.path, self.subject or self.message
            ),
        )


def make_fingerprint(rule_id: str, path: str, subject: str) -> str:
    """A stable id for a finding that survives edits elsewhere in the file."""
    digest = hashlib.sha256(f"{rule_id}\0{path}\0{subject}".encode()).hexdigest()
    return digest[:32]


@dataclass(frozen=True, slots=True)
class ArtifactInfo:
    """What a weight file or model folder is, read without executing it."""

    location: Location
    format: str  # safetensors, gguf, pytorch-zip, pytorch-legacy, pickle, numpy, onnx, ...
    size_bytes: int
    sha256: str | None = None
    tensors: int | None = None
    params: int | None = None
    dtype: str | None = None  # dominant dtype or quantization type
    metadata: Mapping[str, Any] = field(default_factory=dict)
    findings: tuple[Finding, ...] = ()
    bytes_read: int | None = None
    identity: Identity | None = None  # filled by the resolve stage


@dataclass(frozen=True, slots=True)
class Skipped:
    """A file or step that could not be handled; partial failure is data."""

    location: Location
    stage: Stage
    reason: str


@dataclass(frozen=True, slots=True)
class ScanStats:
    """Counters for a scan, for the summary and the benchmarks.

    Every file the walk found (and every path it could not enter) is counted in exactly one of
    parsed, cached, unmatched, inspected and skipped, so they add up to ``files_seen``.
    """

    files_seen: int = 0
    files_parsed: int = 0  # read and analysed by a detector in this scan
    files_cached: int = 0  # the result came from the cache
    bytes_read: int = 0
    duration_s: float = 0.0
    files_unmatched: int = 0  # nothing for a detector (name or prefilter); weights not opened
    files_inspected: int = 0  # weight files opened by an inspector
    files_skipped: int = 0  # not read, or read in part: each has a ``Skipped`` entry


@dataclass(frozen=True, slots=True)
class ScanResult:
    """Everything a scan found. The JSON report is this, with a ``schema_version``."""

    roots: tuple[str, ...]
    started_at: str  # ISO-8601 UTC
    tool_version: str
    kb_version: str | None
    references: tuple[ModelReference, ...] = ()
    dependencies: tuple[Dependency, ...] = ()
    artifacts: tuple[ArtifactInfo, ...] = ()
    findings: tuple[Finding, ...] = ()
    skipped: tuple[Skipped, ...] = ()
    stats: ScanStats = ScanStats()
