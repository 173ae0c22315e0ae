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
