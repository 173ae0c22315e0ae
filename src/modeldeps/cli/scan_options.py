"""The flags every scanning command shares, their checks, and the ``ScanOptions`` they build.

``scan``, ``scan-many``, ``lock``, ``verify`` and ``baseline create`` take the same discovery
flags. Declaring each once here gives them one spelling and one help text, and building the
options in one function gives them one set of checks: a bad ``--exclude`` pattern, a missing
``--kb`` or ``--config`` file or a missing extra stops every command the same way (exit 2),
before anything is scanned.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from modeldeps.errors import UsageError
from modeldeps.globs import gitignore_problem
from modeldeps.options import ScanOptions

Exclude = Annotated[
    list[str] | None,
    typer.Option("--exclude", help="Gitignore-style pattern to skip (repeatable)."),
]
NoGitignore = Annotated[
    bool, typer.Option("--no-gitignore", help="Scan files .gitignore excludes.")
]
NoCache = Annotated[bool, typer.Option("--no-cache", help="Parse every file; ignore the cache.")]
NoInspect = Annotated[
    bool, typer.Option("--no-inspect", help="Do not open weight files found in the tree.")
]
Overlays = Annotated[
    list[Path] | None, typer.Option("--kb", help="Knowledge-base overlay file (repeatable).")
]
Online = Annotated[
    bool, typer.Option("--online", help="Ask the Hub about models the KB does not know.")
]
TimeBudget = Annotated[
    float,
    typer.Option(
        "--time-budget",
        help="Seconds for inspecting the model files found; the rest is skipped.",
    ),
]
#: The default of ``--time-budget`` (``ScanOptions.inspect_budget_s``).
TIME_BUDGET = ScanOptions().inspect_budget_s


def checked_excludes(patterns: list[str] | None) -> tuple[str, ...]:
    """The ``--exclude`` patterns, each checked as a gitignore pattern."""
    for pattern in patterns or ():
        problem = gitignore_problem(pattern)
        if problem is not None:
            raise UsageError(f"--exclude: {problem}")
    return tuple(patterns or ())


def checked_overlays(overlays: list[Path] | None) -> tuple[Path, ...]:
    """The ``--kb`` overlay files, each of which must exist."""
    for overlay in overlays or ():
        if not overlay.is_file():
            raise UsageError(f"--kb: no such file: {overlay}")
    return tuple(overlays or ())


def scan_options(
    *,
    exclude: list[str] | None = None,
    no_gitignore: bool = False,
    no_cache: bool = False,
    no_inspect: bool = False,
    kb: list[Path] | None = None,
    online: bool = False,
    config: Path | None = None,
    time_budget: float = TIME_BUDGET,
    **fields: Any,
) -> ScanOptions:
    """``ScanOptions`` from the shared flags (checked) and a command's own ``fields``."""
    if online:
        from modeldeps.cli.extras import require

        require("online")
    if config is not None and not config.is_file():
        raise UsageError(f"--config: no such file: {config}")
    if time_budget < 0:
        raise UsageError(f"--time-budget: {time_budget:g} is not a number of seconds")
    return ScanOptions(
        excludes=checked_excludes(exclude),
        use_gitignore=not no_gitignore,
        use_cache=not no_cache,
        inspect_artifacts=not no_inspect,
        kb_overlays=checked_overlays(kb),
        online=online,
        config_file=config.resolve() if config is not None else None,
        inspect_budget_s=time_budget,
        **fields,
    )
