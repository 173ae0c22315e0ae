"""Licence and lifecycle rules over the bundled knowledge base: the cases of issue reports."""

from __future__ import annotations

from modeldeps.model import Confidence, RefKind, Severity
from tests.assess.helpers import of, policy, ref, result, run

NO_WATCH = policy(watch={})
LATER = "2026-12-04T12:00:00+00:00"


def test_md301_fires_for_qwen25_3b_research_licence() -> None:
    (f,) = of(run(result(ref("Qwen/Qwen2.5-3B-Instruct")), NO_WATCH), "MD301")
    assert "Qwen Research License" in f.message and f.severity is Severity.HIGH
    assert f.confidence is Confidence.MEDIUM and "assumed" not in f.message
    assert not of(run(result(ref("Qwen/Qwen2.5-7B-Instruct")), NO_WATCH), "MD301")


def test_md301_fires_for_mistral_large_2407() -> None:
    (f,) = of(run(result(ref("mistralai/Mistral-Large-Instruct-2407")), NO_WATCH), "MD301")
    assert "Mistral Research License" in f.message


def test_md304_fires_for_llama_32_vision_and_not_for_llama_31() -> None:
    (f,) = of(run(result(ref("meta-llama/Llama-3.2-11B-Vision-Instruct")), NO_WATCH), "MD304")
    assert "European Union" in f.message or "EU" in f.message
    assert not of(run(result(ref("meta-llama/Llama-3.1-8B-Instruct")), NO_WATCH), "MD304")


def test_md304_llama_32_eu_clause_covers_its_multimodal_models_only() -> None:
    """The Llama 3.2 Acceptable Use Policy withholds rights in the EU "with respect to any
    multimodal models included in Llama 3.2": the 1B/3B text models are not concerned."""
    for text in ("meta-llama/Llama-3.2-1B-Instruct", "meta-llama/Llama-3.2-3B", "llama3.2:3b"):
        kind = RefKind.OLLAMA_MODEL if ":" in text else RefKind.HUB_MODEL
        findings = run(result(ref(text, kind)), NO_WATCH)
        assert not of(findings, "MD304"), text
        assert of(findings, "MD302") and of(findings, "MD303"), text  # AUP and MAU still apply
    for multi in (
        "meta-llama/Llama-3.2-90B-Vision-Instruct",
        "meta-llama/Llama-Guard-3-11B-Vision",
        "unsloth/Llama-3.2-11B-Vision-Instruct-bnb-4bit",
        "meta-llama/Llama-4-Scout-17B-16E-Instruct",
    ):
        (f,) = of(run(result(ref(multi)), NO_WATCH), "MD304")
        assert "European Union" in f.message and "multimodal" in f.message, multi
    (f,) = of(run(result(ref("llama3.2-vision:11b", RefKind.OLLAMA_MODEL)), NO_WATCH), "MD304")


def test_md304_for_a_local_multimodal_llama_32_folder_by_its_config(tmp_path: object) -> None:
    """A model folder whose card says llama3.2: the config decides whether it is multimodal."""
    import json
    from pathlib import Path

    from tests.assess.helpers import _RESOLVER

    card = "---\nlicense: llama3.2\n---\n"
    found = {}
    for name, config in (
        ("vision", {"model_type": "mllama", "architectures": ["MllamaForConditionalGeneration"]}),
        ("text", {"model_type": "llama", "architectures": ["LlamaForCausalLM"]}),
    ):
        d = Path(str(tmp_path)) / name
        d.mkdir()
        (d / "config.json").write_text(json.dumps(config), encoding="utf-8")
        (d / "README.md").write_text(card, encoding="utf-8")
        found[name] = _RESOLVER.resolve_model_dir(d, use_path_name=False).licenses
    assert found["vision"][0] == "llama3.2-multimodal"
    assert found["text"][0] == "llama3.2"


def test_a_ci_failing_licence_rule_says_when_it_rests_on_an_assumption(tmp_path: object) -> None:
    """A model whose licence is only the family's usual one: the finding says so, low."""
    from pathlib import Path

    overlay = Path(str(tmp_path)) / "kb.yaml"
    overlay.write_text(
        "families:\n- {id: house, name: House, publisher: mistral, name_patterns: ['^house-'],"
        " default_license: cc-by-nc-4.0, sources: [spdx-list]}\n",
        encoding="utf-8",
    )
    from dataclasses import replace

    from modeldeps.assess.knowledge import load_knowledge
    from modeldeps.model import Location, ModelReference
    from modeldeps.resolve import Resolver

    r = Resolver.create(overlays=(overlay,))
    m = ModelReference(RefKind.HUB_MODEL, "mistralai/house-7b", Location("app.py", 1), "python")
    m = replace(m, identity=r.resolve_reference(m))
    (f,) = of(run(result(m), NO_WATCH, load_knowledge(r)), "MD301")
    assert f.confidence is Confidence.LOW and "assumed" in f.message


def test_md402_fires_for_retired_models_the_kb_knows() -> None:
    names = [
        "gpt-4-vision-preview",
        "gemini-1.5-pro",
        "claude-v1",
        "claude-3-5-sonnet-20240620",
        "claude-2",
        "text-davinci-003",
        "gpt-3.5-turbo-0613",
        "o1-mini",
    ]
    refs = [ref(n, RefKind.API_MODEL, line=i) for i, n in enumerate(names)]
    found = {f.subject: f for f in of(run(result(*refs, started=LATER), NO_WATCH), "MD402")}
    for n in names:
        assert n in found and found[n].severity is Severity.HIGH, n
        assert "retired on" in found[n].message
    assert "2025-10-22" in found["claude-3-5-sonnet-20240620"].message
    assert "2024-12-06" in found["gpt-4-vision-preview"].message


def test_api_models_cite_their_own_providers_page() -> None:
    from tests.assess.helpers import _RESOLVER

    for name, host in [
        ("gpt-4-vision-preview", "openai.com"),
        ("claude-3-opus-20240229", "anthropic.com"),
        ("claude-3-5-sonnet-20240620", "claude.com"),
    ]:
        ident = _RESOLVER.resolve_api_model(name)
        assert host in (ident.evidence[0].citation or ""), (name, ident.evidence[0])


def test_dashscope_embedding_is_alibaba_not_openai() -> None:
    from tests.assess.helpers import _RESOLVER

    ident = _RESOLVER.resolve_api_model("text-embedding-v1")
    assert ident.publisher is not None and ident.publisher.id == "alibaba"
    ident = _RESOLVER.resolve_api_model("text-embedding-3-small")
    assert ident.publisher is not None and ident.publisher.id == "openai"


def test_alias_points_to_its_snapshot() -> None:
    from tests.assess.helpers import _RESOLVER

    rec = _RESOLVER.kb.api_model("gpt-4o")
    assert rec is not None and rec.alias_of == "gpt-4o-2024-08-06"
    rec = _RESOLVER.kb.api_model("claude-3-5-sonnet-latest")
    assert rec is not None and rec.retired == "2025-10-22"
