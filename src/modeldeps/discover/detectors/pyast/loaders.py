"""The table of loaders and clients: which call carries a model in which argument, of what kind."""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache


class Kind(Enum):
    """How an argument's string is classified into a reference kind."""

    HUB = "hub"  # hub id or bare hub name; a path becomes a local artifact
    API = "api"  # closed-API model name; hub-shaped names on open-weight hosts stay hub models
    OLLAMA = "ollama"  # Ollama library name and tag
    LOCAL = "local"  # a path to weights or a model folder
    PROVIDER = "provider"  # ``provider/model`` or ``provider:model`` (LiteLLM, pydantic-ai, DSPy)
    AUTO = "auto"  # only by name shape (a model-ish keyword with no known loader)


@dataclass(frozen=True, slots=True)
class Rule:
    """One call pattern. ``pattern`` is a glob over the dotted callee with ``()`` removed."""

    pattern: str
    pos: int | None  # positional index of the model argument, or None
    keywords: tuple[str, ...]  # keyword names of the model argument, first found wins
    kind: Kind
    provider: str | None = None

    @property
    def last(self) -> str:
        return self.pattern.rsplit(".", 1)[-1]


def _r(pattern: str, pos: int | None, kw: str, kind: Kind, provider: str | None = None) -> Rule:
    return Rule(pattern, pos, tuple(k for k in kw.split(",") if k), kind, provider)


H, A, OL, L, P = Kind.HUB, Kind.API, Kind.OLLAMA, Kind.LOCAL, Kind.PROVIDER
_OPENAI_METHODS = "chat.completions.create,chat.completions.parse,beta.chat.completions.parse,"
_OPENAI_METHODS += "completions.create,embeddings.create,responses.create,responses.parse,"
_OPENAI_METHODS += "responses.stream,images.generate,images.edit,audio.transcriptions.create,"
_OPENAI_METHODS += "audio.translations.create,audio.speech.create,moderations.create,"
_OPENAI_METHODS += "chat.completions.stream,beta.chat.completions.stream"

#: The table, most specific first: the first rule whose pattern matches a call decides.
RULES: tuple[Rule, ...] = (
    # Google Vertex's from_pretrained takes closed-API names, before the generic hub rule.
    _r("vertexai.*.from_pretrained", 0, "model_name", A, "google"),
    _r("llama_cpp.Llama.from_pretrained", 0, "repo_id", H),
    _r("peft.*.from_pretrained", 1, "model_id", H),
    _r("*.from_pretrained", 0, "pretrained_model_name_or_path,model_name_or_path,repo_id", H),
    _r("*.HuggingFacePipeline.from_model_id", None, "model_id", H),
    _r("transformers.pipeline", 1, "model", H),
    _r("transformers.pipelines.pipeline", 1, "model", H),
    _r("sentence_transformers.SentenceTransformer", 0, "model_name_or_path", H),
    _r("sentence_transformers.*CrossEncoder", 0, "model_name_or_path,model_name", H),
    _r("sentence_transformers.*SparseEncoder", 0, "model_name_or_path", H),
    _r("huggingface_hub.hf_hub_download", 0, "repo_id", H),
    _r("huggingface_hub.snapshot_download", 0, "repo_id", H),
    _r("huggingface_hub.*InferenceClient", 0, "model", H, "huggingface"),
    _r("vllm.LLM", 0, "model", H),
    _r("vllm.*EngineArgs", 0, "model", H),
    _r("vllm.*EngineArgs.*", 0, "model", H),
    _r("llama_cpp.Llama", 0, "model_path", L),
    _r("mlx_lm.load", 0, "path_or_hf_repo", H),
    _r("mlx_lm.*.load", 0, "path_or_hf_repo", H),
    _r("mlx_vlm.load", 0, "path_or_hf_repo", H),
    _r("timm.create_model", 0, "model_name", H),
    _r("timm.models.create_model", 0, "model_name", H),
    _r("open_clip.create_model*", 0, "model_name", H),
    _r("torch.hub.load", 0, "repo_or_dir,github", H),
    _r("torch.load", 0, "f", L),
    _r("safetensors.*.load_file", 0, "filename", L),
    _r("safetensors.safe_open", 0, "filename", L),
    _r("whisper.load_model", 0, "name", H),
    _r("faster_whisper.WhisperModel", 0, "model_size_or_path", H),
    _r("openai.*AzureOpenAI", None, "azure_deployment", A, "microsoft"),
    _r("anthropic.*.messages.create", None, "model", A, "anthropic"),
    _r("*.messages.create", None, "model", A),
    _r("*.messages.stream", None, "model", A),
    _r("*.messages.count_tokens", None, "model", A),
    _r("*.models.generate_content*", None, "model", A, "google"),
    _r("*.models.embed_content", None, "model", A, "google"),
    _r("*.models.count_tokens", None, "model", A, "google"),
    _r("*.models.generate_images", None, "model", A, "google"),
    _r("*.chats.create", None, "model", A, "google"),
    _r("*GenerativeModel", 0, "model_name", A, "google"),
    _r("*.chat.complete*", None, "model", A),
    _r("*.chat.stream*", None, "model", A),
    _r("*.fim.complete", None, "model", A),
    *(_r("*." + m, None, "model", A) for m in _OPENAI_METHODS.split(",")),
    _r("cohere.*.chat*", None, "model", A, "cohere"),
    _r("cohere.*.embed", None, "model", A, "cohere"),
    _r("cohere.*.rerank", None, "model", A, "cohere"),
    _r("cohere.*.generate", None, "model", A, "cohere"),
    _r("*.invoke_model*", None, "modelId", A, "amazon"),
    _r("*.converse*", None, "modelId", A, "amazon"),
    _r("litellm.*completion", 0, "model", P),
    _r("litellm.*embedding", 0, "model", P),
    _r("litellm.image_generation", 0, "model", P),
    _r("litellm.*transcription", 0, "model", P),
    _r("*.init_chat_model", 0, "model", P),
    _r("*.init_embeddings", 0, "model", P),
    _r("ollama.*Client", None, "", OL),
    _r("ollama.*", 0, "model", OL),
    _r("pydantic_ai.*Agent", 0, "model", P),
    _r("crewai.LLM", 0, "model", P),
    _r("crewai.Agent", None, "llm", P),
    _r("dspy.LM", 0, "model", P),
    _r("dspy.*.LM", 0, "model", P),
    _r("smolagents.LiteLLMModel", None, "model_id", P),
    _r("smolagents.*Model", None, "model_id", H),
    _r("tiktoken.encoding_for_model", 0, "model_name", A),
)

