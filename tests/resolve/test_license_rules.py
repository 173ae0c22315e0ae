"""Per-model licences: each versioned rule, the resolution order and what confidence means."""

from __future__ import annotations

from pathlib import Path

import pytest

from modeldeps.model import Confidence
from modeldeps.resolve import Resolver
from modeldeps.resolve.sources.interface import HubFacts, KnowledgeSource


@pytest.fixture(scope="module")
def r() -> Resolver:
    return Resolver.create()


@pytest.mark.parametrize(
    ("model_id", "licence"),
    [
        # Qwen: each generation and size
        ("Qwen/Qwen2.5-3B-Instruct", "qwen-research"),
        ("Qwen/Qwen2.5-Coder-3B-Instruct", "qwen-research"),
        ("Qwen/Qwen2.5-VL-3B-Instruct", "qwen-research"),
        ("Qwen/Qwen2.5-72B-Instruct", "qwen"),
        ("Qwen/Qwen2.5-VL-72B-Instruct", "qwen"),
        ("Qwen/Qwen2.5-7B-Instruct", "apache-2.0"),
        ("Qwen/Qwen2.5-32B-Instruct", "apache-2.0"),
        ("Qwen/Qwen2.5-Coder-32B-Instruct", "apache-2.0"),
        ("Qwen/Qwen2-72B-Instruct", "tongyi-qianwen"),
        ("Qwen/Qwen2-7B-Instruct", "apache-2.0"),
        ("Qwen/Qwen1.5-7B-Chat", "tongyi-qianwen"),
        ("Qwen/Qwen-1_8B-Chat", "tongyi-qianwen-research"),
        ("Qwen/Qwen3-8B", "apache-2.0"),
        ("Qwen/QwQ-32B", "apache-2.0"),
        # Llama: every release its own
        ("meta-llama/Llama-2-7b-chat-hf", "llama2"),
        ("meta-llama/CodeLlama-7b-Instruct-hf", "llama2"),
        ("meta-llama/Meta-Llama-3-70B-Instruct", "llama3"),
        ("meta-llama/Meta-Llama-3.1-8B-Instruct", "llama3.1"),
        ("meta-llama/Llama-3.1-8B-Instruct", "llama3.1"),
        ("meta-llama/Llama-3.2-11B-Vision-Instruct", "llama3.2-multimodal"),
        ("meta-llama/Llama-3.2-90B-Vision", "llama3.2-multimodal"),
        ("meta-llama/Llama-Guard-3-11B-Vision", "llama3.2-multimodal"),
        ("meta-llama/Llama-3.2-1B", "llama3.2"),
        ("meta-llama/Llama-3.3-70B-Instruct", "llama3.3"),
        ("meta-llama/Llama-4-Scout-17B-16E-Instruct", "llama4"),
        ("meta-llama/Llama-Guard-3-8B", "llama3.1"),
        ("meta-llama/Llama-Guard-3-1B", "llama3.2"),
        # Mistral: Apache, MRL, MNPL by model
        ("mistralai/Mistral-7B-Instruct-v0.3", "apache-2.0"),
        ("mistralai/Mixtral-8x7B-Instruct-v0.1", "apache-2.0"),
        ("mistralai/Mistral-Nemo-Instruct-2407", "apache-2.0"),
        ("mistralai/Mistral-Small-24B-Instruct-2501", "apache-2.0"),
        ("mistralai/Mistral-Large-Instruct-2407", "mistral-research-license"),
        ("mistralai/Mistral-Large-Instruct-2411", "mistral-research-license"),
        ("mistralai/Ministral-8B-Instruct-2410", "mistral-research-license"),
        ("mistralai/Mistral-Small-Instruct-2409", "mistral-research-license"),
        ("mistralai/Codestral-22B-v0.1", "mnpl"),
        # Gemma
        ("google/gemma-2-9b-it", "gemma"),
        ("google/gemma-3-27b-it", "gemma"),
        ("google/codegemma-7b-it", "gemma"),
        ("google/medgemma-4b-it", "health-ai-developer-foundations"),
        # DeepSeek: the model licence until the MIT releases
        ("deepseek-ai/deepseek-coder-6.7b-instruct", "deepseek-license"),
        ("deepseek-ai/DeepSeek-V2-Lite-Chat", "deepseek-license"),
        ("deepseek-ai/DeepSeek-V3-0324", "mit"),
        ("deepseek-ai/DeepSeek-V3.1", "mit"),
        ("deepseek-ai/DeepSeek-R1-0528", "mit"),
        # Phi
        ("microsoft/Phi-3-mini-4k-instruct", "mit"),
        ("microsoft/phi-4", "mit"),
        # GLM versions
        ("THUDM/chatglm-6b", "chatglm-6b"),
        ("THUDM/chatglm2-6b", "chatglm2-6b"),
        ("THUDM/chatglm3-6b", "chatglm3-6b"),
        ("THUDM/glm-4-9b-chat", "glm-4"),
        ("THUDM/GLM-4-32B-0414", "mit"),
        ("zai-org/GLM-4.5-Air", "mit"),
        ("THUDM/codegeex4-all-9b", "codegeex4"),
        # lines whose cards carry one licence
        ("openai/whisper-large-v3", "apache-2.0"),
        ("sentence-transformers/all-MiniLM-L6-v2", "apache-2.0"),
    ],
)
def test_each_versioned_rule(r: Resolver, model_id: str, licence: str) -> None:
    ident = r.resolve_hub_id(model_id)
    assert ident.licenses[:1] == (licence,), (model_id, ident.licenses)
    if ident.decided_by != "exact":
        rule_ev = [e for e in ident.evidence if e.rule == "license-rule"]
        assert rule_ev and rule_ev[0].citation, model_id  # every rule cites its source
        assert ident.license_confidence is Confidence.MEDIUM


