"""The files git tracks, read from the index file itself: never by running git in a scanned tree.

A checkout's own configuration can make git run programs (``core.fsmonitor``, hooks), so
modeldeps does not run git on what it scans; it parses ``.git/index`` (format versions 2, 3 and
4, SHA-1 or SHA-256 object names, as described in git's ``gitformat-index``), bounded in size.
Tracked files are scanned whatever ``.gitignore`` says: a committed file is part of the software
even when an ignore rule would hide it. An index that cannot be read (a split index, an unknown
version, a damaged file) gives ``None``, and the walk then applies no ignore rule at all, which
scans more, never less.
"""

from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "MAX_INDEX_BYTES",
    "Checkout",
    "Tracked",
    "find_git_dir",
    "read_index",
    "tracked_under",
]

#: A git index larger than this is not read (the largest monorepos stay well below).
MAX_INDEX_BYTES = 512 * 1024 * 1024
#: A ``.git`` file holding ``gitdir: PATH`` is tiny; anything larger is not one.
_MAX_POINTER_BYTES = 4096
#: Entries of a sparse index that stand for a whole directory not checked out.
_DIR_MODE = 0o040000
_SKIP_WORKTREE = 0x4000  # in the extended flags (index version 3 and later)


class UnreadableIndex(ValueError):
    """The index cannot be read; the caller treats the tracked set as unknown."""


@dataclass(frozen=True, slots=True)
class Tracked:
    """Tracked paths relative to the scan root (POSIX), and every directory that holds one."""

    files: frozenset[str]
    dirs: frozenset[str]  # ancestors of tracked files, and sparse directory entries
    trees: tuple[str, ...] = ()  # sparse-index directories: everything below them is tracked

    def has_file(self, rel: str) -> bool:
        return rel in self.files or any(rel.startswith(t) for t in self.trees)

    def has_dir(self, rel: str) -> bool:
        return rel in self.dirs or any((rel + "/").startswith(t) for t in self.trees)


def find_git_dir(start: Path) -> tuple[Path, Path] | None:
    """(work tree top, git directory) of the checkout holding ``start``, or ``None``."""
    here = start if start.is_dir() else start.parent
    for top in (here, *here.parents):
        dotgit = top / ".git"
        try:
            if dotgit.is_dir():
                return top, dotgit
            if dotgit.is_file():
                with dotgit.open("rb") as fh:
                    text = fh.read(_MAX_POINTER_BYTES).decode("utf-8", "replace")
                if not text.startswith("gitdir:"):
                    return None
                target = Path(text[len("gitdir:") :].strip().splitlines()[0])
                git_dir = target if target.is_absolute() else top / target
                return (top, git_dir) if git_dir.is_dir() else None
        except (OSError, IndexError):
            return None
    return None


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    """git's offset varint (``varint.c``): the value and the position after it."""
    if pos >= len(data):
        raise UnreadableIndex("truncated")
    c = data[pos]
    pos += 1
    value = c & 0x7F
    while c & 0x80:
        if pos >= len(data) or value > 1 << 32:
            raise UnreadableIndex("bad varint")
        value += 1
        c = data[pos]
        pos += 1
        value = (value << 7) + (c & 0x7F)
    return value, pos


