"""The knowledge base: typed records loaded from YAML, with dict and compiled-regex indexes."""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from typing import Any

from modeldeps.errors import KnowledgeBaseError


@dataclass(frozen=True, slots=True)
class Source:
    id: str
    title: str
    date: str
    url: str | None = None
    citation: str | None = None
    verified: bool = False
    license: str | None = None  # licence of the data set a fact was taken from

    @property
    def ref(self) -> str:
        return self.url or self.citation or self.title


@dataclass(frozen=True, slots=True)
class Publisher:
    id: str
    name: str  # short display name ("Alibaba (Qwen)"); full_name holds the legal/long one
    country: str
    type: str
    full_name: str | None = None
    aliases: tuple[str, ...] = ()  # earlier or other ids of this operator (one id scheme)
    epoch_orgs: tuple[str, ...] = ()  # organization names in Epoch AI's data, for the build
    hub_orgs: tuple[str, ...] = ()
    hq: str | None = None
    parent: str | None = None
    flags: tuple[str, ...] = ()
    api_hosts: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    url: str | None = None
    notes: str | None = None
    origin: str = "bundled"


@dataclass(frozen=True, slots=True)
class Family:
    id: str
    name: str
    publisher: str
    name_patterns: tuple[str, ...] = ()
    model_types: tuple[str, ...] = ()
    architectures: tuple[str, ...] = ()
    vocab_sizes: tuple[int, ...] = ()
    vocab_collisions: str | None = None
    tokenizer_classes: tuple[str, ...] = ()
    special_tokens: tuple[str, ...] = ()
    native_keys: tuple[str, ...] = ()
    gguf_arch: tuple[str, ...] = ()
    gguf_pre: tuple[str, ...] = ()
    chat_markers: tuple[str, ...] = ()
    default_license: str | None = None
    caveat: str | None = None
    sources: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class License:
    id: str
    name: str
    commercial: str  # yes / conditional / no / unknown
    spdx: str | None = None
    restrictions: tuple[str, ...] = ()
    attribution: str | None = None
    hub_values: tuple[str, ...] = ()
    # the record that applies instead when the model is multimodal (a clause of the licence or
    # its use policy covers multimodal models only: Llama 3.2's EU clause)
    multimodal_variant: str | None = None
    notes: str | None = None
    sources: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class BaseEdge:
    relation: str
    base: str


@dataclass(frozen=True, slots=True)
class ModelEntry:
    id: str
    publisher: str
    family: str | None = None
    licenses: tuple[str, ...] = ()
    open_weights: bool = True
    bases: tuple[BaseEdge, ...] = ()
    sources: tuple[str, ...] = ()
    notes: str | None = None
    origin: str = "bundled"


@dataclass(frozen=True, slots=True)
class LicenseRule:
    """A sourced versioned family rule: Hub names matching ``match`` get ``license``."""

    id: str
    match: str
    sources: tuple[str, ...]
    license: str | None = None
    family: str | None = None
    orgs: tuple[str, ...] = ()
    open_weights: bool = True
    notes: str | None = None
    origin: str = "bundled"


@dataclass(frozen=True, slots=True)
class BaseRule:
    """A sourced naming rule: a Hub repository whose name matches ``match`` was built on
    ``base`` (``{org}`` and ``\\1``-style groups of the match are filled in)."""

    id: str
    match: str
    base: str
    sources: tuple[str, ...]
    relation: str = "finetune"
    orgs: tuple[str, ...] = ()
    notes: str | None = None
    origin: str = "bundled"


@dataclass(frozen=True, slots=True)
class CountryEvidence:
    """A data set's record of a publisher's country (the build's Epoch AI extract)."""

    publisher: str
    country: str
    source: str
    organization: str = ""
    rows: int = 0


@dataclass(frozen=True, slots=True)
class Jurisdiction:
    """A named group of countries a policy may watch (``prc``: CN, HK, MO)."""

    id: str
    name: str
    countries: tuple[str, ...]
    sources: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ApiModel:
    publisher: str
    id: str | None = None
    pattern: str | None = None
    family: str | None = None
    released: str | None = None
    deprecated: str | None = None  # deprecation announced; the model still answers until retired
    retired: str | None = None
    open_weights: bool | None = None  # None: not stated by this record (a later one may say)
    notes: str | None = None
    verified: bool = True
    sources: tuple[str, ...] = ()
    replacement: str | None = None  # the provider's recommended successor
    alias_of: str | None = None  # the dated snapshot an alias points to, where documented
    origin: str = "bundled"


