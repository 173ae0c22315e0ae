"""`modeldeps cost` end to end, in-process."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from modeldeps.cli import main

ROOT = Path(__file__).resolve().parents[2]
USAGE = ROOT / "examples" / "usage.toml"
SPANS = ROOT / "examples" / "spans.json"


def test_usage_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["cost", "--usage", str(USAGE)]) == 0
    out = capsys.readouterr().out
    for column in ("closed-api", "open-host", "self-host", "break-even"):
        assert column in out
    assert "⚠ watch-listed" in out  # DeepSeek (CN) hosts undercut gpt-4o


def test_otel_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["cost", "--otel", str(SPANS), "--format", "json", "--watch", ""]) == 0
    doc = json.loads(capsys.readouterr().out)
    models = {c["usage"]["model"] for c in doc["comparisons"]}
    assert models == {"gpt-4o", "gpt-4.1-mini", "claude-sonnet-4-20250514"}
    assert all(not c["host"]["watch"] for c in doc["comparisons"] if c["host"])
    assert doc["genai_prices_version"]


def test_markdown_and_html(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["cost", "--usage", str(USAGE), "--format", "markdown"]) == 0
    assert "| closed-api |" in capsys.readouterr().out
    page = tmp_path / "cost.html"
    assert main(["cost", "--usage", str(USAGE), "--format", "html", "--output", str(page)]) == 0
    html = page.read_text(encoding="utf-8")
    assert html.count("<svg") == 3 and 'class="break-even"' in html
    assert not re.search(r"<script|\b(src|href)=", html)  # self-contained


def test_selfhost_json(capsys: pytest.CaptureFixture[str]) -> None:
    args = [
        "cost",
        "selfhost",
        "--model",
        "Llama-3.3-70B-Instruct",
        "--gpu",
        "H100",
        "--gpus",
        "2",
        "--precision",
        "fp8",
        "--input-tokens",
        "1000",
        "--output-tokens",
        "1000",
        "--engine",
        "tuned",
        "--format",
        "json",
    ]
    assert main(args) == 0
    est = json.loads(capsys.readouterr().out)
    assert 4205 / 2 < est["output_tokens_per_s"] < 4205 * 2  # measured: 4,205 (TRT-LLM)
    # By hand: 2 x 80 GiB = 171.8 GB; x 0.9 usable = 154.6; - 2 x 3 GB activations - 70.6 GB
    # fp8 weights = 78.0 GB; / 0.49152 GB KV per sequence (80 layers x 8 KV heads x 128 x 2
    # x 2 bytes x 1,500 tokens) = 158.7, so 158 sequences fit.
    assert est["max_concurrency"] == 158 and est["assumptions"]


def test_selfhost_from_config(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = tmp_path / "config.json"
    cfg.write_text(
        json.dumps(
            {
                "num_hidden_layers": 32,
                "hidden_size": 4096,
                "num_attention_heads": 32,
                "num_key_value_heads": 8,
                "intermediate_size": 14336,
                "vocab_size": 128256,
            }
        ),
        encoding="utf-8",
    )
    assert (
        main(["cost", "selfhost", "--config", str(cfg), "--gpu", "H100", "--format", "json"]) == 0
    )
    est = json.loads(capsys.readouterr().out)
    assert est["params"].startswith("8.03")  # Llama-3.1-8B shapes → 8.03B parameters


def test_bad_usage_exits_2_naming_file_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "u.toml"
    bad.write_text('[[models]]\nmodel = "gpt-4o"\nrequests = -5\n', encoding="utf-8")
    assert main(["cost", "--usage", str(bad)]) == 2
    assert f"{bad}:1:" in capsys.readouterr().err
    assert main(["cost"]) == 2
    assert main(["cost", "selfhost", "--model", "nope"]) == 2


def test_from_scan_alone_asks_for_usage_with_a_template(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import tomllib

    project = tmp_path / "p"
    project.mkdir()
    (project / "app.py").write_text(
        'from openai import OpenAI\nOpenAI().chat.completions.create(model="gpt-4o", messages=[])\n'
    )
    report = tmp_path / "scan.json"
    assert main(["scan", str(project), "-f", "json", "-o", str(report), "--fail-on", "none"]) == 0
    capsys.readouterr()
    assert main(["cost", "--from-scan", str(report)]) == 2
    captured = capsys.readouterr()
    template = tomllib.loads(captured.out)
    assert template["models"] == [
        {
            "model": "gpt-4o",
            "provider": "openai",
            "requests": 0,
            "input_tokens": 0,
            "output_tokens": 0,
        }
    ]
    assert "app.py:2" in captured.out and "--usage" in captured.err


def test_the_usage_template_round_trips_through_cost_usage(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    demo = Path(__file__).resolve().parents[2] / "examples" / "demo-project"
    report = tmp_path / "scan.json"
    args = ["scan", str(demo), "-f", "json", "-o", str(report), "--fail-on", "none", "-q"]
    assert main(args) == 0
    assert main(["cost", "--from-scan", str(report)]) == 2
    template = tmp_path / "usage.toml"
    template.write_text(capsys.readouterr().out)
    # As written: every model is listed with zero figures, none is priced, nothing crashes.
    assert main(["cost", "--usage", str(template), "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["comparisons"] == []
    assert any("gpt-4o-mini" in n and "no usage" in n for n in doc["notes"])
    # Filled in for one model: that one is priced, the others are still named.
    text = template.read_text()
    head, tail = text.split('model = "gpt-4o-mini"', 1)
    tail = tail.replace("requests = 0", "requests = 1000", 1)
    tail = tail.replace("input_tokens = 0", "input_tokens = 500", 1)
    tail = tail.replace("output_tokens = 0", "output_tokens = 100", 1)
    template.write_text(head + 'model = "gpt-4o-mini"' + tail)
    assert main(["cost", "--usage", str(template), "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [c["usage"]["model"] for c in doc["comparisons"]] == ["gpt-4o-mini"]
    assert main(["cost", "--usage", str(template), "--from-scan", str(report)]) == 0
