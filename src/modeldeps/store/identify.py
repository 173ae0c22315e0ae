"""Who a scanned tree is: its git remote, commit and branch, read from ``.git`` without git.

Running ``git`` on a scanned checkout would execute what the checkout configures (an
``fsmonitor`` hook, a clean filter), so the few files needed are read directly, each bounded
in size: ``HEAD``, the ref it names (loose or in ``packed-refs``) and the remote in ``config``.
Credentials in a remote URL are never kept.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

MAX_SMALL = 64 * 1024  # HEAD, a loose ref, a .git file, config
MAX_PACKED_REFS = 32 * 1024 * 1024
MAX_UP = 64  # how many parent folders are searched for .git
_SHA = re.compile(r"^[0-9a-f]{40}(?:[0-9a-f]{24})?$")
_REF = re.compile(r"^refs/[A-Za-z0-9._/\-]+$")
_SCP = re.compile(r"^(?:[\w.\-]+@)?([\w.\-]+):(?!/)(.+)$")  # git@host:org/repo.git
_SECTION = re.compile(r'^\[\s*remote\s+"((?:[^"\\]|\\.)*)"\s*\]')


@dataclass(frozen=True, slots=True)
class RepoIdentity:
    """A repository as the store knows it: a stable key, a name, and where it was found."""

    key: str  # normalized remote ("host/org/name"), else "path:" + absolute path
    name: str
    path: str  # absolute path of the scanned folder
    remote_url: str | None = None  # without credentials
    commit: str | None = None
    branch: str | None = None


def _read(path: Path, limit: int = MAX_SMALL) -> str | None:
    try:
        if not path.is_file():
            return None
        with path.open("rb") as fh:
            data = fh.read(limit + 1)
    except OSError:
        return None
    if len(data) > limit:
        return None
    return data.decode("utf-8", "replace")


def find_git_dir(start: Path) -> tuple[Path, Path] | None:
    """``(work tree top, git dir)`` of the checkout ``start`` is in, or ``None``."""
    here = start
    for _ in range(MAX_UP):
        dot = here / ".git"
        if dot.is_dir() and not dot.is_symlink():
            return here, dot
        if dot.is_file():  # a worktree or submodule: "gitdir: <path>"
            text = _read(dot)
            if text and text.startswith("gitdir:"):
                target = Path(text[7:].strip())
                gitdir = target if target.is_absolute() else (here / target)
                if gitdir.is_dir():
                    return here, gitdir.resolve()
            return None
        if here.parent == here:
            return None
        here = here.parent
    return None


def _common_dir(gitdir: Path) -> Path:
    text = _read(gitdir / "commondir")
    if text:
        common = Path(text.strip())
        common = common if common.is_absolute() else gitdir / common
        if common.is_dir():
            return common.resolve()
    return gitdir


def _resolve_ref(ref: str, gitdir: Path, common: Path) -> str | None:
    if not _REF.match(ref) or ".." in ref:
        return None
    for base in (gitdir, common):
        text = _read(base / ref)
        if text is not None:
            value = text.strip()
            return value if _SHA.match(value) else None
    packed = _read(common / "packed-refs", MAX_PACKED_REFS)
    for line in (packed or "").splitlines():
        parts = line.split(" ", 1)
        if len(parts) == 2 and parts[1].strip() == ref and _SHA.match(parts[0]):
            return parts[0]
    return None


def head_of(gitdir: Path) -> tuple[str | None, str | None]:
    """``(commit, branch)`` of a git dir's HEAD; ``None`` for what cannot be read."""
    text = _read(gitdir / "HEAD")
    if text is None:
        return None, None
    head = text.strip()
    if _SHA.match(head):
        return head, None  # detached
    if head.startswith("ref:"):
        ref = head[4:].strip()
        branch = ref[len("refs/heads/") :] if ref.startswith("refs/heads/") else ref
        return _resolve_ref(ref, gitdir, _common_dir(gitdir)), branch
    return None, None


def remote_of(gitdir: Path) -> str | None:
    """The URL of remote ``origin`` (else the first remote) from the repository's config."""
    text = _read(_common_dir(gitdir) / "config")
    if not text:
        return None
    remotes: dict[str, str] = {}
    current: str | None = None
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("["):
            m = _SECTION.match(line)
            current = m.group(1) if m else None
            continue
        if current is not None and "=" in line:
            key, _, value = line.partition("=")
            if key.strip().lower() == "url" and current not in remotes:
                remotes[current] = value.strip().strip('"')
    url = remotes.get("origin") or next(iter(remotes.values()), None)
    return strip_credentials(url) if url else None


def strip_credentials(url: str) -> str:
    """``url`` without user name or password (a token is often given as the user name)."""
    if "://" not in url:
        return url  # scp-like "git@host:org/repo" names a login, not a secret
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def remote_key(url: str) -> str:
    """A remote URL in one form for every protocol: ``host/org/name`` (no ``.git``)."""
    m = _SCP.match(url) if "://" not in url else None
    if m:
        host, path = m.group(1), m.group(2)
    else:
        parts = urlsplit(url)
        if parts.scheme == "file" or not parts.hostname:
            return f"remote:{url}"
        host, path = parts.hostname, parts.path
    path = path.strip("/")
    path = path.removesuffix(".git")
    return f"{host.lower()}/{path}"


def identify(path: Path) -> RepoIdentity:
    """The identity of the folder ``path`` (a checkout, a folder inside one, or a plain tree)."""
    root = path.resolve()
    found = find_git_dir(root)
    if found is None:
        return RepoIdentity(key=f"path:{root}", name=root.name or str(root), path=str(root))
    top, gitdir = found
    commit, branch = head_of(gitdir)
    remote = remote_of(gitdir)
    key = remote_key(remote) if remote else f"path:{top}"
    name = key.rsplit("/", 1)[-1] if remote else top.name
    sub = root.relative_to(top).as_posix() if root != top else ""
    if sub:
        key, name = f"{key}#{sub}", f"{name}/{sub}"
    return RepoIdentity(key, name or str(root), str(root), remote, commit, branch)


def tree_digest(root: Path) -> str:
    """A digest of what a scan would read in ``root``: every file's path, size and mtime.

    Used for trees without git, where there is no commit to tell that nothing changed.
    """
    from modeldeps.discover.walk import walk
    from modeldeps.model import Skipped
    from modeldeps.options import ScanOptions

    digest = hashlib.sha256()
    for item in walk(root.resolve(), ScanOptions()):
        if isinstance(item, Skipped):
            line = f"skip\0{item.location.path}\0{item.reason}\n"
        else:
            line = f"{item.rel}\0{item.size}\0{item.mtime_ns}\n"
        digest.update(line.encode("utf-8", "surrogateescape"))
    return digest.hexdigest()
