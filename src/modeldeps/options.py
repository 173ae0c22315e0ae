"""Options that steer a scan, built by the CLI or by library callers."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from modeldeps.model import Severity

#: Text files larger than this are not parsed (weights are handled by inspectors, not read).
DEFAULT_MAX_TEXT_BYTES = 4 * 1024 * 1024

#: Directories of version control systems: never descended into.
VCS_DIRS: frozenset[str] = frozenset({".git", ".hg", ".svn", ".bzr", "_darcs", ".jj"})

#: Caches and install folders that tools write and rebuild (package managers, test runners,
#: type checkers, bundlers). Skipped unless git tracks a file inside. Folders named like build
#: outputs or environments (``build``, ``dist``, ``env``, ``venv``) are scanned: only a real
#: virtualenv (a ``pyvenv.cfg`` with its ``home`` key, and an interpreter) is skipped.
TOOL_CACHE_DIRS: frozenset[str] = frozenset(
    {
        "__pycache__",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".hypothesis",
        ".cache",
        ".ipynb_checkpoints",
        ".tox",
        ".nox",
        ".eggs",
        ".next",
        ".turbo",
        "node_modules",
        "bower_components",
    }
)

#: Every directory name skipped by name (see the two sets above).
DEFAULT_EXCLUDED_DIRS: frozenset[str] = VCS_DIRS | TOOL_CACHE_DIRS


@dataclass(frozen=True, slots=True)
class ScanOptions:
    """What a scan does. Every field has a CLI flag."""

    excludes: tuple[str, ...] = ()  # extra gitignore-style patterns
    use_gitignore: bool = True
    max_text_bytes: int = DEFAULT_MAX_TEXT_BYTES
    jobs: int = 0  # 0: one worker per core
    use_cache: bool = True
    cache_dir: Path | None = None  # None: platformdirs user cache dir
    inspect_artifacts: bool = True  # open weight files found in the tree
    hash_artifacts: bool = False
    resolve: bool = True
    online: bool = False
    kb_overlays: tuple[Path, ...] = ()
    assess: bool = True
    config_file: Path | None = None
    baseline: Path | None = None
    fail_on: Severity | None = Severity.HIGH  # None: never fail on findings
    strict: bool = False  # exit 3 when anything was skipped
    usage_file: Path | None = None  # usage figures (the cost usage file): weigh concentration
    check_lock: bool = True  # with a models.lock at the root: pins count for MD401, drift is MD403
    extra: dict[str, str] = field(default_factory=dict)
