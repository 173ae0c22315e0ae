"""Shared vocabulary of detectors: model-ish keys, model-name shapes, provider hosts, negatives."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from modeldeps.model import RefKind

# --- Keys whose value names a model -------------------------------------------------------------

#: Exact keys (lower-cased, ``-`` folded to ``_``) whose value is a model name in configuration.
MODEL_KEYS: frozenset[str] = frozenset(
    {
        "model",
        "model_name",
        "model_id",
        "model_path",
        "model_name_or_path",
        "model_repo",
        "repo_id",
        "base_model",
        "base_model_name_or_path",
        "pretrained_model_name_or_path",
        "tokenizer_name",
        "tokenizer_name_or_path",
        "embedding_model",
        "embedding_model_name",
        "embed_model",
        "embeddings_model",
        "reranker_model",
        "rerank_model",
        "llm",
        "llm_model",
        "chat_model",
        "completion_model",
        "teacher_model",
        "student_model",
        "reward_model",
        "ref_model",
        "draft_model",
        "speculative_model",
        "vision_model",
        "whisper_model",
        "deployment_name",
        "hf_model",
        "hf_model_id",
        "served_model",
        "default_model",
        "fallback_model",
        "summarizer_model",
        "judge_model",
    }
)

#: Keys whose value names an output — never a dependency.
OUTPUT_KEYS: frozenset[str] = frozenset(
    {
        "output_dir",
        "output_model",
        "output_model_name",
        "hub_model_id",
        "push_to_hub_model_id",
        "new_model",
        "new_model_name",
        "save_path",
        "run_name",
        "served_model_name",
        "model_alias",
        "display_name",
        "model_display_name",
    }
)


def normalize_key(key: str) -> str:
    """Fold a key to the form used in the key tables (``Model-Name`` → ``model_name``)."""
    k = key.strip().strip("\"'").replace("-", "_").replace(".", "_")
    # camelCase → snake_case
    k = re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", k)
    return k.lower()


def is_model_key(key: str) -> bool:
    """Whether a configuration key names a model (``model``, ``OPENAI_MODEL``, ``embedModel``)."""
    k = normalize_key(key)
    if k in OUTPUT_KEYS:
        return False
    if k in MODEL_KEYS:
        return True
    if k.endswith("_model") or k.endswith("_model_name") or k.endswith("_model_id"):
        return k not in OUTPUT_KEYS
    return k.endswith("_model_name_or_path")


# --- Shapes of model names ---------------------------------------------------------------------

#: ``org/name`` as on the Hugging Face Hub (org and name: letters, digits, ``-_.``).
HUB_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,95}/[A-Za-z0-9][A-Za-z0-9_.\-]{0,95}$")

#: Closed-API model names by provider, as the software sends them (prefix match, lower case).
API_MODEL_PREFIXES: tuple[tuple[str, str], ...] = (
    ("gpt-", "openai"),
    ("chatgpt-", "openai"),
    ("o1", "openai"),
    ("o3", "openai"),
    ("o4-", "openai"),
    ("text-embedding-", "openai"),
    ("text-davinci", "openai"),
    ("davinci-", "openai"),
    ("babbage-", "openai"),
    ("dall-e", "openai"),
    ("whisper-1", "openai"),
    ("tts-1", "openai"),
    ("omni-moderation", "openai"),
    ("text-moderation", "openai"),
    ("claude-", "anthropic"),
    ("gemini-", "google"),
    ("gemma-", "google"),
    ("text-embedding-00", "google"),
    ("textembedding-gecko", "google"),
    ("chat-bison", "google"),
    ("text-bison", "google"),
    ("mistral-", "mistral"),
    ("open-mistral", "mistral"),
    ("open-mixtral", "mistral"),
    ("codestral", "mistral"),
    ("pixtral", "mistral"),
    ("ministral", "mistral"),
    ("magistral", "mistral"),
    ("devstral", "mistral"),
    ("command-", "cohere"),
    ("command", "cohere"),
    ("embed-english", "cohere"),
    ("embed-multilingual", "cohere"),
    ("rerank-", "cohere"),
    ("grok-", "xai"),
    ("deepseek-chat", "deepseek"),
    ("deepseek-reasoner", "deepseek"),
    ("deepseek-coder", "deepseek"),
    ("qwen-", "alibaba"),
    ("qwen2", "alibaba"),
    ("qwen3", "alibaba"),
    ("qwq-", "alibaba"),
    ("qvq-", "alibaba"),
    ("moonshot-v1", "moonshot"),
    ("kimi-", "moonshot"),
    ("glm-", "zhipu"),
    ("chatglm", "zhipu"),
    ("abab", "minimax"),
    ("minimax-", "minimax"),
    ("doubao", "bytedance"),
    ("ernie-", "baidu"),
    ("hunyuan", "tencent"),
    ("yi-", "01ai"),
    ("llama-", "meta"),
    ("llama3", "meta"),
    ("meta-llama", "meta"),
    ("sonar", "perplexity"),
    ("jamba", "ai21"),
    ("nova-", "amazon"),
    ("titan-", "amazon"),
    ("voyage-", "voyage"),
    ("jina-embeddings-", "jina"),
)

#: Bedrock model ids look like ``anthropic.claude-3-5-sonnet-20240620-v1:0``.
BEDROCK_ID_RE = re.compile(
    r"^(?:(?:us|eu|apac|us-gov)\.)?(?:anthropic|amazon|meta|mistral|cohere|ai21|stability|"
    r"deepseek|qwen|openai|writer|twelvelabs)\.[a-z0-9][a-z0-9.\-]*(?::\d+)?$"
)

#: Ollama library names: ``qwen2.5:7b``, ``llama3.1``, ``hf.co/org/repo:Q4_K_M``.
OLLAMA_TAG_RE = re.compile(
    r"^(?:hf\.co/[\w.\-]+/[\w.\-]+|[a-z0-9][a-z0-9._\-]*(?:/[a-z0-9._\-]+)?)(?::[\w.\-]+)?$"
)

#: LiteLLM / pydantic-ai / aisuite provider prefixes: ``provider/model`` or ``provider:model``.
PROVIDER_PREFIXES: frozenset[str] = frozenset(
    {
        "openai",
        "azure",
        "azure_ai",
        "anthropic",
        "google",
        "google-gla",
        "google-vertex",
        "gemini",
        "vertex_ai",
        "vertex_ai_beta",
        "bedrock",
        "bedrock_converse",
        "mistral",
        "cohere",
        "groq",
        "together",
        "together_ai",
        "fireworks",
        "fireworks_ai",
        "deepseek",
        "dashscope",
        "moonshot",
        "zhipu",
        "zhipuai",
        "minimax",
        "xai",
        "perplexity",
        "openrouter",
        "huggingface",
        "hf",
        "ollama",
        "ollama_chat",
        "replicate",
        "cerebras",
        "sambanova",
        "deepinfra",
        "nvidia_nim",
        "watsonx",
        "ai21",
        "volcengine",
        "hosted_vllm",
        "vllm",
        "lm_studio",
    }
)

#: Strings that look like model names but never are (hard negatives).
NOT_MODELS: frozenset[str] = frozenset(
    {
        # transformers pipeline task names
        "text-generation",
        "text2text-generation",
        "text-classification",
        "sentiment-analysis",
        "token-classification",
        "ner",
        "question-answering",
        "summarization",
        "translation",
        "fill-mask",
        "feature-extraction",
        "zero-shot-classification",
        "image-classification",
        "image-to-text",
        "automatic-speech-recognition",
        "text-to-speech",
        "object-detection",
        "image-segmentation",
        "conversational",
        "sentence-similarity",
        # tiktoken encodings
        "cl100k_base",
        "o200k_base",
        "p50k_base",
        "r50k_base",
        "gpt2",  # also a real model; only a reference with loader evidence
        # chat-template names
        "chatml",
        "llama-2",
        "llama-3",
        "alpaca",
        "vicuna",
        "zephyr",
        "mistral-instruct",
        # generic placeholders
        "default",
        "auto",
        "none",
        "null",
        "true",
        "false",
        "model",
        "your-model",
        "your_model",
        "my-model",
        "local",
        "custom",
        "test",
        # test doubles and examples
        "foo",
        "bar",
        "baz",
        "fake",
        "fake-model",
        "dummy",
        "dummy-model",
        "mock",
        "mock-model",
        "test-model",
        "example-model",
    }
)


#: A Python class name (``Qwen2AudioModel``): CamelCase with no separator. API model names always
#: have one (``gpt-4o``, ``MiniMax-M1``, ``ERNIE-4.0-8K``) or are short (``o3``).
_CLASS_NAME_RE = re.compile(r"^[A-Z][a-z]+(?:[A-Z0-9]+[a-z]*)+$")


def api_provider_for(name: str) -> str | None:
    """The provider whose closed API serves ``name``, by name shape; ``None`` when unknown.

    Underscores (``qwen2_moe`` is a ``model_type``, not an API model) and class names
    (``Qwen2AudioModel``) never match, whatever their prefix.
    """
    if "_" in name or _CLASS_NAME_RE.match(name):
        return None
    lower = name.lower()
    for prefix, provider in API_MODEL_PREFIXES:
        if lower.startswith(prefix):
            # A prefix that ends in a letter or digit must end a word: ``command-r`` and ``o3``
            # are models, ``commands`` and ``o3x`` are not.
            rest = lower[len(prefix) :]
            if prefix[-1].isalnum() and rest[:1].isalpha():
                continue
            return provider
    return None


def looks_like_hub_id(value: str) -> bool:
    """``org/name`` shape, and not a path, URL, image or template placeholder."""
    if not HUB_ID_RE.match(value):
        return False
    org, _, name = value.partition("/")
    if org in {".", "..", "~"} or name in {".", ".."}:
        return False
    return not name.endswith((".py", ".json", ".yaml", ".yml", ".txt", ".md", ".csv"))


# --- Provider hosts ---------------------------------------------------------------------------

#: Hosts (and host suffixes, leading dot) of model-provider APIs → provider id.
PROVIDER_HOSTS: tuple[tuple[str, str], ...] = (
    ("api.openai.com", "openai"),
    (".openai.azure.com", "azure-openai"),
    (".cognitiveservices.azure.com", "azure-openai"),
    (".services.ai.azure.com", "azure-ai"),
    (".inference.ai.azure.com", "azure-ai"),
    ("api.anthropic.com", "anthropic"),
    ("claude.ai", "anthropic"),
    ("api.link-ai.tech", "linkai"),
    ("generativelanguage.googleapis.com", "google"),
    ("aiplatform.googleapis.com", "google-vertex"),
    ("api.mistral.ai", "mistral"),
    ("codestral.mistral.ai", "mistral"),
    ("api.cohere.com", "cohere"),
    ("api.cohere.ai", "cohere"),
    ("api.groq.com", "groq"),
    ("api.together.xyz", "together"),
    ("api.together.ai", "together"),
    ("api.fireworks.ai", "fireworks"),
    ("openrouter.ai", "openrouter"),
    ("api.deepseek.com", "deepseek"),
    ("dashscope.aliyuncs.com", "alibaba"),
    ("dashscope-intl.aliyuncs.com", "alibaba"),
    ("dashscope-us.aliyuncs.com", "alibaba"),
    ("api.moonshot.cn", "moonshot"),
    ("api.moonshot.ai", "moonshot"),
    ("open.bigmodel.cn", "zhipu"),
    ("api.z.ai", "zhipu"),
    ("api.minimax.chat", "minimax"),
    ("api.minimaxi.com", "minimax"),
    ("api.minimax.io", "minimax"),
    ("api.minimaxi.chat", "minimax"),
    ("ark.cn-beijing.volces.com", "bytedance"),
    ("qianfan.baidubce.com", "baidu"),
    ("aip.baidubce.com", "baidu"),
    ("api.hunyuan.cloud.tencent.com", "tencent"),
    ("hunyuan.tencentcloudapi.com", "tencent"),
    ("api.lingyiwanwu.com", "01ai"),
    ("api.01.ai", "01ai"),
    ("api.baichuan-ai.com", "baichuan"),
    ("api.stepfun.com", "stepfun"),
    ("spark-api-open.xf-yun.com", "iflytek"),
    ("api.siliconflow.cn", "siliconflow"),
    ("api.siliconflow.com", "siliconflow"),
    ("api.x.ai", "xai"),
    ("api.perplexity.ai", "perplexity"),
    ("api.ai21.com", "ai21"),
    ("api.cerebras.ai", "cerebras"),
    ("api.sambanova.ai", "sambanova"),
    ("api.deepinfra.com", "deepinfra"),
    ("integrate.api.nvidia.com", "nvidia"),
    ("api-inference.huggingface.co", "huggingface"),
    ("router.huggingface.co", "huggingface"),
    (".endpoints.huggingface.cloud", "huggingface"),
    ("api.replicate.com", "replicate"),
    ("api.novita.ai", "novita"),
    ("api.hyperbolic.xyz", "hyperbolic"),
    ("api.lambda.ai", "lambda"),
    ("api.nebius.ai", "nebius"),
    ("api.studio.nebius.com", "nebius"),
    ("api.studio.nebius.ai", "nebius"),
    ("inference.baseten.co", "baseten"),
    ("api.reka.ai", "reka"),
    ("api.writer.com", "writer"),
    ("api.voyageai.com", "voyage"),
    ("api.jina.ai", "jina"),
    (".bedrock-runtime.", "amazon-bedrock"),
    ("bedrock-runtime.", "amazon-bedrock"),
    # hosts of the knowledge base's endpoints.yaml (the host source) not listed above
    ("models.github.ai", "microsoft"),
    ("api.llama.com", "meta"),
    ("api.upstage.ai", "upstage"),
    ("api.sakana.ai", "sakana"),
    ("api.sarvam.ai", "sarvam"),
    ("api.arcee.ai", "arcee"),
    ("inference.poolside.ai", "poolside"),
    (".volces.com", "bytedance"),
    ("ark.ap-southeast.bytepluses.com", "bytedance"),
    ("tokenhub.tencentmaas.com", "tencent"),
    ("spark-api.xf-yun.com", "iflytek"),
    ("api.sensenova.cn", "sensetime"),
    ("api.xiaomimimo.com", "xiaomi"),
    ("api.longcat.chat", "meituan"),
    ("api.302.ai", "302ai"),
    ("api-inference.modelscope.cn", "modelscope"),
    (".intern-ai.org.cn", "shanghai-ai-lab"),
    (".myhuaweicloud.com", "huawei"),
    ("api.tbox.cn", "ant-group"),
)

_LOCAL_HOSTS = frozenset(
    {
        "localhost",
        "127.0.0.1",
        "0.0.0.0",  # noqa: S104 - a name to recognise, not a bind
        "::1",
        "[::1]",
        "host.docker.internal",
    }
)


def provider_for_url(url: str) -> tuple[str, str] | None:
    """``(host, provider)`` when ``url`` points at a known model-provider API, else ``None``.

    Localhost and private addresses are self-hosted, never an endpoint reference.
    """
    text = url.strip()
    if "://" not in text:
        text = "https://" + text
    try:
        host = (urlsplit(text).hostname or "").lower()
    except ValueError:
        return None
    if not host or host in _LOCAL_HOSTS or host.startswith(("10.", "192.168.", "127.")):
        return None
    for pattern, provider in PROVIDER_HOSTS:
        if pattern.startswith("."):
            if host.endswith(pattern):
                return host, provider
        elif pattern.endswith("."):
            if host.startswith(pattern):
                return host, provider
        elif host == pattern:
            return host, provider
    return None


def kind_for_name(value: str) -> RefKind | None:
    """Best reference kind for a bare model name found in a model-ish context, or ``None``."""
    v = value.strip()
    if not v or v.lower() in NOT_MODELS or len(v) > 200:
        return None
    if v.startswith(("http://", "https://")):
        return RefKind.ENDPOINT if provider_for_url(v) else None
    if v.startswith(("./", "../", "/", "~/")) or v.endswith(
        (".gguf", ".safetensors", ".bin", ".pt", ".pth", ".onnx")
    ):
        return RefKind.LOCAL_ARTIFACT
    if BEDROCK_ID_RE.match(v):
        return RefKind.API_MODEL
    if looks_like_hub_id(v):
        return RefKind.HUB_MODEL
    if api_provider_for(v):
        return RefKind.API_MODEL
    return None
