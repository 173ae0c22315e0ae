"""Configuration values: which keys name models or endpoints, and what a value names."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from modeldeps.discover.detectors import vocab
from modeldeps.discover.detectors.interface import SourceFile
from modeldeps.model import ContextValue, Location, ModelReference, RefKind

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
MODEL_ARGS_RE = re.compile(r"(?:^|,)\s*(?:pretrained|model|peft|tokenizer)=([^,\s]+)")


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
    group: int = 0  # shared by the items of one list (and the values of one mapping)
    in_comment: bool = False  # read from a commented-out line


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
