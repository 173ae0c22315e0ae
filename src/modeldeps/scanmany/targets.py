"""Turn scan-many arguments into repositories: folders, listing files, folders of repositories."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from modeldeps.errors import UsageError

MAX_LISTING_BYTES = 4 * 1024 * 1024

#: Files that make a folder a project of its own (besides a ``.git`` entry).
PROJECT_MARKERS = frozenset(
    {
        "pyproject.toml",
        "setup.py",
        "setup.cfg",
        "requirements.txt",
        "Pipfile",
        "environment.yml",
        "package.json",
        "go.mod",
        "Cargo.toml",
        "pom.xml",
        "build.gradle",
        "build.gradle.kts",
        "Gemfile",
        "composer.json",
        "Dockerfile",
        "docker-compose.yml",
        "compose.yaml",
        "Makefile",
        "Modelfile",
        ".modeldeps.toml",
    }
)


@dataclass(frozen=True, slots=True)
class Target:
    """One repository to scan: its absolute path and where it was named."""

    path: Path
    origin: str  # the argument, or "FILE:LINE" of a listing


def looks_like_repository(folder: Path) -> bool:
    """A git checkout, a folder with a project file, or a folder with files and no folders."""
    if (folder / ".git").exists():
        return True
    try:
        entries = list(folder.iterdir())
    except OSError:
        return True  # let the scan report why it cannot be read
    names = {e.name for e in entries}
    if names & PROJECT_MARKERS:
        return True
    has_dirs = any(e.is_dir() and not e.name.startswith(".") for e in entries)
    return not has_dirs


def children(folder: Path) -> list[Path]:
    """The sub-folders of a folder of repositories, by name; hidden ones left out."""
    try:
        return sorted(
            (e for e in folder.iterdir() if e.is_dir() and not e.name.startswith(".")),
            key=lambda p: p.name,
        )
    except OSError as exc:
        raise UsageError(f"cannot list {folder}: {exc.strerror or exc}") from None


def _read_listing(path: Path) -> list[Target]:
    try:
        data = path.read_bytes()[: MAX_LISTING_BYTES + 1]
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None
    if len(data) > MAX_LISTING_BYTES or b"\0" in data:
        raise UsageError(
            f"{path} is not a repository or a list of repositories (a text file with one "
            "path per line)"
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise UsageError(f"{path}: a list of repositories must be UTF-8 text") from None
    out = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        entry = Path(line).expanduser()
        entry = entry if entry.is_absolute() else path.parent / entry
        where = f"{path}:{number}"
        if not entry.exists():
            raise UsageError(f"{where}: no such directory: {line}")
        if not entry.is_dir():
            raise UsageError(f"{where}: not a repository (not a directory): {line}")
        out.append(Target(entry.resolve(), where))
    return out


def expand(arguments: list[Path], as_parent: bool | None = None) -> list[Target]:
    """The repositories named by ``arguments``, each once, in the order given.

    A file is a listing (one path per line, ``#`` comments, relative to the file). A folder is
    a repository, or a folder of repositories: ``as_parent`` decides, or when ``None`` a folder
    that does not look like a repository (no ``.git``, no project file, but sub-folders) is
    taken as a folder of repositories.
    """
    found: list[Target] = []
    for arg in arguments:
        if not arg.exists():
            raise UsageError(f"no such file or directory: {arg}")
        if arg.is_file():
            found += _read_listing(arg)
            continue
        if not arg.is_dir():
            raise UsageError(f"not a repository (not a directory or a list): {arg}")
        parent = as_parent if as_parent is not None else not looks_like_repository(arg)
        if parent:
            subs = children(arg)
            if not subs:
                raise UsageError(f"{arg} has no sub-folders to scan as repositories")
            found += [Target(p.resolve(), str(arg)) for p in subs]
        else:
            found.append(Target(arg.resolve(), str(arg)))
    seen: set[Path] = set()
    unique = []
    for target in found:
        if target.path not in seen:
            seen.add(target.path)
            unique.append(target)
    return unique