#: Keyword arguments that name a model on classes of LLM frameworks (LangChain, LlamaIndex, …).
FRAMEWORK_MODEL_KEYWORDS: tuple[str, ...] = (
    "model",
    "model_name",
    "model_id",
    "repo_id",
    "azure_deployment",
    "deployment_name",
    "deployment_id",
    "engine",
)

#: Packages whose classes take a model keyword; the class name says which provider (below).
FRAMEWORK_PACKAGES: tuple[str, ...] = ("langchain", "llama_index", "haystack", "autogen")

#: Words in a client or framework class name → (provider, how to classify the model name).
CLASS_HINTS: tuple[tuple[str, str, Kind], ...] = (
    ("Ollama", "", OL),
    ("HuggingFace", "huggingface", H),
    ("InferenceClient", "huggingface", H),
    ("AzureOpenAI", "microsoft", A),
    ("AzureChatOpenAI", "microsoft", A),
    ("LiteLLM", "", P),
    ("OpenAI", "openai", A),
    ("Anthropic", "anthropic", A),
    ("Claude", "anthropic", A),
    ("GoogleGenerativeAI", "google", A),
    ("GoogleGenAI", "google", A),
    ("Gemini", "google", A),
    ("VertexAI", "google", A),
    ("Vertex", "google", A),
    ("MistralAI", "mistral", A),
    ("Mistral", "mistral", A),
    ("Cohere", "cohere", A),
    ("Groq", "groq", A),
    ("Together", "together", A),
    ("Fireworks", "fireworks", A),
    ("Bedrock", "amazon", A),
    ("DeepSeek", "deepseek", A),
    ("Tongyi", "alibaba", A),
    ("DashScope", "alibaba", A),
    ("Moonshot", "moonshot", A),
    ("ZhipuAI", "zhipu", A),
    ("Cerebras", "cerebras", A),
    ("XAI", "xai", A),
    ("Perplexity", "perplexity", A),
    ("NVIDIA", "nvidia", A),
    ("Replicate", "", A),
)

