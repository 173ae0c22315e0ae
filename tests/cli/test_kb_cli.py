"""The `modeldeps kb` commands, run in-process."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from modeldeps.cli.app import build_app

runner = CliRunner()


def run(*args: str) -> str:
    result = runner.invoke(build_app(), list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_show_distill_names_both_countries_and_sources() -> None:
    out = run("kb", "show", "deepseek-ai/DeepSeek-R1-Distill-Qwen-7B")
    assert "DeepSeek" in out and "(CN)" in out and "Qwen/Qwen2.5-Math-7B" in out
    assert "mit, apache-2.0" in out and "<https://" in out
    assert "publisher:   DeepSeek [deepseek] (CN)" in out  # the short display name
    assert "full name:   DeepSeek (Hangzhou DeepSeek" in out  # the long one, beside it


def test_show_reupload_json() -> None:
    data = json.loads(
        run("kb", "show", "bartowski/Llama-3.3-70B-Instruct-GGUF", "--format", "json")
    )
    ident = data["identity"]
    assert ident["publisher"]["id"] == "meta" and ident["country"] == "US"
    assert ident["uploader"] == "bartowski" and ident["lineage"][0]["relation"] == "quantized"
    assert data["kb_version"]


def test_search_and_stats() -> None:
    assert "deepseek" in run("kb", "search", "deepseek")
    stats = json.loads(run("kb", "stats", "--format", "json"))
    assert stats["counts"]["publishers"] >= 100 and stats["publishers_by_country"]["CN"] > 10


def test_overlay_flag(tmp_path: Path) -> None:
    overlay = tmp_path / "kb.yaml"
    overlay.write_text(
        "sources:\n- {id: cmdb, title: CMDB, citation: internal CMDB, date: '2026-01-01'}\n"
        "publishers:\n- {id: acme, name: Acme, hub_orgs: [acme-ml], country: DE, type: company,"
        " sources: [cmdb]}\n",
        encoding="utf-8",
    )
    out = run("kb", "show", "acme-ml/qwen2.5-tune", "--kb", str(overlay))
    assert "Acme" in out and "(DE)" in out and "lineage countries: CN" in out


def test_bad_format_is_a_usage_error() -> None:
    result = runner.invoke(build_app(), ["kb", "stats", "--format", "xml"])
    assert result.exit_code == 2


def test_show_resolves_every_id_form_the_scan_prints() -> None:
    forms = {
        "ollama:qwen2.5:7b": "Alibaba (Qwen) [alibaba] (CN)",
        "qwen2.5:7b": "Alibaba (Qwen) [alibaba] (CN)",
        "openai:gpt-4o-mini": "OpenAI [openai] (US)",
        "hf://Qwen/Qwen2.5-3B-Instruct": "Alibaba (Qwen) [alibaba] (CN)",
        "https://huggingface.co/meta-llama/Llama-3.2-1B": "Meta",
        "Qwen/Qwen2.5-3B-Instruct": "Alibaba (Qwen) [alibaba] (CN)",
        "https://api.deepseek.com/v1": "DeepSeek [deepseek] (CN)",
        "gpt-4-vision-preview": "OpenAI [openai] (US)",
    }
    for value, publisher in forms.items():
        out = run("kb", "show", value)
        assert publisher in out, (value, out)
    assert "qwen-research (confidence medium)" in run("kb", "show", "hf://Qwen/Qwen2.5-3B-Instruct")


def test_search_without_a_match_says_so_and_resolves_scan_ids() -> None:
    assert "no match for 'zz-no-such-thing'" in run("kb", "search", "zz-no-such-thing")
    assert json.loads(run("kb", "search", "zz-no-such-thing", "--format", "json")) == []
    out = run("kb", "search", "ollama:qwen2.5:7b")
    assert "resolved" in out and "Alibaba" in out


def test_show_names_an_overlay_as_the_origin(tmp_path: Path) -> None:
    overlay = tmp_path / "org.yaml"
    overlay.write_text(
        "api_models:\n- {id: house-chat-1, publisher: mistral, retired: '2025-01-01',"
        " sources: [spdx-list]}\n",
        encoding="utf-8",
    )
    out = run("kb", "show", "house-chat-1", "--kb", str(overlay))
    assert "[overlay org.yaml/api-model]" in out
    assert "[bundled-kb/api-model]" in run("kb", "show", "gpt-4-vision-preview")
