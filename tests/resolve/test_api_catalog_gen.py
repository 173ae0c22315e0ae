"""API model ids of every mode from LiteLLM's catalogue (tools/kb_api_catalog.py)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

from modeldeps import safeyaml
from modeldeps.discover.detectors import recognizer

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "src" / "modeldeps" / "resolve" / "data"


def _tool() -> Any:
    path = ROOT / "tools/kb_api_catalog.py"
    spec = importlib.util.spec_from_file_location("kb_api_catalog", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _catalogue(path: Path) -> Path:
    rows = {
        "stability/sd3.5-large": ("stability", "image_generation"),
        "stability/sd3": ("stability", "image_generation"),  # short abbreviation
        "stability/inpaint": ("stability", "image_edit"),  # an operation
        "black_forest_labs/flux-pro-1.1": ("black_forest_labs", "image_generation"),
        "black_forest_labs/flux-dev": ("black_forest_labs", "image_generation"),
        "gigachat/Embeddings": ("gigachat", "embedding"),  # a plain word
        "gigachat/GigaChat-2-Max": ("gigachat", "chat"),
        "dashscope/deepseek-v4-flash": ("dashscope", "chat"),  # another developer's model
        "dashscope/qwen-image-2.0": ("dashscope", "image_generation"),
        "perplexity/llama-3.1-70b-instruct": ("perplexity", "chat"),  # Meta's model
        "openai/low/1024-x-1024/gpt-image-1": ("openai", "image_generation"),  # sized variant
        "tts-1": ("openai", "audio_speech"),  # already in the KB
        "fal_ai/fal-ai/flux-pro/v1.1": ("fal_ai", "image_generation"),  # an aggregator
        "deepgram/nova-3": ("deepgram", "audio_transcription"),  # no KB publisher
    }
    data = {k: {"litellm_provider": p, "mode": m} for k, (p, m) in rows.items()}
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_ids_of_developers_every_mode(tmp_path: Path) -> None:
    records = _tool().build(
        [("litellm-x-catalog", _catalogue(tmp_path / "c.json"))],
        ["tts-1"],
        api_patterns=[("^(qwen[.-]|qwen-)", "alibaba"), ("^deepseek-", "deepseek")],
        family_patterns=[("(?i)\\bllama", "meta")],
        publishers=["stability", "black-forest-labs", "sber", "alibaba", "perplexity", "openai"],
    )
    got = {(r["id"], r["publisher"]) for r in records}
    assert got == {
        ("sd3.5-large", "stability"),
        ("flux-pro-1.1", "black-forest-labs"),
        ("flux-dev", "black-forest-labs"),  # the product line of the numbered flux ids
        ("GigaChat-2-Max", "sber"),
        ("qwen-image-2.0", "alibaba"),  # a reseller's own model, by the KB's pattern
    }
    assert all(r["sources"] == ["litellm-x-catalog"] for r in records)


def test_bundled_catalogue_feeds_the_recognizer() -> None:
    doc = safeyaml.load((DATA / "api_catalog.gen.yaml").read_text(encoding="utf-8"))
    ids = {r["id"] for r in doc["api_models"]}
    assert {"sd3.5-large", "flux-pro-1.1", "eleven_multilingual_v2", "speech-02-hd"} <= ids
    for value in ("sd3.5-large", "flux-pro-1.1", "GigaChat-2-Max", "voyage-3.5"):
        found = recognizer.intrinsic(value)
        assert found is not None and found.rule == "kb-api", value
    assert all(s["license"] == "MIT" for s in doc["sources"])
