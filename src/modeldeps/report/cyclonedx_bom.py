"""CycloneDX 1.6 JSON: models as machine-learning-model components, built, serialised, validated."""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from functools import cache
from importlib import resources
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import urlsplit

import jsonschema
from cyclonedx.model import HashAlgorithm, HashType, Property, XsUri
from cyclonedx.model.bom import Bom, BomMetaData
from cyclonedx.model.component import Component, ComponentType, Pedigree
from cyclonedx.model.component_evidence import ComponentEvidence, Occurrence
from cyclonedx.model.contact import OrganizationalEntity, PostalAddress
from cyclonedx.model.dependency import Dependency as BomDependency
from cyclonedx.model.license import DisjunctiveLicense
from cyclonedx.model.service import Service
from cyclonedx.model.tool import ToolRepository
from cyclonedx.output.json import JsonV1Dot6
from cyclonedx.spdx import fixup_id
from packageurl import PackageURL
from referencing import Registry
from referencing.jsonschema import DRAFT7

from modeldeps.errors import ReportError
from modeldeps.model import (
    ArtifactInfo,
    Dependency,
    Finding,
    Identity,
    Location,
    ModelReference,
    RefKind,
    ScanResult,
)
from modeldeps.report.interface import RenderOptions
from modeldeps.report.redact import redact, redact_data

NS = "modeldeps"  # property namespace, per the CycloneDX property taxonomy convention
_COMMIT = re.compile(r"^[0-9a-fA-F]{40}$")
_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.\-]*/[\w.\-]+$")
_EXACT_PIN = re.compile(r"^\s*===?\s*([\w.\-+!]+)\s*$")
_MAX_META_KEYS = 20  # artifact metadata copied into properties; GGUF headers can hold hundreds
_MAX_META_CHARS = 200
_ML = ComponentType.MACHINE_LEARNING_MODEL


def _prop(name: str, value: object) -> Property:
    return Property(name=f"{NS}:{name}", value=redact(str(value)))


def hub_purl(repo_id: str, revision: str | None) -> PackageURL | None:
    """``pkg:huggingface/<org>/<name>[@<commit>]`` per the purl spec (version: lowercase commit)."""
    if not _HUB_ID.match(repo_id):
        return None
    org, name = repo_id.split("/", 1)
    version = revision.lower() if revision and _COMMIT.match(revision) else None
    return PackageURL(type="huggingface", namespace=org, name=name, version=version)


def _text(value: object) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def _licenses(names: Iterable[str]) -> list[DisjunctiveLicense]:
    out: list[DisjunctiveLicense] = []
    for name in sorted(set(names)):
        spdx = fixup_id(name)
        out.append(DisjunctiveLicense(id=spdx) if spdx else DisjunctiveLicense(name=name))
    return out


def _occurrences(locations: Iterable[Location], symbol: str | None = None) -> list[Occurrence]:
    return [
        Occurrence(location=loc.path, line=loc.line, symbol=symbol)
        for loc in sorted(set(locations))
    ]


def _identity_props(ident: Identity) -> list[Property]:
    props = [
        _prop("country", ident.country),
        _prop("confidence", ident.confidence.value),
        _prop("decided-by", ident.decided_by),
    ]
    if ident.publisher:
        props.append(_prop("publisher", ident.publisher.id))
    if ident.family:
        props.append(_prop("family", ident.family))
    if ident.uploader:
        props.append(_prop("uploader", ident.uploader))
    if ident.open_weights is not None:
        props.append(_prop("open-weights", str(ident.open_weights).lower()))
    props += [_prop("lineage-country", c) for c in sorted(set(ident.lineage_countries))]
    for ev in ident.evidence:
        text = f"{ev.source}/{ev.rule}" + (f": {ev.detail}" if ev.detail else "")
        props.append(_prop("evidence", text + (f" ({ev.citation})" if ev.citation else "")))
    return props


def _org(name: str, country: str | None) -> OrganizationalEntity:
    # Only an ISO alpha-2 code is a valid postal country; INTL/unknown stay in properties.
    addr = PostalAddress(country=country) if country and len(country) == 2 else None
    return OrganizationalEntity(name=name, address=addr)


def _pedigree(ident: Identity, parent_ref: str) -> Pedigree | None:
    ancestors = []
    for edge in ident.lineage:
        props = [_prop("relation", edge.relation)]
        if edge.publisher:
            props.append(_prop("publisher", edge.publisher))
        if edge.country:
            props.append(_prop("country", edge.country))
        ancestors.append(
            Component(
                type=_ML,
                name=edge.base,
                bom_ref=f"{parent_ref}#base:{edge.base}",
                purl=hub_purl(edge.base, None),
                properties=props,
            )
        )
    return Pedigree(ancestors=ancestors) if ancestors else None


