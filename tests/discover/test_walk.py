"""The walk honours .gitignore and excludes, stays inside the root and classifies files."""

from __future__ import annotations

import os
from pathlib import Path

from modeldeps.discover.walk import FileKind, WalkedFile, walk
from modeldeps.model import Skipped
from modeldeps.options import ScanOptions


def _rels(root: Path, options: ScanOptions | None = None) -> dict[str, FileKind]:
    out = {}
    for item in walk(root, options or ScanOptions()):
        if isinstance(item, WalkedFile):
            out[item.rel] = item.kind
    return out


def _skipped(root: Path) -> list[Skipped]:
    return [i for i in walk(root, ScanOptions()) if isinstance(i, Skipped)]


def _write(path: Path, text: str = "x") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_default_excludes_and_virtualenvs(tmp_path: Path) -> None:
    _write(tmp_path / "app.py")
    _write(tmp_path / "node_modules" / "x" / "index.js")
    _write(tmp_path / ".git" / "config")
    _write(tmp_path / "build" / "lib.py")  # a folder named like an output is the project's
    _write(tmp_path / "myenv" / "pyvenv.cfg", "home = /usr/bin\n")
    _write(tmp_path / "myenv" / "bin" / "python")
    _write(tmp_path / "myenv" / "lib" / "site.py")
    assert _rels(tmp_path) == {"app.py": FileKind.TEXT, "build/lib.py": FileKind.TEXT}


def test_gitignore_nested_and_negation(tmp_path: Path) -> None:
    _write(tmp_path / ".gitignore", "*.log\nsecret/\n!keep.log\n")
    _write(tmp_path / "a.log")
    _write(tmp_path / "keep.log")
    _write(tmp_path / "secret" / "s.py")
    _write(tmp_path / "sub" / ".gitignore", "local.yaml\n")
    _write(tmp_path / "sub" / "local.yaml")
    _write(tmp_path / "sub" / "other.yaml")
    _write(tmp_path / "local.yaml")  # the nested rule applies only below sub/
    rels = _rels(tmp_path)
    assert "a.log" not in rels and "secret/s.py" not in rels and "sub/local.yaml" not in rels
    assert {"keep.log", "sub/other.yaml", "local.yaml", ".gitignore"} <= set(rels)
    assert "a.log" in _rels(tmp_path, ScanOptions(use_gitignore=False))


def test_user_excludes(tmp_path: Path) -> None:
    _write(tmp_path / "docs" / "x.py")
    _write(tmp_path / "src" / "y.py")
    assert set(_rels(tmp_path, ScanOptions(excludes=("docs/",)))) == {"src/y.py"}


def test_weights_are_classified_not_read_and_binaries_ignored(tmp_path: Path) -> None:
    _write(tmp_path / "m.safetensors")
    _write(tmp_path / "m.gguf")
    _write(tmp_path / "logo.png")
    _write(tmp_path / "Modelfile")
    rels = _rels(tmp_path)
    assert rels == {
        "m.safetensors": FileKind.WEIGHT,
        "m.gguf": FileKind.WEIGHT,
        "Modelfile": FileKind.TEXT,
    }


def test_symlinks_never_leave_the_root(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    root = tmp_path / "root"
    _write(outside / "secret.py", "x")
    _write(root / "inside.py")
    os.symlink(outside / "secret.py", root / "link.py")
    os.symlink(outside, root / "linkdir")
    os.symlink(root / "inside.py", root / "alias.py")  # stays inside: followed
    os.symlink(root, root / "loop")  # a loop back to the root is not walked twice
    rels = _rels(root)
    assert set(rels) == {"inside.py", "alias.py"}
    reasons = {s.location.path: s.reason for s in _skipped(root)}
    assert "outside the scan root" in reasons["link.py"]
    assert "outside the scan root" in reasons["linkdir"]


def test_unreadable_directory_becomes_skipped(tmp_path: Path) -> None:
    _write(tmp_path / "ok.py")
    locked = tmp_path / "locked"
    locked.mkdir()
    _write(locked / "x.py")
    locked.chmod(0)
    try:
        if os.access(locked, os.R_OK):  # running as root: permissions do not bind
            return_ok = _rels(tmp_path)
            assert "ok.py" in return_ok
        else:
            assert any(s.location.path == "locked" for s in _skipped(tmp_path))
    finally:
        locked.chmod(0o755)


def test_single_file_root(tmp_path: Path) -> None:
    _write(tmp_path / "one.py")
    assert _rels(tmp_path / "one.py") == {"one.py": FileKind.TEXT}
