"""The default policy on a DeepSeek API call, and the documented ways to change it, via the CLI."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest

from modeldeps.assess.policy import parse_policy
from modeldeps.cli import main
from modeldeps.usage import parse_usage_text

DOC = Path(__file__).resolve().parents[2] / "docs" / "policy.md"

APP = """\
from openai import OpenAI

client = OpenAI(base_url="https://api.deepseek.com")
client.chat.completions.create(model="deepseek-v4-flash", messages=[])
client.chat.completions.create(model="deepseek-v4-pro", messages=[])
"""


def _scan(root: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, list[dict[str, Any]]]:
    capsys.readouterr()
    code = main(["scan", str(root), "--format", "json", "--no-cache", "--quiet"])
    findings = json.loads(capsys.readouterr().out)["findings"]
    return code, [f for f in findings if f["rule_id"] == "MD501"]


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    root.mkdir()
    (root / "app.py").write_text(APP, encoding="utf-8")
    return root


def test_a_deepseek_call_fails_ci_once_with_the_keys_to_change(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, md501 = _scan(project, capsys)
    assert code == 1
    (f,) = md501  # the client and both calls: one finding, at the base_url
    assert (f["severity"], f["location"]["line"]) == ("high", 3)
    assert "(models: deepseek-v4-flash, deepseek-v4-pro)" in f["message"]
    assert '[watch] jurisdictions = ["prc"] (the default watch list)' in f["message"]
    assert 'add "deepseek" to [allow] publishers' in f["message"]


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ('[allow]\npublishers = ["deepseek"]\n', []),
        ('[severity]\nMD501 = "medium"\n', ["medium"]),
        ("watch = {}\n", []),
        ('fail-on = "critical"\n', ["high"]),
    ],
)
def test_each_documented_change_makes_ci_pass(
    project: Path, capsys: pytest.CaptureFixture[str], config: str, expected: list[str]
) -> None:
    (project / ".modeldeps.toml").write_text(config, encoding="utf-8")
    code, md501 = _scan(project, capsys)
    assert code == 0
    assert [f["severity"] for f in md501] == expected


def test_the_message_speaks_the_pyproject_form(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "pyproject.toml").write_text('[project]\nname = "p"\n', encoding="utf-8")
    _, (f,) = _scan(project, capsys)
    assert 'in pyproject.toml add "deepseek" to [tool.modeldeps.allow] publishers' in f["message"]
    assert '[tool.modeldeps.severity] MD501 = "medium"' in f["message"]


def test_every_toml_example_in_the_policy_guide_is_valid() -> None:
    blocks = re.findall(r"```toml\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    assert len(blocks) >= 4
    for block in blocks:
        if block.startswith("# usage.toml"):
            assert parse_usage_text(block, "usage.toml")
            continue
        doc = tomllib.loads(block)
        if "tool" in doc:
            doc = doc["tool"]["modeldeps"]
        parse_policy(doc, source="policy.md")


def test_the_terminal_table_prints_the_policy_keys_literally(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert main(["scan", str(project), "--no-cache", "--quiet"]) == 1
    out = capsys.readouterr().out
    # Square brackets are Rich markup unless escaped: "[allow]" must not vanish from the table.
    assert "[watch]" in out and "[allow]" in out and "to  publishers" not in out
