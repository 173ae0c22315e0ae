"""The model-name recognizer: whether a string names a model, which kind, and how sure we are.

The decision comes mainly from the string itself, scored against data: the knowledge base's
API model names and patterns, Hub organizations, known Hub ids, Ollama library names and model
families (``kb_vocab``, generated from ``resolve/data``), provider hosts (``endpoints.yaml``), and
the naming grammars below (provider prefixes, version and size tokens, Ollama tags, weight files,
storage URI schemes). Where the string was written (:class:`~.literals.Site`, the key or name it
is bound to, the loader it is passed to, its siblings in a collection) adds or vetoes evidence.
A string is a reference when its score reaches :data:`ACCEPT`.

More knowledge-base data makes the recognizer better without code changes: a new API model id,
Hub organization, Ollama name or family pattern is picked up when ``kb_vocab`` is regenerated.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from modeldeps.discover.detectors import kb_vocab, vocab
from modeldeps.discover.detectors.interface import SourceFile
from modeldeps.discover.detectors.literals import Expect, Literal, Site
from modeldeps.model import ContextValue, Location, ModelReference, RefKind

#: A literal whose score reaches this is reported.
ACCEPT = 0.6
#: A collection member at or above this makes its siblings count as models too.
STRONG = 0.8
#: What a recognized sibling in the same collection adds.
SIBLING_BONUS = 0.3

# --- Naming grammars (not facts about models: the shapes their names take) ---------------------

#: Provider prefixes of LiteLLM, pydantic-ai, aisuite and AI SDK registries
#: (``openai:gpt-4o``, ``anthropic/claude-…``) -> KB publisher id ("" when the prefix names a
#: router, a runtime or a cloud that serves many publishers).
PROVIDER_PREFIXES: dict[str, str] = {
    "openai": "openai",
    "azure": "microsoft",
    "azure_ai": "microsoft",
    "anthropic": "anthropic",
    "google": "google",
    "google-gla": "google",
    "google-vertex": "google",
    "gemini": "google",
    "vertex": "google",
    "vertex_ai": "google",
    "vertex_ai_beta": "google",
    "bedrock": "amazon",
    "bedrock_converse": "amazon",
    "amazon-bedrock": "amazon",
    "mistral": "mistral",
    "cohere": "cohere",
    "groq": "groq",
    "together": "together",
    "together_ai": "together",
    "togetherai": "together",
    "fireworks": "fireworks",
    "fireworks_ai": "fireworks",
    "deepseek": "deepseek",
    "dashscope": "alibaba",
    "qwen": "alibaba",
    "alibaba": "alibaba",
    "moonshot": "moonshot",
    "moonshotai": "moonshot",
    "zhipu": "zhipu",
    "zhipuai": "zhipu",
    "zai": "zhipu",
    "minimax": "minimax",
    "xai": "xai",
    "perplexity": "perplexity",
    "openrouter": "openrouter",
    "huggingface": "huggingface",
    "hf": "huggingface",
    "cerebras": "cerebras",
    "sambanova": "sambanova",
    "deepinfra": "deepinfra",
    "nvidia_nim": "nvidia",
    "nvidia": "nvidia",
    "ai21": "ai21",
    "volcengine": "bytedance",
    "siliconflow": "siliconflow",
    "ollama": "",
    "ollama_chat": "",
    "replicate": "",
    "watsonx": "ibm",
    "hosted_vllm": "",
    "vllm": "",
    "lm_studio": "",
    "openai_compatible": "",
}
_OLLAMA_PREFIXES = frozenset({"ollama", "ollama_chat"})
_HUB_PREFIXES = frozenset({"huggingface", "hf"})

#: Weight and model files, by extension.
WEIGHT_EXTENSIONS: tuple[str, ...] = (
    ".gguf", ".ggml", ".safetensors", ".pt", ".pth", ".ckpt", ".onnx", ".bin", ".npz", ".h5",
    ".keras", ".tflite", ".mlmodel", ".nemo", ".llamafile", ".pb", ".pkl", ".joblib", ".model",
    ".engine", ".plan", ".mar", ".msgpack",
)  # fmt: skip
#: Extensions that say a file is an archive a model may be shipped in.
ARCHIVE_EXTENSIONS: tuple[str, ...] = (".tar.gz", ".tgz", ".tar", ".zip", ".tar.zst", ".7z")
#: Storage URI schemes whose paths hold weights when the path says so.
STORAGE_SCHEMES = frozenset(
    {"s3", "gs", "gcs", "pvc", "az", "abfs", "abfss", "wasb", "wasbs", "oss", "cos", "obs", "r2",
     "file", "oci", "hdfs", "dbfs", "minio", "azureml", "models"}
)  # fmt: skip
#: Words in a path or bucket that say it holds model weights.
MODEL_PATH_WORDS = re.compile(
    r"(?:^|[/_\-.])(?:models?|checkpoints?|ckpts?|weights?|adapters?|lora|loras|pretrained|"
    r"tokenizers?|params|saves|snapshots|hf[_-]?models|llms?|gguf|safetensors)(?:$|[/_\-.=?])",
    re.IGNORECASE,
)
#: Leading path components that make ``a/b`` a relative path rather than a Hub id.
_DIR_ORGS = frozenset(
    {"models", "model", "saves", "save", "checkpoints", "checkpoint", "ckpt", "ckpts", "weights",
     "outputs", "output", "pretrained", "pretrained_models", "adapters", "loras", "cache", "tmp",
     "local", "artifacts", "runs", "exp", "experiments"}
)  # fmt: skip
#: Leading components that make ``a/b`` anything but a model (sources, data, MIME types).
_NOT_ORGS = frozenset(
    {"src", "lib", "app", "apps", "test", "tests", "docs", "doc", "data", "datasets", "dataset",
     "config", "configs", "scripts", "examples", "assets", "static", "public", "bin", "usr",
     "etc", "var", "home", "dev", "proc", "opt", "node_modules", "dist", "build", "api", "v1",
     "v2", "v3", "application", "text", "image", "audio", "video", "multipart", "font",
     "message", "and", "or", "n", "na", "true", "false", "yes", "no", "on", "off", "read",
     "write", "input", "output", "in", "out", "x", "y", "http", "https", "refs", "origin",
     "heads", "tags", "main", "master", "github", "gitlab", "ghcr.io", "docker.io", "quay.io",
     "library", "sys", "kubernetes", "k8s", "africa", "america", "asia", "atlantic",
     "australia", "europe", "indian", "pacific", "antarctica", "arctic"}
)  # fmt: skip
#: Orgs that stand for "some organization" in examples and docs.
_PLACEHOLDER_ORGS = frozenset(
    {"username", "user", "org", "organization", "owner", "namespace", "your-org", "yourorg",
     "my-org", "myorg", "someone", "somebody", "example", "foo", "acme-placeholder", "author",
     "your-username", "your_username", "hf-user", "<org>", "name"}
)  # fmt: skip
#: File names that end a path and say it is not a model (source, data, docs, media).
_NOT_MODEL_FILE = re.compile(
    r"\.(?:py|pyc|js|ts|tsx|jsx|go|rs|java|kt|rb|php|c|cc|cpp|h|hpp|cs|sh|json|jsonl|yaml|yml|"
    r"toml|ini|cfg|txt|md|rst|csv|tsv|parquet|arrow|html|htm|css|svg|png|jpe?g|gif|webp|ico|wav|"
    r"mp3|mp4|flac|ogg|pdf|log|lock|xml|sql|db|sqlite)$",
    re.IGNORECASE,
)
#: Names of build and documentation files, which end a path and are never a model.
_BUILD_FILES = frozenset(
    {"modelfile", "dockerfile", "containerfile", "makefile", "procfile", "readme", "license",
     "licence", "notice", "changelog", "jenkinsfile", "vagrantfile", "gemfile", "justfile"}
)  # fmt: skip
#: Tokens of model names that tell a version, size, variant or format (not product words).
_VARIANT_WORDS = frozenset(
    {"instruct", "chat", "it", "base", "large", "small", "medium", "tiny", "mini", "nano", "micro",
     "turbo", "plus", "max", "pro", "ultra", "lite", "flash", "preview", "latest", "exp",
     "experimental", "reasoner", "reasoning", "thinking", "coder", "code", "vision", "vl", "audio",
     "embed", "embedding", "embeddings", "rerank", "reranker", "moe", "hf", "gguf", "awq", "gptq",
     "fp8", "fp16", "bf16", "int4", "int8", "4bit", "8bit", "bnb", "exl2", "mlx", "onnx", "lora",
     "dpo", "sft", "rlhf", "uncased", "cased", "multilingual", "distilled", "distill", "xl", "xxl",
     "long", "air", "airx", "sonnet", "opus", "haiku", "dense", "omni", "realtime", "tts", "asr",
     "whisper", "ocr", "math", "r1", "v1", "v2", "v3", "image", "video", "speech", "voice",
     "transcribe", "edit", "t2i", "t2v", "i2v", "r2v", "i2i", "upscale", "inpaint", "hd"}
)  # fmt: skip
#: Tokens with digits that tell a checksum, an encoding, a platform or a web standard, never a
#: model's version or size (``spark-md5``, ``base64-js``, ``es2015``, ``arm64``).
_TECH_TOKEN = re.compile(
    r"^(?:md[245]|sha\d*|crc\d+|base\d+|utf-?\d+|ucs\d|latin\d|iso\d+|x86|x64|amd64|arm64|"
    r"aarch64|win32|win64|i[3-8]86|es\d+|ecmascript\d+|html5|css\d|ipv[46]|h26[45]|mp[34]|"
    r"http2|s3|ec2|k8s|i18n|l10n|a11y|oauth2|2fa|3d|2d)$"
)
#: Last tokens of a deployment or route name (``llama-3.1-8b-instruct-fp8-l4``, ``qwen-7b-cpu``):
#: hardware and environment words that model ids do not end with.
_DEPLOY_SUFFIX = re.compile(
    r"(?i)[-_](?:cpu|gpu|tpu|l4|l40s?|t4|a10g?|a100(?:-\d+gb?)?|h100|h200|gh200|b200|v100|mi\d{3}x?|"
    r"rtx\d{4}(?:-\d+gb)?|\d+gb|\d+x|svc|service|"
    r"deployment|endpoint|server|pod)$"
)
#: Architecture names that Hub repositories carry in their names (naming grammar of the Hub).
_ARCH_WORDS = re.compile(
    r"(?:^|[-_./])(?:bert|roberta|deberta|distilbert|albert|electra|xlm|xlnet|t5|mt5|flan|bart|"
    r"mbart|pegasus|marian|opus-mt|gpt2|gpt-?j|gpt-?neo|opt|bloom|llama|mistral|mixtral|qwen\d*|"
    r"phi|gemma|falcon|whisper|wav2vec2?|hubert|wavlm|xlsr|clip|siglip|vit|deit|beit|swin|"
    r"convnext|resnet|efficientnet|yolo\w*|detr|sam|dino\w*|blip\d*|llava|stable-diffusion|sdxl|"
    r"flux|minilm|mpnet|e5|bge|gte|nomic|sentence|paraphrase|cross-encoder|colbert|splade|"
    r"pyannote|segmentation|diarization|speaker|tts|vits|bark|encodec|musicgen|codegen|santacoder|"
    r"starcoder\d*|deepseek|internlm|chatglm|baichuan|yi|glm|smollm\d*|tinyllama|pythia|olmo|"
    r"granite|nemotron|jamba|mamba|rwkv|gemini|embedding|embed|reranker|instruct|chat|base|"
    r"large|small|tiny|medium|uncased|cased|finetuned|fine-tuned|lora|gguf|awq|gptq|fp8)"
    r"(?=$|[-_./\d])",
    re.IGNORECASE,
)
_SIZE_TOKEN = re.compile(r"^(?:\d+(?:\.\d+)?[bmkt]|\d+x\d+(?:\.\d+)?b|e\d+b|a\d+(?:\.\d+)?b)$")
_HAS_DIGIT = re.compile(r"\d")
#: A code identifier: letters, digits and underscores only, with an underscore or a camel hump.
_IDENTIFIER = re.compile(
    r"^[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)+$|^[A-Z][a-z0-9]+(?:[A-Z][a-z0-9]*)+$"
)
#: Ollama tags after the colon: sizes, quantizations, variants, ``latest``.
_OLLAMA_TAG = re.compile(
    r"^(?:latest|\d+(?:\.\d+)?[bmk]|\d+x\d+b|e\d+b|[a-z0-9][a-z0-9._\-]*)$", re.IGNORECASE
)
_OLLAMA_NAME = re.compile(r"^[a-z0-9][a-z0-9._\-]*$")
#: A name a provider might accept as a model id (no spaces, no path separators but ``/``).
_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:@/+\-]*$")
_HUB_PART = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,95}$")
#: Bedrock model ids: ``anthropic.claude-3-5-sonnet-20240620-v1:0`` (with optional region).
_BEDROCK = re.compile(
    r"^(?:(?:us|eu|apac|us-gov|global)\.)?(?:anthropic|amazon|meta|mistral|cohere|ai21|stability|"
    r"deepseek|qwen|openai|writer|twelvelabs)\.(?=[a-z0-9.\-]*[\d\-])[a-z0-9][a-z0-9.\-]*(?::\d+)?$"
)
#: Named pretrained-weight packs that loaders take by name (torchaudio pipeline bundles,
#: insightface model packs); see https://pytorch.org/audio/stable/pipelines.html.
_WEIGHT_PACKS = re.compile(
    r"^(?:(?:WAV2VEC2|HUBERT|WAVLM|VOXPOPULI|MMS|CONVTASNET|HDEMUCS|TACOTRON2|EMFORMER|SQUIM|"
    r"WAVERNN|DEEPSPEECH)_[A-Z0-9_]+|antelopev2|buffalo_[lms]|buffalo_sc)$"
)
_DATE_SUFFIX = re.compile(r"(?:-\d{4}-\d{2}-\d{2}|-\d{8}|-\d{4}|-latest|@\d{8}|-v\d+:\d+)$")
#: Placeholders and templates: never a concrete model.
_PLACEHOLDER = re.compile(
    r"[<>{}]|\$\{|\$\(|\$[A-Za-z_]|%\(|%s|\{\{|^your[-_ ]|[-_/]your[-_]|^my[-_]model|path/to|"
    r"xxx|\*|\.\.\.|^<|^os\.environ|^process\.env|example\.com|^sk-|"
    # generic stand-ins for "a model" (``custom-model``, ``my-llm``, ``model-name``)
    r"^(?:(?:custom|my|your|some|any|example|sample|placeholder|default|new|foo|bar|"
    r"other|another)[-_]?)?(?:model|llm)(?:[-_]?(?:name|id|\d))?$",
    re.IGNORECASE,
)
_AUTH_PATH = re.compile(
    r"(?i)(?:^|/)(?:oauth2?|auth|token|login|signin|authorize|access_token)(?:/|$|\?)"
)
#: Paths of model APIs (shapes of the providers' own documented routes, not facts about any
#: one provider): a generation, chat, embedding or speech operation ...
_API_OPERATION = re.compile(
    r"(?i)(?:^|/)(?:chat/completions|completions|embeddings|images/(?:generations|edits|"
    r"variations)|audio/(?:speech|transcriptions|translations)|rerank|text2img|txt2img|img2img|"
    r"text2image|text-to-image|image-to-image|text2video|text-to-video|image2video|"
    r"text2speech|text-to-speech)(?:/|$)"
)
#: ... or an API root: a version (``/v1``, ``/v1beta``, ``/api/v3``), an OpenAI-compatible
#: mount (``/openai/v1``, ``/compatible-mode/v1``).
_API_ROOT = re.compile(
    r"(?i)^(?:[\w.-]+/){0,2}?v\d+(?:beta\d*|alpha\d*|\.\d+)?$|(?:^|/)openai(?:/|$)"
)
#: First labels of hosts that serve an API of models.
_API_HOST = re.compile(r"(?i)^(?:api|inference|llm|llms|ai|genai|gateway|router|models?)[.-]")
#: Hosts and paths of documentation, not of an API.
_DOC_URL = re.compile(
    r"(?i)^(?:docs?|developers?|help|support|blog|www|platform|console|status|learn|community|"
    r"forum|github|raw\.githubusercontent)\.|(?:^|/)(?:docs?|guides?|reference|blog|tutorials?|"
    r"api-reference|pricing)(?:/|$)|\.(?:html?|md|pdf)$"
)
#: Runtime templates in a host (``%s``, ``{region}``, ``:resource_name``, ``${VAR}``, ``$VAR``),
#: as opposed to a placeholder left for the reader (``<your-endpoint>``).
_HOST_TEMPLATE = re.compile(r"%\(\w+\)s|%s|\$\{[^}/]*\}|\{[^{}/]*\}|(?<![\w])[:$][A-Za-z_]\w*")
#: A value that is nothing but a placeholder (checked when a loader says what it reads).
_WHOLE_PLACEHOLDER = re.compile(
    r"^\s*<[^<>]*>\s*$|^\{\{.*\}\}$|^\$\{[^}]*\}$|^\$[A-Za-z_]\w*$|^your[-_]|path/to/|^xxx",
    re.IGNORECASE,
)
_LOCAL_HOSTS = frozenset(
    {"localhost", "127.0.0.1", "0.0.0.0", "::1", "[::1]", "host.docker.internal"}  # noqa: S104
)
_PRIVATE_HOST = re.compile(
    r"^(?:10\.|192\.168\.|127\.|172\.(?:1[6-9]|2\d|3[01])\.)|\.local$|\.internal$|\.svc(?:\.|$)|"
    r"\.cluster\.local$"
)

#: Words that alone never name a model, whatever the key (generic words, dtypes, devices).
_GENERIC = vocab.NOT_MODELS | frozenset(
    {"float16", "bfloat16", "float32", "fp16", "bf16", "fp32", "int8", "int4", "half", "cpu",
     "cuda", "gpu", "mps", "tpu", "cuda:0", "utf-8", "utf8", "ascii", "latest", "main", "master",
     "string", "str", "text", "json", "yes", "no", "on", "off", "enabled", "disabled", "all",
     "any", "base", "large", "chat", "api", "openai-compatible", "completion", "embedding",
     "embeddings", "image", "audio", "video", "vision", "unknown", "other", "gpt", "llm", "ai",
     "name", "id", "key", "value", "config", "settings", "options", "params", "dev", "prod",
     "test", "staging", "demo", "sample", "example", "primary", "secondary", "fast", "smart",
     "cheap", "quick", "reasoning", "adaptive", "standard", "premium", "basic"}
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Candidate:
    """What a string alone says: kind, the value to report, a score in [0, 1] and why."""

    kind: RefKind
    value: str
    score: float
    provider: str | None = None
    rule: str = ""


@dataclass(frozen=True, slots=True)
class Verdict:
    """A literal judged with its context: the candidate and the final score."""

    kind: RefKind
    value: str
    score: float
    provider: str | None
    rule: str
    context: Mapping[str, ContextValue] = field(default_factory=dict)


# --- Indexes over the generated KB vocabulary ---------------------------------------------------


class _Index:
    """Lower-case and compiled forms of ``kb_vocab``, built once per process."""

    def __init__(self) -> None:
        self.api_exact = {k.lower(): (k, v) for k, v in kb_vocab.API_MODELS.items()}
        self.api_patterns = [
            (re.compile(p, re.IGNORECASE), pub) for p, pub in kb_vocab.API_PATTERNS
        ]
        cased = {pub for k, pub in kb_vocab.API_MODELS.items() if k != k.lower()}
        #: Publishers whose API ids are all lower case: ``GPT-4o`` is a display name for them.
        self.lowercase_publishers = frozenset(kb_vocab.API_MODELS.values()) - cased
        self.families = [
            (re.compile(p[4:] if p.startswith("(?i)") else p, re.IGNORECASE), fid)
            for p, fid in kb_vocab.FAMILY_PATTERNS
        ]
        # One alternation each, so most strings (which match nothing) cost one regex search.
        self.any_family = _union(p.removeprefix("(?i)") for p, _ in kb_vocab.FAMILY_PATTERNS)
        self.any_api = _union(p for p, _ in kb_vocab.API_PATTERNS)
        self.orgs = dict(kb_vocab.HUB_ORGS)
        self.reuploaders = dict(kb_vocab.REUPLOADER_ORGS)
        self.hub_ids = kb_vocab.KNOWN_HUB_IDS
        self.ollama = kb_vocab.OLLAMA_NAMES
        self.products = kb_vocab.PRODUCT_WORDS | frozenset(PROVIDER_PREFIXES)
        self.hosts_exact: dict[str, tuple[str, str]] = {}
        self.hosts_glob: list[tuple[re.Pattern[str], tuple[str, str]]] = []
        for host, facts in kb_vocab.ENDPOINT_HOSTS:
            operator, _, kind = facts.partition(" ")
            entry = (operator, kind.split(" ", 1)[0])
            if "*" in host:
                self.hosts_glob.append((re.compile(fnmatch.translate(host)), entry))
            else:
                self.hosts_exact.setdefault(host, entry)

    def endpoint(self, host: str) -> tuple[str, str] | None:
        """(operator, kind) of a provider API host, from ``endpoints.yaml``."""
        h = host.lower().rstrip(".")
        hit = self.hosts_exact.get(h)
        if hit is not None:
            return hit
        for rx, entry in self.hosts_glob:
            if rx.match(h):
                return entry
        return None

    def api(self, value: str) -> tuple[str, str, bool] | None:
        """(publisher, rule, exact) when ``value`` is a closed-API model name the KB knows."""
        low = value.lower()
        for key in (low, _DATE_SUFFIX.sub("", low)):
            hit = self.api_exact.get(key)
            if hit is not None:
                return hit[1], "kb-api", True
        if self.any_api.match(low) is None:
            return None
        for rx, pub in self.api_patterns:
            m = rx.search(low)
            if m is None or m.start() != 0:
                continue
            # A pattern is a prefix: "command" names Cohere's model, "commands" does not.
            end = m.end()
            if end < len(low) and low[end - 1].isalpha() and low[end].isalpha():
                continue
            return pub, "kb-api-pattern", False
        return None

    def _whole(self, value: str) -> Iterator[tuple[re.Pattern[str], str]]:
        """The API patterns (with their publisher) that match all of ``value``."""
        low = value.lower()
        if self.any_api.match(low) is None:
            return
        for rx, pub in self.api_patterns:
            m = rx.match(low)
            if m is not None and m.end() == len(low):
                yield rx, pub

    def covers(self, value: str) -> bool:
        """Whether an end-anchored API pattern matches all of ``value`` (a pattern that names
        whole ids, not a prefix that any tail would extend)."""
        return any("$" in rx.pattern for rx, _ in self._whole(value))

    def whole_api_name(self, value: str) -> bool:
        """Whether an API pattern of a publisher with cased ids covers all of ``value``."""
        return any(pub not in self.lowercase_publishers for _, pub in self._whole(value))

    def family(self, value: str) -> str | None:
        if self.any_family.search(value) is None:
            return None
        for rx, fid in self.families:
            if rx.search(value):
                return fid
        return None


def _union(patterns: Iterable[str]) -> Any:
    """One case-insensitive alternation of ``patterns`` (a quick test before the loop): RE2,
    whose automaton tries all the patterns in one pass, else Python's engine."""
    text = "|".join(f"(?:{p})" for p in patterns)
    try:
        import re2

        options = re2.Options()
        options.case_sensitive = False
        options.max_mem = 64 << 20
        return re2.compile(text, options)
    except Exception:  # a pattern RE2 cannot read: the slower engine is still right
        return re.compile(text, re.IGNORECASE)


