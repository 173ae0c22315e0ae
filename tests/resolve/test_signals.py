"""Makers and bases named by the artifact itself (folder names ignored): card developer fields,
the id a card's code loads, library_name conversions, config _name_or_path, GGUF general.*."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from modeldeps.model import ArtifactInfo, Identity, Location
from modeldeps.resolve import Resolver
from modeldeps.resolve.sources.card import read_card_body
from tests.resolve.helpers import model_dir

QWEN = {"model_type": "qwen2", "architectures": ["Qwen2ForCausalLM"], "vocab_size": 152064}
LLAMA = {"model_type": "llama", "architectures": ["LlamaForCausalLM"], "vocab_size": 128256}
MIXTRAL = {"model_type": "mixtral", "architectures": ["MixtralForCausalLM"], "vocab_size": 32000}


@pytest.fixture(scope="module")
def r() -> Resolver:
    return Resolver.create()


def _dir(r: Resolver, root: Path, config: dict[str, Any], card: str | None) -> Identity:
    return r.resolve_model_dir(model_dir(root, "m", config=config, card=card), use_path_name=False)


def test_developed_by_field_names_the_maker(r: Resolver, tmp_path: Path) -> None:
    card = "---\nbase_model: Qwen/Qwen2.5-7B\n---\n# Tune\n\n- **Developed by:** Nous Research\n"
    ident = _dir(r, tmp_path, QWEN, card)
    assert ident.publisher is not None and ident.publisher.id == "nous-research"
    assert ident.country == "US" and ident.lineage_countries == ("CN",)


def test_prose_is_not_a_developer_field() -> None:
    text = read_card_body("Developers can fine-tune it for Meta use cases.\n**Author:** Google\n")
    assert text.developers == ("Google",)


def test_card_code_gives_the_models_own_id(r: Resolver, tmp_path: Path) -> None:
    card = '# Japanese Llama\n\n```python\nmodel_name = "elyza/ELYZA-japanese-Llama-2-13b"\n```\n'
    ident = _dir(r, tmp_path, LLAMA, card)
    assert ident.publisher is not None and ident.publisher.id == "elyza" and ident.country == "JP"
    assert ident.lineage_countries == ("US",) and ident.decided_by == "card-self-id"


def test_own_id_of_an_org_the_kb_lacks_is_not_the_familys(r: Resolver, tmp_path: Path) -> None:
    card = '# Bot\n\n    AutoModel.from_pretrained("acme-ml/support-bot")\n'
    ident = _dir(r, tmp_path, QWEN, card)
    assert ident.publisher is None and ident.family == "qwen"
    assert ident.lineage_countries == ("CN",) and ident.canonical_id == "acme-ml/support-bot"


def test_base_and_adapter_from_two_orgs_name_no_own_id() -> None:
    body = (
        'base = AutoModel.from_pretrained("meta-llama/Llama-3.1-8B")\n'
        'model = PeftModel.from_pretrained(base, "acme-ml/llama-lora")\n'
    )
    assert read_card_body(body).self_ids == ()
    assert read_card_body(body, exclude=["meta-llama/Llama-3.1-8B"]).self_ids == (
        "acme-ml/llama-lora",
    )


def test_card_body_base_model_field(r: Resolver, tmp_path: Path) -> None:
    card = (
        "# Big MoE\n* **Developed by**: WizardLM@Microsoft AI\n"
        "* **Base model**: [mistral-community/Mixtral-8x22B-v0.1]"
        "(https://huggingface.co/mistral-community/Mixtral-8x22B-v0.1)\n"
    )
    ident = _dir(r, tmp_path, MIXTRAL, card)
    assert ident.publisher is not None and ident.publisher.id == "microsoft"
    assert ident.lineage[0].base == "mistral-community/Mixtral-8x22B-v0.1"
    assert ident.lineage_countries == ("FR",)


def test_mlx_conversion_keeps_the_base_publisher(r: Resolver, tmp_path: Path) -> None:
    card = "---\nlibrary_name: mlx\nbase_model: Qwen/Qwen3-1.7B\ntags: [mlx]\n---\n# x\n"
    ident = _dir(r, tmp_path, {"model_type": "qwen3", "vocab_size": 151936}, card)
    assert ident.publisher is not None and ident.publisher.id == "alibaba"
    assert ident.lineage[0].relation == "quantized"


def test_local_checkpoint_in_name_or_path_means_derivative(r: Resolver, tmp_path: Path) -> None:
    config = {**MIXTRAL, "_name_or_path": "/workspace/models/Mixtral-8x7B-v0.1"}
    ident = _dir(r, tmp_path, config, "---\nlicense: apache-2.0\n---\n# My tune\n")
    assert ident.publisher is None and ident.family == "mistral"
    assert ident.lineage_countries == ("FR",) and ident.lineage[0].base == "Mixtral-8x7B-v0.1"


def test_name_or_path_of_another_known_org(r: Resolver, tmp_path: Path) -> None:
    config = {**LLAMA, "_name_or_path": "NousResearch/Hermes-3-Llama-3.1-8B"}
    ident = _dir(r, tmp_path, config, "# Hermes\n")
    assert ident.publisher is not None and ident.publisher.id == "nous-research"
    assert ident.lineage_countries == ("US",)
    own_org = _dir(r, tmp_path / "b", {**LLAMA, "_name_or_path": "meta-llama/Llama-3.1-8B"}, "#\n")
    assert own_org.decided_by == "family-default"  # the family's own org says nothing new


def _gguf(r: Resolver, **meta: Any) -> Identity:
    base = {"general.architecture": "llama", "tokenizer.ggml.pre": "llama-bpe"}
    return r.resolve_artifact(ArtifactInfo(Location("m.gguf"), "gguf", 1, metadata=base | meta))


def test_gguf_general_organization_and_urls(r: Resolver) -> None:
    org = _gguf(r, **{"general.organization": "Nous Research"})
    assert org.publisher is not None and org.publisher.id == "nous-research"
    src = _gguf(r, **{"general.source.url": "https://huggingface.co/Qwen/Qwen2.5-7B-Instruct"})
    assert src.publisher is not None and src.publisher.id == "alibaba"
    assert src.lineage[0].relation == "quantized"
    own = _gguf(r, **{"general.url": "https://huggingface.co/NousResearch/Hermes-3-Llama-3.1-8B"})
    assert own.publisher is not None and own.publisher.id == "nous-research"


def test_publisher_by_text(r: Resolver) -> None:
    find = r.kb.publisher_by_text
    assert find("Granite Team, IBM").id == "ibm"  # type: ignore[union-attr]
    assert find("WizardLM@Microsoft AI").id == "microsoft"  # type: ignore[union-attr]
    assert find("Mistral AI").id == "mistral"  # type: ignore[union-attr]
    assert find("Eric Hartford") is None and find("the AI team") is None
