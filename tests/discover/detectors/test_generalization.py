"""General weaknesses found on repositories the recognizer was not tuned on, each as a construct
written for this test (``tests/corpus/constructs2/``) and its hard negatives
(``tests/corpus/constructs2-negatives/``): endpoints of providers the KB does not list, model
families the vocabulary lacked, package names, dataset ids, equality tests against bare names.

A construct that stops being found, or a negative that starts being reported, fails here.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from modeldeps.model import ModelReference, RefKind
from modeldeps.options import ScanOptions
from modeldeps.pipeline import scan

CORPUS = Path(__file__).resolve().parents[2] / "corpus"
OPTIONS = ScanOptions(use_cache=False, resolve=False, assess=False, inspect_artifacts=False)

#: (file, kind, value, construct): each must be found exactly there.
CONSTRUCTS: list[tuple[str, RefKind, str, str]] = [
    ("endpoints.py", RefKind.ENDPOINT, "https://api.quillmind.ai/v1", "unknown host, client"),
    (
        "endpoints.py",
        RefKind.ENDPOINT,
        "https://bedrock-mantle.%s.api.aws/v1",
        "region template in a host (printf)",
    ),
    (
        "endpoints.py",
        RefKind.ENDPOINT,
        "https://{os.environ['REGION']}-aiplatform.googleapis.com/v1",
        "region template in a host (f-string)",
    ),
    ("endpoints.py", RefKind.ENDPOINT, "https://llm.chutes.ai/v1", "host from models.dev"),
    (
        "endpoints.py",
        RefKind.ENDPOINT,
        "https://pixelforge.com/api/v6/images/text2img",
        "image API route in a request",
    ),
    (".env.example", RefKind.ENDPOINT, "https://api.larkmodels.com/v1", "OPENAI_BASE_URL setting"),
    (".env.example", RefKind.ENDPOINT, "https://api.nimbuslabs.ai/v1", "*_BASE_URL setting, .ai"),
    ("client.ts", RefKind.ENDPOINT, "https://inference.corvid.dev/v1", "baseURL of a TS client"),
    (
        "client.ts",
        RefKind.ENDPOINT,
        "https://:resource_name.openai.azure.com/openai/deployments/:deployment_id",
        "route-parameter template in a host",
    ),
    ("media.py", RefKind.API_MODEL, "dall-e-3", "image model in a list under an image key"),
    ("media.py", RefKind.API_MODEL, "sd3.5-large", "Stability engine (LiteLLM catalogue)"),
    ("media.py", RefKind.API_MODEL, "stable-diffusion-xl-1024-v1-0", "Stable Diffusion family"),
    ("media.py", RefKind.API_MODEL, "flux-pro-1.1", "Black Forest Labs model (catalogue)"),
    ("media.py", RefKind.API_MODEL, "cogvideox-flash", "Zhipu video model"),
    ("media.py", RefKind.API_MODEL, "models/gemini-2.5-flash-image", "Gemini resource name"),
    ("media.py", RefKind.API_MODEL, "veo-3.0-generate-preview", "Veo video model"),
    ("media.py", RefKind.API_MODEL, "imagen-4.0-generate-001", "Imagen image model"),
    ("media.py", RefKind.API_MODEL, "tts-1", "speech model argument"),
    ("media.py", RefKind.API_MODEL, "whisper-1", "transcription model argument"),
    ("media.py", RefKind.API_MODEL, "text-embedding-3-large", "embedding dimensions table key"),
    ("media.py", RefKind.API_MODEL, "eleven_multilingual_v2", "ElevenLabs id with underscores"),
    ("media.ts", RefKind.API_MODEL, "text-embedding-3-small", "embedding model in a union type"),
    ("media.ts", RefKind.API_MODEL, "gpt-image-1", "image model constant in TS"),
    ("giga.yaml", RefKind.API_MODEL, "GigaChat", "GigaChat under a model key"),
    ("giga.yaml", RefKind.ENDPOINT, "https://gigachat.devices.sberbank.ru/api/v1", "GigaChat host"),
    ("giga.yaml", RefKind.API_MODEL, "qwen-image", "model key under an image section"),
    ("giga.yaml", RefKind.API_MODEL, "text-embedding-3-small", "embedding section"),
    ("recipe.yaml", RefKind.HUB_MODEL, "Qwen/Qwen2.5-7B-Instruct", "base model beside datasets"),
    ("selectors.ts", RefKind.API_MODEL, "o1", "TS case label"),
    ("selectors.ts", RefKind.API_MODEL, "gpt-4.1-nano", "TS === comparison"),
    ("selectors.ts", RefKind.API_MODEL, "dall-e-3", "anchored regex literal"),
    ("selectors.ts", RefKind.API_MODEL, "gpt-image-1-mini", "anchored regex alternation"),
    ("selectors.ts", RefKind.API_MODEL, "claude-opus-4-1", "new RegExp with anchors"),
    ("selectors.py", RefKind.API_MODEL, "o4-mini", "re.fullmatch"),
    ("selectors.py", RefKind.API_MODEL, "gemini-2.5-pro", "re.match with both anchors"),
    ("selectors.py", RefKind.API_MODEL, "deepseek-reasoner", "match/case label"),
    ("selectors.go", RefKind.API_MODEL, "claude-sonnet-4-5", "Go regexp.MustCompile anchored"),
    ("selectors.go", RefKind.API_MODEL, "qwen-max", "Go == comparison"),
    (
        "docstring.py",
        RefKind.HUB_MODEL,
        "acme-research/widget-encoder-base",
        "docstring example continued on ... lines",
    ),
]


def _found(project: str) -> list[ModelReference]:
    return list(scan([CORPUS / project], OPTIONS).references)


@pytest.fixture(scope="module")
def found() -> list[ModelReference]:
    return _found("constructs2")


@pytest.mark.parametrize(
    ("path", "kind", "value", "construct"), CONSTRUCTS, ids=[c[3] for c in CONSTRUCTS]
)
def test_construct_is_found(
    found: list[ModelReference], path: str, kind: RefKind, value: str, construct: str
) -> None:
    assert any(r.location.path == path and r.value == value and r.kind is kind for r in found), (
        construct
    )


def test_the_whole_project_matches_its_expectation(found: list[ModelReference]) -> None:
    rows = json.loads((CORPUS / "constructs2.expected.json").read_text(encoding="utf-8"))
    expected = {(r["kind"], r["value"], r["path"], r["line"]) for r in rows}
    got = {(r.kind.value, r.value, r.location.path, r.location.line) for r in found}
    assert got == expected, (sorted(got - expected), sorted(expected - got))


def test_unknown_hosts_are_endpoints_of_lower_confidence(found: list[ModelReference]) -> None:
    by_value = {r.value: r for r in found}
    assert by_value["https://api.quillmind.ai/v1"].context["confidence"] != "high"
    assert by_value["https://api.quillmind.ai/v1"].context["egress"] == "client"
    assert by_value["https://llm.chutes.ai/v1"].context["confidence"] == "high"
    assert by_value["https://api.larkmodels.com/v1"].context["egress"] == "config"
    assert by_value["https://pixelforge.com/api/v6/images/text2img"].context["egress"] == "request"


def test_hard_negatives_are_never_reported() -> None:
    assert [
        (r.location.path, r.location.line, r.value) for r in _found("constructs2-negatives")
    ] == []