@lru_cache(maxsize=1)
def index() -> _Index:
    """The process-wide index over ``kb_vocab``."""
    return _Index()


# --- The string alone ---------------------------------------------------------------------------


def _tokens(value: str) -> list[str]:
    return [t for t in re.split(r"[-_.:/@ ]+", value.lower()) if t]


def _grammar_strength(value: str) -> float:
    """How much a name's tokens look like a model's: versions, sizes, variants, architectures."""
    tokens = _tokens(value)
    points = 0.0
    if any(_SIZE_TOKEN.match(t) for t in tokens):
        points += 0.2
    if any(t in _VARIANT_WORDS for t in tokens):
        points += 0.1
    if _ARCH_WORDS.search(value):
        points += 0.15
    if _HAS_DIGIT.search(value):
        points += 0.05
    return min(points, 0.35)


def _host_of(rest: str) -> tuple[str, str]:
    """(host, path) of the part of a URL after ``scheme://``."""
    hostport, _, path = rest.partition("/")
    hostport = hostport.rsplit("@", 1)[-1]
    host = hostport.split(":", 1)[0] if not hostport.startswith("[") else hostport
    return host.lower(), path


def provider_for_url(url: str) -> tuple[str, str] | None:
    """``(host, operator)`` when ``url`` points at a provider API listed in ``endpoints.yaml``."""
    text = url.strip()
    _, sep, rest = text.partition("://")
    host, _ = _host_of(rest if sep else text)
    if not host or host in _LOCAL_HOSTS or _PRIVATE_HOST.search(host):
        return None
    hit = index().endpoint(host)
    return (host, hit[0]) if hit else None


