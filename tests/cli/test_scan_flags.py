"""The discovery flags every scanning command shares are declared once (cli/scan_options):
one spelling, one help text, and one set of checks, so a bad value stops each command the
same way (exit 2, the same message) before anything is scanned or stored."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from modeldeps.cli import main
from modeldeps.cli.app import build_app
from tests.discover.inspectors import pickle_gen as g

#: Each scanning command with the arguments that make a run of it on ``{p}`` (a project).
COMMANDS = {
    "scan": ["scan", "{p}", "-q", "-f", "json"],
    "scan-many": ["scan-many", "{p}", "--store", "{store}", "-q"],
    "lock": ["lock", "{p}", "-q", "--check"],
    "verify": ["verify", "{p}", "-q"],
    "baseline": ["baseline", "create", "{p}", "-o", "{store}.json"],
}
#: A bad value of each shared flag, the commands that take it, and what the error says.
BAD = [
    (
        ["--exclude", "build/[z-a]"],
        ("scan", "scan-many", "lock", "verify", "baseline"),
        "--exclude",
    ),
    (["--kb", "{missing}"], ("scan", "scan-many", "lock", "baseline"), "--kb: no such file"),
    (["--config", "{missing}"], ("scan", "scan-many", "baseline"), "--config: no such file"),
    (["--time-budget", "-1"], ("scan", "scan-many"), "--time-budget"),
]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "p"
    root.mkdir()
    (root / "serve.sh").write_text("vllm serve Qwen/Qwen2.5-7B-Instruct\n")
    (root / "models.lock").write_text("version = 1\n")  # so verify has a lock to read
    return root


@pytest.mark.parametrize(
    ("flag", "command", "message"),
    [(flag, cmd, msg) for flag, cmds, msg in BAD for cmd in cmds],
    ids=lambda v: v if isinstance(v, str) else " ".join(v),
)
def test_a_bad_shared_flag_stops_every_command_alike(
    project: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    flag: list[str],
    command: str,
    message: str,
) -> None:
    store = tmp_path / "store.sqlite3"
    fill = {"p": str(project), "store": str(store), "missing": str(tmp_path / "missing.file")}
    args = [a.format(**fill) for a in COMMANDS[command] + flag]
    capsys.readouterr()
    assert main(args) == 2
    assert message in capsys.readouterr().err
    assert not store.exists()  # stopped before a store was made


def _options(path: list[str]) -> dict[str, str | None]:
    """Each option of a command, as the CLI declares it: its help text by flag (read from the
    command Typer builds, which is a click command of Typer's own click)."""
    import typer

    command: Any = typer.main.get_command(build_app(path[0]))
    for name in path:
        command = command.get_command(None, name)
        assert command is not None, path
    return {
        flag: param.help
        for param in command.params
        if param.param_type_name == "option"
        for flag in param.opts
        if flag.startswith("--")
    }


def test_shared_flags_read_the_same_in_every_help() -> None:
    helps = {
        " ".join(path): _options(path)
        for path in (["scan"], ["scan-many"], ["lock"], ["verify"], ["baseline", "create"])
    }
    shared = ("--exclude", "--no-gitignore", "--kb", "--no-cache", "--no-inspect", "--time-budget")
    for flag in shared:
        texts = {name: h[flag] for name, h in helps.items() if flag in h}
        assert len(texts) >= 2 and len(set(texts.values())) == 1, (flag, texts)


def test_scan_many_takes_the_time_budget_to_every_repository(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = tmp_path / "repo"
    g.write(repo / "m.pkl", g.benign_dict())
    store = str(tmp_path / "s.sqlite3")
    assert main(["scan-many", str(repo), "--store", store, "-q", "--time-budget", "0"]) == 0
    capsys.readouterr()
    assert main(["history", "show", "#1", "--store", store, "-f", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [s["location"]["path"] for s in doc["skipped"] if s["stage"] == "inspect"] == ["m.pkl"]
