"""Every malformed policy, usage, baseline or overlay file is exit 2 naming the file and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from modeldeps.cli import main

DEPTH = 5000  # past Python's recursion limit: a recursive parser would blow its stack


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "p"
    root.mkdir()
    (root / "serve.sh").write_text("vllm serve Qwen/Qwen2.5-7B-Instruct\n")
    return root


def _scan(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["scan", *args, "-q", "-f", "json", "--no-cache"])
    return code, capsys.readouterr().err


def _deep_toml(path: Path, key: str = "x") -> Path:
    path.write_text(f"{key} = " + "[" * DEPTH + "]" * DEPTH + "\n")
    return path


def test_a_deeply_nested_policy_is_exit_2(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = _deep_toml(tmp_path / "policy.toml")
    code, err = _scan(capsys, str(project), "--config", str(config))
    assert code == 2 and "policy.toml" in err and "nested" in err
    _deep_toml(project / ".modeldeps.toml")
    code, err = _scan(capsys, str(project))
    assert code == 2 and ".modeldeps.toml" in err


def test_a_tool_modeldeps_that_is_not_a_table_is_exit_2(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "pyproject.toml").write_text('[tool]\nmodeldeps = "on"\n')
    code, err = _scan(capsys, str(project))
    assert code == 2
    assert "pyproject.toml" in err and "[tool.modeldeps]" in err and "table" in err


def test_a_deeply_nested_usage_file_is_exit_2(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    usage = _deep_toml(tmp_path / "usage.toml", "models")
    code, err = _scan(capsys, str(project), "--usage", str(usage))
    assert code == 2 and "usage.toml" in err
    yaml_usage = tmp_path / "usage.yaml"
    yaml_usage.write_text("models: " + "{a: " * 3000 + "1" + "}" * 3000 + "\n")
    code, err = _scan(capsys, str(project), "--usage", str(yaml_usage))
    assert code == 2 and "usage.yaml" in err


def test_a_deeply_nested_baseline_is_exit_2(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    baseline = tmp_path / "baseline.json"
    baseline.write_text("[" * 100_000 + "]" * 100_000)
    code, err = _scan(capsys, str(project), "--baseline", str(baseline))
    assert code == 2 and "baseline.json" in err


@pytest.mark.parametrize(
    ("policy", "key"),
    [
        ('[deny]\nmodels = ["[z-a]*"]\n', "deny.models"),
        ('[watch]\nfamilies = ["qwen[9-0]"]\n', "watch.families"),
        ('[allow]\nmodels = ["ok", "[b-a]"]\n', "allow.models"),
        ('[[ignore]]\nrule = "MD401"\npath = "src/[z-a]/*"\nreason = "r"\n', "ignore[0].path"),
        ('[[ignore]]\nrule = "MD401"\nmodel = "Qwen/[z-a]"\nreason = "r"\n', "ignore[0].model"),
    ],
)
def test_an_invalid_glob_is_refused_when_read(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], policy: str, key: str
) -> None:
    config = tmp_path / "policy.toml"
    config.write_text(policy)
    code, err = _scan(capsys, str(project), "--config", str(config))
    assert code == 2, err
    assert "policy.toml" in err and key in err and "range" in err


def test_an_invalid_exclude_glob_is_a_usage_error(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, err = _scan(capsys, str(project), "--exclude", "build/[z-a]")
    assert code == 2 and "--exclude" in err and "range" in err


def test_a_deeply_nested_overlay_is_exit_2(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    overlay = tmp_path / "overlay.yaml"
    overlay.write_text("publishers: " + "[" * 3000 + "]" * 3000 + "\n")
    code, err = _scan(capsys, str(project), "--kb", str(overlay))
    assert code == 2 and "overlay.yaml" in err
    overlay.write_text("publishers:\n  - id: 3\n")
    code, err = _scan(capsys, str(project), "--kb", str(overlay))
    assert code == 2 and "overlay.yaml" in err and "publishers/0" in err