def _url(scheme: str, rest: str, whole: str) -> Candidate | None:
    host, path = _host_of(rest)
    if not host or host in _LOCAL_HOSTS or _PRIVATE_HOST.search(host):
        return None
    hit = index().endpoint(host)
    if hit is not None and _AUTH_PATH.search(path):
        return None  # an OAuth or token URL on a provider host: no model is called there
    if hit is not None:
        return Candidate(RefKind.ENDPOINT, whole, 0.95, hit[0], "kb-endpoint")
    if scheme not in {"http", "https"}:
        return None
    clean = path.split("?", 1)[0].split("#", 1)[0].rstrip("/")
    low = clean.lower()
    if host in {"huggingface.co", "hf.co", "www.huggingface.co", "modelscope.cn"}:
        parts = clean.split("/")
        if len(parts) >= 2 and parts[0] not in {
            "datasets",
            "spaces",
            "docs",
            "blog",
            "api",
            "models",
            "papers",
            "settings",
            "learn",
        }:
            if low.endswith(WEIGHT_EXTENSIONS):
                return Candidate(RefKind.LOCAL_ARTIFACT, whole, 0.8, None, "weight-url")
            if _HUB_PART.match(parts[0]) and _HUB_PART.match(parts[1]):
                return Candidate(RefKind.HUB_MODEL, f"{parts[0]}/{parts[1]}", 0.8, None, "hub-url")
        return None
    if low.endswith(WEIGHT_EXTENSIONS) and not low.endswith((".bin", ".model", ".pb", ".pkl")):
        return Candidate(RefKind.LOCAL_ARTIFACT, whole, 0.75, None, "weight-url")
    if low.endswith(ARCHIVE_EXTENSIONS) and MODEL_PATH_WORDS.search(low):
        return Candidate(RefKind.LOCAL_ARTIFACT, whole, 0.7, None, "weight-archive-url")
    if scheme in {"https", "wss"}:
        return _api_url(host, clean, whole)
    return None


def _api_url(host: str, path: str, whole: str) -> Candidate | None:
    """A URL on a host the KB does not list whose shape is a model API's: an endpoint that
    only a base-URL, client or request context can confirm (scored below :data:`ACCEPT`)."""
    if "." not in host or not re.fullmatch(r"[a-z0-9.\-]+", host) or re.match(r"[\d.]+$", host):
        return None  # a service name inside a cluster or compose file, or an address
    if _AUTH_PATH.search(path) or _DOC_URL.search(host) or _DOC_URL.search(path):
        return None
    api_host = bool(_API_HOST.match(host))
    if _API_OPERATION.search(path):
        score = 0.5 + (0.1 if api_host else 0.0)
    elif _API_ROOT.search(path) or (api_host and not path):
        score = 0.3 + (0.1 if api_host and path else 0.0) + (0.1 if host.endswith(".ai") else 0.0)
    else:
        return None
    return Candidate(RefKind.ENDPOINT, whole, min(score, 0.55), None, "api-url")