def _with_identity(kwargs: dict[str, Any], ident: Identity | None, ref: str) -> None:
    """Fill supplier/manufacturer/licenses/pedigree/properties from an identity."""
    if ident is None:
        kwargs["properties"].append(_prop("country", "unknown"))
        return
    if ident.publisher:
        maker = _org(ident.publisher.name, ident.publisher.country)
        kwargs["manufacturer"] = maker
        kwargs["publisher"] = ident.publisher.name
        # The supplier is whoever distributes the files: a re-uploader when there is one.
        kwargs["supplier"] = _org(ident.uploader, None) if ident.uploader else maker
    kwargs["licenses"] = _licenses(ident.licenses)
    kwargs["pedigree"] = _pedigree(ident, ref)
    kwargs["properties"] += _identity_props(ident)


def _finding_props(findings: Iterable[Finding]) -> list[Property]:
    return [_prop("finding", f"{f.rule_id} {f.severity.value}: {f.title}") for f in findings]


def _model_card(
    ident: Identity | None, findings: Sequence[Finding], art: ArtifactInfo | None = None
) -> dict[str, Any] | None:
    """The ``modelCard`` object (the library has no model for it; it is added after serialising)."""
    params: dict[str, Any] = {}
    if ident and ident.family:
        params["architectureFamily"] = ident.family
    arch = art.metadata.get("general.architecture") if art else None
    if isinstance(arch, str):
        params["modelArchitecture"] = arch
    card: dict[str, Any] = {}
    if params:
        card["modelParameters"] = params
    limits = sorted({f"{f.rule_id}: {f.title}" for f in findings})
    if limits:
        card["considerations"] = {"technicalLimitations": limits}
    props = []
    if art is not None:
        for key, value in (("format", art.format), ("parameters", art.params)):
            if value is not None:
                props.append({"name": f"{NS}:{key}", "value": str(value)})
        if art.dtype:
            props.append({"name": f"{NS}:quantization", "value": art.dtype})
    if props:
        card["properties"] = props
    return card or None


