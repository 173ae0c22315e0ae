"""``modeldeps scan --usage FILE``: concentration weighted by monthly tokens, through the CLI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from modeldeps.cli import main

APP = """\
from anthropic import Anthropic
from openai import OpenAI

OpenAI().chat.completions.create(model="gpt-4o", messages=[])
Anthropic().messages.create(model="claude-haiku-4-5-20251001", max_tokens=9, messages=[])
OpenAI(base_url="https://api.deepseek.com").chat.completions.create(
    model="deepseek-v4-flash", messages=[]
)
"""

USAGE = """\
[[models]]
model = "deepseek-v4-flash"
monthly_input_tokens = 8_000_000
monthly_output_tokens = 1_000_000

[[models]]
model = "gpt-4o"
monthly_input_tokens = 400_000
monthly_output_tokens = 100_000

[[models]]
model = "claude-haiku-4-5-20251001"
requests = 1000
input_tokens = 400
output_tokens = 100
"""


def _project(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    root.mkdir()
    (root / "app.py").write_text(APP, encoding="utf-8")
    # Egress and watch rules are not the subject here.
    (root / ".modeldeps.toml").write_text("watch = {}\n", encoding="utf-8")
    return root


def _scan(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any], str]:
    capsys.readouterr()
    code = main(["scan", *args, "--format", "json", "--no-cache", "--quiet"])
    out = capsys.readouterr()
    return code, (json.loads(out.out) if out.out.strip() else {}), out.err


def _by_rule(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f["rule_id"]: f for f in report["findings"] if f["rule_id"] in {"MD104", "MD105"}}


def test_usage_file_weighs_concentration_by_monthly_tokens(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _project(tmp_path)
    models = {r["value"] for r in _scan(capsys, str(root))[1]["references"]}
    assert {"gpt-4o", "claude-haiku-4-5-20251001", "deepseek-v4-flash"} <= models
    # By references: US 2 of 3, three publishers (HHI 3333): under every threshold.
    code, report, _ = _scan(capsys, str(root))
    assert code == 0 and _by_rule(report) == {}

    usage = tmp_path / "usage.toml"
    usage.write_text(USAGE, encoding="utf-8")
    code, report, _ = _scan(capsys, str(root), "--usage", str(usage))
    found = _by_rule(report)
    assert set(found) == {"MD104", "MD105"}
    # 9.0M of 10M tokens go to DeepSeek (0.5M each to OpenAI and Anthropic): 90%, and the
    # publisher HHI is 90^2 + 5^2 + 5^2.
    assert found["MD104"]["subject"] == "country:CN"
    assert found["MD104"]["message"].startswith(
        "90% of usage (figures for 3 of 3 models) come from CN; threshold 80%; country HHI 8200"
    )
    assert found["MD105"]["subject"] == "publisher:deepseek"
    assert "publisher HHI 8150" in found["MD105"]["message"]
    assert code == 0  # medium findings; the default gate is high


def test_usage_matches_canonical_names_and_unlisted_models_weigh_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _project(tmp_path)
    usage = tmp_path / "usage.yaml"
    # Names match case-insensitively ("GPT-4o"); deepseek is absent.
    usage.write_text(
        "models:\n"
        "  - {model: GPT-4o, monthly_input_tokens: 100, monthly_output_tokens: 0}\n"
        "  - {model: claude-haiku-4-5-20251001, monthly_input_tokens: 100,"
        " monthly_output_tokens: 0}\n",
        encoding="utf-8",
    )
    found = _by_rule(_scan(capsys, str(root), "--usage", str(usage))[1])
    assert found["MD104"]["subject"] == "country:US"
    assert found["MD104"]["message"].startswith("100% of usage (figures for 2 of 3 models)")


def test_bad_usage_file_is_a_usage_error_naming_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _project(tmp_path)
    bad = tmp_path / "bad-usage.toml"
    bad.write_text('[[models]]\nmodel = "gpt-4o"\nrequests = "many"\n', encoding="utf-8")
    code, _, err = _scan(capsys, str(root), "--usage", str(bad))
    assert code == 2 and "bad-usage.toml" in err
    code, _, err = _scan(capsys, str(root), "--usage", str(tmp_path / "missing.toml"))
    assert code == 2 and "missing.toml" in err