#: Open-weight hosts: a hub-shaped model name sent to them is a hub model, not an API model.
OPEN_WEIGHT_HOSTS: frozenset[str] = frozenset(
    {
        "huggingface",
        "together",
        "together_ai",
        "fireworks",
        "fireworks_ai",
        "openrouter",
        "deepinfra",
        "groq",
        "hf",
        "siliconflow",
        "novita",
        "hyperbolic",
        "nebius",
        "sambanova",
        "cerebras",
        "nvidia",
        "nvidia_nim",
        "replicate",
        "vllm",
        "hosted_vllm",
        "baseten",
    }
)

#: Calls whose arguments name outputs, datasets or repos to write — never a dependency.
NEVER: frozenset[str] = frozenset(
    {
        "push_to_hub",
        "save_pretrained",
        "save_model",
        "create_repo",
        "delete_repo",
        "upload_file",
        "upload_folder",
        "create_branch",
        "create_tag",
        "load_dataset",
        "get_encoding",
        "print",
        "info",
        "debug",
        "warning",
        "error",
        "exception",
        "log",
        "echo",
        "format",
    }
)

#: Keyword arguments that carry a provider base URL into context and endpoint references.
URL_KEYWORDS: tuple[str, ...] = (
    "base_url",
    "api_base",
    "openai_api_base",
    "azure_endpoint",
    "endpoint",
    "endpoint_url",
    "host",
    "server_url",
    "inference_server_url",
)


#: Provider SDKs whose calls go to their provider's own API (no base URL to override it) ->
#: the operator's KB publisher id. The OpenAI SDK is left out: it is the client of many
#: providers, and where it goes is its base URL.
SDK_OPERATORS: tuple[tuple[str, str], ...] = (
    ("dashscope", "alibaba"),
    ("zhipuai", "zhipu"),
    ("zai", "zhipu"),
    ("qianfan", "baidu"),
    ("erniebot", "baidu"),
    ("sparkai", "iflytek"),
    ("volcenginesdkarkruntime", "bytedance"),
    ("anthropic", "anthropic"),
    ("google.generativeai", "google"),
    ("google.genai", "google"),
    ("mistralai", "mistral"),
    ("cohere", "cohere"),
    ("groq", "groq"),
    ("together", "together"),
    ("fireworks", "fireworks"),
)


def sdk_operator(qualname: str) -> str | None:
    """The KB operator a provider-SDK call talks to, or ``None``."""
    for package, operator in SDK_OPERATORS:
        if qualname == package or qualname.startswith(package + "."):
            return operator
    return None


@lru_cache(maxsize=64)
def default_host(operator: str) -> str | None:
    """The operator's own API host from ``endpoints.yaml`` (its first first-party one)."""
    from modeldeps.discover.detectors.kb_vocab import ENDPOINT_HOSTS

    hosts = [(h, facts.split()) for h, facts in ENDPOINT_HOSTS if "*" not in h]
    mine = [(h, f) for h, f in hosts if f[0] == operator]
    first = next((h for h, f in mine if len(f) > 1 and f[1] == "first-party"), None)
    return first or (mine[0][0] if mine else None)


@lru_cache(maxsize=1)
def _by_last() -> dict[str, tuple[Rule, ...]]:
    table: dict[str, list[Rule]] = {}
    for rule in RULES:
        table.setdefault(rule.last, []).append(rule)
    return {k: tuple(v) for k, v in table.items()}


_WILDCARD_LAST: tuple[Rule, ...] = tuple(r for r in RULES if "*" in r.last)


def match(qualname: str) -> Rule | None:
    """The first rule whose pattern matches ``qualname`` (dotted, without ``()``)."""
    last = qualname.rsplit(".", 1)[-1]
    candidates = _by_last().get(last, ())
    best: Rule | None = None
    for rule in candidates:
        if fnmatch.fnmatchcase(qualname, rule.pattern):
            best = rule
            break
    for rule in _WILDCARD_LAST:
        if fnmatch.fnmatchcase(qualname, rule.pattern) and (
            best is None or RULES.index(rule) < RULES.index(best)
        ):
            best = rule
            break
    return best


def class_hint(qualname: str) -> tuple[str, Kind] | None:
    """Provider and classification implied by a client or framework class in ``qualname``."""
    for part in reversed(qualname.split(".")):
        if not part[:1].isupper():
            continue
        for word, provider, kind in CLASS_HINTS:
            if word in part:
                return provider, kind
    return None
