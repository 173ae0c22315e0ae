"""API models from a scan report, joined to usage; models without usage are named, not dropped."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from modeldeps.cost.fromscan import join, read_scan_report
from modeldeps.errors import InputError
from modeldeps.usage import ModelUsage, RequestBucket


def test_join(tmp_path: Path) -> None:
    report = tmp_path / "r.json"
    report.write_text(
        json.dumps(
            {
                "schema_version": "1.0",
                "references": [
                    {
                        "kind": "api_model",
                        "value": "gpt-4o",
                        "location": {"path": "app.py", "line": 3},
                        "context": {"provider": "openai"},
                    },
                    {
                        "kind": "api_model",
                        "value": "claude-sonnet-4-5",
                        "location": {"path": "b.py"},
                    },
                    {"kind": "hub_model", "value": "Qwen/Qwen3-32B", "location": {"path": "c.py"}},
                ],
            }
        ),
        encoding="utf-8",
    )
    scanned = read_scan_report(report)
    assert [m.model for m in scanned] == ["gpt-4o", "claude-sonnet-4-5"]
    usage = ModelUsage("GPT-4o", "openai", (RequestBucket(1, 1, 1),))
    found, missing = join(scanned, [usage])
    assert found == (usage,)
    assert len(missing) == 1 and "claude-sonnet-4-5" in missing[0] and "b.py" in missing[0]


def test_not_a_report(tmp_path: Path) -> None:
    bad = tmp_path / "r.json"
    bad.write_text('{"references": 3}', encoding="utf-8")
    with pytest.raises(InputError, match="not a modeldeps scan report"):
        read_scan_report(bad)
    bad.write_text('{\n"references": [\n', encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_scan_report(bad)
    assert info.value.line == 3
