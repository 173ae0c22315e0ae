"""Walk a scan root: honour excludes and .gitignore, never leave the root, classify files.

What a walk leaves out, and nothing else: version-control folders, tool caches (unless git tracks
a file inside), real virtualenvs, what the user excludes, and what ``.gitignore`` ignores and git
does not track.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import pathspec

from modeldeps.discover.gitindex import tracked_under
from modeldeps.globs import gitignore_problem
from modeldeps.model import Location, Skipped, Stage
from modeldeps.options import TOOL_CACHE_DIRS, VCS_DIRS, ScanOptions

Spec = pathspec.GitIgnoreSpec


class FileKind(StrEnum):
    """How the pipeline treats a file."""

    TEXT = "text"  # read and handed to detectors
    WEIGHT = "weight"  # handed to inspectors, never read as text


#: Extensions of model weight and serialized-object files (inspected, not read as text).
WEIGHT_SUFFIXES: frozenset[str] = frozenset(
    {
        ".safetensors",
        ".gguf",
        ".ggml",
        ".bin",
        ".pt",
        ".pth",
        ".ckpt",
        ".pkl",
        ".pickle",
        ".joblib",
        ".npy",
        ".npz",
        ".onnx",
        ".keras",
        ".h5",
        ".hdf5",
        ".pb",
        ".tflite",
        ".mlmodel",
        ".dill",
        ".mar",
        ".nemo",
        ".llamafile",
    }
)

#: Extensions never worth reading: media, archives, compiled code, fonts.
BINARY_SUFFIXES: frozenset[str] = frozenset(
    {
        ".png", ".jpg", ".jpeg", ".gif", ".bmp", ".ico", ".webp", ".svgz", ".tif", ".tiff",
        ".mp3", ".mp4", ".wav", ".flac", ".ogg", ".avi", ".mov", ".mkv", ".webm",
        ".zip", ".tar", ".gz", ".tgz", ".bz2", ".xz", ".zst", ".7z", ".rar", ".whl", ".egg",
        ".so", ".dll", ".dylib", ".exe", ".o", ".a", ".pyc", ".pyo", ".class", ".jar", ".wasm",
        ".woff", ".woff2", ".ttf", ".otf", ".eot", ".pdf", ".parquet", ".arrow", ".feather",
        ".db", ".sqlite", ".sqlite3", ".lock", ".map",
    }
)  # fmt: skip

#: Text files whose names say they are weight containers' siblings (read as text anyway).
_ALWAYS_TEXT_NAMES = frozenset({"Modelfile", "Dockerfile", "Containerfile", "Makefile"})


@dataclass(frozen=True, slots=True)
class WalkedFile:
    """A file found under a scan root."""

    abspath: str  # absolute path on disk (a string: thousands of these are made per scan)
    rel: str  # POSIX path relative to the scan root
    size: int
    mtime_ns: int
    kind: FileKind
    ctime_ns: int = 0  # change time: only the kernel sets it, so a restored mtime cannot hide
    ino: int = 0  # an edit from the caches

    @property
    def path(self) -> Path:
        return Path(self.abspath)


def classify(name: str) -> FileKind | None:
    """Decide how to treat a file by name: text, weight, or ``None`` to ignore."""
    if name in _ALWAYS_TEXT_NAMES:
        return FileKind.TEXT
    suffix = os.path.splitext(name)[1].lower()
    if suffix in WEIGHT_SUFFIXES:
        return FileKind.WEIGHT
    if suffix in BINARY_SUFFIXES:
        return None
    return FileKind.TEXT


def _load_gitignore(path: str) -> Spec | None:
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            lines = fh.read(1024 * 1024).splitlines()
    except OSError:
        return None
    try:
        return pathspec.GitIgnoreSpec.from_lines(lines)
    except (ValueError, re.error):
        # A pattern git cannot match either (a reversed range such as [z-a]) matches nothing:
        # keep every other line rather than lose the file, or the scan.
        return pathspec.GitIgnoreSpec.from_lines(
            line for line in lines if gitignore_problem(line) is None
        )


def _is_virtualenv(directory: str) -> bool:
    """A real virtualenv: ``pyvenv.cfg`` names the base interpreter's ``home``, and the folder
    holds an interpreter. A stray or empty ``pyvenv.cfg`` does not hide a folder."""
    try:
        with open(os.path.join(directory, "pyvenv.cfg"), "rb") as fh:
            text = fh.read(64 * 1024).decode("utf-8", "replace")
    except OSError:
        return False
    home = [
        line.split("=", 1)[1].strip()
        for line in text.splitlines()
        if "=" in line and line.split("=", 1)[0].strip().lower() == "home"
    ]
    if not home or not home[0]:
        return False
    for sub, names in (("bin", ("python", "python3")), ("Scripts", ("python.exe",))):
        for name in names:
            if os.path.lexists(os.path.join(directory, sub, name)):
                return True
    return False


def walk(root: Path, options: ScanOptions) -> Iterator[WalkedFile | Skipped]:
    """Yield every file under ``root`` the scan should see, and a ``Skipped`` for each it cannot.

    Symlinks are followed only when their target stays inside the root; directories are never
    entered twice. Nested ``.gitignore`` files apply to their own subtree, as in git. Paths stay
    strings throughout: a walk of a large tree makes tens of thousands of them.
    """
    root = root.resolve()
    if root.is_file():
        kind = classify(root.name)
        st = root.stat()
        if kind is not None:
            yield WalkedFile(
                str(root), root.name, st.st_size, st.st_mtime_ns, kind, st.st_ctime_ns, st.st_ino
            )
        return
    user_spec = pathspec.GitIgnoreSpec.from_lines(options.excludes) if options.excludes else None
    # In a git checkout, what git tracks is scanned whatever .gitignore says; when the index
    # cannot be read, no ignore rule applies (scan more, never less).
    checkout = tracked_under(root) if options.use_gitignore else None
    tracked = checkout.tracked if checkout is not None else None
    use_gitignore = options.use_gitignore and not (
        checkout is not None and checkout.is_checkout and tracked is None
    )
    # .gitignore files between the checkout's top and the root apply too, as in git.
    above: list[tuple[str, Spec]] = []
    if use_gitignore and checkout is not None and checkout.top is not None:
        top = checkout.top.resolve()
        for folder in reversed(root.parents):
            if folder != top and top not in folder.parents:
                continue
            spec = _load_gitignore(str(folder / ".gitignore"))
            if spec is not None:
                above.append((root.relative_to(folder).as_posix() + "/", spec))
    root_str = str(root)
    try:
        st_root = os.stat(root_str)
    except OSError as exc:
        yield Skipped(Location("."), Stage.WALK, f"cannot stat directory: {exc.strerror}")
        return
    # Stack of (directory, its rel path, gitignore specs in force with the dir they belong to,
    # and its (device, inode) so that no directory is entered twice).
    stack: list[tuple[str, str, list[tuple[str, Spec]], tuple[int, int]]] = [
        (root_str, "", [], (st_root.st_dev, st_root.st_ino))
    ]
    seen_dirs: set[tuple[int, int]] = set()

    def excluded(rel: str, is_dir: bool) -> bool:
        return user_spec is not None and user_spec.match_file(rel + "/" if is_dir else rel)

    def ignored(rel: str, is_dir: bool, specs: list[tuple[str, Spec]]) -> bool:
        probe = rel + "/" if is_dir else rel
        for prefix, spec in above:
            if spec.match_file(prefix + probe):
                return True
        for base, spec in specs:
            sub = probe[len(base) + 1 :] if base else probe
            if spec.match_file(sub):
                return True
        return False

    while stack:
        directory, rel_dir, specs, key = stack.pop()
        if key in seen_dirs:
            continue
        seen_dirs.add(key)
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError as exc:
            yield Skipped(
                Location(rel_dir or "."), Stage.WALK, f"cannot list directory: {exc.strerror}"
            )
            continue
        if (
            rel_dir
            and any(e.name == "pyvenv.cfg" for e in entries)
            and _is_virtualenv(directory)
            and not (tracked is not None and tracked.has_dir(rel_dir))
        ):
            continue  # a virtualenv, whatever its name
        if use_gitignore:
            for e in entries:
                if e.name == ".gitignore" and e.is_file(follow_symlinks=False):
                    spec = _load_gitignore(e.path)
                    if spec is not None:
                        specs = [*specs, (rel_dir, spec)]
                    break
        subdirs: list[tuple[str, str, tuple[int, int]]] = []
        for entry in entries:
            rel = f"{rel_dir}/{entry.name}" if rel_dir else entry.name
            try:
                if entry.is_symlink():
                    target = os.path.realpath(entry.path)
                    if target != root_str and not target.startswith(root_str + os.sep):
                        yield Skipped(
                            Location(rel), Stage.WALK, "symlink points outside the scan root"
                        )
                        continue
                    st = os.stat(entry.path)
                else:
                    st = entry.stat(follow_symlinks=False)
            except OSError as exc:
                yield Skipped(Location(rel), Stage.WALK, f"cannot stat: {exc.strerror or exc}")
                continue
            if stat.S_ISDIR(st.st_mode):
                if entry.name in VCS_DIRS or excluded(rel, True):
                    continue
                hidden = entry.name in TOOL_CACHE_DIRS or ignored(rel, True, specs)
                if hidden and (tracked is None or not tracked.has_dir(rel)):
                    continue
                subdirs.append((entry.path, rel, (st.st_dev, st.st_ino)))
            elif stat.S_ISREG(st.st_mode):
                if entry.name in VCS_DIRS or excluded(rel, False):
                    continue  # a ".git" file is a worktree's pointer to its git folder
                if ignored(rel, False, specs) and (tracked is None or not tracked.has_file(rel)):
                    continue
                kind = classify(entry.name)
                if kind is None:
                    continue
                yield WalkedFile(
                    entry.path, rel, st.st_size, st.st_mtime_ns, kind, st.st_ctime_ns, st.st_ino
                )
        for path, rel, child_key in reversed(subdirs):
            stack.append((path, rel, specs, child_key))
