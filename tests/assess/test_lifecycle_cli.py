"""MD402 end to end: lifecycle dates from the knowledge base (and overlays) reach the report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from modeldeps.cli import main


def test_a_deprecation_date_in_a_kb_overlay_reaches_md402(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The KB schema carries ``deprecated`` dates; MD402 reports them through the real CLI."""
    project = tmp_path / "p"
    project.mkdir()
    (project / "app.py").write_text(
        "from openai import OpenAI\n"
        'OpenAI().chat.completions.create(model="acme-legacy-1", messages=[])\n'
    )
    overlay = tmp_path / "kb.yaml"
    overlay.write_text(
        "sources:\n- {id: notice, title: Provider deprecation notice, citation: mail,"
        " date: '2026-01-01'}\n"
        "api_models:\n- {id: acme-legacy-1, publisher: openai, deprecated: '2026-01-15',"
        " sources: [notice]}\n",
        encoding="utf-8",
    )
    out = tmp_path / "r.json"
    args = ["scan", str(project), "--kb", str(overlay), "-f", "json", "-o", str(out)]
    assert main([*args, "--fail-on", "none", "-q"]) == 0
    found = [f for f in json.loads(out.read_text())["findings"] if f["rule_id"] == "MD402"]
    assert [(f["severity"], f["location"]["line"]) for f in found] == [("medium", 2)]
    assert "2026-01-15" in found[0]["message"]
