"""The store commands end to end (in process): scan --save, scan-many, history, org-report,
and every bad input exits 2 with a clear message and loses nothing."""

from __future__ import annotations

import functools
import importlib.util
import json
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import sqlalchemy as sa

from modeldeps.cli import main
from tests.scanmany.helpers import make_org, make_repo


@functools.cache
def _validator() -> jsonschema.Draft202012Validator:
    text = resources.files("modeldeps.report.org").joinpath("schemas/store-views.schema.json")
    schema = json.loads(text.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def _valid(data: Any) -> Any:
    """``data`` after checking it against the shipped JSON Schema of the store commands."""
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in _validator().iter_errors(data)]
    assert not errors, errors[:5]
    return data


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def _json(capsys: pytest.CaptureFixture[str], *args: str) -> Any:
    code, out, err = _run(capsys, *args)
    assert code == 0, err
    data = json.loads(out)
    if isinstance(data, dict) and "kind" in data:
        _valid(data)
    return data


def test_scan_save_then_history(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = make_repo(tmp_path / "svc", 0)
    db = str(tmp_path / "s.sqlite3")
    scan = ["scan", str(repo), "--save", "--store", db, "--format", "json", "--fail-on", "none"]
    code, _, err = _run(capsys, *scan)
    assert code == 0 and "saved as scan #1 of svc-0" in err
    code, _, err = _run(capsys, *scan)
    assert code == 0 and "unchanged: already stored as scan #1" in err
    listed = _json(capsys, "history", "list", "--store", db, "-f", "json")
    assert [s["id"] for s in listed["scans"]] == [1]
    assert listed["scans"][0]["commit"] == f"{1:040x}"
    by_path = _json(capsys, "history", "list", str(repo), "--store", db, "-f", "json")
    assert by_path == listed
    shown = _json(capsys, "history", "show", "#1", "--store", db, "-f", "json")
    assert "Qwen/Qwen2.5-7B-Instruct" in {r["value"] for r in shown["references"]}
    code, out, _ = _run(capsys, "history", "show", "1", "--store", db, "-f", "sarif")
    assert code == 0 and json.loads(out)["version"] == "2.1.0"


def test_scan_many_history_diff_and_org_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    org = tmp_path / "org"
    repos = make_org(org, 4)
    db = str(tmp_path / "s.sqlite3")
    code, out, err = _run(capsys, "scan-many", str(org), "--store", db, "--jobs", "2")
    assert code == 0, err
    assert "4 stored, 0 duplicate, 0 skipped, 0 failed" in out
    assert err.count("stored ") == 4  # one progress line per repository when not a terminal
    # a new commit in one repository changes what it uses
    (repos[1] / "app.py").write_text(
        "from transformers import AutoModel\n"
        'AutoModel.from_pretrained("Qwen/Qwen2.5-7B-Instruct")\n'
    )
    (repos[1] / ".git" / "refs" / "heads" / "main").write_text("9" * 40 + "\n")
    data = _json(capsys, "scan-many", str(org), "--store", db, "--resume", "-f", "json", "-q")
    assert sorted(i["status"] for i in data["items"]) == ["skipped", "skipped", "skipped", "stored"]
    scans = _json(capsys, "history", "list", str(repos[1]), "--store", db, "-f", "json")["scans"]
    new, old = scans[0]["id"], scans[1]["id"]
    diff = _json(capsys, "history", "diff", str(old), str(new), "--store", db, "-f", "json")
    assert [m["name"] for m in diff["models_added"]] == ["Qwen/Qwen2.5-7B-Instruct"]
    assert [m["name"] for m in diff["models_removed"]] == ["meta-llama/Llama-3.1-8B-Instruct"]
    latest_two = _json(capsys, "history", "diff", str(repos[1]), "--store", db, "-f", "json")
    assert latest_two == diff  # a repository alone: its two latest scans
    whole = _json(capsys, "history", "diff", "2000-01-01", "now", "--store", db, "-f", "json")
    assert len(whole["repositories_added"]) == 4
    report = _json(capsys, "org-report", "--store", db, "-f", "json")
    assert report["kind"] == "org-report" and len(report["repositories"]) == 4
    assert report["scans"] == 4
    code, out, _ = _run(capsys, "org-report", "--store", db)
    assert code == 0 and "Models by use" in out and "Findings by rule" in out
    runs = _json(capsys, "history", "runs", "--store", db, "-f", "json")
    assert [r["stored"] for r in runs["runs"]] == [1, 4]


def test_scan_many_records_a_failed_repository(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    org = tmp_path / "org"
    make_org(org, 2)
    db = str(tmp_path / "s.sqlite3")
    code, out, _ = _run(
        capsys,
        "scan-many",
        str(org / "svc-00"),
        str(org / "svc-01"),
        "--store",
        db,
        "--timeout",
        "0.001",
        "-q",
    )
    assert code == 3  # incomplete: every repository is listed with its reason
    assert out.count("failed ") == 2 and "timed out after 0.001 s" in out
    report = _json(capsys, "org-report", "--store", db, "-f", "json")
    assert all(r["failed"].startswith("timed out") for r in report["repositories"])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["scan-many", "{tmp}/missing"], "no such file or directory"),
        (["scan-many", "{tmp}/list.txt"], "list.txt:1: no such directory: nowhere"),
        (["scan-many", "{tmp}/svc", "--executor", "slurm"], "unknown executor 'slurm'"),
        (["scan", "{tmp}/svc/app.py", "--save"], "--save keeps the scan of one repository"),
        (["scan", "{tmp}/svc", "{tmp}/svc", "--save"], "--save keeps the scan of one repository"),
        (["history", "list", "{tmp}/elsewhere"], "no stored repository"),
        (["history", "show", "99"], "no stored scan #99"),
        (["history", "diff", "1", "2026-01-01"], "not a mix"),
        (["history", "diff", "x", "y"], "not a scan id or a date"),
        (["org-report", "--format", "pdf"], "unknown format 'pdf'"),
    ],
)
def test_bad_input_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    make_repo(tmp_path / "svc", 0)
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "list.txt").write_text("nowhere\n")
    db = str(tmp_path / "s.sqlite3")
    assert main(["scan", str(tmp_path / "svc"), "--save", "--store", db, "-q", "-f", "json"]) in (
        0,
        1,
    )
    capsys.readouterr()
    argv = [a.replace("{tmp}", str(tmp_path)) for a in args]
    code, _, err = _run(capsys, *argv, "--store", db)
    assert code == 2, err
    assert message in err
    # nothing already stored is lost
    listed = _json(capsys, "history", "list", "--store", db, "-f", "json")
    assert len(listed["scans"]) == 1