@dataclass(frozen=True, slots=True)
class Endpoint:
    host: str
    operator: str
    kind: str
    region: str | None = None
    flags: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    origin: str = "bundled"


@dataclass(frozen=True, slots=True)
class Reuploader:
    org: str
    relation: str
    name: str | None = None
    kind: tuple[str, ...] = ()
    notes: str | None = None
    sources: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class OllamaEntry:
    name: str
    publisher: str
    base: str
    family: str | None = None
    tags: Mapping[str, str] = field(default_factory=dict)
    sources: tuple[str, ...] = ()
    origin: str = "bundled"


def _tuples(raw: Mapping[str, Any]) -> dict[str, Any]:
    """YAML lists become tuples so records stay hashable and immutable."""
    return {k: tuple(v) if isinstance(v, list) else v for k, v in raw.items()}


_DATE_SUFFIX = re.compile(r"(-\d{4}-\d{2}-\d{2}|-\d{8}|-\d{4}|-latest|@\d{8}|-v\d+:\d+)$")


class KnowledgeBase:
    """All KB records, indexed for constant-time lookups. Built once per process."""

    def __init__(self, doc: Mapping[str, Any], kb_version: str) -> None:
        self.kb_version = kb_version
        try:
            self.sources = {s["id"]: Source(**s) for s in doc.get("sources", [])}
            self.publishers = {p["id"]: Publisher(**_tuples(p)) for p in doc.get("publishers", [])}
            self._aliases = {
                a: p.id for p in self.publishers.values() for a in p.aliases if a != p.id
            }
            self.families = {f["id"]: Family(**_tuples(f)) for f in doc.get("families", [])}
            self.licenses = {x["id"]: License(**_tuples(x)) for x in doc.get("licenses", [])}
            self.models = {m["id"].lower(): _model(self._canon(m)) for m in doc.get("models", [])}
            self.api_models = [
                ApiModel(**_tuples(self._canon(a))) for a in doc.get("api_models", [])
            ]
            self.endpoints = [
                Endpoint(**_tuples(self._canon(e, "operator"))) for e in doc.get("endpoints", [])
            ]
            self.reuploaders = {
                r["org"].lower(): Reuploader(**_tuples(r)) for r in doc.get("reuploaders", [])
            }
            self.ollama = {
                o["name"].lower(): OllamaEntry(**_tuples(self._canon(o)))
                for o in doc.get("ollama", [])
            }
            self.license_rules = [LicenseRule(**_tuples(r)) for r in doc.get("license_rules", [])]
            self.base_rules = [BaseRule(**_tuples(r)) for r in doc.get("base_rules", [])]
            self.country_evidence = [
                CountryEvidence(**self._canon(c)) for c in doc.get("country_evidence", [])
            ]
            self.jurisdictions = {
                j["id"]: Jurisdiction(**_tuples(j)) for j in doc.get("jurisdictions", [])
            }
        except TypeError as exc:  # an unknown or missing field slipped past the schema
            raise KnowledgeBaseError(f"invalid knowledge-base record: {exc}") from exc
        self.strip_suffixes: tuple[str, ...] = tuple(
            sorted(doc.get("strip_suffixes", []), key=len, reverse=True)
        )
        self.strip_prefixes: tuple[str, ...] = tuple(
            sorted(doc.get("strip_prefixes", []), key=len, reverse=True)
        )
        self._org_index = {
            org.lower(): p.id for p in self.publishers.values() for org in p.hub_orgs
        }
        self._text_index = _text_index(self.publishers.values())
        self._license_index: dict[str, str] = {}
        for lic in self.licenses.values():
            for value in (lic.id, lic.spdx or "", *lic.hub_values):
                if value:
                    self._license_index.setdefault(value.lower(), lic.id)
        self._api_exact = _merge_api_records(a for a in self.api_models if a.id)
        self._api_patterns = [
            (re.compile(a.pattern, re.IGNORECASE), a) for a in self.api_models if a.pattern
        ]
        self._hosts_exact: dict[str, Endpoint] = {}
        for e in self.endpoints:  # first record wins: an overlay's comes before the bundled one
            if "*" not in e.host:
                self._hosts_exact.setdefault(e.host.lower(), e)
        self._hosts_glob = [
            (re.compile(fnmatch.translate(e.host.lower())), e)
            for e in self.endpoints
            if "*" in e.host
        ]
        self._rules = [
            (re.compile(r.match, re.IGNORECASE), frozenset(o.lower() for o in r.orgs), r)
            for r in self.license_rules
        ]
        self._base_rules = [
            (re.compile(r.match, re.IGNORECASE), frozenset(o.lower() for o in r.orgs), r)
            for r in self.base_rules
        ]
        self._check_references()

    def _canon(self, record: Mapping[str, Any], key: str = "publisher") -> dict[str, Any]:
        """The record with an alias publisher id (``alibaba-qwen``) replaced by its canonical id,
        so overlays written with an older id keep working."""
        out = dict(record)
        if isinstance(out.get(key), str):
            out[key] = self._aliases.get(out[key], out[key])
        return out

    def _check_references(self) -> None:
        """Every id a record points at must exist; a dangling id is a KB bug, found at load."""
        problems: list[str] = []
        for p in self.publishers.values():
            problems += [
                f"publisher {p.id}: unknown source {s}" for s in p.sources if s not in self.sources
            ]
        for f in self.families.values():
            if f.publisher not in self.publishers:
                problems.append(f"family {f.id}: unknown publisher {f.publisher}")
        for m in self.models.values():
            if m.publisher not in self.publishers:
                problems.append(f"model {m.id}: unknown publisher {m.publisher}")
        for a in self.api_models:
            if a.publisher not in self.publishers:
                problems.append(f"api model {a.id or a.pattern}: unknown publisher {a.publisher}")
        for e in self.endpoints:
            if e.operator not in self.publishers:
                problems.append(f"endpoint {e.host}: unknown operator {e.operator}")
        for o in self.ollama.values():
            if o.publisher not in self.publishers:
                problems.append(f"ollama {o.name}: unknown publisher {o.publisher}")
        for lic in self.licenses.values():
            if lic.multimodal_variant and lic.multimodal_variant not in self.licenses:
                problems.append(f"licence {lic.id}: unknown variant {lic.multimodal_variant}")
        for r in self.license_rules:
            if r.license and r.license not in self.licenses:
                problems.append(f"license rule {r.id}: unknown licence {r.license}")
            problems += [
                f"license rule {r.id}: unknown source {s}"
                for s in r.sources
                if s not in self.sources
            ]
        for b in self.base_rules:
            problems += [
                f"base rule {b.id}: unknown source {s}" for s in b.sources if s not in self.sources
            ]
        for c in self.country_evidence:
            if c.publisher not in self.publishers:
                problems.append(f"country evidence: unknown publisher {c.publisher}")
        if problems:
            raise KnowledgeBaseError("; ".join(problems[:10]))

    # ------------------------------------------------------------------ lookups
    def publisher(self, pid: str) -> Publisher | None:
        """A publisher by id or by one of its aliases."""
        return self.publishers.get(self._aliases.get(pid, pid))

    def license_rule(self, org: str, name: str) -> LicenseRule | None:
        """The first versioned licence rule matching a Hub repository name (org may be empty)."""
        o = org.lower()
        for rx, orgs, rule in self._rules:
            if (not orgs or o in orgs) and rx.search(name):
                return rule
        return None

    def base_by_rule(self, org: str, name: str) -> tuple[str, BaseRule] | None:
        """(base model id, rule) of the first naming rule that matches a Hub repository name;
        None when no rule matches or the rule would name the model itself."""
        o = org.lower()
        for rx, orgs, rule in self._base_rules:
            if orgs and o not in orgs:
                continue
            m = rx.fullmatch(name)
            if m is None:
                continue
            base = m.expand(rule.base.replace("{org}", org))
            if base.lower() != f"{org}/{name}".lower():
                return base, rule
        return None

    def country_sources(self, pid: str) -> tuple[CountryEvidence, ...]:
        """Data-set records that agree with the curated country of publisher pid."""
        p = self.publisher(pid)
        return tuple(
            c for c in self.country_evidence if p and c.publisher == p.id and c.country == p.country
        )

    def publisher_for_org(self, org: str) -> Publisher | None:
        pid = self._org_index.get(org.lower())
        return self.publishers.get(pid) if pid else None

    def publisher_by_text(self, text: str) -> Publisher | None:
        """The first publisher a free-text maker field names ("Granite Team, IBM",
        "WizardLM@Microsoft AI", "Meta Llama"): by Hub org, id or display name, word-aligned."""
        words = [w for w in re.split(r"[^a-z0-9.]+", text.lower()[:400]) if w]
        for i in range(len(words)):
            for n in (3, 2, 1):  # longest name first: "mistral ai" before "mistral"
                key = "".join(words[i : i + n]).replace(".", "")
                pid = self._text_index.get(key) if i + n <= len(words) else None
                if pid:
                    return self.publishers[pid]
        return None

    def reuploader(self, org: str) -> Reuploader | None:
        return self.reuploaders.get(org.lower())

    def model(self, model_id: str) -> ModelEntry | None:
        return self.models.get(model_id.lower())

    def family(self, fid: str) -> Family | None:
        return self.families.get(fid)

    def license(self, lid: str) -> License | None:
        """A licence by KB id, SPDX id or Hub value (case-insensitive)."""
        key = self._license_index.get(lid.strip().lower())
        return self.licenses.get(key) if key else None

    def api_model(self, name: str) -> ApiModel | None:
        """An API model by exact id (an alias carries its snapshot's dates), then by the id
        without a date suffix, then by a provider pattern."""
        key = name.strip().lower()
        for candidate in (key, _DATE_SUFFIX.sub("", key)):
            hit = self._api_exact.get(candidate)
            if hit:
                return self._with_family(self._follow_alias(hit))
        return self.api_pattern(key)

    def api_pattern(self, name: str) -> ApiModel | None:
        for rx, rec in self._api_patterns:
            if rx.search(name):
                return rec
        return None

    def _follow_alias(self, rec: ApiModel) -> ApiModel:
        target = self._api_exact.get(rec.alias_of.lower()) if rec.alias_of else None
        if target is None:
            return rec
        if rec.open_weights is None:
            rec = replace(rec, open_weights=target.open_weights)
        if not (rec.retired or rec.deprecated) and (target.retired or target.deprecated):
            return replace(
                rec,
                released=rec.released or target.released,
                deprecated=target.deprecated,
                retired=target.retired,
                replacement=rec.replacement or target.replacement,
                sources=tuple(dict.fromkeys((*target.sources, *rec.sources))),
                verified=target.verified,
            )
        return replace(
            rec,
            released=rec.released or target.released,
            deprecated=rec.deprecated or target.deprecated,
            retired=rec.retired or target.retired,
            replacement=rec.replacement or target.replacement,
            sources=tuple(dict.fromkeys((*rec.sources, *target.sources))),
            verified=rec.verified and target.verified,
        )

    def _with_family(self, rec: ApiModel) -> ApiModel:
        if rec.family or rec.id is None:
            return rec
        pat = self.api_pattern(rec.id.lower())
        if pat is None or pat.publisher != rec.publisher:
            return rec
        return replace(rec, family=pat.family)

    def endpoint(self, host: str) -> Endpoint | None:
        h = host.strip().lower().rstrip(".")
        hit = self._hosts_exact.get(h)
        if hit:
            return hit
        for rx, rec in self._hosts_glob:
            if rx.match(h):
                return rec
        return None

    def endpoint_operator(self, host: str) -> tuple[Publisher, str, tuple[str, ...]] | None:
        """(operator, jurisdiction country, flags) for an API host, or None when unknown."""
        ep = self.endpoint(host)
        if ep is None:
            return None
        op = self.publishers[ep.operator]
        return op, op.country, tuple(dict.fromkeys((*op.flags, *ep.flags)))

    def ollama_entry(self, name: str) -> OllamaEntry | None:
        return self.ollama.get(name.lower())

    def citation(self, source_ids: Iterable[str]) -> str | None:
        """The first resolvable source of a record, as a URL or citation."""
        for sid in source_ids:
            src = self.sources.get(sid)
            if src:
                return src.ref
        return None

    def search(self, text: str, limit: int = 50) -> list[tuple[str, str, str]]:
        """(kind, id, summary) rows whose id, name or org contains text (case-insensitive)."""
        q = text.lower()
        rows: list[tuple[str, str, str]] = []
        for p in self.publishers.values():
            hay = " ".join((p.id, p.name, p.full_name or "", *p.hub_orgs)).lower()
            if q in hay:
                rows.append(("publisher", p.id, f"{p.name} ({p.country})"))
        for f in self.families.values():
            if q in f"{f.id} {f.name}".lower():
                rows.append(("family", f.id, f"{f.name} by {f.publisher}"))
        for m in self.models.values():
            if q in m.id.lower():
                rows.append(("model", m.id, f"by {m.publisher}"))
        for a in self.api_models:
            if a.id and q in a.id.lower():
                rows.append(("api_model", a.id, f"by {a.publisher}"))
        for e in self.endpoints:
            if q in e.host.lower():
                rows.append(("endpoint", e.host, f"operated by {e.operator} ({e.kind})"))
        for lic in self.licenses.values():
            if q in f"{lic.id} {lic.name}".lower():
                rows.append(("license", lic.id, f"{lic.name}; commercial {lic.commercial}"))
        for o in self.ollama.values():
            if q in o.name.lower():
                rows.append(("ollama", o.name, f"-> {o.base}"))
        return rows[:limit]


