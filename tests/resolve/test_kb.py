"""The bundled KB: schema-valid, sourced, covering, and overlays that merge or fail clearly."""

from __future__ import annotations

from pathlib import Path

import pytest

from modeldeps.errors import KnowledgeBaseError
from modeldeps.resolve import KB_VERSION
from modeldeps.resolve.sources.bundled import bundled_document, load_kb, validate


def test_bundled_kb_satisfies_schema() -> None:
    validate(bundled_document(), "bundled")  # raises on any violation


def test_schema_rejects_bad_country() -> None:
    doc = {
        "publishers": [
            {"id": "x", "name": "X", "country": "China", "type": "company", "sources": []}
        ]
    }
    with pytest.raises(KnowledgeBaseError, match="country"):
        validate(doc, "t")


def test_every_known_country_has_a_dated_source() -> None:
    kb = load_kb()
    assert len(kb.publishers) >= 100
    for p in kb.publishers.values():
        if p.country == "unknown":
            continue
        srcs = [kb.sources[s] for s in p.sources]
        assert srcs, f"{p.id} has country {p.country} but no source"
        assert any((s.url or s.citation) and s.date for s in srcs), p.id


def test_kb_version_is_carried() -> None:
    assert KB_VERSION and load_kb().kb_version == KB_VERSION


def test_lookups() -> None:
    kb = load_kb()
    assert kb.publisher_for_org("deepseek-ai").country == "CN"  # type: ignore[union-attr]
    op, country, flags = kb.endpoint_operator("dashscope-intl.aliyuncs.com")  # type: ignore[misc]
    assert (op.id, country) == ("alibaba", "CN") and "prc-operator" in flags
    op, country, flags = kb.endpoint_operator("api.together.xyz")  # type: ignore[misc]
    assert country == "US" and "prc" not in flags
    assert kb.endpoint_operator("my-res.openai.azure.com")[0].id == "microsoft"  # type: ignore[index]
    rec = kb.api_model("claude-3-5-sonnet-20241022")
    assert rec is not None and rec.publisher == "anthropic" and rec.retired == "2025-10-22"
    lic = kb.license("Apache-2.0")
    assert lic is not None and lic.commercial == "yes"
    llama = kb.license("llama2")
    assert llama is not None and llama.commercial == "conditional"
    assert any("700 million" in r for r in llama.restrictions)


def test_overlay_adds_and_overrides(tmp_path: Path) -> None:
    overlay = tmp_path / "ours.yaml"
    overlay.write_text(
        "sources:\n- {id: internal, title: Internal registry, citation: CMDB, date: '2026-01-01'}\n"
        "publishers:\n- {id: acme, name: Acme Corp, hub_orgs: [acme-ml], country: DE,"
        " type: company,"
        " sources: [internal]}\n"
        "models:\n- {id: acme-ml/support-bot, publisher: acme, family: qwen,"
        " bases: [{relation: finetune, base: Qwen/Qwen2.5-7B-Instruct}], sources: [internal]}\n",
        encoding="utf-8",
    )
    kb = load_kb((overlay,))
    assert kb.kb_version.endswith("+overlay")
    assert kb.publisher_for_org("acme-ml").country == "DE"  # type: ignore[union-attr]
    assert kb.model("acme-ml/support-bot") is not None


def test_bad_overlay_names_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("publishers:\n- {id: x}\n", encoding="utf-8")
    with pytest.raises(KnowledgeBaseError, match=r"bad\.yaml"):
        load_kb((bad,))
    dangling = tmp_path / "dangling.yaml"
    dangling.write_text("models:\n- {id: a/b, publisher: no-such-publisher}\n", encoding="utf-8")
    with pytest.raises(KnowledgeBaseError, match="no-such-publisher"):
        load_kb((dangling,))


def test_display_names_are_short_and_long_names_kept() -> None:
    kb = load_kb()
    for p in kb.publishers.values():
        assert len(p.name) <= 40 and p.name != p.full_name, p.id
    assert kb.publishers["deepseek"].name == "DeepSeek"
    assert "Hangzhou" in (kb.publishers["deepseek"].full_name or "")
    assert kb.publishers["alibaba"].name == "Alibaba (Qwen)"
    assert (kb.publishers["zhipu"].name, kb.publishers["meta"].name) == ("Zhipu AI", "Meta")
    assert kb.publishers["huggingface"].name == "Hugging Face"
    assert kb.search("Hangzhou DeepSeek")[0][1] == "deepseek"  # the long name stays searchable


def test_schema_rejects_a_long_display_name() -> None:
    doc = {
        "publishers": [
            {"id": "x", "name": "X " * 40, "country": "DE", "type": "company", "sources": []}
        ]
    }
    with pytest.raises(KnowledgeBaseError, match="name"):
        validate(doc, "t")