def _entries(data: bytes, hash_size: int) -> tuple[list[str], list[str]]:
    """(file paths, sparse directory paths) of an index, or ``UnreadableIndex``."""
    if len(data) < 12 + hash_size or data[:4] != b"DIRC":
        raise UnreadableIndex("not a git index")
    version, count = struct.unpack(">II", data[4:12])
    if version not in (2, 3, 4):
        raise UnreadableIndex(f"index version {version}")
    end = len(data) - hash_size
    fixed = 40 + hash_size + 2  # stat fields, object name, flags
    pos = 12
    files: list[str] = []
    trees: list[str] = []
    previous = b""
    for _ in range(count):
        if pos + fixed > end:
            raise UnreadableIndex("truncated entry")
        start = pos
        mode = struct.unpack(">I", data[pos + 24 : pos + 28])[0]
        flags = struct.unpack(">H", data[pos + 40 + hash_size : pos + fixed])[0]
        pos += fixed
        extended = 0
        if flags & 0x4000:
            if version < 3:
                raise UnreadableIndex("extended flags in a version 2 index")
            extended = struct.unpack(">H", data[pos : pos + 2])[0]
            pos += 2
        if version == 4:
            strip, pos = _varint(data, pos)
            nul = data.find(b"\0", pos, end)
            if nul < 0 or strip > len(previous):
                raise UnreadableIndex("bad path")
            name = previous[: len(previous) - strip] + data[pos:nul]
            pos = nul + 1
        else:
            nul = data.find(b"\0", pos, end)
            if nul < 0:
                raise UnreadableIndex("bad path")
            name = data[pos:nul]
            length = flags & 0x0FFF
            if length < 0x0FFF and length != len(name):
                raise UnreadableIndex("path length does not match")
            pos = start + ((nul - start + 8) & ~7)  # 1 to 8 NULs pad the entry to 8 bytes
        previous = name
        if (flags >> 12) & 0x3:
            continue  # a conflict stage: the same path appears at stage 0 or in others
        path = name.decode("utf-8", "surrogateescape")
        if mode == _DIR_MODE and extended & _SKIP_WORKTREE:
            trees.append(path if path.endswith("/") else path + "/")
        else:
            files.append(path)
    ext = pos
    while ext + 8 <= end:
        sig = data[ext : ext + 4]
        size = struct.unpack(">I", data[ext + 4 : ext + 8])[0]
        if sig == b"link":
            raise UnreadableIndex("split index")  # entries live in a shared index as well
        ext += 8 + size
    return files, trees


def read_index(git_dir: Path) -> tuple[list[str], list[str]] | None:
    """Paths tracked in ``git_dir``'s index relative to the work tree top, or ``None``."""
    try:
        index = git_dir / "index"
        if index.stat().st_size > MAX_INDEX_BYTES:
            return None
        data = index.read_bytes()
    except OSError:
        return None
    for name, size in (("sha1", 20), ("sha256", 32)):
        trailer = data[-size:]
        if trailer != bytes(size) and hashlib.new(name, data[:-size]).digest() != trailer:
            continue  # not this hash (or a damaged file); index.skipHash writes zeros
        try:
            return _entries(data, size)
        except (UnreadableIndex, struct.error, UnicodeError):
            continue
    return None


@dataclass(frozen=True, slots=True)
class Checkout:
    """Whether a scan root lies in a git work tree, and what git tracks below it."""

    tracked: Tracked | None  # None: not a checkout, or its index cannot be read
    is_checkout: bool
    top: Path | None = None  # the work tree's top folder


def tracked_under(root: Path) -> Checkout:
    """What git tracks below ``root`` (a directory)."""
    found = find_git_dir(root)
    if found is None:
        return Checkout(None, is_checkout=False)
    top, git_dir = found
    read = read_index(git_dir)
    if read is None:
        return Checkout(None, is_checkout=True, top=top)
    files, trees = read
    try:
        prefix = root.resolve().relative_to(top.resolve()).as_posix()
    except (ValueError, OSError):
        return Checkout(None, is_checkout=True, top=top)
    prefix = "" if prefix == "." else prefix + "/"
    own = frozenset(p[len(prefix) :] for p in files if p.startswith(prefix))
    own_trees = tuple(t[len(prefix) :] for t in trees if t.startswith(prefix))
    dirs: set[str] = set()
    for path in (*own, *own_trees):
        parts = path.rstrip("/").split("/")
        for i in range(1, len(parts)):
            dirs.add("/".join(parts[:i]))
    dirs.update(t.rstrip("/") for t in own_trees)
    return Checkout(Tracked(own, frozenset(dirs), own_trees), is_checkout=True, top=top)