#: Words too common to name a publisher on their own in free text.
_TEXT_STOP = frozenset({"ai", "team", "labs", "lab", "research", "the", "inc", "and", "model"})


def _text_index(publishers: Iterable[Publisher]) -> dict[str, str]:
    """Normalised Hub orgs, ids and display names (parenthesis dropped) -> publisher id."""
    out: dict[str, str] = {}
    for p in publishers:
        if p.type == "api-operator":
            continue  # known only as a host of models (providers.gen.yaml), never as a maker
        for value in (*p.hub_orgs, p.id, p.name.split(" (")[0]):
            key = re.sub(r"[^a-z0-9]", "", value.lower())
            if len(key) >= 3 and key not in _TEXT_STOP:
                out.setdefault(key, p.id)
    return out


def _model(raw: Mapping[str, Any]) -> ModelEntry:
    data = dict(raw)
    bases: Sequence[Mapping[str, str]] = data.pop("bases", [])
    return ModelEntry(**_tuples(data), bases=tuple(BaseEdge(**b) for b in bases))


def _merge_api_records(records: Iterable[ApiModel]) -> dict[str, ApiModel]:
    """One record per API model id: the first record (overlay, then curated, then generated)
    decides each field; later records fill only the fields it leaves empty."""
    out: dict[str, ApiModel] = {}
    for rec in records:
        key = (rec.id or "").lower()
        cur = out.get(key)
        if cur is None:
            out[key] = rec
            continue
        if cur.publisher != rec.publisher:
            continue  # another publisher's claim on the id: the first stays
        changes: dict[str, Any] = {}
        # an alias takes its snapshot's dates, unless first-party data dates the alias itself
        skip_dates = cur.alias_of is not None and not rec.verified
        for f in fields(ApiModel):
            if f.name in ("sources", "verified", "origin"):
                continue
            if skip_dates and f.name in ("retired", "deprecated", "replacement"):
                continue
            if getattr(cur, f.name) is None and getattr(rec, f.name) is not None:
                changes[f.name] = getattr(rec, f.name)
        if "retired" in changes or "deprecated" in changes:
            # the dates come from this record: so do their citation and verification
            changes["verified"] = rec.verified
            changes["sources"] = tuple(dict.fromkeys((*rec.sources, *cur.sources)))
        else:
            changes["sources"] = tuple(dict.fromkeys((*cur.sources, *rec.sources)))
        out[key] = replace(cur, **changes)
    return out