class _Builder:
    """Collects components for one result; every bom-ref is derived from content."""

    def __init__(self, result: ScanResult) -> None:
        self.result = result
        self.components: list[Component] = []
        self.services: list[Service] = []
        self.cards: dict[str, dict[str, Any]] = {}

    def _findings_for(self, subjects: set[str], locations: set[Location]) -> list[Finding]:
        return sorted(
            (
                f
                for f in self.result.findings
                if (f.subject and f.subject in subjects) or f.location in locations
            ),
            key=lambda f: (f.rule_id, f.location, f.message),
        )

    def models(self) -> None:
        groups: dict[tuple[str, str, str], list[ModelReference]] = defaultdict(list)
        for ref in self.result.references:
            if ref.kind is RefKind.ENDPOINT:
                continue
            rev = ref.context.get("revision")
            groups[(ref.kind.value, ref.value, str(rev) if rev else "")].append(ref)
        for (kind, value, rev), refs in sorted(groups.items()):
            self._model(kind, value, rev or None, refs)

    def _model(self, kind: str, value: str, rev: str | None, refs: list[ModelReference]) -> None:
        ident = next((r.identity for r in refs if r.identity is not None), None)
        purl = hub_purl(value, rev) if kind == RefKind.HUB_MODEL.value else None
        ref = str(purl) if purl else f"model:{kind}:{redact(value)}" + (f"@{rev}" if rev else "")
        props = [_prop("kind", kind)]
        if rev and (purl is None or purl.version is None):
            props.append(_prop("revision", rev))
        for key in ("loader", "provider", "trust_remote_code"):
            vals = {_text(r.context[key]) for r in refs if r.context.get(key) is not None}
            for val in sorted(vals):
                props.append(_prop(key.replace("_", "-"), val))
        subjects = {value} | ({ident.canonical_id} if ident and ident.canonical_id else set())
        findings = self._findings_for(subjects, {r.location for r in refs})
        props += _finding_props(findings)
        group, name = value.split("/", 1) if purl else (None, redact(value))
        kwargs: dict[str, Any] = {"properties": props}
        _with_identity(kwargs, ident, ref)
        self.components.append(
            Component(
                type=_ML,
                name=name,
                group=group,
                version=purl.version if purl else None,
                bom_ref=ref,
                purl=purl,
                evidence=ComponentEvidence(occurrences=_occurrences(r.location for r in refs)),
                **kwargs,
            )
        )
        card = _model_card(ident, findings)
        if card:
            self.cards[ref] = card

    def artifacts(self) -> None:
        for art in sorted(self.result.artifacts, key=lambda a: a.location):
            ref = f"artifact:{art.location.path}"
            props = [_prop("kind", "artifact"), _prop("format", art.format)]
            props.append(_prop("size-bytes", art.size_bytes))
            for key, val in (
                ("tensors", art.tensors),
                ("params", art.params),
                ("dtype", art.dtype),
            ):
                if val is not None:
                    props.append(_prop(key, val))
            meta = art.metadata
            scalars = [k for k in sorted(meta) if isinstance(meta[k], str | int | float | bool)]
            for key in scalars[:_MAX_META_KEYS]:
                props.append(_prop(f"metadata:{key}", _text(meta[key])[:_MAX_META_CHARS]))
            # The assessed findings on this file; art.findings are the inspector's, before policy.
            findings = sorted(
                (f for f in self.result.findings if f.location.path == art.location.path),
                key=lambda f: (f.rule_id, f.location, f.message),
            )
            props += _finding_props(findings)
            kwargs: dict[str, Any] = {"properties": props}
            _with_identity(kwargs, art.identity, ref)
            hashes = [HashType(alg=HashAlgorithm.SHA_256, content=art.sha256)] if art.sha256 else []
            self.components.append(
                Component(
                    type=_ML,
                    name=art.location.path,
                    bom_ref=ref,
                    hashes=hashes,
                    evidence=ComponentEvidence(occurrences=_occurrences([art.location])),
                    **kwargs,
                )
            )
            card = _model_card(art.identity, findings, art)
            if card:
                self.cards[ref] = card

    def libraries(self) -> None:
        groups: dict[tuple[str, str, str], list[Dependency]] = defaultdict(list)
        for dep in self.result.dependencies:
            groups[(dep.ecosystem, dep.name, dep.specifier)].append(dep)
        for (eco, name, spec), deps in sorted(groups.items()):
            pin = _EXACT_PIN.match(spec)
            version = pin.group(1) if pin else None
            purl = _library_purl(eco, name, version)
            props = [_prop("category", deps[0].category)]
            if spec and not pin:
                props.append(_prop("specifier", spec))
            ref = f"lib:{eco}:{name}" + (f":{spec}" if spec else "")
            self.components.append(
                Component(
                    type=ComponentType.LIBRARY,
                    name=name if eco != "npm" or purl is None else purl.name,
                    group=purl.namespace if eco == "npm" and purl else None,
                    version=version,
                    bom_ref=ref,
                    purl=purl,
                    properties=props,
                    evidence=ComponentEvidence(occurrences=_occurrences(d.location for d in deps)),
                )
            )

    def endpoints(self) -> None:
        groups: dict[str, list[ModelReference]] = defaultdict(list)
        for ref in self.result.references:
            if ref.kind is RefKind.ENDPOINT:
                groups[redact(ref.value)].append(ref)
        for value, refs in sorted(groups.items()):
            ident = next((r.identity for r in refs if r.identity is not None), None)
            props = [_prop("kind", "endpoint")]
            props += [_prop("location", str(loc)) for loc in sorted({r.location for r in refs})]
            subjects = {r.value for r in refs} | {value}
            provider = None
            if ident is not None:
                props += _identity_props(ident)
                subjects |= {ident.canonical_id} if ident.canonical_id else set()
                if ident.publisher:
                    provider = _org(ident.publisher.name, ident.publisher.country)
            props += _finding_props(self._findings_for(subjects, {r.location for r in refs}))
            host = urlsplit(value).hostname if "://" in value else None
            self.services.append(
                Service(
                    name=host or value,
                    bom_ref=f"endpoint:{value}",
                    provider=provider,
                    endpoints=[XsUri(value)] if host else [],
                    properties=props,
                )
            )


def _library_purl(eco: str, name: str, version: str | None) -> PackageURL | None:
    if eco == "pypi":
        return PackageURL(type="pypi", name=re.sub(r"[-_.]+", "-", name).lower(), version=version)
    if eco == "npm":
        scope, _, bare = name.rpartition("/")
        return PackageURL(type="npm", namespace=scope or None, name=bare, version=version)
    return None


def _project_name(result: ScanResult) -> str:
    return PurePosixPath(result.roots[0]).name if result.roots else "project"


