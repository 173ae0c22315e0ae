"""The whole-scan cache key, built from what each stage declares it reads.

A re-scan whose every input is unchanged gives back the stored result without resolving or
assessing again. The inputs are declared, stage by stage, as ``Declaration`` records:

- **code**: the content of every file of the installed package (the bundled knowledge base and
  the rule catalog are files of it), the Python version and the installed distributions;
- **walk**: every file the walk yielded (path, kind, size, modification and change times, inode)
  and everything it skipped; a file changed in the last ``RACY_S`` seconds is declared by its
  content as well, since two writes within one timestamp tick leave the same stat (git's "racily
  clean" rule). The change time cannot be set back by a user, so a same-size edit with the
  modification time restored still changes the key;
- **options**: every option that changes the result;
- **resolve**: the knowledge-base overlays, by content; ``--online`` is never cached;
- **assess**: the policy file actually loaded (inside the root or not, ignored by git or not),
  the baseline and usage files, by content, and the day (expiry dates and retirements are
  judged by it).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from modeldeps import __version__
from modeldeps.options import ScanOptions

__all__ = ["RACY_S", "Declaration", "code_version", "file_digest", "options_part", "scan_key"]

#: Options that change how a scan runs or exits, never what it finds.
_RUN_ONLY = frozenset({"jobs", "use_cache", "cache_dir", "fail_on", "strict"})

#: A file whose modification or change time is this recent is declared by content, not stat.
RACY_S = 3.0


@dataclass(frozen=True, slots=True)
class Declaration:
    """What one stage reads: files (by content) and values (options, versions, the walk)."""

    stage: str
    files: tuple[Path | None, ...] = ()
    values: tuple[str, ...] = ()


@cache
def code_version() -> str:
    """The content of every file of the package, the interpreter and the installed packages."""
    package = Path(__file__).resolve().parent
    digest = hashlib.blake2b(digest_size=32)
    digest.update(f"{__version__}\0{sys.version}\n".encode())
    for dirpath, dirnames, filenames in os.walk(package):
        dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
        for name in sorted(filenames):
            if name.endswith((".pyc", ".pyo")):
                continue
            full = os.path.join(dirpath, name)
            digest.update(os.path.relpath(full, package).encode("utf-8", "surrogateescape"))
            digest.update(b"\0" + file_digest(Path(full)).encode() + b"\n")
    # Dependencies change results too (a YAML parser, a glob matcher): their versions are in the
    # names of the installed metadata folders, which a directory listing gives cheaply.
    for entry in sys.path:
        try:
            names = sorted(n for n in os.listdir(entry) if n.endswith((".dist-info", ".egg-info")))
        except OSError:
            continue
        digest.update(f"{entry}\0{','.join(names)}\n".encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


def file_digest(path: Path | None) -> str:
    """A file's content digest; ``-`` for no file, ``missing`` when it cannot be read."""
    if path is None:
        return "-"
    try:
        with path.open("rb") as fh:
            return hashlib.file_digest(fh, "blake2b").hexdigest()
    except OSError:
        return "missing"


def options_part(options: ScanOptions) -> tuple[str, ...]:
    """Every option that changes the result, as text."""
    part: dict[str, object] = {}
    for f in dataclasses.fields(options):
        if f.name in _RUN_ONLY:
            continue
        value = getattr(options, f.name)
        if isinstance(value, tuple):
            value = [str(v) for v in value]
        elif isinstance(value, Path):
            value = str(value)
        elif isinstance(value, dict):
            value = sorted((str(k), str(v)) for k, v in value.items())
        part[f.name] = value
    return (json.dumps(part, sort_keys=True, default=str),)


def scan_key(roots: Sequence[Path], declarations: Iterable[Declaration]) -> str:
    """The key over ``roots`` and every stage's declared inputs."""
    digest = hashlib.blake2b(digest_size=32)
    digest.update(json.dumps([str(r) for r in roots]).encode())
    for decl in declarations:
        digest.update(f"\n[{decl.stage}]\n".encode())
        for path in decl.files:
            digest.update(f"{path}\0{file_digest(path)}\n".encode("utf-8", "surrogateescape"))
        for value in decl.values:
            digest.update(value.encode("utf-8", "surrogateescape"))
            digest.update(b"\n")
    return digest.hexdigest()
