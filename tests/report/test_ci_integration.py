"""The pre-commit hook and the CI workflow in docs/ci.md run as written."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from modeldeps import safeyaml
from modeldeps.cli import main
from tests.report.test_end_to_end import EVIL_PICKLE
from tests.report.test_sarif import _schema as sarif_schema

REPO = Path(__file__).resolve().parents[2]


def _hook() -> dict[str, Any]:
    hooks = safeyaml.load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert isinstance(hooks, list) and len(hooks) == 1
    hook: dict[str, Any] = hooks[0]
    return hook


def _project(root: Path, *, risky: bool) -> Path:
    root.mkdir()
    (root / "app.py").write_text(
        "from transformers import AutoModel\n"
        'm = AutoModel.from_pretrained("google-bert/bert-base-uncased", '
        'revision="0123456789abcdef0123456789abcdef01234567")\n'
    )
    if risky:
        (root / "head.pkl").write_bytes(EVIL_PICKLE)
    return root


def test_hook_declaration() -> None:
    hook = _hook()
    assert hook["id"] == "modeldeps"
    assert hook["language"] == "python"
    assert hook["pass_filenames"] is False
    assert hook["entry"].split()[:2] == ["modeldeps", "scan"]


@pytest.mark.parametrize(("risky", "expected"), [(False, 0), (True, 1)])
def test_hook_runs_and_gates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, risky: bool, expected: int
) -> None:
    monkeypatch.chdir(_project(tmp_path / "repo", risky=risky))
    hook = _hook()
    argv = hook["entry"].split()[1:] + list(hook["args"])
    assert main(argv) == expected


def _workflow_blocks() -> list[Any]:
    text = (REPO / "docs" / "ci.md").read_text(encoding="utf-8")
    return [safeyaml.load(b) for b in re.findall(r"```yaml\n(.*?)```", text, re.S)]


def test_github_workflow_scans_and_uploads_the_same_sarif_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    workflow = _workflow_blocks()[0]
    assert workflow["permissions"]["security-events"] == "write"
    steps = workflow["jobs"]["models"]["steps"]
    upload = next(s for s in steps if s.get("uses", "").startswith("github/codeql-action/upload"))
    scan = next(s for s in steps if s.get("id") == "scan")
    line = next(ln for ln in scan["run"].splitlines() if ln.strip().startswith("modeldeps scan"))
    argv = shlex.split(line)[1:]
    assert argv[argv.index("--output") + 1] == upload["with"]["sarif_file"]

    monkeypatch.chdir(_project(tmp_path / "repo", risky=True))
    assert main(argv) == 1  # the gate step fails the job; the upload still runs (if: always())
    log = json.loads(Path(upload["with"]["sarif_file"]).read_text(encoding="utf-8"))
    jsonschema.Draft4Validator(sarif_schema()).validate(log)
    assert any(r["ruleId"] == "MD201" for r in log["runs"][0]["results"])


def test_every_documented_command_line_parses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(_project(tmp_path / "repo", risky=False))
    text = (REPO / "docs" / "ci.md").read_text(encoding="utf-8")
    lines = {
        m.group(1).strip()
        for m in re.finditer(r"(?:run: |- |^\s+)(modeldeps scan [^\n#]+)", text, re.M)
    }
    assert len(lines) >= 5
    for line in sorted(lines):
        assert main(shlex.split(line)[1:]) in (0, 1), line