def _templated_url(scheme: str, rest: str, whole: str) -> Candidate | None:
    """A URL whose host is filled in at run time (``https://{region}-aiplatform…``,
    ``https://bedrock-mantle.%s.api.aws/v1``): an endpoint when the filled host matches a KB
    host pattern; a placeholder for the reader (``<your-resource>``) is no reference."""
    hostport = rest.split("/", 1)[0]
    if "<" in hostport or re.search(r"(?i)your|xxx|example", hostport):
        return None
    filled = _HOST_TEMPLATE.sub("x", hostport)
    if filled == hostport or not re.fullmatch(r"[A-Za-z0-9.\-]+(?::\d+)?", filled):
        return None
    found = _url(scheme, filled, whole)
    if found is None or found.rule != "kb-endpoint":
        return None
    return Candidate(RefKind.ENDPOINT, whole, 0.9, found.provider, "kb-endpoint-template")


def _storage(rest: str, whole: str) -> Candidate | None:
    """``s3://bucket/models/x``, ``gs://…/checkpoints/…``, ``pvc://model-pvc``."""
    if not rest or (rest.startswith("/") and len(rest) < 2):
        return None
    low = whole.lower()
    if _NOT_MODEL_FILE.search(low):
        return None  # ``file:///…/notes.txt``, ``s3://…/train.csv``: documents and data
    score = 0.4
    weak_ext = low.endswith((".bin", ".pkl", ".pb", ".h5", ".model"))
    if MODEL_PATH_WORDS.search(rest) or (low.endswith(WEIGHT_EXTENSIONS) and not weak_ext):
        score = 0.85
    elif _ARCH_WORDS.search(rest) or index().family(rest):
        score = 0.75
    return Candidate(RefKind.LOCAL_ARTIFACT, whole, score, None, "storage-uri")


def _prefixed(head: str, rest: str, whole: str) -> Candidate | None:
    """``openai:gpt-4o``, ``anthropic/claude-3-5-haiku``, ``ollama/phi3``, ``hf:org/name``."""
    provider = PROVIDER_PREFIXES[head] or None
    image_tag = rest.rsplit(":", 1)[1] if ":" in rest else ""
    if (
        "/" in whole.split(":", 1)[0]
        and image_tag
        and not image_tag.isdigit()
        and head not in _OLLAMA_PREFIXES
    ):
        return None  # ``vllm/vllm-openai:v0.8.3``: an image and its tag
    if head in _OLLAMA_PREFIXES:
        tag = _ollama_tag(rest, known_only=False)
        return Candidate(RefKind.OLLAMA_MODEL, rest, 0.9, None, "prefix-ollama") if tag else None
    inner = intrinsic(rest)
    if head in _HUB_PREFIXES:
        if inner is not None and inner.kind is RefKind.HUB_MODEL:
            return Candidate(RefKind.HUB_MODEL, inner.value, 0.9, inner.provider, "prefix-hub")
        return None
    if inner is not None and inner.score < 0.35:
        inner = None  # ``vllm/vllm-openai``: a prefix before a plain word proves nothing
    if inner is not None and inner.kind is not RefKind.ENDPOINT:
        if ":" in rest and inner.kind is RefKind.OLLAMA_MODEL:
            return None  # ``vllm/vllm-openai:latest`` is an image, not a routed model
        score = min(inner.score + (0.3 if ":" in whole.split("/", 1)[0] else 0.2), 0.95)
        return Candidate(inner.kind, inner.value, score, provider, "prefix")
    if _ID_RE.match(rest) and rest.lower() not in _GENERIC and _HAS_DIGIT.search(rest):
        score = 0.75
        if "/" in rest and rest.count("/") == 1 and head not in {"openai", "anthropic"}:
            return Candidate(RefKind.HUB_MODEL, rest, score, provider, "prefix")
        return Candidate(RefKind.API_MODEL, rest, score, provider, "prefix")
    return None


def _ollama_tag(value: str, *, known_only: bool) -> bool:
    """Whether ``value`` has the grammar of an Ollama model: ``name``, ``name:tag``, ``ns/name``."""
    name, _, tag = value.partition(":")
    if tag and not _OLLAMA_TAG.match(tag):
        return False
    base = name.rsplit("/", 1)[-1]
    if not _OLLAMA_NAME.match(base.lower()) or ("/" in name and name.count("/") > 2):
        return False
    if base != base.lower() or value.startswith(("/", ".", "~")):
        return False  # Ollama names are lower case and no paths (``ollama/Modelfile``, ``/model``)
    if base.lower() in PROVIDER_PREFIXES and base.lower() not in index().ollama:
        return False  # ``ollama/ollama:latest`` is the server's image, ``openai`` no model
    if known_only:
        return base.lower() in index().ollama
    return any(c.isalpha() for c in base)


def _path(value: str) -> Candidate | None:
    """A filesystem path: weights by extension, model folders by their words."""
    low = value.lower()
    if low.endswith(WEIGHT_EXTENSIONS):
        score = 0.6 if low.endswith((".bin", ".pkl", ".pb", ".model", ".h5")) else 0.8
        if "/" not in value:  # a file name alone (``model.safetensors`` in a repo)
            score -= 0.4
        return Candidate(RefKind.LOCAL_ARTIFACT, value, score, None, "weight-file")
    if _NOT_MODEL_FILE.search(low):
        return None
    if re.search(r"(?i)(?:^|/)(?:datasets?|data)(?:/|$)", value):
        return None  # a dataset folder
    parts = [p for p in re.split(r"[\\/]", value) if p not in ("", ".", "..", "~")]
    if len(parts) <= 1 and (not parts or parts[0].lower() in _DIR_ORGS):
        return Candidate(RefKind.LOCAL_ARTIFACT, value, 0.2, None, "path")  # ``./checkpoints``
    if MODEL_PATH_WORDS.search(value) or _ARCH_WORDS.search(value) or index().family(value):
        return Candidate(RefKind.LOCAL_ARTIFACT, value, 0.45, None, "model-path")
    return Candidate(RefKind.LOCAL_ARTIFACT, value, 0.2, None, "path")


#: A version and nothing else: ``1.0``, ``v2.3.1``.
_VERSION_ONLY = re.compile(r"(?i)v?\d+(?:\.\d+)+")


def _slashed(value: str) -> Candidate | None:
    """``org/name`` (a Hub or ModelScope id), ``provider/model``, or a relative path."""
    ix = index()
    if value.startswith(("./", "../", "/", "~/", "~")) or re.match(r"^[A-Za-z]:[\\/]", value):
        return _path(value)
    parts = value.split("/")
    head = parts[0].lower()
    if head in {"models", "tunedmodels"} and len(parts) == 2 and parts[1]:
        # Gemini API resource names (``models/gemini-2.5-flash-image``): the id as written
        inner = _bare(parts[1])
        if inner is not None and inner.rule.startswith("kb-api") and inner.provider == "google":
            return Candidate(RefKind.API_MODEL, value, inner.score, inner.provider, "resource-name")
    if head in PROVIDER_PREFIXES and len(parts) >= 2:
        rest = value.split("/", 1)[1]
        closed = ix.api(rest)
        routed = head not in ix.orgs or head in _OLLAMA_PREFIXES
        if not routed and closed is not None:
            # ``openai/gpt-4o`` is the API; ``Qwen/Qwen2.5-7B`` and ``openai/gpt-oss-20b`` are
            # Hub repositories of an org that shares its name with a provider prefix.
            exact = closed[2]
            sized = any(_SIZE_TOKEN.match(t) for t in _tokens(rest))
            routed = not sized and (exact or closed[0] == ix.orgs.get(head))
        if routed:
            found = _prefixed(head, rest, value)
            if found is not None:
                return found
    if len(parts) != 2:
        if head in {"accounts"} and "models" in parts:  # Fireworks: accounts/x/models/y
            return Candidate(RefKind.API_MODEL, value, 0.8, "fireworks", "fireworks-id")
        return _path(value) if head not in _NOT_ORGS else None
    org, name = parts
    if not org or not name:
        return None
    if _NOT_MODEL_FILE.search(name) or name.lower() in _BUILD_FILES:
        return None
    if name.lower().endswith(WEIGHT_EXTENSIONS):
        return _path(value)
    if head in _DIR_ORGS:
        return _path(value)
    if head in _NOT_ORGS or not _HUB_PART.match(org) or not _HUB_PART.match(name):
        return None
    if head in _PLACEHOLDER_ORGS:
        return None  # ``username/model``, ``org/repo``: how a document writes "some id"
    if "." in head and head.rsplit(".", 1)[1] in _COMMON_TLDS | {"k8s"}:
        return None  # ``kubeai.org/v1``: an API group, a domain, never a Hub org
    if org.isdigit() or name.isdigit():
        return None
    if _VERSION_ONLY.fullmatch(name) and head not in ix.orgs:
        return None  # ``AnythingLLM-Agent/1.0``, ``curl/8.4``: a product token of a User-Agent
    publisher = ix.orgs.get(head)
    if publisher is not None or head in ix.reuploaders:
        return Candidate(RefKind.HUB_MODEL, value, 0.9, publisher, "kb-org")
    score = 0.35 + _grammar_strength(name)
    if ix.family(name):
        score += 0.15
    return Candidate(RefKind.HUB_MODEL, value, min(score, 0.75), None, "hub-shape")


