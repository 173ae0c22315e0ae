"""Configuration files (YAML, JSON, TOML, INI, .env): model names and provider URLs by key."""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import ClassVar

import yaml

from modeldeps.discover.detectors import vocab
from modeldeps.discover.detectors.interface import Detector, SourceFile
from modeldeps.model import ContextValue, Dependency, Location, ModelReference, RefKind

#: Files larger than this are not parsed: configuration that big is data, not configuration.
MAX_CONFIG_BYTES = 2 * 1024 * 1024
#: Deepest nesting followed in any structured file.
MAX_DEPTH = 64
#: Most scalar values looked at in one file (bounds work on machine-generated files).
MAX_EVENTS = 200_000

# --- Values: env-var defaults, templates, and what kind of model a value names ----------------

_ENV_DEFAULT_RE = re.compile(r"^\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?[-=])([^}]*)\}$")
_HELM_DEFAULT_RE = re.compile(r"^\{\{-?.*\|\s*default\s+\"([^\"]+)\".*-?\}\}$")
_PLACEHOLDER_RE = re.compile(r"\$\{|\$\(|\$[A-Za-z_]|\{\{|%\(|^<.*>$|^os\.environ")
_OLLAMA_TAGGED_RE = re.compile(r"^[a-z0-9][a-z0-9._\-]*(?:/[a-z0-9._\-]+)?:[\w.\-]+$")
#: Hub organisations that share a name with a LiteLLM provider prefix.
_ORG_PROVIDERS = frozenset({"openai", "google"})
#: Closed API model names of those organisations (``google/gemma-2-9b-it`` is open weights).
_CLOSED_PREFIXES = ("gpt-4", "gpt-3", "gpt-5", "o1", "o3", "o4", "chatgpt", "gemini", "text-",
                    "chat-", "dall-e", "tts-", "davinci", "babbage")  # fmt: skip
_WEIGHT_SUFFIXES = (".gguf", ".safetensors", ".bin", ".pt", ".pth", ".onnx", ".ggml")
#: Families with open weights that Ollama serves under the same names (``llama3.1``, ``qwen2.5``).
_OPEN_FAMILIES = frozenset({"meta", "alibaba", "mistral", "01ai", "zhipu", "deepseek"})
#: Providers whose ``provider/org/name`` ids keep the hub id as the model.
_HUB_ROUTERS = frozenset(
    {"openrouter", "together", "together_ai", "huggingface", "hf", "fireworks_ai", "deepinfra"}
)


def clean_value(raw: str) -> tuple[str, str | None] | None:
    """Strip quotes, resolve ``${VAR:-default}``: ``(value, env)``, ``None`` for a bare variable."""
    text = raw.strip().strip("\"'").strip()
    env: str | None = None
    m = _ENV_DEFAULT_RE.match(text)
    if m:
        env, text = m.group(1), m.group(2).strip().strip("\"'")
    else:
        h = _HELM_DEFAULT_RE.match(text)
        if h:
            text = h.group(1)
    if not text or _PLACEHOLDER_RE.search(text):
        return None
    return text, env


@dataclass(frozen=True, slots=True)
class Classified:
    """A value recognised as a model reference: its kind, the value used, and context."""

    kind: RefKind
    value: str
    context: Mapping[str, ContextValue] = field(default_factory=dict)


def classify_url(value: str) -> Classified | None:
    """An ``endpoint`` reference when ``value`` is a provider API URL (never localhost)."""
    if not value.startswith(("http://", "https://")) or any(c.isspace() for c in value):
        return None
    found = vocab.provider_for_url(value)
    if found is None:
        return None
    return Classified(RefKind.ENDPOINT, value, {"provider": found[1]})


