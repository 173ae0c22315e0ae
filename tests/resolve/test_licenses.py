"""Licence order on every resolution path: the model's own licence first, inherited ones after
(the assess rule MD305 reads ``licenses[0]`` as the model's own)."""

from __future__ import annotations

from pathlib import Path

import pytest

from modeldeps.model import ArtifactInfo, Location
from modeldeps.resolve import Resolver
from tests.resolve.helpers import model_dir


@pytest.fixture(scope="module")
def r() -> Resolver:
    return Resolver.create()


def test_hub_id_exact_entry(r: Resolver) -> None:
    ident = r.resolve_hub_id("deepseek-ai/DeepSeek-R1-Distill-Qwen-7B")
    assert ident.licenses[0] == "mit" and len(ident.licenses) > 1


def test_reuploader_inherits_in_the_same_order(r: Resolver) -> None:
    ident = r.resolve_hub_id("bartowski/DeepSeek-R1-Distill-Qwen-7B-GGUF")
    assert ident.decided_by == "reuploader"
    assert ident.licenses == r.resolve_hub_id("deepseek-ai/DeepSeek-R1-Distill-Qwen-7B").licenses


def test_model_dir_card_licence_beats_family_default(r: Resolver, tmp_path: Path) -> None:
    """Folder names a known org (family default licence is only a guess); the card says MIT."""
    d = model_dir(
        tmp_path,
        "Qwen__Qwen3-8B-house-tune",
        config={"model_type": "qwen3", "vocab_size": 151936},
        card="---\nlicense: mit\nbase_model: Qwen/Qwen3-8B\n---\n",
    )
    ident = r.resolve_model_dir(d)
    base = r.resolve_hub_id("Qwen/Qwen3-8B")
    assert ident.licenses[0] == "mit"
    assert set(base.licenses) <= set(ident.licenses[1:])


def test_model_dir_exact_entry_with_card(r: Resolver, tmp_path: Path) -> None:
    d = model_dir(
        tmp_path,
        "deepseek-ai__DeepSeek-R1-Distill-Qwen-7B",
        config={"model_type": "qwen2"},
        card="---\nlicense: mit\n---\n",
    )
    ident = r.resolve_model_dir(d)
    assert ident.licenses[0] == "mit" and "apache-2.0" in ident.licenses[1:]


def test_model_dir_without_name_card_base(r: Resolver, tmp_path: Path) -> None:
    d = model_dir(
        tmp_path,
        "out",
        config={"model_type": "qwen2", "vocab_size": 152064},
        card="---\nlicense: mit\nbase_model: Qwen/Qwen2.5-7B-Instruct\n---\n",
    )
    ident = r.resolve_model_dir(d, use_path_name=False)
    base = r.resolve_hub_id("Qwen/Qwen2.5-7B-Instruct")
    assert ident.licenses[0] == "mit" and base.licenses[0] in ident.licenses[1:]


def test_gguf_own_licence_then_base(r: Resolver) -> None:
    meta = {
        "general.architecture": "qwen2",
        "general.license": "mit",
        "general.base_model.count": 1,
        "general.base_model.0.repo_url": "https://huggingface.co/Qwen/Qwen2.5-7B-Instruct",
        "tokenizer.ggml.pre": "qwen2",
    }
    ident = r.resolve_artifact(ArtifactInfo(Location("x.gguf"), "gguf", 1, metadata=meta))
    base = r.resolve_hub_id("Qwen/Qwen2.5-7B-Instruct")
    assert ident.licenses[0] == "mit" and base.licenses[0] in ident.licenses[1:]