def _bare(value: str) -> Candidate | None:
    """A name without ``/``: an API model, an Ollama tag, a weight pack, a bare Hub name."""
    ix = index()
    low = value.lower()
    if _WEIGHT_PACKS.match(value):
        return Candidate(RefKind.LOCAL_ARTIFACT, value, 0.8, None, "weight-pack")
    name, colon, tag = value.partition(":")
    if colon:
        if not tag or not _OLLAMA_TAG.match(tag) or not _OLLAMA_NAME.match(name.lower()):
            return None
        if name.lower() in ix.ollama:
            return Candidate(RefKind.OLLAMA_MODEL, value, 0.9, None, "kb-ollama")
        if _SIZE_TOKEN.match(tag.lower()) or tag.lower() == "latest":
            fam = ix.family(name) or name.lower() in ix.products
            score = 0.8 if fam else 0.55 if _SIZE_TOKEN.match(tag.lower()) else 0.4
            return Candidate(RefKind.OLLAMA_MODEL, value, score, None, "ollama-tag")
        return None
    if low.endswith(WEIGHT_EXTENSIONS) and "." in value[1:]:
        return _path(value)
    if not _ID_RE.match(value) or value.isdigit():
        return None
    if _DEPLOY_SUFFIX.search(value) and low not in ix.api_exact:
        return Candidate(RefKind.API_MODEL, value, 0.2, None, "deployment-name")
    code_name = bool(_IDENTIFIER.match(value)) and (
        value.isupper() or bool(re.search(r"[a-z0-9][A-Z]", value))
    )
    # ``ernie_speed``, ``completions_pro``: an underscore says code, unless the KB names the
    # whole string as a provider's id (Qianfan's route names are written so)
    covered = "_" in value and ix.covers(value)
    api = ix.api(value) if "_" not in value or low in ix.api_exact or covered else None
    if code_name and not (api is not None and (api[2] or ix.whole_api_name(value))):
        return None  # a constant or class name (``ZHIPU_AI``, ``Qwen2VLConfig``), unless the
        # whole of it is a provider's model name (``GigaChat``)
    if api is not None and not exact_or_versioned(value, api[2]):
        api = None  # ``spark-md5``: a pattern's prefix before a checksum, not a version
    if api is not None:
        publisher, rule, exact = api
        if value[:1].isupper() and publisher in ix.lowercase_publishers:
            if value[1:] != low[1:] or "-" not in value:
                return None  # "GPT-4o", "Claude-3-Opus": a display name, not the id the API takes
            # "Doubao-pro-32k": only the first letter raised, the id's own form otherwise; a
            # display name as often as an id, so a model key or model siblings must say which
            return Candidate(RefKind.API_MODEL, value, 0.35, publisher, rule + "-capitalized")
        if exact:
            # an id that is a plain word (Cohere's ``command``) needs a model key or a sibling
            score = 0.45 if low.isalpha() else 0.95
            return Candidate(RefKind.API_MODEL, value, score, publisher, rule)
        if "_" in value and not _HAS_DIGIT.search(value) and not covered:
            return None
        if _HAS_DIGIT.search(value):
            score = 0.8
        elif any(t in _VARIANT_WORDS for t in _tokens(value)[1:]):
            score = 0.7
        else:
            score = 0.3  # the product word alone ("command", "sonar")
        return Candidate(RefKind.API_MODEL, value, score, publisher, rule)
    if low in ix.ollama:  # a product word alone ("qwen") needs an Ollama context
        score = 0.2 if low in ix.products else 0.5
        return Candidate(RefKind.OLLAMA_MODEL, value, score, None, "kb-ollama-name")
    if low in ix.products or low in _GENERIC or low in _DIR_ORGS:
        return None
    has_digit = bool(_HAS_DIGIT.search(value))
    if _IDENTIFIER.match(value):
        # ``qwen2_moe``, ``gemma_2b_lora``, ``ZHIPU_AI``, ``Qwen2VLModel``: names in code (model
        # types, config variants, constants, classes) far more often than model ids.
        if value.isupper() or re.search(r"[a-z0-9][A-Z]", value):
            return None
        return Candidate(RefKind.API_MODEL, value, 0.3 if has_digit else 0.2, None, "identifier")
    family = ix.family(value)
    if family and not has_digit and _grammar_strength(value) < 0.1:
        return None  # the family's word alone (``qianwen``, ``tongyi``)
    if family and (has_digit or _grammar_strength(value) >= 0.1):
        kind = RefKind.HUB_MODEL if _hubby(value) else RefKind.API_MODEL
        return Candidate(kind, value, 0.65 if has_digit else 0.5, None, "kb-family")
    if has_digit and re.search(r"[A-Za-z]{2}", value):
        if re.fullmatch(r"v?\d+(?:\.\d+)*(?:[-.]?(?:rc|alpha|beta|dev|post)\d*)?", low):
            return None  # a version number
        return Candidate(RefKind.API_MODEL, value, 0.35, None, "name-shape")
    if re.fullmatch(r"[a-z][a-z-]*[a-z]|[a-z][a-z_]*[a-z]", value) and len(value) >= 3:
        return Candidate(RefKind.API_MODEL, value, 0.25, None, "bare-word")
    return None


def exact_or_versioned(value: str, exact: bool) -> bool:
    """Whether a pattern match is a model name: an exact id, or one whose digit-bearing tokens
    are not all checksums, encodings or platforms (``spark-md5``, ``gpt-3-encoder`` is still)."""
    if exact or not _HAS_DIGIT.search(value):
        return True
    digits = [t for t in _tokens(value) if _HAS_DIGIT.search(t)]
    return not all(_TECH_TOKEN.match(t) for t in digits)


def _hubby(value: str) -> bool:
    """Open-weight checkpoints named without an org (``bert-base-uncased``, ``t5-small``)."""
    return bool(
        re.match(r"(?i)(?:distil)?(?:bert|roberta|t5|gpt2|xlm|albert|electra|bart)\b", value)
    )


@lru_cache(maxsize=65536)
def intrinsic(raw: str) -> Candidate | None:
    """What ``raw`` names judged from the string alone, or ``None`` when it names nothing."""
    value = raw.strip()
    if not value or len(value) > 300 or "\n" in value or "\t" in value:
        return None
    low = value.lower()
    if low in _GENERIC:
        return None
    scheme, sep, rest = value.partition("://")
    if not sep and _PLACEHOLDER.search(value):
        return _env_path(value)
    if sep:
        scheme = scheme.lower()
        if " " in value:
            return None
        if _PLACEHOLDER.search(scheme) or scheme.startswith(("<", "$", "{")):
            return None
        hostport = rest.split("/", 1)[0]
        web = scheme in {"http", "https", "ws", "wss"}
        if web and "@" not in hostport and (_HOST_TEMPLATE.search(hostport) or "<" in hostport):
            return _templated_url(scheme, rest, value)
        if scheme in {"http", "https", "ws", "wss"} and _PLACEHOLDER.search(rest):
            host = re.match(r"[A-Za-z0-9.\-]+(?::\d+)?(?=/|$|\?|#)", rest)
            if host is None or _PLACEHOLDER.search(host.group()):
                return _templated_url(scheme, rest, value)
            # ``f"https://api.x.com/v1/{path}"``: the host is what the code talks to
            found = _url(scheme, host.group(), f"{scheme}://{host.group()}")
            return found if found is not None and found.kind is RefKind.ENDPOINT else None
        if scheme == "hf":
            inner = _slashed(rest.strip("/")) if "/" in rest else None
            if inner is not None and inner.kind is RefKind.HUB_MODEL:
                return Candidate(RefKind.HUB_MODEL, inner.value, 0.95, inner.provider, "hf-uri")
            return None
        if scheme == "ollama":
            if _ollama_tag(rest, known_only=False):
                return Candidate(RefKind.OLLAMA_MODEL, rest, 0.95, None, "ollama-uri")
            return None
        if _PLACEHOLDER.search(rest):
            return None
        if scheme in STORAGE_SCHEMES:
            return _storage(rest, value)
        if scheme in {"http", "https", "ws", "wss"}:
            return _url(scheme, rest, value)
        return None
    if " " in value:
        return None
    if low.startswith("hf.co/") and value.count("/") == 2:
        return Candidate(RefKind.OLLAMA_MODEL, value, 0.9, None, "ollama-hf")
    if low.startswith("huggingface.co/"):
        return _url("https", value, "https://" + value)
    head, colon, rest = value.partition(":")
    if colon and rest and head.lower() in PROVIDER_PREFIXES:
        return _prefixed(head.lower(), rest, value)
    if low.startswith("ft:") and len(low) > 4:
        return Candidate(RefKind.API_MODEL, value, 0.9, "openai", "openai-fine-tune")
    if _BEDROCK.match(value):
        return Candidate(RefKind.API_MODEL, value, 0.9, "amazon", "bedrock-id")
    if low in index().hub_ids:
        return Candidate(RefKind.HUB_MODEL, value, 0.95, None, "kb-hub-id")
    if "/" in value or "\\" in value:
        return _slashed(value.replace("\\", "/"))
    if _HOSTNAME.fullmatch(value):
        # a provider API host written without a scheme (``"hunyuan.tencentcloudapi.com"``)
        hit = index().endpoint(value)
        if hit is not None:
            return Candidate(RefKind.ENDPOINT, value, 0.7, hit[0], "kb-host")
        if value.rsplit(".", 1)[1].lower() in _COMMON_TLDS:
            return None  # ``mistral.ai``, ``deepseek.com``: a web site, not a model name
    return _bare(value)


