"""Shared detector vocabulary: API name shapes, hub ids, provider hosts, model keys."""

from __future__ import annotations

import pytest

from modeldeps.discover.detectors import vocab
from modeldeps.model import RefKind


@pytest.mark.parametrize(
    ("name", "provider"),
    [
        ("gpt-4o-mini", "openai"),
        ("o3", "openai"),
        ("claude-sonnet-4-20250514", "anthropic"),
        ("qwen-plus", "alibaba"),
        ("MiniMax-M1", "minimax"),
        ("ERNIE-4.0-8K", "baidu"),
        ("deepseek-reasoner", "deepseek"),
        ("command-r-plus-08-2024", "cohere"),
        ("command", "cohere"),
        ("abab6.5s-chat", "minimax"),
    ],
)
def test_api_names(name: str, provider: str) -> None:
    assert vocab.api_provider_for(name) == provider


@pytest.mark.parametrize(
    "name", ["qwen2_moe", "Qwen2AudioModel", "GlmAsrModel", "gpt_neox", "commands", "sonarqube"]
)
def test_model_types_and_class_names_are_not_api_models(name: str) -> None:
    assert vocab.api_provider_for(name) is None
    assert vocab.kind_for_name(name) is None


@pytest.mark.parametrize("name", ["foo", "dummy-model", "test-model", "cl100k_base", "chatml"])
def test_placeholders_and_negatives(name: str) -> None:
    assert vocab.kind_for_name(name) is None


def test_kinds() -> None:
    assert vocab.kind_for_name("Qwen/Qwen2.5-7B-Instruct") is RefKind.HUB_MODEL
    assert vocab.kind_for_name("./weights/model.gguf") is RefKind.LOCAL_ARTIFACT
    assert vocab.kind_for_name("anthropic.claude-3-5-sonnet-20240620-v1:0") is RefKind.API_MODEL
    assert vocab.kind_for_name("https://api.deepseek.com/v1") is RefKind.ENDPOINT
    assert vocab.kind_for_name("http://localhost:8000/v1") is None


def test_provider_hosts() -> None:
    assert vocab.provider_for_url("https://dashscope-intl.aliyuncs.com/v1") == (
        "dashscope-intl.aliyuncs.com",
        "alibaba",
    )
    assert vocab.provider_for_url("https://acme.openai.azure.com/") == (
        "acme.openai.azure.com",
        "azure-openai",
    )
    assert vocab.provider_for_url("http://192.168.1.4:11434") is None
    assert vocab.provider_for_url("https://example.com/v1") is None


def test_model_keys() -> None:
    assert vocab.is_model_key("model_name_or_path")
    assert vocab.is_model_key("OPENAI_MODEL")
    assert vocab.is_model_key("embedModel")
    assert not vocab.is_model_key("hub_model_id")
    assert not vocab.is_model_key("output_dir")
