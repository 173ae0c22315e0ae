"""The recognizer: what a string alone says, and what its context adds or vetoes."""

from __future__ import annotations

import pytest

from modeldeps.discover.detectors.literals import Expect, Literal, Site
from modeldeps.discover.detectors.recognizer import intrinsic, judge, verdicts
from modeldeps.model import RefKind

H, A, OL, L, E = (
    RefKind.HUB_MODEL,
    RefKind.API_MODEL,
    RefKind.OLLAMA_MODEL,
    RefKind.LOCAL_ARTIFACT,
    RefKind.ENDPOINT,
)


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        ("gpt-4.1-mini", A, "gpt-4.1-mini"),  # KB id
        ("claude-3-7-sonnet-20250219", A, "claude-3-7-sonnet-20250219"),  # KB id, dated
        ("gemini-9.9-ultra-preview", A, "gemini-9.9-ultra-preview"),  # provider grammar
        ("abab7-chat-preview", A, "abab7-chat-preview"),
        ("glm-5-air", A, "glm-5-air"),
        ("moonshot-v1-auto", A, "moonshot-v1-auto"),
        ("MiniMax-Text-01", A, "MiniMax-Text-01"),
        ("openai:gpt-4o-mini", A, "gpt-4o-mini"),  # provider-prefixed, prefix in context
        ("anthropic/claude-3-5-haiku-latest", A, "claude-3-5-haiku-latest"),
        ("bedrock/amazon.nova-pro-v1:0", A, "amazon.nova-pro-v1:0"),
        ("ollama/llama3.1:8b", OL, "llama3.1:8b"),
        ("deepseek-r1:14b", OL, "deepseek-r1:14b"),  # Ollama tag of a KB name
        ("ollama://qwen2.5:7b", OL, "qwen2.5:7b"),
        ("hf://mistralai/Mistral-7B-Instruct-v0.3", H, "mistralai/Mistral-7B-Instruct-v0.3"),
        ("meta-llama/Llama-3.2-1B-Instruct", H, "meta-llama/Llama-3.2-1B-Instruct"),  # KB org
        ("TheBloke/Mistral-7B-GGUF", H, "TheBloke/Mistral-7B-GGUF"),  # re-uploader org
        ("s3://acme-ml/models/llama-3-8b/", L, "s3://acme-ml/models/llama-3-8b/"),
        ("gs://bucket/ckpt/step_1000", L, "gs://bucket/ckpt/step_1000"),
        ("pvc://weights-volume", L, "pvc://weights-volume"),
        ("./weights/tiny.gguf", L, "./weights/tiny.gguf"),
        ("HUBERT_ASR_LARGE", L, "HUBERT_ASR_LARGE"),  # named weight pack (torchaudio)
        ("https://dashscope.aliyuncs.com/compatible-mode/v1", E, None),
        ("wss://spark-api.xf-yun.com/v4.0/chat", E, None),
        ("https://huggingface.co/Qwen/Qwen3-8B", H, "Qwen/Qwen3-8B"),
    ],
)
def test_strings_recognized_by_themselves(text: str, kind: RefKind, value: str | None) -> None:
    found = intrinsic(text)
    assert found is not None and found.kind is kind, found
    assert found.value == (value or text)
    verdict = judge(Literal(text, 0, Site.TEXT))
    assert verdict is not None and verdict.kind is kind


