"""Family recognition from names and artifact signals (config, tokenizer, GGUF, chat template)."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from modeldeps.model import Confidence
from modeldeps.resolve.kb import Family, KnowledgeBase

#: Architectures that many publishers fine-tune or reuse: matching one says "built on this
#: family's architecture", not "made by its publisher".
BASE_ARCH_TYPES = frozenset(
    {
        "llama",
        "qwen2",
        "qwen3",
        "qwen2_moe",
        "qwen3_moe",
        "mistral",
        "mixtral",
        "gemma",
        "gemma2",
        "gemma3",
        "gemma3_text",
        "phi3",
        "gpt2",
        "gpt_neox",
        "bert",
        "t5",
    }
)
#: model_type / GGUF architecture values too generic to name a family on their own.
GENERIC = frozenset({"llama", "gpt2", "bert", "t5", "default"})


@dataclass(frozen=True, slots=True)
class Signals:
    """Everything read from an artifact that can identify a model; all fields optional."""

    names: tuple[str, ...] = ()  # model names as written (general.name, card model_name...)
    model_type: str | None = None
    architectures: tuple[str, ...] = ()
    vocab_size: int | None = None
    tokenizer_class: str | None = None
    tokens: tuple[str, ...] = ()  # special / added token strings
    chat_template: str = ""
    gguf_arch: str | None = None
    gguf_pre: str | None = None
    native_keys: tuple[str, ...] = ()
    remote_code: bool = False
    quantized: bool = False
    repo_id: str | None = None  # the artifact's own Hub id, when its location says so
    name_or_path: str | None = None  # config _name_or_path: itself, or the base it was loaded from
    base_models: tuple[str, ...] = ()
    base_relation: str | None = None
    licenses: tuple[str, ...] = ()
    developer_orgs: tuple[str, ...] = ()  # Hub orgs the card's front matter names as developers
    developer_texts: tuple[str, ...] = ()  # free-text maker fields (card body, model_creator)
    self_ids: tuple[str, ...] = ()  # Hub ids the artifact's own card/metadata gives for itself
    base_names: tuple[str, ...] = ()  # bases known by name only (a local training checkpoint)
    quantized_by: str | None = None
    details: tuple[str, ...] = field(default_factory=tuple)  # notes for evidence


@dataclass(frozen=True, slots=True)
class FamilyMatch:
    family: Family
    confidence: Confidence
    rule: str  # which signal decided
    detail: str
    score: int = 0


class Recognizer:
    """Compiled indexes over the KB's family signals; built once per KnowledgeBase."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self._names = [(re.compile(p), f) for f in kb.families.values() for p in f.name_patterns]
        self._by: dict[str, dict[str, list[Family]]] = defaultdict(lambda: defaultdict(list))
        for f in kb.families.values():
            for kind, values in (
                ("model_type", f.model_types),
                ("arch", f.architectures),
                ("gguf_arch", f.gguf_arch),
                ("gguf_pre", f.gguf_pre),
                ("tok_class", f.tokenizer_classes),
                ("token", f.special_tokens),
                ("vocab", tuple(str(v) for v in f.vocab_sizes)),
            ):
                for v in values:
                    self._by[kind][v.lower()].append(f)

    # ---------------------------------------------------------------- names
    def by_name(self, name: str) -> tuple[Family, bool] | None:
        """The family a model name belongs to, and whether the name starts with it (anchored:
        the name is the family's own product name rather than a derivative's)."""
        best: tuple[int, Family, bool] | None = None
        for rx, fam in self._names:
            m = rx.search(name)
            if m is None:
                continue
            prefix = re.sub(r"[^a-z0-9]", "", name[: m.start()].lower())
            anchored = m.start() == 0 or prefix in self._publisher_tokens(fam)
            if best is None or m.start() < best[0]:
                best = (m.start(), fam, anchored)
        return (best[1], best[2]) if best else None

    def _publisher_tokens(self, fam: Family) -> set[str]:
        pub = self.kb.publisher(fam.publisher)
        orgs = (*pub.hub_orgs, pub.id) if pub else ()
        return {re.sub(r"[^a-z0-9]", "", o.lower()) for o in orgs}

    # ---------------------------------------------------------------- signals
    def by_signals(self, s: Signals) -> tuple[FamilyMatch | None, FamilyMatch | None]:
        """(architecture family, tokenizer family). They differ when a publisher trained on
        another family's architecture with its own tokenizer, e.g. a distill."""
        arch: dict[str, int] = defaultdict(int)
        tok: dict[str, int] = defaultdict(int)
        why: dict[tuple[int, str], list[str]] = defaultdict(list)  # (bucket, family) -> notes

        def add(bucket: dict[str, int], fams: Iterable[Family], points: int, note: str) -> None:
            for f in fams:
                bucket[f.id] += points
                why[id(bucket), f.id].append(note)

        mt = (s.model_type or "").lower()
        if mt:
            add(
                arch,
                self._by["model_type"].get(mt, ()),
                1 if mt in GENERIC else 10,
                f"model_type={mt}",
            )
        for a in s.architectures:
            generic = a.startswith(("Llama", "GPT2"))
            add(arch, self._by["arch"].get(a.lower(), ()), 1 if generic else 6, f"architecture={a}")
        ga = (s.gguf_arch or "").lower()
        if ga:
            add(
                arch,
                self._by["gguf_arch"].get(ga, ()),
                1 if ga in GENERIC else 10,
                f"gguf arch={ga}",
            )
        if s.vocab_size:
            add(arch, self._by["vocab"].get(str(s.vocab_size), ()), 3, f"vocab={s.vocab_size}")
        if s.native_keys:
            for f in self.kb.families.values():
                if f.native_keys and set(f.native_keys) <= set(s.native_keys):
                    add(arch, (f,), 8, "native config keys")
        for n in s.names:
            hit = self.by_name(n)
            if hit:
                add(arch, (hit[0],), 6 if hit[1] else 3, f"name {n!r}")
                break
        pre = (s.gguf_pre or "").lower()
        if pre and pre not in GENERIC:
            add(tok, self._by["gguf_pre"].get(pre, ()), 10, f"tokenizer.ggml.pre={pre}")
        if s.tokenizer_class:
            add(
                tok,
                self._by["tok_class"].get(s.tokenizer_class.lower(), ()),
                6,
                f"tokenizer_class={s.tokenizer_class}",
            )
        seen: set[str] = set()
        for t in s.tokens:
            for f in self._by["token"].get(t.lower(), ()):
                if f.id not in seen:
                    seen.add(f.id)
                    add(tok, (f,), 5, f"special token {t}")
        if s.chat_template:
            for f in self.kb.families.values():
                hits = [m for m in f.chat_markers if m in s.chat_template]
                if hits:
                    # a self-introduction names the family; token markers are weaker
                    pts = (8 if any(" " in h for h in hits) else 5) + min(len(hits) - 1, 3)
                    add(tok, (f,), pts, f"chat template marker {hits[0]!r}")
        arch_why = {f: v for (b, f), v in why.items() if b == id(arch)}
        tok_why = {f: v for (b, f), v in why.items() if b == id(tok)}
        return (
            self._best(arch, arch_why, "artifact-arch"),
            self._best(tok, tok_why, "artifact-tokenizer"),
        )

    def _best(
        self, scores: dict[str, int], why: dict[str, list[str]], rule: str
    ) -> FamilyMatch | None:
        if not scores:
            return None
        fid, score = max(scores.items(), key=lambda kv: (kv[1], kv[0] != "llama"))
        conf = (
            Confidence.HIGH if score >= 10 else Confidence.MEDIUM if score >= 5 else Confidence.LOW
        )
        return FamilyMatch(self.kb.families[fid], conf, rule, "; ".join(why[fid][:4]), score)