def build_bom(result: ScanResult, options: RenderOptions) -> tuple[Bom, dict[str, dict[str, Any]]]:
    """The BOM as library objects, and the model cards (by bom-ref) the library cannot hold."""
    b = _Builder(result)
    b.models()
    b.artifacts()
    b.libraries()
    b.endpoints()
    tool = Component(type=ComponentType.APPLICATION, name="modeldeps", version=result.tool_version)
    root = Component(
        type=ComponentType.APPLICATION, name=_project_name(result) or "project", bom_ref="root"
    )
    meta_props = [_prop("kb-version", result.kb_version)] if result.kb_version else []
    timestamp = None if options.reproducible else _parse_time(result.started_at)
    meta = BomMetaData(
        tools=ToolRepository(components=[tool]),
        component=root,
        properties=meta_props,
        timestamp=timestamp,
    )
    bom = Bom(
        components=b.components, services=b.services, metadata=meta, serial_number=uuid.UUID(int=0)
    )
    # Built directly: the library's register_dependency scans all entries per call (quadratic).
    refs = [BomDependency(ref=c.bom_ref) for c in b.components]
    bom.dependencies.update([BomDependency(ref=root.bom_ref, dependencies=refs), *refs])
    return bom, b.cards


def _parse_time(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def bom_data(result: ScanResult, options: RenderOptions) -> dict[str, Any]:
    """Build → serialise → add model cards → redact → content-derived serial number."""
    bom, cards = build_bom(result, options)
    doc: dict[str, Any] = json.loads(JsonV1Dot6(bom).output_as_string())
    for comp in doc.get("components", ()):
        card = cards.get(comp.get("bom-ref", ""))
        if card:
            comp["modelCard"] = card
        occ = comp.get("evidence", {}).get("occurrences")
        if occ:
            # The library orders occurrences by hash, which varies between interpreter runs.
            occ.sort(key=lambda o: (o.get("location", ""), o.get("line", 0)))
    if options.reproducible:
        doc.get("metadata", {}).pop("timestamp", None)
    doc = redact_data(doc)
    # A pure function of the content: the same result always gets the same serial number.
    doc["serialNumber"] = ""
    digest = hashlib.sha256(json.dumps(doc, sort_keys=True).encode()).digest()
    doc["serialNumber"] = f"urn:uuid:{uuid.UUID(bytes=digest[:16], version=5)}"
    # Header first, as readers expect; then the library's own (sorted) order.
    head = ("$schema", "bomFormat", "specVersion", "serialNumber", "version", "metadata")
    return {k: doc[k] for k in head if k in doc} | {k: v for k, v in doc.items() if k not in head}


_SCHEMA_DIR = "schema/_res"  # where cyclonedx-python-lib ships the official schemas
_SCHEMA_BASE = "http://cyclonedx.org/schema/"
_SCHEMA_REFS = (
    "spdx.SNAPSHOT.schema.json",
    "jsf-0.82.SNAPSHOT.schema.json",
    "cryptography-defs.SNAPSHOT.schema.json",
)


def _unique_items(
    validator: Any, unique: bool, instance: Any, schema: Any
) -> Iterator[jsonschema.ValidationError]:
    # jsonschema compares every pair (quadratic: minutes for a few thousand components);
    # canonical JSON text gives the same verdict for JSON data in linear time.
    if not unique or not validator.is_type(instance, "array"):
        return
    seen: set[str] = set()
    for item in instance:
        key = json.dumps(item, sort_keys=True)
        if key in seen:
            yield jsonschema.ValidationError(f"non-unique element {key[:200]}")
            return
        seen.add(key)


@cache
def _validator() -> jsonschema.protocols.Validator:
    """The official CycloneDX 1.6 JSON schema (strict: no unknown keys), as the library ships it."""
    res = resources.files("cyclonedx").joinpath(_SCHEMA_DIR)
    registry: Registry[Any] = Registry().with_resources(
        (_SCHEMA_BASE + name, DRAFT7.create_resource(json.loads(res.joinpath(name).read_text())))
        for name in _SCHEMA_REFS
    )
    schema = json.loads(res.joinpath("bom-1.6.SNAPSHOT.schema.json").read_text(encoding="utf-8"))
    extend: Any = jsonschema.validators.extend  # untyped in the stubs
    cls = extend(jsonschema.Draft7Validator, {"uniqueItems": _unique_items})
    validator: jsonschema.protocols.Validator = cls(
        schema, registry=registry, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER
    )
    return validator


def validate(text: str) -> None:
    """Raise ``ReportError`` unless ``text`` is valid CycloneDX 1.6 JSON (official schema)."""
    error = jsonschema.exceptions.best_match(_validator().iter_errors(json.loads(text)))
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path)
        raise ReportError(f"CycloneDX output invalid at /{where}: {redact(error.message)[:500]}")