def classify(value: str, *, ollama: bool = False, hub_first: bool = False) -> Classified | None:
    """Decide whether ``value`` (found in a model-ish context) names a model, and of which kind.

    ``hub_first``: the context loads weights (a serving command, ``from_pretrained``), so an
    ``org/name`` value is a hub repository even when ``org`` is also a LiteLLM provider prefix.
    """
    v = value.strip()
    if not v or len(v) > 200 or any(c.isspace() for c in v) or v.lower() in vocab.NOT_MODELS:
        return None
    if hub_first and vocab.looks_like_hub_id(v) and not v.lower().endswith(_WEIGHT_SUFFIXES):
        return Classified(RefKind.HUB_MODEL, v)
    if v.startswith(("http://", "https://")):
        return classify_url(v)
    if v.startswith("hf.co/") and vocab.OLLAMA_TAG_RE.match(v):
        return Classified(RefKind.OLLAMA_MODEL, v, {"provider": "ollama"})
    if vocab.BEDROCK_ID_RE.match(v):
        return Classified(RefKind.API_MODEL, v, {"provider": "bedrock"})
    for sep in ("/", ":"):
        prefix, _, rest = v.partition(sep)
        if rest and prefix.lower() in vocab.PROVIDER_PREFIXES:
            found = _with_provider(prefix.lower(), rest, v, sep)
            if found is not None:
                return found
    if v.startswith("ft:"):
        return Classified(RefKind.API_MODEL, v, {"provider": "openai"})
    if _OLLAMA_TAGGED_RE.match(v) and (ollama or "/" not in v):
        return Classified(RefKind.OLLAMA_MODEL, v, {"provider": "ollama"})
    kind = vocab.kind_for_name(v)
    if kind is None:
        if ollama and vocab.OLLAMA_TAG_RE.match(v) and "/" not in v and any(c.isalpha() for c in v):
            return Classified(RefKind.OLLAMA_MODEL, v, {"provider": "ollama"})
        return None
    if kind is RefKind.API_MODEL:
        provider = vocab.api_provider_for(v) or ""
        if ollama and provider in _OPEN_FAMILIES and vocab.OLLAMA_TAG_RE.match(v):
            return Classified(RefKind.OLLAMA_MODEL, v, {"provider": "ollama"})
        return Classified(kind, v, {"provider": provider})
    if kind is RefKind.ENDPOINT:
        return classify_url(v)
    return Classified(kind, v)


def _with_provider(provider: str, rest: str, whole: str, sep: str) -> Classified | None:
    """``provider/model`` or ``provider:model`` strings (LiteLLM, pydantic-ai, aisuite)."""
    if provider in {"ollama", "ollama_chat"}:
        return Classified(RefKind.OLLAMA_MODEL, rest, {"provider": "ollama"})
    # ``openai/whisper-large-v3`` is a hub repository; ``openai/gpt-4o`` is the API.
    org_repo = sep == "/" and provider in _ORG_PROVIDERS and vocab.looks_like_hub_id(whole)
    if org_repo and not rest.lower().startswith(_CLOSED_PREFIXES):
        return Classified(RefKind.HUB_MODEL, whole)
    if provider in _HUB_ROUTERS and vocab.looks_like_hub_id(rest):
        return Classified(RefKind.HUB_MODEL, rest, {"provider": provider})
    if vocab.looks_like_hub_id(rest):
        return Classified(RefKind.HUB_MODEL, rest, {"provider": provider})
    if vocab.BEDROCK_ID_RE.match(rest):
        return Classified(RefKind.API_MODEL, rest, {"provider": provider})
    if re.fullmatch(r"[A-Za-z0-9][\w.\-:@]*", rest) and rest.lower() not in vocab.NOT_MODELS:
        return Classified(RefKind.API_MODEL, rest, {"provider": provider})
    return None


# --- Keys ---------------------------------------------------------------------------------------

_ENDPOINT_KEYS = frozenset(
    {"base_url", "api_base", "api_base_url", "endpoint", "api_url", "api_endpoint", "base_path"}
)
_ENDPOINT_SUFFIXES = ("_base_url", "_api_base", "_endpoint", "_api_url", "_base", "_host", "_url")
_CHILD_MODEL_KEYS = frozenset({"name", "id", "path", "repo", "repo_id", "model_id", "model_name"})
_OLLAMA_VALUES = frozenset({"ollama", "ollama_chat", "ollama-chat"})
#: Keys naming the tokenizer repository to load (axolotl, trl): a download like a model's.
_TOKENIZER_KEYS = frozenset({"tokenizer", "tokenizer_config", "tokenizer_path", "tokenizer_id"})
#: ``model_args: pretrained=org/name,dtype=…`` (lm-evaluation-harness) and similar.
_MODEL_ARGS_RE = re.compile(r"(?:^|,)\s*(?:pretrained|model|peft|tokenizer)=([^,\s]+)")


def is_endpoint_key(key: str) -> bool:
    """Whether a key names a provider base URL (``base_url``, ``OPENAI_API_BASE``, ``baseURL``)."""
    k = vocab.normalize_key(key)
    return k in _ENDPOINT_KEYS or k.endswith(_ENDPOINT_SUFFIXES) or k in {"url", "host"}


