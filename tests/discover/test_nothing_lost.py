"""Nothing lost silently: every file a scan does not read, or reads in part, is in ``skipped``.

Directories are skipped only when they are real virtualenvs, VCS or tool caches, or excluded by
the user; in a git checkout, tracked files are scanned whatever ``.gitignore`` says.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from modeldeps.cli import main
from modeldeps.discover.walk import WalkedFile, walk
from modeldeps.model import ScanResult, Skipped
from modeldeps.options import ScanOptions
from modeldeps.pipeline import scan

QWEN = "Qwen/Qwen2.5-7B-Instruct"
LOADS = f'from transformers import AutoModel\nm = AutoModel.from_pretrained("{QWEN}")\n'
#: A pickle that imports os.system: what an attacker hides in a checkpoint (never loaded here).
EVIL_PICKLE = b"\x80\x02cos\nsystem\nq\x00X\x02\x00\x00\x00idq\x01\x85q\x02Rq\x03."

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def _write(path: Path, data: str | bytes = "x") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(data)
    return path


def _rels(root: Path, options: ScanOptions | None = None) -> set[str]:
    return {i.rel for i in walk(root, options or ScanOptions()) if isinstance(i, WalkedFile)}


def _scan(root: Path) -> ScanResult:
    return scan([root], ScanOptions(use_cache=False))


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True)


# --- directories ---------------------------------------------------------------------------


def test_directories_named_like_outputs_are_scanned(tmp_path: Path) -> None:
    for name in ("env", "build", "dist", "venv", ".venv", "site-packages", "out"):
        _write(tmp_path / name / "load.py", LOADS)
    assert _rels(tmp_path) == {
        f"{n}/load.py" for n in ("env", "build", "dist", "venv", ".venv")
    } | {
        "site-packages/load.py",
        "out/load.py",
    }


def test_only_a_real_virtualenv_is_skipped(tmp_path: Path) -> None:
    real = tmp_path / "venv"
    _write(real / "pyvenv.cfg", "home = /usr/bin\nversion = 3.11.7\n")
    _write(real / "bin" / "python", "#!/bin/sh\n")
    (real / "bin" / "python").chmod(0o755)
    _write(real / "lib" / "python3.11" / "site-packages" / "x.py", LOADS)
    fake = tmp_path / "models"  # an empty pyvenv.cfg hid the folder before
    _write(fake / "pyvenv.cfg", "")
    _write(fake / "evil.pkl", EVIL_PICKLE)
    no_python = tmp_path / "cfg-only"
    _write(no_python / "pyvenv.cfg", "home = /usr/bin\n")
    _write(no_python / "load.py", LOADS)
    rels = _rels(tmp_path)
    assert not any(r.startswith("venv/lib") for r in rels)
    assert {"models/evil.pkl", "models/pyvenv.cfg", "cfg-only/load.py"} <= rels
    assert "MD201" in {f.rule_id for f in _scan(tmp_path).findings}


def test_vcs_and_tool_caches_are_skipped(tmp_path: Path) -> None:
    for d in (".git", ".hg", "__pycache__", ".mypy_cache", ".pytest_cache", "node_modules"):
        _write(tmp_path / d / "load.py", LOADS)
    _write(tmp_path / "app.py", LOADS)
    assert _rels(tmp_path) == {"app.py"}


# --- git: tracked files are scanned whatever .gitignore says --------------------------------


def _checkout(root: Path, index_version: int | None = None) -> Path:
    root.mkdir()
    _git(root, "init", "-q")
    _write(root / ".gitignore", "*.pkl\nmodels/\nscratch.py\n")
    _write(root / "app.py", LOADS)
    _write(root / "models" / "evil.pkl", EVIL_PICKLE)  # committed with `git add -f`
    _write(root / "models" / "local.py", LOADS)  # ignored and untracked
    _write(root / "scratch.py", LOADS)  # ignored and untracked
    _git(root, "add", ".gitignore", "app.py")
    _git(root, "add", "-f", "models/evil.pkl")
    if index_version is not None:
        _git(root, "update-index", "--index-version", str(index_version))
    return root


@needs_git
@pytest.mark.parametrize("version", [2, 3, 4])
def test_tracked_files_are_scanned_whatever_gitignore_says(tmp_path: Path, version: int) -> None:
    root = _checkout(tmp_path / "repo", version)
    assert _rels(root) == {".gitignore", "app.py", "models/evil.pkl"}
    result = _scan(root)
    assert "MD201" in {f.rule_id for f in result.findings}
    code = main(["scan", str(root), "--strict", "--fail-on", "none", "-q", "--no-cache"])
    assert code == 0  # nothing was lost: no Skipped entry for files git ignores and never saw


@needs_git
def test_a_subfolder_of_a_checkout_and_a_worktree(tmp_path: Path) -> None:
    root = _checkout(tmp_path / "repo")
    # models/ is ignored above it: given as the root, it is scanned as its own project
    assert _rels(root / "models") == {"evil.pkl", "local.py"}
    _git(root, "-c", "user.email=t@example.com", "-c", "user.name=t", "commit", "-qm", "init")
    _git(root, "worktree", "add", "-q", str(tmp_path / "wt"))
    assert (tmp_path / "wt" / ".git").is_file()  # a gitdir pointer, as in a worktree
    assert _rels(tmp_path / "wt") == {".gitignore", "app.py", "models/evil.pkl"}


def test_without_git_gitignore_applies(tmp_path: Path) -> None:
    _write(tmp_path / ".gitignore", "*.pkl\n")
    _write(tmp_path / "evil.pkl", EVIL_PICKLE)
    assert _rels(tmp_path) == {".gitignore"}


def test_an_unreadable_git_index_means_nothing_is_hidden(tmp_path: Path) -> None:
    _write(tmp_path / ".git" / "index", b"DIRC\x00\x00\x00\x02garbage")
    _write(tmp_path / ".git" / "HEAD", "ref: refs/heads/main\n")
    _write(tmp_path / ".gitignore", "*.pkl\n")
    _write(tmp_path / "evil.pkl", EVIL_PICKLE)
    assert "evil.pkl" in _rels(tmp_path)


def test_a_hostile_gitignore_does_not_stop_the_walk(tmp_path: Path) -> None:
    _write(tmp_path / ".gitignore", "[z-a]\n*.log\n")
    _write(tmp_path / "a.log")
    _write(tmp_path / "app.py", LOADS)
    assert _rels(tmp_path) == {".gitignore", "app.py"}


# --- files not read, or read in part, are Skipped -------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("nul.py", LOADS.encode() + b"\x00\n", "NUL"),
        ("deep.json", '{"model": "' + QWEN + '", "x": ' + "[" * 80 + "]" * 80 + "}", "nested"),
        ("big.yaml", "model: " + QWEN + "\n" + "# pad\n" * 400_000, "larger"),
        ("big.ts", f'const model = "{QWEN}";\n' + "// pad\n" * 160_000, "larger"),
        ("docker-compose.yml", "services:\n  vllm:\n    command: vllm serve " + QWEN + "\n"
         + "# pad\n" * 400_000, "larger"),
    ],
)  # fmt: skip
def test_a_file_not_read_in_full_is_skipped_with_the_reason(
    tmp_path: Path, name: str, data: str | bytes, reason: str
) -> None:
    _write(tmp_path / name, data)
    result = _scan(tmp_path)
    assert {s.location.path for s in result.skipped} == {name}, result.skipped
    assert all(reason in s.reason for s in result.skipped)
    assert main(["scan", str(tmp_path), "--strict", "--fail-on", "none", "-q", "--no-cache"]) == 3


def test_cr_only_line_endings_are_read(tmp_path: Path) -> None:
    _write(tmp_path / "mac.py", LOADS.replace("\n", "\r").encode())
    result = _scan(tmp_path)
    assert [(r.value, r.location.line) for r in result.references] == [(QWEN, 2)]
    assert not result.skipped


# --- the summary adds up ----------------------------------------------------------------------


def _adds_up(result: ScanResult) -> None:
    st = result.stats
    parts = st.files_parsed + st.files_cached + st.files_unmatched + st.files_inspected
    assert st.files_seen == parts + st.files_skipped, st
    reading = {"walk", "detect", "inspect"}
    assert st.files_skipped == len({s.location.path for s in result.skipped if s.stage in reading})


def test_summary_counts_add_up_cold_warm_and_whole(tmp_path: Path) -> None:
    _write(tmp_path / "app.py", LOADS)
    _write(tmp_path / "notes.txt", "nothing here\n")
    _write(tmp_path / "README.md", "no model words\n")
    _write(tmp_path / "nul.py", LOADS.encode() + b"\x00")
    _write(tmp_path / "w.safetensors", b"\x02\x00\x00\x00\x00\x00\x00\x00{}")
    cache = tmp_path.parent / f"{tmp_path.name}-cache"
    opts = ScanOptions(cache_dir=cache)
    cold = scan([tmp_path], opts)
    _adds_up(cold)
    assert cold.stats.files_parsed >= 1 and cold.stats.files_inspected == 1
    (tmp_path / "notes.txt").write_text("changed\n")  # the whole-scan key misses
    warm = scan([tmp_path], opts)
    _adds_up(warm)
    whole = scan([tmp_path], opts)  # the whole-scan cache gives the result back
    _adds_up(whole)
    assert whole.stats.files_parsed == 0
    report = tmp_path.parent / "r.json"
    assert (
        main(["scan", str(tmp_path), "-f", "json", "-o", str(report), "-q", "--fail-on", "none"])
        == 0
    )
    stats = json.loads(report.read_text())["stats"]
    assert stats["files_seen"] == sum(
        stats[k] for k in ("files_parsed", "files_cached", "files_unmatched", "files_inspected",
                           "files_skipped")
    )  # fmt: skip


def test_a_single_file_root_is_read(tmp_path: Path) -> None:
    target = _write(tmp_path / "serve.sh", f"vllm serve {QWEN}\n")
    result = _scan(target)
    assert [r.value for r in result.references] == [QWEN]
    assert not [i for i in walk(target, ScanOptions()) if isinstance(i, Skipped)]


@needs_git
def test_sha256_repositories_and_split_indexes(tmp_path: Path) -> None:
    from modeldeps.discover.gitindex import read_index

    sha256 = tmp_path / "sha256"
    sha256.mkdir()
    _git(sha256, "init", "-q", "--object-format=sha256")
    _write(sha256 / ".gitignore", "*.pkl\n")
    _write(sha256 / "evil.pkl", EVIL_PICKLE)
    _git(sha256, "add", "-f", "evil.pkl", ".gitignore")
    assert read_index(sha256 / ".git") == ([".gitignore", "evil.pkl"], [])
    assert _rels(sha256) == {".gitignore", "evil.pkl"}
    # A split index keeps entries in a second file: not read, so no ignore rule applies.
    split = _checkout(tmp_path / "split")
    _git(split, "update-index", "--split-index")
    assert read_index(split / ".git") is None
    assert "scratch.py" in _rels(split) and "models/evil.pkl" in _rels(split)


@needs_git
def test_an_ignored_folder_given_as_the_root_is_scanned_with_its_own_rules(
    tmp_path: Path,
) -> None:
    # A tree unpacked under a checkout's ignored work folder (a vendored project, a downloaded
    # source distribution) is what the user asked about: scanned, as ripgrep searches an ignored
    # folder it is given, with its own .gitignore in force; elsewhere the rules above still hold.
    root = _checkout(tmp_path / "repo")
    _write(root / ".gitignore", "*.pkl\nmodels/\nscratch.py\n.work/\ngen/\n")
    tree = root / ".work" / "trees" / "project"
    _write(tree / "app.py", LOADS)
    _write(tree / ".gitignore", "build/\n")
    _write(tree / "build" / "out.py", LOADS)
    _write(root / "src" / "main.py", LOADS)
    _write(root / "src" / "gen" / "stub.py", LOADS)
    assert _rels(tree) == {".gitignore", "app.py"}
    assert _rels(root / "src") == {"main.py"}
    assert _scan(tree).references