@pytest.mark.parametrize(
    "text",
    [
        # display names, product words alone, aliases without a version
        "GPT-4o",
        "Claude 3.5 Sonnet",
        "qwen",
        "claude",
        "moonshot",
        "gemini",
        "openai",
        # prefix filters would be vetoed by site; the word alone is nothing
        "command",
        "commands",
        "sparkling",
        # Docker images, package specs, MIME types, versions, encodings, devices
        "vllm/vllm-openai:latest",
        "python:3.11-slim",
        "redis:7",
        "application/json",
        "text/event-stream",
        "v2.1.0",
        "1.0.0",
        "utf-8",
        "cuda:0",
        "bfloat16",
        # tiktoken encodings, chat templates, placeholders, local or unknown URLs
        "cl100k_base",
        "chatml",
        "/path/to/model",
        "hf://<repo>/<model>",
        "YOUR_MODEL_NAME",
        "your-model-id",
        "http://localhost:11434",
        "http://ollama:11434/api/chat",
        "https://platform.openai.com/docs/models",
        "https://hf-mirror.com",
        "https://api.search.example.com/v1",
        "${MODEL_NAME}",
        "{{ .Values.model }}",
        # source and data files, dates, prose
        "src/main.py",
        "data/train.jsonl",
        "12/31",
        "and/or",
        "use the larger model",
        # User-Agent product tokens, web sites, documents by URL, model names as variables
        "AnythingLLM-Gmail-Agent/1.0",
        "openai.com",
        "mistral.ai",
        "file:///Users/tim/Documents/anything-llm/hotdir/anythingllm.txt",
        "/models/${MODEL_NAME}",
    ],
)
def test_hard_negatives_are_not_references_anywhere(text: str) -> None:
    for site in (Site.TEXT, Site.ELEMENT, Site.VALUE):
        assert judge(Literal(text, 0, site)) is None, (text, site)
        assert judge(Literal(text, 0, site, key="title")) is None, (text, site)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("acme/support-bot-v2", "model"),  # an unknown org's id under a model key
        ("contoso-3.5", "DEFAULT_MODEL"),  # a platform's own model name
        ("eb-turbo", "wenxin_model"),  # a bare route name bound to a model variable
        ("small", "--model"),  # a size name as a CLI default
        ("saves/qwen3-4b/lora/sft", "adapter_name_or_path"),  # a local adapter dir
        ("acme-audio/segmentation", "segmentation"),
    ],
)
def test_weak_names_need_a_model_key(text: str, key: str) -> None:
    assert judge(Literal(text, 0, Site.VALUE)) is None
    verdict = judge(Literal(text, 0, Site.VALUE, key=key))
    assert verdict is not None, (text, key)


@pytest.mark.parametrize(
    ("text", "key", "call"),
    [
        ("gpt-4o", "", "logger.info"),  # log text
        ("gpt-4o", "", "print"),
        ("claude-3", "", "model.startswith"),  # prefix filter by call
        ("meta-llama/Llama-3.1-8B", "output_dir", ""),  # produced, not used
        ("meta-llama/Llama-3.1-8B", "hub_model_id", ""),
        ("gpt-4o", "display_name", ""),
        ("acme/chat-logs", "repo_id", "LeRobotDataConfig"),  # a dataset id under repo_id
        ("gpt-4o", "", "ValueError"),  # exception message
    ],
)
def test_context_vetoes(text: str, key: str, call: str) -> None:
    assert judge(Literal(text, 0, Site.ARGUMENT, key=key, call=call)) is None


def test_prefix_site_is_never_a_reference() -> None:
    assert judge(Literal("gpt-4o", 0, Site.PREFIX)) is None


def test_loader_expectation_turns_bare_names_into_references() -> None:
    hub = judge(Literal("bert-base-uncased", 0, Site.ARGUMENT, expect=Expect.HUB))
    assert hub is not None and hub.kind is H
    ollama = judge(Literal("mistral", 0, Site.ARGUMENT, expect=Expect.OLLAMA))
    assert ollama is not None and ollama.kind is OL
    assert judge(Literal("mistral", 0, Site.VALUE, key="model")) is None  # a product word


def test_collection_siblings_are_weighed_as_models() -> None:
    members = ["gpt-4o", "gpt-35-turbo", "contoso-chat-2", "wenxin"]
    lits = [Literal(m, i, Site.ELEMENT, key="SUPPORTED", group=7) for i, m in enumerate(members)]
    found = {v.value for _, v in verdicts(lits)}
    # the strong member lifts the shaped ones; a product word alone stays out
    assert found == {"gpt-4o", "gpt-35-turbo", "contoso-chat-2"}
    alone = [Literal("contoso-chat-2", 0, Site.ELEMENT, key="SUPPORTED", group=8)]
    assert verdicts(alone) == []


def test_egress_is_inferred_from_the_call_and_key() -> None:
    url = "https://api.moonshot.cn/v1"
    client = judge(Literal(url, 0, Site.ARGUMENT, key="base_url", call="openai.OpenAI"))
    request = judge(Literal(url, 0, Site.ARGUMENT, call="requests.post"))
    config = judge(Literal(url, 0, Site.VALUE, key="MOONSHOT_BASE_URL"))
    mention = judge(Literal(url, 0, Site.ELEMENT, key="HOSTS"))
    assert client is not None and client.context["egress"] == "client"
    assert request is not None and request.context["egress"] == "request"
    assert config is not None and config.context["egress"] == "config"
    assert mention is not None and "egress" not in mention.context
    assert client.context["provider"] == "moonshot"
