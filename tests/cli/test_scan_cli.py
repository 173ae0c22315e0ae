"""The scan command end to end, in-process: formats, output file, exit codes, errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from modeldeps.cli import main
from modeldeps.cli.scan_cmd import exit_code, parse_fail_on
from modeldeps.errors import UsageError
from modeldeps.model import (
    Confidence,
    Finding,
    Location,
    ScanResult,
    Severity,
    Skipped,
    Stage,
)


def _project(root: Path) -> Path:
    (root / "deploy").mkdir(parents=True)
    (root / "deploy" / "serve.sh").write_text("vllm serve Qwen/Qwen2.5-7B-Instruct --port 8000\n")
    (root / "Modelfile").write_text("FROM llama3.1:8b\n")
    return root


def test_json_to_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = _project(tmp_path / "p")
    out = tmp_path / "out" / "report.json"
    code = main(["scan", str(project), "--format", "json", "-o", str(out), "--fail-on", "none"])
    assert code == 0
    assert capsys.readouterr().out == ""
    doc = json.loads(out.read_text())
    found = {(r["kind"], r["value"], r["location"]["path"]) for r in doc["references"]}
    assert ("hub_model", "Qwen/Qwen2.5-7B-Instruct", "deploy/serve.sh") in found
    assert ("ollama_model", "llama3.1:8b", "Modelfile") in found


def test_table_to_stdout(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = _project(tmp_path / "p")
    assert main(["scan", str(project), "--fail-on", "none"]) == 0
    text = capsys.readouterr().out
    assert "Qwen/Qwen2.5-7B-Instruct" in text and "References by kind" in text


def test_unknown_format_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["scan", str(tmp_path), "--format", "yaml"]) == 2
    assert "unknown format" in capsys.readouterr().err


def test_missing_path_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scan", str(tmp_path / "nope")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_bad_fail_on_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scan", str(tmp_path), "--fail-on", "severe"]) == 2
    assert "--fail-on" in capsys.readouterr().err


def test_unknown_flag_is_a_usage_error(tmp_path: Path) -> None:
    assert main(["scan", str(tmp_path), "--frobnicate"]) == 2


def test_strict_exits_3_when_something_was_skipped(tmp_path: Path) -> None:
    project = _project(tmp_path / "p")
    outside = tmp_path / "outside.py"
    outside.write_text("x = 1\n")
    os.symlink(outside, project / "escape.py")
    assert main(["scan", str(project), "--fail-on", "none", "-q"]) == 0
    assert main(["scan", str(project), "--fail-on", "none", "--strict", "-q"]) == 3


def test_exit_code_table() -> None:
    high = Finding("MD205", Severity.HIGH, Confidence.HIGH, "t", "m", Location("a.py", 1))
    low = Finding("MD401", Severity.LOW, Confidence.HIGH, "t", "m", Location("a.py", 2))
    skipped = Skipped(Location("b.py"), Stage.DETECT, "python: SyntaxError")
    base = ScanResult(roots=(".",), started_at="", tool_version="0", kb_version=None)
    from dataclasses import replace

    assert exit_code(base, Severity.HIGH, strict=True) == 0
    assert exit_code(replace(base, findings=(low,)), Severity.HIGH, strict=False) == 0
    assert exit_code(replace(base, findings=(low,)), Severity.LOW, strict=False) == 1
    assert exit_code(replace(base, findings=(high,)), None, strict=False) == 0
    assert exit_code(replace(base, findings=(high,), skipped=(skipped,)), Severity.HIGH, True) == 1
    assert exit_code(replace(base, findings=(low,), skipped=(skipped,)), Severity.HIGH, True) == 3


def test_parse_fail_on() -> None:
    assert parse_fail_on("HIGH") is Severity.HIGH
    assert parse_fail_on("none") is None
    with pytest.raises(UsageError):
        parse_fail_on("severe")


def test_python_dash_m_and_version() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "modeldeps", "--version"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0 and proc.stdout.startswith("modeldeps ")


def test_no_arguments_prints_help(capsys: pytest.CaptureFixture[str]) -> None:
    code = main([])
    captured = capsys.readouterr()
    assert code in (0, 2) and "scan" in captured.out + captured.err


def test_only_the_command_being_run_is_registered() -> None:
    from typer.main import get_command

    from modeldeps.cli.app import build_app

    full = get_command(build_app())
    every = {"scan", "inspect", "kb", "rules", "baseline", "cost", "lock", "verify"}
    every |= {"scan-many", "history", "org-report", "serve"}
    assert set(full.commands) == every  # type: ignore[attr-defined]
    only = get_command(build_app("scan"))
    assert set(only.commands) == {"scan"}  # type: ignore[attr-defined]
    unknown = get_command(build_app("frobnicate"))  # an unknown name gets the full list
    assert set(unknown.commands) == set(full.commands)  # type: ignore[attr-defined]


@pytest.mark.parametrize("columns", [80, 200])
def test_the_table_uses_the_terminal_width(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    columns: int,
) -> None:
    project = _project(tmp_path / "p")
    (project / "deep" / "er" / "still-deeper-folder").mkdir(parents=True)
    long_path = project / "deep" / "er" / "still-deeper-folder" / ("serve-" + "x" * 60 + ".sh")
    long_path.write_text("vllm serve Qwen/Qwen2.5-7B-Instruct --port 8000\n" * 3)
    monkeypatch.setenv("COLUMNS", str(columns))
    assert main(["scan", str(project), "--fail-on", "none", "-q"]) == 0
    lines = capsys.readouterr().out.splitlines()
    widest = max(len(line) for line in lines)
    assert widest <= columns
    assert widest > columns - 10  # the tables fill the width they are given
    out = tmp_path / "report.txt"  # a file gets the fixed width, whatever the terminal
    assert main(["scan", str(project), "--fail-on", "none", "-q", "-o", str(out)]) == 0
    assert max(len(line) for line in out.read_text().splitlines()) <= 120