def test_unusable_stores_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    refused = "postgresql+psycopg://nobody:secret@127.0.0.1:9/none"
    code, _, err = _run(capsys, "org-report", "--store", refused)
    assert code == 2 and "cannot open store postgresql+psycopg://nobody:***@127.0.0.1:9/none" in err
    assert "secret" not in err
    code, _, err = _run(capsys, "org-report", "--store", str(tmp_path / "none.sqlite3"))
    assert code == 2 and "no store at" in err
    code, _, err = _run(
        capsys, "scan-many", str(tmp_path), "--store", str(tmp_path / "no/dir/s.db")
    )
    assert code == 2 and "no such directory" in err
    db = tmp_path / "s.sqlite3"
    make_repo(tmp_path / "svc", 0)
    assert main(
        ["scan", str(tmp_path / "svc"), "--save", "--store", str(db), "-q", "-f", "json"]
    ) in (0, 1)
    engine = sa.create_engine(f"sqlite:///{db}")
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '0042'"))
    engine.dispose()
    capsys.readouterr()
    code, _, err = _run(capsys, "history", "list", "--store", str(db))
    assert code == 2 and "written by a newer modeldeps" in err
    code, _, err = _run(
        capsys, "scan", str(tmp_path / "svc"), "--save", "--store", str(db), "-q", "-f", "json"
    )
    assert code == 2 and "newer modeldeps" in err  # refused before scanning, store untouched
    with sa.create_engine(f"sqlite:///{db}").connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM scans")).scalar() == 1


def test_a_missing_extra_is_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    real = importlib.util.find_spec

    def without(name: str, *args: Any) -> Any:
        return None if name in {"sqlalchemy", "ray"} else real(name, *args)

    monkeypatch.setattr(importlib.util, "find_spec", without)
    code, _, err = _run(capsys, "org-report")
    assert code == 2 and "pip install 'modeldeps[store]'" in err
    code, _, err = _run(capsys, "scan-many", str(tmp_path), "--executor", "ray")
    assert code == 2 and "pip install 'modeldeps[ray]'" in err


def test_the_schema_rejects_a_broken_document(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    make_org(tmp_path / "org", 2)
    db = str(tmp_path / "s.sqlite3")
    assert main(["scan-many", str(tmp_path / "org"), "--store", db, "-q"]) == 0
    capsys.readouterr()
    report = _json(capsys, "org-report", "--store", db, "-f", "json")
    del report["shares"]["country_hhi"]
    report["repositories"][0]["worst"] = "catastrophic"
    errors = list(_validator().iter_errors(report))
    assert len(errors) == 2


def test_the_progress_bar_shows_done_failed_and_left() -> None:
    import io

    from rich.console import Console

    from modeldeps.cli.scan_many_cmd import BarProgress, _bar

    out = io.StringIO()
    bar = _bar(Console(file=out, force_terminal=True, width=100))
    with bar:
        progress = BarProgress(bar)
        progress.start(5)
        progress.update(3, 1, 2, "failed /x")
        bar.refresh()
        text = out.getvalue()
    assert "3/5" in text and "failed 1 · left 2" in text


def test_one_policy_for_every_repository(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    org = tmp_path / "org"
    make_org(org, 3)
    policy = tmp_path / "org-policy.toml"
    policy.write_text('[severity]\nMD501 = "off"\n')
    plain, quiet = str(tmp_path / "plain.sqlite3"), str(tmp_path / "policy.sqlite3")
    assert main(["scan-many", str(org), "--store", plain, "-q"]) == 0
    assert main(["scan-many", str(org), "--store", quiet, "--config", str(policy), "-q"]) == 0
    capsys.readouterr()
    rules = {
        db: {
            r["rule_id"] for r in _json(capsys, "org-report", "--store", db, "-f", "json")["rules"]
        }
        for db in (plain, quiet)
    }
    assert "MD501" in rules[plain] and "MD501" not in rules[quiet]
    policy.write_text("[severity]\nMD501 = 'loud'\n")
    code, _, err = _run(capsys, "scan-many", str(org), "--store", quiet, "--config", str(policy))
    assert code == 2 and "org-policy.toml" in err


def test_the_default_store_is_in_the_user_data_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import os

    make_repo(tmp_path / "svc", 0)
    assert main(["scan", str(tmp_path / "svc"), "--save", "-q", "-f", "json"]) in (0, 1)
    default = Path(os.environ["XDG_DATA_HOME"]) / "modeldeps" / "store.sqlite3"
    assert default.is_file()
    assert "saved as scan #1" in capsys.readouterr().err
    listed = _json(capsys, "history", "list", "-f", "json")
    assert len(listed["scans"]) == 1