def is_modelish_key(key: str) -> bool:
    """A model key, or its plural (``models``, ``embedding_models``) holding a list of names."""
    k = vocab.normalize_key(key)
    if k in vocab.OUTPUT_KEYS:
        return False
    return vocab.is_model_key(k) or (k.endswith("s") and vocab.is_model_key(k[:-1]))


@dataclass(frozen=True, slots=True)
class Event:
    """One scalar in a structured file: the keys leading to it, its text and where it starts."""

    path: tuple[str, ...]
    value: str
    offset: int
    siblings: Mapping[str, str] = field(default_factory=dict)


_ASSIGN_RE = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)=(.+)$")


def judge(event: Event, *, ollama_file: bool = False) -> tuple[Classified, str] | None:
    """The reference an event names, with the key that made it one, or ``None``."""
    path = event.path
    key = path[-1] if path else ""
    value = event.value
    m = _ASSIGN_RE.match(value.strip())
    if m:  # compose ``environment: [MODEL_ID=…]``
        key, value = m.group(1), m.group(2)
    elif vocab.normalize_key(key) == "value" and "name" in event.siblings:
        key = event.siblings["name"]  # Kubernetes ``env: [{name: MODEL_ID, value: …}]``
    norm = [vocab.normalize_key(p) for p in path[:-1]]
    if any(p in vocab.OUTPUT_KEYS or "dataset" in p for p in norm):
        return None
    k = vocab.normalize_key(key)
    if "dataset" in k or k in vocab.OUTPUT_KEYS:
        return None
    if k == "model_name" and "litellm_params" in event.siblings:
        return None  # a LiteLLM proxy alias, not the model the proxy calls
    cleaned = clean_value(value)
    if cleaned is None:
        return None
    text, env = cleaned
    found: Classified | None = None
    if is_endpoint_key(k):
        found = classify_url(text)
    elif (
        is_modelish_key(k)
        or k in _TOKENIZER_KEYS
        or (k in _CHILD_MODEL_KEYS and norm and is_modelish_key(norm[-1]))
    ):
        provider = " ".join(
            event.siblings.get(s, "") for s in ("provider", "type", "backend", "api_type")
        ).lower()
        ollama = (
            ollama_file
            or "ollama" in k
            or any("ollama" in p for p in norm)
            or any(w in _OLLAMA_VALUES for w in provider.split())
        )
        found = classify(text, ollama=ollama)
    if found is None:
        return None
    if env:
        found = Classified(found.kind, found.value, {**found.context, "env": env})
    return found, key


def make_ref(
    source: SourceFile,
    offset: int,
    found: Classified,
    detector: str,
    **context: ContextValue,
) -> ModelReference:
    """A ``ModelReference`` at ``offset`` of ``source`` with the classification's context."""
    line = source.line_of(offset)
    column = offset - source.line_starts[line - 1] + 1
    ctx: dict[str, ContextValue] = {**found.context, **context}
    return ModelReference(
        found.kind, found.value, Location(source.rel, line, column), detector, ctx
    )


# --- Readers: each turns a file into Events ------------------------------------------------------


def yaml_events(text: str) -> list[Event]:
    """Events from YAML by node marks; a file PyYAML cannot compose is scanned line by line."""
    try:
        docs = list(yaml.compose_all(text, Loader=yaml.SafeLoader))
    except (yaml.YAMLError, RecursionError, ValueError):
        return list(yaml_line_events(text))
    out: list[Event] = []
    for doc in docs:
        if doc is not None:
            _walk_yaml(doc, (), out, 0, set())
    return out


def _walk_yaml(
    node: yaml.Node, path: tuple[str, ...], out: list[Event], depth: int, seen: set[int]
) -> None:
    if depth > MAX_DEPTH or id(node) in seen or len(out) > MAX_EVENTS:
        return
    seen.add(id(node))  # aliases point at nodes already walked
    if isinstance(node, yaml.MappingNode):
        pairs = [(k, v) for k, v in node.value if isinstance(k, yaml.ScalarNode)]
        siblings = {
            str(k.value): (str(v.value) if isinstance(v, yaml.ScalarNode) else "") for k, v in pairs
        }
        for k, v in pairs:
            sub = (*path, str(k.value))
            if isinstance(v, yaml.ScalarNode):
                out.append(Event(sub, str(v.value), v.start_mark.index, siblings))
            else:
                _walk_yaml(v, sub, out, depth + 1, seen)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            if isinstance(item, yaml.ScalarNode):
                out.append(Event(path, str(item.value), item.start_mark.index))
            else:
                _walk_yaml(item, path, out, depth + 1, seen)