#: Top-level domains that end host names far more often than model names end in a word.
_COMMON_TLDS = frozenset(
    {"com", "ai", "io", "cn", "net", "org", "dev", "co", "cloud", "app", "tech", "xyz", "us",
     "uk", "de", "fr", "jp", "kr", "ru", "sh", "me", "info", "biz", "edu", "gov", "site"}
)  # fmt: skip
#: A host name alone: dotted labels ending in a letters-only top-level domain.
_HOSTNAME = re.compile(r"(?i)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,24}")


#: An environment variable standing for one or more path segments: ``$USER``, ``${HF_HOME}``.
_ENV_SEGMENT = re.compile(r"\$(?:\{[A-Za-z_][A-Za-z0-9_]*\}|[A-Za-z_][A-Za-z0-9_]*)")


def _env_path(value: str) -> Candidate | None:
    """A weights path with environment variables in it (``/home/$USER/ckpt/pi0``,
    ``${PV_HOST_PATH}/models/opt-125m``): judged with each variable as a plain folder; any other
    placeholder (``<model>``, ``{name}``, ``path/to``) still names nothing."""
    if "/" not in value or not _ENV_SEGMENT.search(value):
        return None
    if _ENV_SEGMENT.search(value.rstrip("/").rsplit("/", 1)[-1]):
        return None  # ``/models/${MODEL_NAME}``: the model itself is the variable
    probe = _ENV_SEGMENT.sub("env", value)
    if _PLACEHOLDER.search(probe):
        return None
    if not probe.startswith(("/", "~", ".")):
        probe = "/" + probe  # a variable at the start stands for a folder, as ``$HOME/...``
    found = intrinsic(probe)
    if found is None or found.kind is not RefKind.LOCAL_ARTIFACT:
        return None
    return Candidate(RefKind.LOCAL_ARTIFACT, value, found.score, found.provider, found.rule)


# --- The string with its context ----------------------------------------------------------------

#: Calls whose string arguments are never model references (logging, printing, prefix tests,
#: outputs, datasets); matched on the last part of the dotted callee, lower case.
_VETO_CALLS = frozenset(
    {"print", "log", "debug", "info", "warning", "warn", "error", "exception", "critical",
     "echo", "printf", "println", "sprintf", "fprintf", "errorf", "fatalf", "logf", "infof",
     "debugf", "warnf", "startswith", "endswith", "removeprefix", "removesuffix", "hasprefix",
     "hassuffix", "startswithany", "match", "fullmatch", "search", "compile", "sub", "split",
     "replace", "push_to_hub", "save_pretrained", "save_model", "create_repo", "delete_repo",
     "upload_file", "upload_folder", "create_branch", "create_tag", "load_dataset",
     "get_encoding", "add_argument_group", "markdown", "write", "assert", "asserttrue",
     "assertin", "fail", "skip", "t", "gettext", "_", "i18n", "translate", "tr", "strftime",
     "strptime", "getlogger", "header", "set_header", "setheader",
     # package and module names: imports, dependency checks, module mocks
     "require", "import", "import_module", "__import__", "find_spec", "require_version",
     "is_package_available", "_is_package_available", "get_distribution", "distribution",
     "requires", "mock"}
)  # fmt: skip
#: Words in a callee that say it builds a dataset, a message or an error.
_VETO_CALL_WORDS = re.compile(
    r"(?i)dataset|dataconfig|data_config|datamodule|(?:^|\.)(?:\w*error|\w*exception|\w*warning)$"
)
#: Words in a key that say its value is not a model (outputs, display text, datasets, images).
_VETO_KEY_WORDS = re.compile(
    r"(?:^|_)(?:output|outputs|save|export|push|hub_model_id|dataset|datasets|data_path|"
    r"data_dir|display|label|labels|title|description|desc|help|alias|aliases|served|template|"
    r"chat_template|docker|container|prompt|prompts|message|messages|msg|"
    r"prefix|prefixes|pattern|patterns|regex|suffix|encoding|icon|logo|color|emoji|placeholder|"
    r"error|warning|question|answer|response|content|password|token|secret|license|author|"
    r"homepage|repo_url|docs|link|links|file_name|filename|log|logs|run_name|wandb|experiment|"
    r"subject|reason|remediation|fingerprint|referer|referrer|origin|user_agent|cookie|"
    r"uuid|hash|sha|digest|checksum|cmd|command|script|sql|query|keyword|keywords|"
    r"filter|filters|blocklist|denylist|blacklist|ignore|ignored|"
    r"stopwords|skip|unsupported|deprecated_prefixes|dependencies|dev_dependencies|"
    r"peer_dependencies|optional_dependencies|requires|install_requires|setup_requires|"
    r"tests_require|extras_require|requirements|packages|package|package_name|npm|pip|"
    r"import|imports|module_name)(?:$|_)"
)
#: Words in a key that weaken the evidence of a value (it may still be a model by its name).
_SOFT_KEY_WORDS = re.compile(
    r"(?:^|_)(?:type|types|family|format|version|revision|provider|providers|device|dtype|tag|"
    r"key|env|language|lang|voice|role|user|status|task|tasks|kind|mode|category|group|name|"
    r"id|class|style|size|backend|platform|service|vendor|org|owner|project|namespace)(?:$|_)"
)
#: Keys whose value is a model even though they hold a veto word (``tokenizer_name`` …).
_KEEP_KEYS = frozenset(
    {"repo_id", "model_id", "model_name", "tokenizer_name", "tokenizer_name_or_path",
     "model_name_or_path", "model_path", "model_dir", "model_file", "model_type_or_path"}
)  # fmt: skip
#: Names that say a value or collection holds models (after ``vocab.normalize_key``).
_MODEL_WORDS = re.compile(
    r"(?:^|_)(?:model|models|llm|llms|checkpoint|checkpoints|ckpt|ckpts|tokenizer|tokenizers|"
    r"embedder|embedding_model|reranker|deployment|deployments|weights|pretrained|"
    r"adapter|adapters|lora|gguf|repo_id|repo|whisper|asr|tts|vad|diarization|segmentation|"
    r"align|alignment|base_model|teacher|student|judge|critic|reward|draft|"
    r"model_name_or_path)(?:$|_)"
)
_URL_KEY_WORDS = re.compile(
    r"(?:^|_)(?:url|uri|base|base_url|api_base|endpoint|host|server|address|addr|domain|api)"
    r"(?:$|_)"
)
#: Calls that send an HTTP or websocket request to their URL argument.
_REQUEST_CALLS = re.compile(
    r"(?i)(?:^|\.)(?:get|post|put|patch|delete|request|fetch|urlopen|urlretrieve|stream|"
    r"connect|websocket|websocketapp|ws|create_connection|client_session|axios|curl|wget|"
    r"invoke[-_]?rest[-_]?method|invoke[-_]?web[-_]?request|http_?get|http_?post|newrequest|"
    r"newrequestwithcontext|sendasync|getasync|postasync|openconnection)$"
)


#: Words that, before ``_model`` in a key, still say an AI model (``chat_model``, ``gpt_model``);
#: ``robot_model`` or ``data_model`` say less.
_ML_QUALIFIERS = frozenset(
    {"llm", "chat", "embedding", "embed", "embeddings", "text", "vision", "default", "fallback",
     "base", "teacher", "student", "reward", "draft", "judge", "asr", "tts", "whisper", "rerank",
     "reranker", "summary", "summarizer", "completion", "completions", "instruct", "image",
     "voice", "speech", "audio", "translation", "classifier", "vad", "align", "alignment",
     "diarize", "diarization", "segmentation", "hf", "hub", "local", "remote", "api", "target",
     "main", "primary", "secondary", "fast", "slow", "small", "large", "big", "cheap", "smart",
     "reasoning", "coder", "code", "agent", "planner", "router", "guard", "moderation",
     "tokenizer", "pretrained", "ref", "reference", "policy", "critic", "value", "ai", "gen",
     "generation", "generative", "foundation", "lm", "language", "team", "bot", "assistant",
     "sentence", "transformer", "transformers", "speculative", "spec", "ocr", "caption",
     "captioning", "detector", "detection", "stt", "transcription", "transcribe", "the", "my",
     "your", "current", "selected", "new", "old", "conf", "config", "cfg", "user", "custom",
     "vl", "vlm", "mm", "multimodal", "video", "dalle", "sd", "diffusion", "inference",
     "serving", "served", "deploy", "azure", "openai", "google", "anthropic", "ollama",
     "vllm", "tgi", "model", "models", "mlx", "gguf", "onnx"}
)  # fmt: skip


