"""The resolution chain of DESIGN §5: exact KB entry, re-uploader, organization, name, artifact
signals, optional online enrichment, unknown. Each identity says which step decided it."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from modeldeps.model import (
    UNKNOWN_IDENTITY,
    ArtifactInfo,
    Confidence,
    Evidence,
    Identity,
    LineageEdge,
    ModelReference,
    PublisherRef,
    RefKind,
)
from modeldeps.resolve.identity import (
    build,
    edge_to,
    family_base_id,
    licenses_of,
    weakest,
    with_lineage,
)
from modeldeps.resolve.kb import BaseRule, Family, KnowledgeBase, Publisher
from modeldeps.resolve.recognize import Recognizer, Signals
from modeldeps.resolve.sources.artifact import gguf_metadata, read_model_dir, signals_from_gguf
from modeldeps.resolve.sources.interface import KnowledgeSource, KnowledgeSourceError

KB = "bundled-kb"


#: "provider:" prefixes of model ids (AI SDK registries, LiteLLM, the scan's own ids).
_PROVIDER_PREFIXES = frozenset(
    {"openai", "anthropic", "google", "gemini", "vertex", "azure", "bedrock", "mistral", "groq",
     "ollama", "hf", "huggingface", "xai", "deepseek", "cohere", "together", "openrouter"}
)  # fmt: skip


#: Publisher ids of Hub accounts the KB does not know: ``hf:<account>``.
ACCOUNT_PREFIX = "hf:"


def hub_account(org: str) -> Publisher:
    """The Hub account that published a repository, as a publisher of unknown country."""
    return Publisher(
        id=f"{ACCOUNT_PREFIX}{org}", name=f"{org} (Hub account)", country="unknown", type="account"
    )


def is_account(pub: Publisher | PublisherRef) -> bool:
    return pub.id.startswith(ACCOUNT_PREFIX)


def _origin(origin: str) -> str:
    """Evidence source of a KB record: the bundled KB, or the overlay file it came from."""
    return KB if origin == "bundled" else origin


MAX_DEPTH = 4
#: Files that make a folder a model folder whose identity its weight files share.
_MODEL_DIR_FILES = ("config.json", "tokenizer_config.json", "chat_template.jinja")
_HUB_ID = re.compile(
    r"^(?:hf\.co/|https?://(?:www\.)?(?:huggingface\.co|hf\.co)/)?([\w.-]{1,96})/([\w.-]{1,96})(?::[\w.-]+)?/?$"
)


class Resolver:
    """Resolves references and artifacts to identities. Cheap per call: the KB is loaded once."""

    def __init__(self, kb: KnowledgeBase, online: KnowledgeSource | None = None) -> None:
        self.kb = kb
        self.kb_version = kb.kb_version
        self.online = online
        self.recognizer = Recognizer(kb)
        self._names = {m.id.split("/", 1)[-1].lower(): m.id for m in kb.models.values()}
        suffixes = "|".join(re.escape(x) for x in kb.strip_suffixes) or "(?!)"
        self._suffixes = re.compile(f"(?:{suffixes})$", re.IGNORECASE)
        self._hub = lru_cache(maxsize=65536)(self._resolve_hub_uncached)
        # every shard of a folder resolves to the folder's identity: read its files once
        self._folder = lru_cache(maxsize=1024)(self._folder_uncached)

    @classmethod
    def create(
        cls,
        overlays: Sequence[Path] = (),
        online: bool = False,
        cache_dir: Path | None = None,
        use_cache: bool = True,
    ) -> Resolver:
        """A resolver over the bundled KB and ``overlays``; ``use_cache=False`` (``--no-cache``)
        neither reads nor writes the KB cache or the Hub answer cache."""
        from modeldeps.resolve.sources.bundled import load_kb

        source: KnowledgeSource | None = None
        if online:
            from modeldeps.resolve.sources.online import HubSource

            source = HubSource(cache_dir=cache_dir, persist=use_cache)
        return cls(load_kb(tuple(Path(p) for p in overlays), use_cache), source)

    # ------------------------------------------------------------------ references
    def resolve_reference(self, ref: ModelReference) -> Identity:
        value = ref.value.strip()
        if ref.kind is RefKind.API_MODEL:
            return self.resolve_api_model(value)
        if ref.kind is RefKind.OLLAMA_MODEL:
            return self.resolve_ollama(value)
        if ref.kind is RefKind.ENDPOINT:
            return self.resolve_endpoint(value)
        if ref.kind is RefKind.LOCAL_ARTIFACT:
            return self.resolve_name(Path(value).name or value)
        return self.resolve_hub_id(value)

    def resolve_hub_id(self, model_id: str, depth: int = 0) -> Identity:
        m = _HUB_ID.match(model_id.strip())
        if not m:
            return self.resolve_name(model_id)
        return self._hub(f"{m.group(1)}/{m.group(2)}", depth)

    def _resolve_hub_uncached(self, model_id: str, depth: int) -> Identity:
        org, name = model_id.split("/", 1)
        entry = self.kb.model(model_id)
        if entry:  # step 1: exact entry
            pub = self.kb.publishers[entry.publisher]
            fam = self.kb.family(entry.family) if entry.family else None
            lineage: list[LineageEdge] = []
            lics = list(entry.licenses)
            for b in entry.bases:
                base = (
                    self.resolve_hub_id(b.base, depth + 1)
                    if depth < MAX_DEPTH
                    else UNKNOWN_IDENTITY
                )
                lineage += edge_to(b.relation, base, b.base)
                lics += base.licenses
            src = _origin(entry.origin)
            ev = Evidence(
                src, "exact", f"{entry.id} is a KB entry", self.kb.citation(entry.sources)
            )
            lic_ev = (
                (
                    Evidence(
                        src,
                        "license-exact",
                        f"licence {', '.join(entry.licenses)} recorded for {entry.id}",
                        self.kb.citation(entry.sources),
                    ),
                )
                if entry.licenses
                else ()
            )
            return build(
                canonical_id=entry.id,
                family=fam,
                publisher=pub,
                licenses=lics,
                lineage=lineage,
                evidence=(ev, *lic_ev, *self.pub_ev(pub)),
                confidence=Confidence.HIGH,
                decided_by="exact",
                open_weights=entry.open_weights,
            )
        rup = self.kb.reuploader(org)
        if rup and depth < MAX_DEPTH:  # step 2: re-uploader inherits the base's provenance
            base_name = self._strip(name, prefixes=True)
            base_id = self._names.get(base_name.lower())
            guessed = None if base_id else self._publisher_repo(base_name)
            target = base_id or guessed
            base = (
                self.resolve_hub_id(target, depth + 1) if target else self.resolve_name(base_name)
            )
            if base.known:
                how = "" if base_id or not guessed else " (the family publisher's Hub org)"
                ev = Evidence(
                    KB,
                    "reuploader",
                    f"{org} is a re-uploader ({rup.relation}); base "
                    f"{base_id or guessed or base_name}{how}",
                    self.kb.citation(rup.sources),
                )
                base_id = base_id or guessed
                return with_lineage(
                    base,
                    edge_to(rup.relation, base, base_id or base_name),
                    canonical_id=model_id,
                    uploader=org,
                    evidence=(ev, *base.evidence),
                    decided_by="reuploader",
                    confidence=weakest(
                        base.confidence, Confidence.HIGH if base_id else Confidence.MEDIUM
                    ),
                )
        org_pub = self.kb.publisher_for_org(org)
        named = self.recognizer.by_name(name)
        based = self.kb.base_by_rule(org, self._strip(name)) if depth < MAX_DEPTH else None
        if org_pub:  # step 3: publisher by organization (+ family by name for lineage)
            fam = named[0] if named else None
            return self.with_family(
                model_id,
                org_pub,
                fam,
                "publisher-org",
                Confidence.MEDIUM,
                Evidence(KB, "publisher-org", f"Hub org {org} belongs to {org_pub.name}"),
                repo=(org, name),
                based=based,
                depth=depth,
            )
        account = hub_account(org)
        if named:  # step 4: family by name; the unknown org is the publisher, not the family's
            fam, _anchored = named
            return self.with_family(
                model_id,
                account,
                fam,
                "family-pattern",
                Confidence.MEDIUM,
                Evidence(
                    KB,
                    "family-pattern",
                    f"name {name!r} matches family {fam.name}; org {org} not in KB",
                ),
                repo=(org, name),
                based=based,
                depth=depth,
            )
        online = self._online(model_id, depth)  # step 5
        if online is not None:
            return online
        # step 6: the account that published the repository is its publisher; who they are
        # and where is unknown (docs/kb.md, "Hub accounts")
        return self.with_family(
            model_id,
            account,
            None,
            "hub-account",
            Confidence.LOW,
            Evidence(KB, "not-in-kb", f"org {org} and name {name!r} not in KB"),
            repo=(org, name),
            based=based,
            depth=depth,
        )

    def with_family(
        self,
        cid: str | None,
        pub: Publisher | None,
        fam: Family | None,
        rule: str,
        conf: Confidence,
        ev: Evidence,
        licenses: Sequence[str] = (),
        repo: tuple[str, str] | None = None,
        based: tuple[str, BaseRule] | None = None,
        depth: int = 0,
    ) -> Identity:
        """Publisher plus family: when the family belongs to someone else, the model is a
        derivative and the family's publisher becomes a lineage edge. Without licences from
        the caller, the licence is resolved in order (docs/kb.md): a versioned rule for the
        name, the Hub with --online, and only then the family's usual licence, *assumed*.
        ``based`` is the base a naming rule gives (``Qwen2.5-7B-Instruct`` -> ``Qwen2.5-7B``):
        it replaces the family edge and, for a derivative without a licence of its own, gives
        the base's licence."""
        lineage: list[LineageEdge] = []
        lics = list(licenses)
        lic_ev: list[Evidence] = []
        open_weights: bool | None = True
        fam_pub = self.kb.publishers[fam.publisher] if fam else None
        derivative = bool(fam and fam_pub and (pub is None or fam_pub.id != pub.id))
        org, name = repo if repo else ("", cid or "")
        found = self.license_by_rule(org, name) if not lics else None
        if found is not None:
            rule_lics, rule_ev, open_weights = found
            if derivative:  # the name is the base's: its licence binds the derivative too
                rule_ev = replace(rule_ev, detail=rule_ev.detail + " (inherited from the base)")
            lics, lic_ev = list(rule_lics), [rule_ev]
        elif not lics and repo and self.online is not None:
            online = self._online_license(f"{org}/{name}")
            if online is not None:
                lics, lic_ev = list(online[0]), [online[1]]
        base_ev: tuple[Evidence, ...] = ()
        if based is not None:
            base_id, brule = based
            base_ident = self.resolve_hub_id(base_id, depth + 1)
            lineage = list(edge_to(brule.relation, base_ident, base_id))
            if not lics and found is None and (derivative or pub is None or is_account(pub)):
                lics = list(base_ident.licenses)  # a derivative is bound by its base's licence
            base_ev = (
                Evidence(
                    _origin(brule.origin),
                    "base-rule",
                    f"built on {base_id} ({brule.relation}) by naming rule {brule.id}",
                    self.kb.citation(brule.sources),
                ),
            )
        elif derivative and fam and fam_pub:
            base = build(
                canonical_id=family_base_id(fam),
                family=fam,
                publisher=fam_pub,
                licenses=(),
                lineage=(),
                evidence=(),
                confidence=conf,
                decided_by=rule,
            )
            lineage = list(edge_to("finetune", base, family_base_id(fam)))
        elif fam and fam.default_license and not lics and found is None and not derivative:
            lics.append(fam.default_license)
            lic_ev.append(
                Evidence(
                    KB,
                    "license-assumed",
                    f"licence {fam.default_license} assumed: the usual licence of {fam.name} "
                    "models; no record or rule for this model",
                    self.kb.citation(fam.sources),
                )
            )
        evs = (
            ev,
            *base_ev,
            *lic_ev,
            *self.pub_ev(pub),
            *self.pub_ev(fam_pub if lineage and based is None else None),
        )
        return build(
            canonical_id=cid,
            family=fam,
            publisher=pub,
            licenses=licenses_of(self.kb, lics),
            lineage=lineage,
            evidence=evs,
            confidence=conf,
            decided_by=rule,
            open_weights=open_weights,
        )

    def license_by_rule(self, org: str, name: str) -> tuple[tuple[str, ...], Evidence, bool] | None:
        """(licences, evidence, open weights) from the first versioned rule for a Hub name."""
        rule = self.kb.license_rule(org, self._strip(name))
        if rule is None:
            return None
        what = f"licence {rule.license}" if rule.license else "closed model (no open weights)"
        ev = Evidence(
            _origin(rule.origin),
            "license-rule",
            f"{what} by versioned rule {rule.id} for {name}",
            self.kb.citation(rule.sources),
        )
        return ((rule.license,) if rule.license else ()), ev, rule.open_weights

    def _online_license(self, model_id: str) -> tuple[tuple[str, ...], Evidence] | None:
        try:
            facts = self.online.hub_facts(model_id) if self.online else None
        except KnowledgeSourceError:
            return None
        if facts is None or not facts.licenses:
            return None
        ev = Evidence(
            "online",
            "license-online",
            f"licence {', '.join(facts.licenses)} from the Hub card of {model_id}",
            f"https://huggingface.co/{model_id}",
        )
        return facts.licenses, ev

    def pub_ev(self, pub: Publisher | None) -> tuple[Evidence, ...]:
        if pub is None:
            return ()
        if is_account(pub):
            return (
                Evidence(
                    KB,
                    "hub-account",
                    f"published by the Hub account {pub.id.removeprefix(ACCOUNT_PREFIX)}, which "
                    "the knowledge base does not know: who they are and their country are unknown",
                ),
            )
        return (
            Evidence(
                KB, "publisher-country", f"{pub.name}: {pub.country}", self.kb.citation(pub.sources)
            ),
        )

    def _strip(self, name: str, *, prefixes: bool = False) -> str:
        """The name without format suffixes (``-GGUF``, ``-AWQ``...) and, for a re-upload,
        without a converter's prefix (``faster-``)."""
        # one anchored alternation: its leftmost match is the longest suffix; repeat for
        # stacked suffixes (-Instruct-AWQ-4bit)
        while (m := self._suffixes.search(name)) is not None and m.start() > 0:
            name = name[: m.start()]
        for pre in self.kb.strip_prefixes if prefixes else ():
            if name.lower().startswith(pre.lower()) and len(name) > len(pre):
                return name[len(pre) :]
        return name

    def _publisher_repo(self, name: str) -> str | None:
        """``org/name`` under the Hub org of the family's publisher, for a re-upload whose
        name is the family's own product name (``Meta-Llama-3.1-8B-Instruct``)."""
        named = self.recognizer.by_name(name)
        if not named or not named[1]:
            return None
        pub = self.kb.publishers.get(named[0].publisher)
        return f"{pub.hub_orgs[0]}/{name}" if pub and pub.hub_orgs else None

    def _online(self, model_id: str, depth: int) -> Identity | None:
        if self.online is None or depth >= MAX_DEPTH:
            return None
        try:
            facts = self.online.hub_facts(model_id)
        except KnowledgeSourceError as exc:
            return replace(
                UNKNOWN_IDENTITY,
                canonical_id=model_id,
                evidence=(Evidence("online", "error", str(exc)),),
            )
        if facts is None or not (facts.base_models or facts.licenses):
            return None
        lineage: list[LineageEdge] = []
        lics = list(facts.licenses)
        fam = None
        for b in facts.base_models[:4]:
            base = self.resolve_hub_id(b, depth + 1)
            lineage += edge_to(facts.relation or "finetune", base, b)
            lics += base.licenses
            fam = fam or (self.kb.family(base.family) if base.family else None)
        ev = Evidence(
            "online",
            "hub-card",
            facts.detail or f"Hub card of {model_id}",
            f"https://huggingface.co/{model_id}",
        )
        lic_ev = Evidence(
            "online",
            "license-online",
            f"licence {', '.join(facts.licenses)} from the Hub card of {model_id}",
            f"https://huggingface.co/{model_id}",
        )
        return build(
            canonical_id=model_id,
            family=fam,
            publisher=None,
            licenses=licenses_of(self.kb, lics),
            lineage=lineage,
            evidence=(ev, lic_ev) if facts.licenses else (ev,),
            confidence=Confidence.MEDIUM,
            decided_by="online",
        )

    def resolve_name(self, name: str) -> Identity:
        """A bare model name (file name, Ollama-less tag): family by pattern; the family's
        publisher only when the name starts with the family's own product name."""
        stem = re.sub(r"\.(gguf|safetensors|bin|pt|pth|onnx|ggml)$", "", name, flags=re.I)
        named = self.recognizer.by_name(stem)
        if not named:
            return replace(UNKNOWN_IDENTITY, canonical_id=name or None)
        fam, anchored = named
        pub = self.kb.publishers[fam.publisher] if anchored else None
        ev = Evidence(
            KB,
            "family-pattern",
            f"name {stem!r} matches family {fam.name}"
            + ("" if anchored else "; publisher of this derivative unknown"),
        )
        return self.with_family(
            name,
            pub,
            fam,
            "family-pattern",
            Confidence.MEDIUM if anchored else Confidence.LOW,
            ev,
            repo=("", stem.rsplit("/", 1)[-1]),
        )

    def resolve_api_model(self, name: str) -> Identity:
        prefix, sep, rest = name.partition(":")
        if sep and rest and (prefix.lower() in _PROVIDER_PREFIXES or self.kb.publisher(prefix)):
            # "provider:model" as AI SDK registries and the scan print it
            if prefix.lower() == "ollama":
                return self.resolve_ollama(rest)
            if prefix.lower() in ("hf", "huggingface"):
                return self.resolve_hub_id(rest)
            return self.resolve_api_model(rest)
        rec = self.kb.api_model(name)
        if rec is None and "/" in name:  # aggregator ids: "<vendor>/<model>" or Hub ids
            vendor, _, rest = name.rpartition("/")
            rec = self.kb.api_model(rest)
            if rec is None:
                ident = self.resolve_hub_id(f"{vendor.split('/')[-1]}/{rest}")
                if ident.known and not (ident.publisher and is_account(ident.publisher)):
                    return ident
        if rec is None:
            ident = self.resolve_name(name)
            return ident if ident.known else replace(UNKNOWN_IDENTITY, canonical_id=name)
        pub = self.kb.publishers[rec.publisher]
        dates = ", ".join(
            f"{k} {v}" for k, v in (("released", rec.released), ("retired", rec.retired)) if v
        )
        snapshot = f"; alias of {rec.alias_of}" if rec.alias_of else ""
        ev = Evidence(
            _origin(rec.origin),
            "api-model",
            f"{rec.id or rec.pattern} served by {pub.name}"
            + (f" ({dates})" if dates else "")
            + snapshot,
            self.kb.citation(rec.sources),
        )
        fam = self.kb.family(rec.family) if rec.family else None
        return build(
            canonical_id=rec.id or name,
            family=fam,
            publisher=pub,
            licenses=(),
            lineage=(),
            evidence=(ev, *self.pub_ev(pub)),
            confidence=Confidence.HIGH if rec.id else Confidence.MEDIUM,
            decided_by="api-model",
            # an API model whose weights no record says are published is taken as closed
            open_weights=bool(rec.open_weights),
        )

    def resolve_ollama(self, value: str) -> Identity:
        if value.lower().startswith("ollama:"):
            value = value[len("ollama:") :]  # the id form the scan prints
        if value.startswith(("hf.co/", "huggingface.co/")):
            return self.resolve_hub_id(value)
        name, _, tag = value.partition(":")
        name = name.rsplit("/", 1)[-1]
        entry = self.kb.ollama_entry(name)
        if entry is None:
            return self.resolve_name(value)
        size = tag.split("-")[0].lower()
        base_id = entry.tags.get(size, entry.base)
        base = self.resolve_hub_id(base_id)
        ev = Evidence(
            _origin(entry.origin),
            "ollama",
            f"Ollama library {name}:{tag or 'latest'} -> {base_id}",
            self.kb.citation(entry.sources),
        )
        return with_lineage(
            base,
            edge_to("quantized", base, base_id),
            canonical_id=f"ollama:{value}",
            uploader="ollama",
            evidence=(ev, *base.evidence),
            decided_by="ollama",
            confidence=weakest(
                base.confidence, Confidence.MEDIUM if size not in entry.tags else Confidence.HIGH
            ),
        )

    def resolve_endpoint(self, value: str) -> Identity:
        host = urlsplit(value if "://" in value else f"https://{value}").hostname or value
        hit = self.kb.endpoint_operator(host)
        if hit is None:
            return replace(UNKNOWN_IDENTITY, canonical_id=host)
        op, country, flags = hit
        ep = self.kb.endpoint(host)
        kind = ep.kind if ep else "?"
        ev = Evidence(
            _origin(ep.origin) if ep else KB,
            "endpoint",
            f"{host}: {kind} operated by {op.name}; jurisdiction {country}"
            + (f"; flags {', '.join(flags)}" if flags else ""),
            self.kb.citation(ep.sources if ep else ()),
        )
        return build(
            canonical_id=host,
            family=None,
            publisher=op,
            licenses=(),
            lineage=(),
            evidence=(ev, *self.pub_ev(op)),
            confidence=Confidence.HIGH,
            decided_by="endpoint",
            open_weights=None,
        )

    # ------------------------------------------------------------------ artifacts
    def resolve_artifact(self, info: ArtifactInfo, path: Path | None = None) -> Identity:
        meta = dict(info.metadata)
        notes: tuple[Evidence, ...] = ()
        if info.format == "gguf" and not meta and path is not None and path.is_file():
            try:  # not inspected yet (a caller with only a path): the GGUF inspector reads it
                meta, problems = gguf_metadata(path, info.location.path)
            except OSError as exc:
                problems = (f"{info.location.path}: cannot read: {exc.strerror or exc}",)
            notes = tuple(Evidence("artifact", "damaged", p) for p in problems)
        if info.format == "gguf" or any(k.startswith(("general.", "tokenizer.")) for k in meta):
            ident = self.resolve_signals(signals_from_gguf(meta))
            return replace(ident, evidence=(*ident.evidence, *notes)) if notes else ident
        if path is not None and path.is_dir():
            return self.resolve_model_dir(path)
        if path is not None and any((path.parent / n).is_file() for n in _MODEL_DIR_FILES):
            # a weight shard or tokenizer file of a model folder is the model the folder holds
            return self._folder(path.parent.resolve())
        return self.resolve_name(Path(info.location.path).name)

    def resolve_model_dir(self, path: Path, *, use_path_name: bool = True) -> Identity:
        return self.resolve_signals(read_model_dir(path, use_path_name=use_path_name))

    def _folder_uncached(self, path: Path) -> Identity:
        return self.resolve_model_dir(path)

    def resolve_signals(self, s: Signals) -> Identity:
        """Identity from artifact signals (see resolve.signals for the order)."""
        from modeldeps.resolve.signals import resolve_signals

        return resolve_signals(self, s)