_YAML_LINE_RE = re.compile(
    r"^(?P<ind>[ \t]*)(?P<dash>-[ \t]+)?"
    r"(?:(?P<key>[\w.\-]+|\"[^\"]+\"|'[^']+')[ \t]*:(?:[ \t]+|$))?"
    r"(?P<val>.*?)[ \t]*$"
)


def yaml_line_events(text: str) -> Iterator[Event]:
    """Line-aware YAML-ish scan for files with template syntax (Helm) that do not parse."""
    stack: list[tuple[int, str]] = []
    offset = 0
    for line in text.splitlines(keepends=True):
        start, offset = offset, offset + len(line)
        stripped = line.strip()
        if not stripped or stripped.startswith(("#", "{{")):
            continue
        m = _YAML_LINE_RE.match(line.rstrip("\r\n"))
        if m is None:
            continue
        indent = len(m.group("ind")) + (len(m.group("dash")) if m.group("dash") else 0)
        key = (m.group("key") or "").strip("\"'")
        val = re.sub(r"[ \t]+#.*$", "", m.group("val") or "")
        if key:
            while stack and stack[-1][0] >= indent:
                stack.pop()
            if val and val not in {"|", ">", "|-", ">-"}:
                path = (*(k for _, k in stack), key)
                yield Event(path, val, start + m.start("val"))
            else:
                stack.append((indent, key))
        elif m.group("dash") and val:
            while stack and stack[-1][0] >= indent:
                stack.pop()
            yield Event(tuple(k for _, k in stack), val, start + m.start("val"))


_JSON_TOKEN_RE = re.compile(
    r'"(?:[^"\\\n]|\\.)*"|[{}\[\]:,]|//[^\n]*|/\*.*?\*/|[^\s{}\[\]:,"/]+|\S', re.DOTALL
)


@dataclass
class _Frame:
    is_obj: bool
    path: tuple[str, ...]
    scalars: dict[str, str] = field(default_factory=dict)
    pending: list[tuple[str, str, int]] = field(default_factory=list)
    key: str | None = None
    expect_key: bool = True


def json_events(text: str) -> list[Event]:
    """Events from JSON (comments allowed) by a small position-tracking scanner."""
    out: list[Event] = []
    stack: list[_Frame] = []
    for m in _JSON_TOKEN_RE.finditer(text):
        tok = m.group()
        if tok.startswith(("//", "/*")):
            continue
        top = stack[-1] if stack else None
        if tok in "{[":
            path = top.path if top else ()
            if top is not None and top.is_obj and top.key is not None:
                path = (*top.path, top.key)
            if len(stack) >= MAX_DEPTH:
                raise ValueError("JSON nested too deeply")
            stack.append(_Frame(tok == "{", path))
        elif tok in "}]":
            if top is None:
                continue
            stack.pop()
            for key, value, off in top.pending:
                out.append(
                    Event((*top.path, key) if top.is_obj else top.path, value, off, top.scalars)
                )
            if stack and stack[-1].is_obj:
                stack[-1].key, stack[-1].expect_key = None, True
        elif tok == ":" or top is None:
            if top is not None:
                top.expect_key = False
        elif tok == ",":
            if top.is_obj:
                top.key, top.expect_key = None, True
        elif top.is_obj and top.expect_key:
            top.key = _json_str(tok)
        else:
            text_value = _json_str(tok) if tok.startswith('"') else None
            if top.is_obj and top.key is not None:
                top.scalars[top.key] = text_value if text_value is not None else tok
            if text_value is not None and len(out) + len(top.pending) < MAX_EVENTS:
                top.pending.append((top.key or "", text_value, m.start()))
    return out


def _json_str(tok: str) -> str:
    if not tok.startswith('"'):
        return tok
    try:
        value = json.loads(tok)
    except ValueError:
        return tok.strip('"')
    return value if isinstance(value, str) else tok


def toml_events(text: str) -> list[Event]:
    """Events from TOML: parsed by tomllib, each string located by a line search for it."""
    data = tomllib.loads(text)
    out: list[Event] = []
    used: set[int] = set()

    def locate(key: str, value: str) -> int:
        for quoted in (json.dumps(value), f"'{value}'"):
            pos = text.find(quoted)
            while pos >= 0:
                line_start = text.rfind("\n", 0, pos) + 1
                if pos not in used and (
                    key in text[line_start:pos] or "=" not in text[line_start:pos]
                ):
                    used.add(pos)
                    return pos
                pos = text.find(quoted, pos + 1)
        return max(text.find(value), 0)

    def walk(obj: object, path: tuple[str, ...], depth: int) -> None:
        if depth > MAX_DEPTH or len(out) > MAX_EVENTS:
            return
        if isinstance(obj, dict):
            sib = {str(k): v for k, v in obj.items() if isinstance(v, str)}
            for k, v in obj.items():
                if isinstance(v, str):
                    out.append(Event((*path, str(k)), v, locate(str(k), v), sib))
                else:
                    walk(v, (*path, str(k)), depth + 1)
        elif isinstance(obj, list):
            for item in obj:
                if isinstance(item, str):
                    out.append(Event(path, item, locate(path[-1] if path else "", item)))
                else:
                    walk(item, path, depth + 1)

    walk(data, (), 0)
    return out