def _model_key_strength(k: str) -> float:
    """0.35 for a key that plainly names a model, 0.2 for ``<something>_model``."""
    if k in vocab.MODEL_KEYS or k in _KEEP_KEYS:
        return 0.35
    head = re.sub(r"_model(?:s|_name|_id|_name_or_path|_path|_dir)?$", "", k)
    words = [w for w in head.split("_") if w]
    known = index().products
    ix = index()
    if all(w in _ML_QUALIFIERS or w in known or w.isdigit() or ix.family(w) for w in words):
        return 0.35
    return 0.2


#: Keys of a container image (``image``, ``docker_image``, ``image_tag``, ``base_image``).
_IMAGE_KEY = re.compile(
    r"^(?:(?:docker|container|base|runtime|build|pod|app|server|worker|sidecar|init|job|"
    r"serving|engine|default|custom)_)?images?(?:_(?:name|tag|repo|repository|registry|uri|url|"
    r"ref|version|pull_policy|digest))?$"
)


@lru_cache(maxsize=16384)
def key_weight(key: str) -> float:
    """What a key, name, flag or keyword adds to a value bound to it (< 0: a veto)."""
    if not key:
        return 0.0
    k = vocab.normalize_key(key.lstrip("-$@"))
    if k in vocab.OUTPUT_KEYS or _IMAGE_KEY.match(k):
        return -1.0
    if k in _KEEP_KEYS or vocab.is_model_key(k):
        return _model_key_strength(k)
    if "_to_" in k and not k.startswith(("output", "save", "export", "push")):
        return 0.0  # a task (``text_to_image``, ``voice_to_text``): its value may be a model
    if k in {"repo", "repository", "hub_repo", "pretrained"}:
        return 0.2  # a repository to read or to push to; a pretrained-weights tag
    if _VETO_KEY_WORDS.search(k):
        return -1.0
    if k in {"name", "alias", "title", "label", "display"}:
        return -0.3  # display and alias names: only an id the KB knows survives this
    model = bool(_MODEL_WORDS.search(k))
    if model and k.endswith(("_name_or_path", "_path", "_dir", "_file", "_id", "_repo", "_url")):
        strong = re.search(r"(?:^|_)(?:models?|llms?|checkpoints?|ckpts?|tokenizers?)_", k)
        return 0.35 if strong else 0.2
    if _SOFT_KEY_WORDS.search(k):
        return 0.0 if model else -0.2
    return 0.3 if model else 0.0


_TABLE_WORDS = frozenset(
    {"models", "windows", "limits", "map", "mapping", "mappings", "table", "list", "prices",
     "pricing", "costs", "aliases", "encodings", "encoding", "context", "contexts", "lengths",
     "registry", "catalog", "configs", "capabilities", "features", "tokens", "info", "specs",
     "llms", "checkpoints", "names", "ids", "options", "choices", "support", "supported"}
)  # fmt: skip


def _is_table(key: str) -> bool:
    """A name of a table keyed by models (``MODEL_CONTEXT_WINDOWS``, ``MODEL_TO_ENCODING``)."""
    words = vocab.normalize_key(key).split("_")
    if "to" in words:  # ``model_to_encoding``: what stands before ``to`` keys the table
        words = [*words[: words.index("to")], "map"]
    if len(words) >= 3 and words[-2] == "by":  # ``prices_by_model``
        words = [words[-1], "map"]
    return bool(_TABLE_WORDS.intersection(words)) and bool(_MODEL_WORDS.search("_".join(words)))


@lru_cache(maxsize=16384)
def is_url_key(key: str) -> bool:
    """Whether a key names a base URL, endpoint or host."""
    return bool(key) and bool(_URL_KEY_WORDS.search(vocab.normalize_key(key.lstrip("-$@"))))


def _call_vetoed(call: str, value: str = "") -> bool:
    if not call:
        return False
    last = call.rsplit(".", 1)[-1].lower()
    if last in _BUILDS_STRINGS and "://" in value:
        return False  # ``fmt.Sprintf("https://bedrock-mantle.%s.api.aws/v1", region)``: a URL built
    return last in _VETO_CALLS or bool(_VETO_CALL_WORDS.search(call))


#: Formatting calls that build a string for the program to use (not print or log it): the URLs
#: they build are the code's endpoints.
_BUILDS_STRINGS = frozenset({"sprintf"})


def interpret(value: str, expect: Expect) -> Candidate | None:
    """The candidate for ``value`` when a loader says what its argument is."""
    found = intrinsic(value)
    if expect is Expect.ANY:
        return found
    if found is not None and found.rule == "deployment-name":
        return None  # a route or alias the code serves under, whatever the loader
    v = value.strip()
    if not v or len(v) > 300 or "\n" in v or v.lower() in vocab.NOT_MODELS - {"gpt2"}:
        return None
    if _WHOLE_PLACEHOLDER.search(v) or (" " in v and "://" not in v):
        return found if found is not None and found.kind is RefKind.LOCAL_ARTIFACT else None
    if found is not None and found.kind is RefKind.ENDPOINT:
        return found if expect is Expect.ENDPOINT else None
    if found is not None and found.kind is RefKind.LOCAL_ARTIFACT and expect is Expect.LOCAL:
        return found
    if expect is Expect.ENDPOINT:
        return found if found is not None and found.kind is RefKind.ENDPOINT else None
    if expect is Expect.LOCAL:
        return Candidate(RefKind.LOCAL_ARTIFACT, v, 0.5, None, "loader-local")
    if expect is Expect.OLLAMA:
        if found is not None and found.kind is RefKind.OLLAMA_MODEL:
            return found
        if v.lower() in PROVIDER_PREFIXES and v.lower() not in index().ollama:
            return None
        if _ollama_tag(v, known_only=False) or v.startswith("hf.co/"):
            return Candidate(RefKind.OLLAMA_MODEL, v, 0.5, None, "loader-ollama")
        return None
    if expect is Expect.HUB:
        if found is not None and found.kind is RefKind.HUB_MODEL:
            return found
        if found is not None and found.kind is RefKind.LOCAL_ARTIFACT:
            return found
        if v.startswith(("hf_hub:", "hf-hub:")):
            return Candidate(RefKind.HUB_MODEL, v.split(":", 1)[1], 0.8, None, "loader-hub")
        if _ID_RE.match(v) and (v.count("/") <= 1):
            if v.count("/") == 1 and not _HUB_PART.match(v.split("/")[1] or "-"):
                return None
            return Candidate(RefKind.HUB_MODEL, v, 0.4, None, "loader-hub")
        if v.count("/") >= 2 or "\\" in v:
            # what the loader reads is a path, however odd its characters (reported as text)
            return Candidate(RefKind.LOCAL_ARTIFACT, v, 0.4, None, "loader-path")
        return None
    if expect in (Expect.API, Expect.PROVIDER):
        if found is not None and found.kind in (
            RefKind.API_MODEL,
            RefKind.HUB_MODEL,
            RefKind.OLLAMA_MODEL,
        ):
            return found
        if _ID_RE.match(v) and v.lower() not in index().products:
            return Candidate(RefKind.API_MODEL, v, 0.4, None, "loader-api")
    return found


def assess(lit: Literal, bonus: float = 0.0) -> tuple[Candidate, float] | None:
    """The candidate for ``lit`` and its score with context, or ``None`` when vetoed."""
    if lit.site is Site.PREFIX or lit.expect is Expect.NONE or _call_vetoed(lit.call, lit.value):
        return None
    weight = key_weight(lit.key)
    via = lit.context.get("via")
    if isinstance(via, str) and key_weight(via) <= -1.0:
        return None  # the value flowed through an output or dataset name
    if lit.site is Site.KEY:
        # the keys of a table keyed by models (``MODEL_TO_ENCODING``, ``PRICES_BY_MODEL``):
        # what the values are says nothing against the keys
        weight = weight if weight > 0 and _is_table(lit.key) else 0.0
        if _is_table(lit.key):
            weight = max(weight, 0.3)
    if weight <= -1.0 and lit.expect is Expect.ANY:
        return None
    found = interpret(lit.value, lit.expect)
    if found is None:
        return None
    if weight > 0 and is_url_key(lit.key) and "://" not in lit.value:
        weight = 0.0  # ``MODEL_ADDR=host/path``: an address, not a model
    if weight > 0 and lit.site in (Site.ELEMENT, Site.KEY) and found.score < 0.3:
        weight = 0.0  # a bare word in a list of models is a selector (``qwen``, ``xunfei``)
    score = found.score + bonus
    if found.rule == "api-url":
        # a host the KB does not list: only how the code uses it can tell, and never surely
        return found, min(score + _api_url_support(lit), 0.85)
    if lit.expect is not Expect.ANY:
        score += 0.45
    if found.kind is RefKind.ENDPOINT:
        pass  # a provider host is evidence enough; keys only say how it is used
    elif lit.site is Site.COMPARE:
        score += 0.1 if weight > 0 else 0.0
    else:
        score += weight
    if lit.site is Site.TEXT:
        score -= 0.1
    if lit.in_comment:
        score -= 0.05
    return found, score


#: Words in a key, callee or variable name that say it is about AI models or their APIs.
_AI_NAME = re.compile(
    r"(?i)openai|anthropic|claude|gemini|llm|gpt|model|inference|embedding|completion|genai|"
    r"ollama|litellm|langchain|chatbot|(?:^|[^a-z])(?:ai|chat|lm)(?:$|[^a-z])|[a-z](?:AI|Ai)(?:$|[^a-z])"
)


