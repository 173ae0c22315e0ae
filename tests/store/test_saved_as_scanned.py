"""A scan saved with ``scan --save`` reads back (``history show``) as the scan reported it, on
SQLite and PostgreSQL: a whole real scan, and the lock step's output (an MD403 finding located
at ``models.lock:<line>``, a ``Skipped`` entry of the stage ``lock``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from modeldeps.cli import main
from modeldeps.store import queries
from modeldeps.store.connect import open_store
from tests.discover.inspectors import pickle_gen as g
from tests.discover.inspectors.builders import safetensors_bytes
from tests.lock.builders import blob_of, hf_cache

REPO = "org/tiny-model"
FILES = {
    "config.json": b'{"model_type": "llama"}\n',
    "model.safetensors": safetensors_bytes({"w": ("F16", [4, 4])}),
}
APP = 'from transformers import AutoModel\nAutoModel.from_pretrained("org/tiny-model")\n'


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, Any]:
    capsys.readouterr()
    main(list(args))
    doc: dict[str, Any] = json.loads(capsys.readouterr().out)
    return doc


def _project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path, str]:
    cache = tmp_path / "hf" / "hub"
    commit = hf_cache(cache, REPO, FILES)
    monkeypatch.setenv("HF_HUB_CACHE", str(cache))
    monkeypatch.setenv("OLLAMA_MODELS", str(tmp_path / "no-ollama"))
    project = tmp_path / "project"
    project.mkdir()
    (project / "app.py").write_text(APP)
    return project, cache, commit


def test_a_drifted_lock_and_a_broken_one_are_stored_as_scanned(
    store_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    project, cache, commit = _project(tmp_path, monkeypatch)
    assert main(["lock", str(project), "-q"]) == 0
    blob_of(cache, REPO, commit, "config.json").write_bytes(b'{"model_type": "evil"}\n')
    save = ["--save", "--store", store_url, "-f", "json", "-q", "--fail-on", "none"]
    drifted = _run(capsys, "scan", str(project), *save)
    (md403,) = [f for f in drifted["findings"] if f["rule_id"] == "MD403"]
    assert md403["location"]["path"] == "models.lock" and md403["location"]["line"]

    (project / "models.lock").write_text("version = 2\n")  # a format this version cannot read
    broken = _run(capsys, "scan", str(project), *save)
    (skip,) = [s for s in broken["skipped"] if s["stage"] == "lock"]
    assert skip["location"] == {"path": "models.lock", "line": 1, "column": None}

    with open_store(store_url, read_only=True) as store, store.read() as conn:
        ids = sorted(s.id for s in queries.list_scans(conn))
        rows = queries.findings_of(conn, ids[:1])
    assert len(ids) == 2
    # each stored scan reads back as the scan reported it, place by place
    for doc, scan_id in zip((drifted, broken), ids, strict=True):
        shown = _run(capsys, "history", "show", f"#{scan_id}", "--store", store_url, "-f", "json")
        assert shown["findings"] == doc["findings"]
        assert shown["skipped"] == doc["skipped"]
    line = md403["location"]["line"]
    assert [str(r.locations[0]) for r in rows if r.rule_id == "MD403"] == [f"models.lock:{line}"]


def test_a_whole_scan_reads_back_as_its_report(
    store_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "app.py").write_text(APP.replace(")", ", trust_remote_code=True)"))
    (project / "serve.sh").write_text("vllm serve Qwen/Qwen2.5-7B-Instruct\n")
    g.write(project / "weights" / "m.pkl", g.call("os", "system"))  # an inspector's findings
    # a loader call that does not parse: its strings are read, the failure is a Skipped entry
    (project / "broken.py").write_text(APP.rstrip().rstrip(")") + ",\n")
    args = ["--store", store_url, "-f", "json"]
    scanned = _run(capsys, "scan", str(project), "--save", *args, "--fail-on", "none")
    assert scanned["artifacts"][0]["findings"] and scanned["findings"] and scanned["skipped"]
    shown = _run(capsys, "history", "show", "#1", *args)
    assert shown == scanned