def test_every_rule_is_sourced_and_names_a_known_licence(r: Resolver) -> None:
    for rule in r.kb.license_rules:
        assert rule.sources and all(s in r.kb.sources for s in rule.sources), rule.id
        assert rule.license is None or rule.license in r.kb.licenses, rule.id
        assert rule.license or rule.open_weights is False, rule.id


def test_closed_model_named_like_a_hub_id_has_no_weights_licence(r: Resolver) -> None:
    ident = r.resolve_hub_id("ByteDance/Seed-1.8-high")
    assert ident.open_weights is False and ident.licenses == ()


def test_reupload_carries_the_rule_of_its_base(r: Resolver) -> None:
    ident = r.resolve_hub_id("bartowski/Qwen2.5-3B-Instruct-GGUF")
    assert ident.licenses[:1] == ("qwen-research",) and ident.uploader == "bartowski"


def test_exact_sourced_record_is_the_only_high(r: Resolver) -> None:
    exact = r.resolve_hub_id("meta-llama/Llama-3.3-70B-Instruct")
    assert exact.decided_by == "exact" and exact.confidence is Confidence.HIGH
    assert exact.license_confidence is Confidence.HIGH
    by_org = r.resolve_hub_id("meta-llama/Llama-3.1-8B-Instruct")
    assert by_org.decided_by == "publisher-org" and by_org.confidence is Confidence.MEDIUM


def test_organization_default_is_assumed_and_low(r: Resolver) -> None:
    """No record, no rule: the family's usual licence, labelled assumed, low confidence."""
    ident = r.resolve_hub_id("BAAI/bge-multilingual-gemma2")
    assumed = [e for e in ident.evidence if e.rule == "license-assumed"]
    assert ident.licenses and assumed and "assumed" in assumed[0].detail
    assert ident.license_confidence is Confidence.LOW


def test_card_licence_is_medium(r: Resolver, tmp_path: Path) -> None:
    from tests.resolve.helpers import model_dir

    d = model_dir(
        tmp_path,
        "acme__bge-house",
        config={"model_type": "xlm-roberta"},
        card="---\nlicense: mit\nbase_model: BAAI/bge-m3\n---\n",
    )
    ident = r.resolve_model_dir(d)
    assert "mit" in ident.licenses
    assert any(e.rule == "license-card" and e.source == "card" for e in ident.evidence)


class _Hub(KnowledgeSource):
    name = "fake-hub"

    def hub_facts(self, model_id: str) -> HubFacts | None:
        return HubFacts(model_id, licenses=("cc-by-nc-4.0",), source="hub")


def test_online_comes_after_rules_and_before_the_assumed_default() -> None:
    r = Resolver(Resolver.create().kb, _Hub())
    online = r.resolve_hub_id("BAAI/bge-en-icl")
    assert online.licenses == ("cc-by-nc-4.0",)
    assert any(e.rule == "license-online" and e.source == "online" for e in online.evidence)
    assert online.license_confidence is Confidence.MEDIUM
    ruled = r.resolve_hub_id("Qwen/Qwen2.5-3B-Instruct")  # a rule answers before the Hub
    assert ruled.licenses == ("qwen-research",)


def test_overlay_facts_name_the_overlay(tmp_path: Path) -> None:
    overlay = tmp_path / "ours.yaml"
    overlay.write_text(
        "models:\n- {id: acme/house-llm, publisher: mistral, licenses: [apache-2.0],"
        " sources: [spdx-list]}\n",
        encoding="utf-8",
    )
    r = Resolver.create(overlays=(overlay,))
    ident = r.resolve_hub_id("acme/house-llm")
    assert ident.evidence[0].source == "overlay ours.yaml"
    bundled = r.resolve_hub_id("meta-llama/Llama-3.3-70B-Instruct")
    assert bundled.evidence[0].source == "bundled-kb"