def _ai_name(*names: str) -> bool:
    """Whether one of ``names`` speaks of AI models: a generic word, or a KB product or
    provider word as one of its tokens (``DEEPSEEK_BASE_URL``, ``createMoonshot``)."""
    products = index().products
    for name in names:
        if not name:
            continue
        if _AI_NAME.search(name):
            return True
        spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name).lower()
        if any(t in products for t in re.split(r"[^a-z0-9]+", spaced) if len(t) >= 3):
            return True
    return False


def _api_url_support(lit: Literal) -> float:
    """What the context adds to a model-API-shaped URL on an unknown host: a client or
    setting that speaks of AI models says most, a bare base-URL setting or request little."""
    last = lit.call.rsplit(".", 1)[-1] if lit.call else ""
    named = _ai_name(lit.key, lit.call)
    if lit.expect is Expect.ENDPOINT:
        return 0.3
    if last and _REQUEST_CALLS.search(lit.call):
        return 0.3 if named else 0.1
    if last and is_url_key(lit.key or last):
        constructor = last[:1].isupper() or last.startswith(("create", "new", "with"))
        return 0.3 if named else 0.2 if constructor else 0.1
    if lit.site in (Site.VALUE, Site.DEFAULT) and is_url_key(lit.key):
        return 0.3 if named else 0.1
    return 0.0


def _confidence(score: float) -> str:
    return "high" if score >= 0.9 else "medium" if score >= 0.75 else "low"


def _egress(lit: Literal, kind: RefKind) -> str | None:
    """How code uses an endpoint (contract: client, sdk, request, config); None for a mention."""
    given = lit.context.get("egress")
    if isinstance(given, str):
        return given
    if kind is not RefKind.ENDPOINT or lit.in_comment:
        return None
    last = lit.call.rsplit(".", 1)[-1] if lit.call else ""
    if last and _REQUEST_CALLS.search(lit.call):
        return "request"
    key = lit.key or last
    if last and is_url_key(key):
        # ``OpenAI(base_url=…)``, ``createOpenAI({baseURL})``, ``option.WithBaseURL(…)``
        return (
            "client"
            if last[:1].isupper() or last.startswith(("create", "new", "with"))
            else "config"
        )
    if lit.site in (Site.VALUE, Site.DEFAULT) and is_url_key(lit.key):
        return "config"
    return None


def judge(lit: Literal, bonus: float = 0.0) -> Verdict | None:
    """The verdict on ``lit``: a reference when its score reaches :data:`ACCEPT`."""
    got = assess(lit, bonus)
    if got is None:
        return None
    found, score = got
    if score < ACCEPT:
        return None
    ctx: dict[str, ContextValue] = {}
    provider = lit.provider or found.provider
    if provider:
        ctx["provider"] = provider
    if lit.key:
        ctx["key"] = lit.key
    if lit.call:
        ctx["loader"] = lit.call
    egress = _egress(lit, found.kind)
    if egress:
        ctx["egress"] = egress
    if lit.in_comment:
        ctx["in_comment"] = True
    ctx.update({k: v for k, v in lit.context.items() if k != "egress"})
    ctx["confidence"] = _confidence(score)
    return Verdict(found.kind, found.value, min(score, 1.0), provider, found.rule, ctx)


def verdicts(literals: Iterable[Literal]) -> list[tuple[Literal, Verdict]]:
    """Judge every literal; members of a collection with a strong member get a second look."""
    lits = list(literals)
    judged: list[Verdict | None] = [judge(lit) for lit in lits]
    strong = {
        lit.group
        for lit, v in zip(lits, judged, strict=True)
        if lit.group and v and v.score >= STRONG
    }
    out: list[tuple[Literal, Verdict]] = []
    for lit, verdict in zip(lits, judged, strict=True):
        if verdict is None and lit.group in strong and lit.group:
            verdict = judge(lit, SIBLING_BONUS)
        if verdict is not None:
            out.append((lit, verdict))
    return out


def references(
    source: SourceFile, literals: Iterable[Literal], detector: str
) -> list[ModelReference]:
    """The model references among ``literals`` of ``source``, one per (line, kind, value)."""
    return to_references(source, verdicts(literals), detector)


def to_references(
    source: SourceFile, judged: Iterable[tuple[Literal, Verdict]], detector: str
) -> list[ModelReference]:
    """ModelReferences at each literal's own line and column, duplicates dropped."""
    seen: set[tuple[int, str, str]] = set()
    refs: list[ModelReference] = []
    for lit, verdict in judged:
        line, column = position(source, lit)
        key = (line, verdict.kind.value, verdict.value)
        if key in seen:
            continue
        seen.add(key)
        loc = Location(source.rel, line, column)
        refs.append(ModelReference(verdict.kind, verdict.value, loc, detector, verdict.context))
    return sorted(refs, key=lambda r: r.sort_key())


def position(source: SourceFile, lit: Literal) -> tuple[int, int | None]:
    """1-based line and column of a literal in ``source``."""
    if lit.line is not None:
        return lit.line, lit.column
    offset = max(lit.offset, 0)
    return source.line_of(offset), source.column_of(offset)


__all__ = [
    "ACCEPT",
    "Candidate",
    "Verdict",
    "assess",
    "intrinsic",
    "is_url_key",
    "judge",
    "key_weight",
    "position",
    "provider_for_url",
    "references",
    "to_references",
    "verdicts",
]


# --- The prefilter's vocabulary ---------------------------------------------------------------

#: Words of the context that lift a weak name to a reference (model keys, loader names): a file
#: holding a reference that its own string cannot justify holds one of these.
CONTEXT_WORDS: tuple[str, ...] = (
    "model", "llm", "checkpoint", "ckpt", "tokenizer", "embedder", "reranker", "deployment",
    "engine", "weights", "pretrained", "adapter", "lora", "gguf", "repo_id", "repo", "whisper",
    "asr", "tts", "vad", "diarization", "segmentation", "align", "teacher", "student", "judge",
    "critic", "reward", "draft", "torch.hub", "hub.load", "sentencetransformer", "crossencoder",
    "pipeline", "from_pretrained", "hf_hub_download", "snapshot_download", "://",
)  # fmt: skip


def _literal_prefixes(pattern: str, limit: int = 64) -> set[str] | None:
    """Every literal text a match of ``pattern`` must start with (lower case), or ``None``.

    Read from the regex's parse tree: alternations and small character classes are expanded,
    anchors and word boundaries skipped, and the walk stops at the first element that is not a
    literal. ``None`` when some branch starts with no literal (then nothing can be required).
    """
    import importlib

    # The standard library's own regex parser (no public API; stubs do not cover it).
    c: Any = importlib.import_module("re._constants")
    parser: Any = importlib.import_module("re._parser")

    def walk(items: list[tuple[Any, Any]]) -> set[str] | None:
        prefixes = {""}
        for op, arg in items:
            if op is c.AT:
                continue
            options: set[str] | None
            if op is c.LITERAL:
                options = {chr(arg).lower()}
            elif op is c.IN and all(o is c.LITERAL for o, _ in arg):
                options = {chr(a).lower() for _, a in arg}
            elif op is c.SUBPATTERN:
                options = walk(list(arg[3]))
            elif op is c.BRANCH:
                options = set()
                for branch in arg[1]:
                    got = walk(list(branch))
                    if got is None:
                        options = None
                        break
                    options |= got
            elif op in (c.MAX_REPEAT, c.MIN_REPEAT) and arg[0] == 0 and arg[1] == 1:
                inner = walk(list(arg[2]))
                options = None if inner is None else inner | {""}
            else:
                options = None
            if options is None:
                break
            prefixes = {p + o for p in prefixes for o in options}
            if len(prefixes) > limit:
                return None
        return prefixes if all(len(p) >= 2 for p in prefixes) else None

    flags = 0
    if pattern.startswith("(?i)"):
        pattern = pattern[4:]
    try:
        tree = parser.parse(pattern, flags)
    except re.error:
        return None
    return walk(list(tree))


@lru_cache(maxsize=1)
def prefilter_words() -> tuple[bytes, ...] | None:
    """Lower-case byte strings of which every file holding a recognizable reference has one.

    Built from the same data the recognizer decides with; ``None`` when a pattern yields no
    required literal (the prefilter must then let every file through).
    """
    ix = index()
    words: set[str] = set(CONTEXT_WORDS)
    words.update(ix.orgs)
    words.update(ix.reuploaders)
    words.update(ix.ollama)
    words.update(k.split("-", 1)[0] if len(k.split("-", 1)[0]) >= 2 else k for k in ix.api_exact)
    words.update(PROVIDER_PREFIXES)
    words.update(WEIGHT_EXTENSIONS)
    words.update(("hf.co/", "huggingface.co", "ft:", "accounts/"))
    words.update(("wav2vec2_", "hubert_", "wavlm_", "voxpopuli_", "mms_", "convtasnet_"))
    words.update(("hdemucs_", "tacotron2_", "emformer_", "squim_", "wavernn_", "deepspeech_"))
    words.update(("antelopev2", "buffalo_"))
    for host, _ in kb_vocab.ENDPOINT_HOSTS:
        words.update(part for part in host.split("*") if len(part) >= 4)
    for pattern, _ in (*kb_vocab.API_PATTERNS, *kb_vocab.FAMILY_PATTERNS):
        got = _literal_prefixes(pattern)
        if got is None:
            return None
        words.update(got)
    return tuple(sorted({w.lower().encode() for w in words if w}))
