"""``lock``, ``verify`` and the lock step of ``scan``, end to end in-process."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from modeldeps.cli import main
from tests.discover.inspectors.builders import safetensors_bytes
from tests.lock.builders import blob_of, hf_cache, ollama_store

REPO = "org/tiny-model"
FILES = {
    "config.json": b'{"model_type": "llama"}\n',
    "model.safetensors": safetensors_bytes({"w": ("F16", [4, 4])}),
}
APP = """\
from transformers import AutoModelForCausalLM, AutoTokenizer

tok = AutoTokenizer.from_pretrained("org/tiny-model")
model = AutoModelForCausalLM.from_pretrained(
    "org/tiny-model",
    torch_dtype="auto",
)
"""


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path, str]:
    """A project using one Hub model, one Ollama model and one local file, with its caches."""
    cache = tmp_path / "hf" / "hub"
    commit = hf_cache(cache, REPO, FILES)
    store = tmp_path / "ollama"
    ollama_store(store, "tiny", "latest", b"GGUF" + bytes(100))
    monkeypatch.setenv("HF_HUB_CACHE", str(cache))
    monkeypatch.setenv("OLLAMA_MODELS", str(store))
    project = tmp_path / "project"
    (project / "weights").mkdir(parents=True)
    (project / "app.py").write_text(APP)
    (project / "Modelfile").write_text("FROM tiny\n")
    (project / "weights" / "head.safetensors").write_bytes(safetensors_bytes({"h": ("F32", [2])}))
    return project, cache, commit


def test_lock_twice_gives_the_same_bytes(env: tuple[Path, Path, str]) -> None:
    project, _, commit = env
    assert main(["lock", str(project), "-q"]) == 0
    lock = project / "models.lock"
    first = lock.read_bytes()
    mtime = lock.stat().st_mtime_ns
    assert main(["lock", str(project), "-q"]) == 0
    assert lock.read_bytes() == first and lock.stat().st_mtime_ns == mtime
    text = first.decode()
    assert f'revision = "{commit}"' in text and 'name = "tiny:latest"' in text
    assert 'path = "weights/head.safetensors"' in text
    assert main(["lock", str(project), "--check"]) == 0


def test_verify_clean_then_drifted(
    env: tuple[Path, Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    project, cache, commit = env
    main(["lock", str(project), "-q"])
    capsys.readouterr()
    assert main(["verify", str(project), "-q"]) == 0
    assert "verify passed" in capsys.readouterr().out
    blob_of(cache, REPO, commit, "model.safetensors").write_bytes(b"\0" * 40)
    assert main(["verify", str(project), "-q", "--format", "json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert doc["schema"] == "modeldeps-verify/1" and doc["ok"] is False
    (hub,) = [e for e in doc["entries"] if e["kind"] == "hub"]
    assert hub["status"] == "drifted" and hub["lock_line"] is not None
    bad = [f for f in hub["files"] if f["status"] == "drifted"]
    assert [f["path"] for f in bad] == ["model.safetensors"]
    assert "40 bytes" in bad[0]["detail"]


def test_extra_and_unpinned_fail_only_under_strict(
    env: tuple[Path, Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    project, _, _ = env
    main(["lock", str(project), "-q"])
    (project / "more.py").write_text(
        'from openai import OpenAI\nOpenAI().chat.completions.create(model="gpt-4o")\n'
    )
    capsys.readouterr()
    assert main(["verify", str(project), "-q"]) == 0
    out = capsys.readouterr().out
    assert "extra" in out and "gpt-4o" in out
    assert main(["verify", str(project), "-q", "--strict"]) == 1
    assert main(["lock", str(project), "--check"]) == 1


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("version = 1\n[[hub]\nrepo = 'x'\n", 2),  # not TOML
        ("# a comment\nversion = 99\n", 2),  # a newer format
        (
            'version = 1\n\n[[local]]\npath = "../etc/passwd"\npinned = true\nsize = 1\nsha256 = "'
            + "a" * 64
            + '"\n',
            4,
        ),
    ],
)
def test_bad_lock_exits_2_naming_the_line_and_is_not_rewritten(
    env: tuple[Path, Path, str], capsys: pytest.CaptureFixture[str], text: str, line: int
) -> None:
    project, _, _ = env
    lock = project / "models.lock"
    lock.write_text(text)
    for command in (["lock", str(project), "-q"], ["verify", str(project), "-q"]):
        assert main(command) == 2
        err = capsys.readouterr().err
        assert f"models.lock:{line}:" in err, err
        assert lock.read_text() == text


def test_previous_pins_are_kept_without_the_cache_unless_upgraded(
    env: tuple[Path, Path, str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    project, _, commit = env
    main(["lock", str(project), "-q"])
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "empty"))  # a CI runner with no cache
    main(["lock", str(project), "-q"])
    assert f'revision = "{commit}"' in (project / "models.lock").read_text()
    main(["lock", str(project), "-q", "--upgrade"])
    text = (project / "models.lock").read_text()
    assert commit not in text and "not in the local Hugging Face cache" not in text
    assert "no local Hugging Face cache" in text


def test_fix_shows_then_writes_revision_edits(
    env: tuple[Path, Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    project, _, commit = env
    assert main(["lock", str(project), "-q", "--fix"]) == 0
    diff = capsys.readouterr().out
    assert diff.startswith("--- a/app.py\n+++ b/app.py\n")
    assert f'+tok = AutoTokenizer.from_pretrained("org/tiny-model", revision="{commit}")' in diff
    assert f'+    revision="{commit}",' in diff
    assert (project / "app.py").read_text() == APP  # nothing written without --write
    assert main(["lock", str(project), "-q", "--fix", "--write"]) == 0
    fixed = (project / "app.py").read_text()
    compile(fixed, "app.py", "exec")
    assert fixed.count(f'revision="{commit}"') == 2
    assert main(["lock", str(project), "-q", "--write"]) == 2  # --write alone is a usage error


def test_scan_uses_the_lock(
    env: tuple[Path, Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    project, cache, commit = env

    def scan() -> dict[str, object]:
        capsys.readouterr()
        main(["scan", str(project), "-f", "json", "-q", "--fail-on", "none"])
        return dict(json.loads(capsys.readouterr().out))

    def rules(doc: dict[str, object]) -> list[str]:
        return [str(f["rule_id"]) for f in doc["findings"]]  # type: ignore[attr-defined]

    (md401,) = [f for f in scan()["findings"] if f["rule_id"] == "MD401"]  # type: ignore[attr-defined]
    assert len(md401["locations"]) == 2  # two loader calls, no revision: one finding, two places
    main(["lock", str(project), "-q"])
    clean = scan()
    assert "MD401" not in rules(clean) and "MD403" not in rules(clean)
    blob_of(cache, REPO, commit, "config.json").write_bytes(b'{"model_type": "evil"}\n')
    drifted = scan()  # the whole-scan cache must notice the changed copy outside the tree
    (md403,) = [f for f in drifted["findings"] if f["rule_id"] == "MD403"]  # type: ignore[attr-defined]
    assert md403["severity"] == "high" and md403["location"]["path"] == "models.lock"
    assert "config.json" in md403["message"]
    assert main(["scan", str(project), "-q", "-f", "json"]) == 1  # high fails the default gate


def test_scan_with_a_broken_lock_is_skipped_not_silent(
    env: tuple[Path, Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    project, _, _ = env
    (project / "models.lock").write_text("version = 2\n")
    main(["scan", str(project), "-f", "json", "-q", "--fail-on", "none"])
    doc = json.loads(capsys.readouterr().out)
    (skip,) = [s for s in doc["skipped"] if s["stage"] == "lock"]
    assert skip["location"]["path"] == "models.lock" and skip["location"]["line"] == 1
    (md401,) = [f for f in doc["findings"] if f["rule_id"] == "MD401"]
    assert len(md401["locations"]) == 2  # nothing counts as pinned
    assert main(["scan", str(project), "-q", "--strict", "--fail-on", "none"]) == 3


def test_lock_is_identical_across_processes_and_hash_seeds(
    env: tuple[Path, Path, str], tmp_path: Path
) -> None:
    """Two separate runs (different string-hash seeds, no shared cache) write the same bytes."""
    import os
    import subprocess
    import sys

    project, _, _ = env
    outputs = []
    for seed in ("1", "2"):
        out = tmp_path / f"lock-{seed}"
        run_env = {**os.environ, "PYTHONHASHSEED": seed, "XDG_CACHE_HOME": str(tmp_path / seed)}
        subprocess.run(
            [sys.executable, "-m", "modeldeps", "lock", str(project), "-o", str(out), "-q"],
            env=run_env,
            check=True,
            capture_output=True,
        )
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1] and b"[[hub]]" in outputs[0]
