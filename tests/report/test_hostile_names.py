"""Hostile names in reports: undecodable bytes, terminal escapes, Markdown syntax, newlines."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from markupsafe import Markup

from modeldeps.cli import main
from modeldeps.model import Location
from modeldeps.report import formats
from modeldeps.textsafe import fs_text, markdown, one_line, shown, terminal
from tests.discover.inspectors import pickle_gen as g

ESC = "\x1b[2J\x1b[3J\x1b[H"  # clear the screen and the scrollback, cursor home
IMAGE = "![t](https://evil.example/t.png)"


def _strings(doc: object) -> Iterator[str]:
    if isinstance(doc, str):
        yield doc
    elif isinstance(doc, dict):
        for key, value in doc.items():
            yield key
            yield from _strings(value)
    elif isinstance(doc, list):
        for value in doc:
            yield from _strings(value)


def _repo(root: Path) -> Path:
    """Model files whose names and globals were chosen by an attacker."""
    root.mkdir(parents=True)
    raw = os.fsencode(root)
    with open(raw + b"/model\xff\xfe.pkl", "wb") as fh:  # not UTF-8
        fh.write(g.call("os", "system"))
    (root / "line\nbreak.pkl").write_bytes(g.call("os", "system"))
    (root / f"tty{ESC}.pkl").write_bytes(g.call("os", "system"))
    (root / "escape.pkl").write_bytes(g.call("os", ESC))
    (root / "image.pkl").write_bytes(g.call("mylib", IMAGE))
    return root


@pytest.mark.parametrize("fmt", formats())
def test_every_format_renders_hostile_names_escaped(tmp_path: Path, fmt: str) -> None:
    repo = _repo(tmp_path / "repo")
    out = tmp_path / f"report.{fmt}"
    code = main(["scan", str(repo), "--format", fmt, "-o", str(out), "--no-cache", "-q"])
    assert code == 1  # the payloads are found: exit for findings, not a crash
    text = out.read_bytes().decode("utf-8")  # valid UTF-8 throughout
    assert "\x1b" not in text and "\x9b" not in text
    if fmt in ("json", "sarif", "cyclonedx"):
        strings = list(_strings(json.loads(text)))
        assert any("model\\xff\\xfe.pkl" in s for s in strings)
        assert any("line\nbreak.pkl" in s for s in strings)  # JSON escapes it in the text
    else:
        assert "model\\xff\\xfe.pkl" in text
    if fmt == "markdown":
        assert IMAGE not in text and "!\\[t\\]" in text
    if fmt in ("table", "markdown"):
        assert "line\\nbreak.pkl" in text  # one row, the newline shown
        assert not any(line.startswith("break.pkl") for line in text.splitlines())


def test_table_on_a_terminal_cannot_be_rewritten(tmp_path: Path) -> None:
    repo = _repo(tmp_path / "repo")
    proc = subprocess.run(
        [sys.executable, "-m", "modeldeps", "scan", str(repo), "--no-cache", "-q"],
        capture_output=True,
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
    )
    assert proc.returncode == 1, proc.stderr.decode("utf-8", "replace")[-2000:]
    assert b"Traceback" not in proc.stderr
    assert b"\x1b" not in proc.stdout
    assert b"\\x1b[2J" in proc.stdout and b"model\\xff\\xfe.pkl" in proc.stdout


@pytest.mark.parametrize("fmt", ["table", "json"])
def test_inspect_reports_hostile_names_escaped(tmp_path: Path, fmt: str) -> None:
    repo = _repo(tmp_path / "repo")
    proc = subprocess.run(
        [sys.executable, "-m", "modeldeps", "inspect", str(repo), "-q", "--format", fmt],
        capture_output=True,
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
    )
    assert proc.returncode == 1 and b"Traceback" not in proc.stderr, proc.stderr[-2000:]
    assert b"\x1b" not in proc.stdout
    assert b"model\\xff\\xfe.pkl" in proc.stdout or b"model\\\\xff\\\\xfe.pkl" in proc.stdout


def test_the_helpers() -> None:
    assert fs_text(os.fsdecode(b"a\xffb")) == "a\\xffb"
    assert fs_text("plain/ü.txt") == "plain/ü.txt"
    assert terminal("a\x1b[2Jb\x9bc\u202ed\ne") == "a\\x1b[2Jb\\x9bc\\u202ed\\ne"
    # every bidi formatting character of UAX #9, the Arabic letter mark included
    bidi = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
    assert all(terminal(ch) == f"\\u{ord(ch):04x}" for ch in bidi)
    # what an HTML template prints: text escaped, numbers and markup left alone
    assert shown(Location("a\u202eb.py", 3)) == "a\\u202eb.py:3"
    assert shown(3) == 3 and shown(None) is None and shown(True) is True
    assert shown(Markup("<b>\u202e</b>")) == Markup("<b>\u202e</b>")
    assert one_line("a\nb\tc") == "a\\nb\tc"
    assert markdown(IMAGE) == "!\\[t\\](https://evil.example/t.png)"
    assert markdown("from_pretrained(x) _em_ *b*") == "from_pretrained(x) \\_em\\_ \\*b\\*"
    assert markdown("<img src=x>") == "\\<img src=x\\>"