_INI_RE = re.compile(r"^[ \t]*([A-Za-z_][\w.\-]*)[ \t]*[=:][ \t]*(.*?)[ \t]*$", re.MULTILINE)
_ENV_RE = re.compile(
    r"^[ \t]*(?:export[ \t]+)?([A-Za-z_][A-Za-z0-9_.\-]*)[ \t]*=[ \t]*(.*?)[ \t]*$", re.MULTILINE
)


def line_events(text: str, pattern: re.Pattern[str]) -> Iterator[Event]:
    """``key = value`` lines of INI and ``.env`` files; unquoted values lose a trailing comment."""
    for m in pattern.finditer(text):
        raw = m.group(2)
        if not raw.startswith(("'", '"')):
            raw = re.sub(r"[ \t]+[#;].*$", "", raw)
        yield Event((m.group(1),), raw, m.start(2))


# --- The detector ---------------------------------------------------------------------------

_LOCK_NAMES = frozenset(
    {"package-lock.json", "npm-shrinkwrap.json", "composer.json", "tsconfig.json"}
)


def _host_keywords() -> tuple[bytes, ...]:
    return tuple(
        host.strip(".").encode() for host, _ in vocab.PROVIDER_HOSTS if len(host.strip(".")) > 6
    )


class ConfigFileDetector(Detector):
    """YAML, JSON, TOML, INI and ``.env`` files: values under model-ish and base-URL keys."""

    name: ClassVar[str] = "config"
    suffixes: ClassVar[frozenset[str]] = frozenset(
        {".yaml", ".yml", ".json", ".jsonc", ".toml", ".ini", ".cfg", ".env"}
    )
    filenames: ClassVar[frozenset[str]] = frozenset({".env", ".env.*", ".envrc", "*.env.example"})
    keywords: ClassVar[tuple[bytes, ...]] = (
        b"model",
        b"llm",
        b"repo_id",
        b"deployment_name",
        b"tokenizer_name",
        *_host_keywords(),
    )
    version: ClassVar[int] = 1

    def accepts(self, rel: str) -> bool:
        return rel.rsplit("/", 1)[-1] not in _LOCK_NAMES and super().accepts(rel)

    def detect(self, source: SourceFile) -> Iterable[ModelReference | Dependency]:
        if len(source.text) > MAX_CONFIG_BYTES:
            return []
        events = self._events(source)
        ollama_file = "ollama" in source.rel.lower()
        refs: list[ModelReference] = []
        seen: set[tuple[int, str]] = set()
        for event in events:
            if event.path and vocab.normalize_key(event.path[-1]) == "model_args":
                refs.extend(self._model_args(source, event))
                continue
            judged = judge(event, ollama_file=ollama_file)
            if judged is None or (event.offset, judged[0].value) in seen:
                continue
            seen.add((event.offset, judged[0].value))
            found, key = judged
            refs.append(make_ref(source, event.offset, found, self.name, key=key))
        return sorted(refs, key=lambda r: r.sort_key())

    def _model_args(self, source: SourceFile, event: Event) -> Iterator[ModelReference]:
        for m in _MODEL_ARGS_RE.finditer(event.value):
            found = classify(m.group(1))
            if found is not None:
                yield make_ref(source, event.offset, found, self.name, key="model_args")

    def _events(self, source: SourceFile) -> list[Event]:
        lower = source.name.lower()
        text = source.text
        try:
            if lower.endswith((".yaml", ".yml")):
                return yaml_events(text)
            if lower.endswith((".json", ".jsonc")):
                return json_events(text)
            if lower.endswith(".toml"):
                return toml_events(text)
            if lower.endswith((".ini", ".cfg")):
                return list(line_events(text, _INI_RE))
        except (tomllib.TOMLDecodeError, ValueError, RecursionError):
            return list(line_events(text, _INI_RE))
        return list(line_events(text, _ENV_RE))
