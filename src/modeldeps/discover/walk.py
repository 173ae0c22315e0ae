"""Walk a scan root: honour .gitignore and excludes, never leave the root, classify files."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import pathspec

from modeldeps.model import Location, Skipped, Stage
from modeldeps.options import DEFAULT_EXCLUDED_DIRS, ScanOptions

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
    return pathspec.GitIgnoreSpec.from_lines(lines)


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
            yield WalkedFile(str(root), root.name, st.st_size, st.st_mtime_ns, kind)
        return
    user_spec = pathspec.GitIgnoreSpec.from_lines(options.excludes) if options.excludes else None
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

    def ignored(rel: str, is_dir: bool, specs: list[tuple[str, Spec]]) -> bool:
        probe = rel + "/" if is_dir else rel
        if user_spec is not None and user_spec.match_file(probe):
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
        if rel_dir and any(e.name == "pyvenv.cfg" for e in entries):
            continue  # a virtualenv under another name
        if options.use_gitignore:
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
                if entry.name in DEFAULT_EXCLUDED_DIRS or ignored(rel, True, specs):
                    continue
                subdirs.append((entry.path, rel, (st.st_dev, st.st_ino)))
            elif stat.S_ISREG(st.st_mode):
                if ignored(rel, False, specs):
                    continue
                kind = classify(entry.name)
                if kind is None:
                    continue
                yield WalkedFile(entry.path, rel, st.st_size, st.st_mtime_ns, kind)
        for path, rel, child_key in reversed(subdirs):
            stack.append((path, rel, specs, child_key))
