"""Each construct the issue names, in a small project written for this test, and hard negatives.

``tests/corpus/constructs/`` holds one small file per construct (tables and collections, values
that travel, constants across modules, provider-prefixed ids, URI schemes, every language and
format); ``tests/corpus/constructs-negatives/`` holds the hard negatives of the labelling rules.
A construct that stops being found, or a negative that starts being reported, fails here.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from modeldeps.model import ModelReference
from modeldeps.options import ScanOptions
from modeldeps.pipeline import scan

CORPUS = Path(__file__).resolve().parents[2] / "corpus"
OPTIONS = ScanOptions(use_cache=False, resolve=False, assess=False, inspect_artifacts=False)

#: (file, value, what construct it stands for): each must be found exactly there.
CONSTRUCTS: list[tuple[str, str, str]] = [
    ("tables.py", "acme-speech/aligner-large-xx", "dict of Hub ids by language"),
    ("tables.py", "contoso-chat-2", "list member lifted by a known sibling"),
    ("tables.py", "contoso-lite-1", "tuple member lifted by a known sibling"),
    ("tables.py", "acme/embedder-base", "set member lifted by a known sibling"),
    ("tables.py", "deepseek-reasoner", "enum member"),
    ("tables.py", "completions_pro", "a provider's route name the KB lists, underscore and all"),
    ("travel.py", "acme/base-encoder-v3", "constant passed to a loader through a default"),
    ("travel.py", "qwen-max", "os.getenv default"),
    ("travel.py", "acme/encoder-small", "function default under a model parameter"),
    ("travel.py", "tiny", "argparse --model default"),
    ("travel.py", "moonshot-v1-8k", "if == chain"),
    ("travel.py", "abab6.5s-chat", "elif == chain"),
    ("consts.py", "acme-chat-9", "module constant imported by another module's loader"),
    ("prefixed.ts", "gpt-4o-mini", "provider-prefixed id in a TS union type"),
    ("prefixed.ts", "mistral-large-latest", "provider/model key of a Record limits table"),
    ("prefixed.ts", "https://api.moonshot.cn/v1/chat/completions", "fetch to a provider host"),
    ("prefixed.ts", "grok-3", "switch case"),
    ("prefixed.ts", "Doubao-pro-32k", "an id with its first letter raised, in a models list"),
    ("prefixed.ts", "hunyuan.tencentcloudapi.com", "a provider API host without a scheme"),
    ("prefixed.ts", "o1", "an unquoted key among quoted model keys"),
    ("main.go", "qwen-plus", "Go constant"),
    ("main.go", "acme-go-chat-2", "Go slice member lifted by a known sibling"),
    ("main.go", "https://open.bigmodel.cn/api/paas/v4", "Go client base URL"),
    ("main.go", "https://bedrock-runtime.%s.amazonaws.com", "Go URL built by fmt.Sprintf"),
    ("Models.java", "text-embedding-3-small", "Java enum argument"),
    ("Chat.kt", "claude-sonnet-4-5", "Kotlin constant"),
    ("Chat.cs", "gpt-4o", "C# constant"),
    ("lib.rs", "mistral-small-latest", "Rust constant"),
    ("seed.sql", "acme-sql-chat-2", "SQL seed row lifted by a known sibling"),
    ("run.ps1", "gpt-4o-mini", "PowerShell variable"),
    ("run.ps1", "https://api.deepseek.com/chat/completions", "PowerShell request"),
    ("main.tf", "acme/tf-llm-7b", "Terraform variable default"),
    (".env.local.example", "https://api.deepseek.com", "commented setting in .env.local.example"),
    (".env.local.example", "deepseek-reasoner", "comma-separated model list in .env"),
    ("model-crd.yaml", "Qwen/Qwen2.5-7B-Instruct", "hf:// URL in a Model CRD"),
    ("model-crd.yaml", "qwen2.5:7b", "commented ollama:// URL"),
    ("model-crd.yaml", "s3://acme-models/adapters/support-lora", "s3:// adapter location"),
    ("models.json", "gpt-5-mini", "model JSON file: id under models"),
    ("models.json", "llama3.1:8b", "ollama/ prefix in a model JSON file"),
    ("serve.sh", "meta-llama/Llama-3.2-1B-Instruct", "vllm serve"),
    ("serve.sh", "nomic-embed-text", "ollama pull"),
    ("serve.sh", "https://api.anthropic.com/v1/messages", "curl to a provider host"),
    ("weights.py", "gs://acme-bucket/checkpoints/paligemma_224.npz", "gs:// weights"),
    ("weights.py", "WAV2VEC2_ASR_BASE_960H", "named weight pack"),
    ("weights.py", "/home/$USER/.cache/acme/checkpoints/acme_base", "a path with $USER in it"),
    ("config.template", "gpt-4.1", "generic pass over another text file"),
]


def _found(project: str) -> list[ModelReference]:
    return list(scan([CORPUS / project], OPTIONS).references)


@pytest.fixture(scope="module")
def found() -> list[ModelReference]:
    return _found("constructs")


@pytest.mark.parametrize(("path", "value", "construct"), CONSTRUCTS, ids=[c[2] for c in CONSTRUCTS])
def test_construct_is_found(
    found: list[ModelReference], path: str, value: str, construct: str
) -> None:
    assert any(r.location.path == path and r.value == value for r in found), construct


def test_the_whole_project_matches_its_expectation(found: list[ModelReference]) -> None:
    rows = json.loads((CORPUS / "constructs.expected.json").read_text(encoding="utf-8"))
    expected = {(r["kind"], r["value"], r["path"], r["line"]) for r in rows}
    got = {(r.kind.value, r.value, r.location.path, r.location.line) for r in found}
    assert got == expected, (sorted(got - expected), sorted(expected - got))


def test_cross_module_constant_says_where_it_is_used(found: list[ModelReference]) -> None:
    (ref,) = [r for r in found if r.value == "acme-chat-9"]
    assert ref.context["used_in"] == "uses_consts.py:5"
    assert ref.context["provider"] == "openai"


def test_hard_negatives_are_never_reported() -> None:
    assert [
        (r.location.path, r.location.line, r.value) for r in _found("constructs-negatives")
    ] == []
