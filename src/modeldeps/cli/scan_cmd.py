"""The ``scan`` command: inventory a repository and report, with exit codes for CI."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from modeldeps.cli.exitcodes import EXIT_CLEAN, EXIT_FINDINGS, EXIT_INCOMPLETE
from modeldeps.cli.progress import progress_for
from modeldeps.cli.scan_options import (
    TIME_BUDGET,
    Exclude,
    NoCache,
    NoGitignore,
    NoInspect,
    Online,
    Overlays,
    TimeBudget,
    scan_options,
)
from modeldeps.errors import UsageError
from modeldeps.model import ScanResult, Severity
from modeldeps.report.interface import DEFAULT_WIDTH

if TYPE_CHECKING:
    from modeldeps.store.connect import Store


def parse_fail_on(value: str | None) -> Severity | None:
    """``--fail-on`` value: a severity, or ``none``/``never`` to never fail on findings."""
    if value is None:
        return None
    if value.strip().lower() in {"none", "never", "off"}:
        return None
    try:
        return Severity.parse(value)
    except ValueError as exc:
        raise UsageError(f"--fail-on: {exc}") from None


def exit_code(result: ScanResult, fail_on: Severity | None, strict: bool) -> int:
    """0 clean, 1 findings at or above ``fail_on``, 3 something skipped under ``strict``."""
    if fail_on is not None and any(f.severity.rank >= fail_on.rank for f in result.findings):
        return EXIT_FINDINGS
    if strict and result.skipped:
        return EXIT_INCOMPLETE
    return EXIT_CLEAN


def terminal_width() -> int:
    """The terminal's width (``COLUMNS`` first, as the shell sets it), at least 60 columns;
    120 when standard output is not a terminal and ``COLUMNS`` is unset."""
    import shutil

    return max(60, shutil.get_terminal_size((DEFAULT_WIDTH, 24)).columns)


def write_output(text: str, output: Path | None) -> None:
    """Write a report to ``output`` or standard output."""
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot write {output}: {exc.strerror or exc}") from None


def register(app: typer.Typer) -> None:
    """Add ``scan`` to ``app``."""

    @app.command("scan")
    def scan_command(
        paths: Annotated[list[Path], typer.Argument(help="Files or directories to scan.")],
        fmt: Annotated[
            str,
            typer.Option("--format", "-f", help="table, json, cyclonedx, sarif, markdown or html."),
        ] = "table",
        output: Annotated[
            Path | None, typer.Option("--output", "-o", help="Write the report here.")
        ] = None,
        exclude: Exclude = None,
        no_cache: NoCache = False,
        no_gitignore: NoGitignore = False,
        jobs: Annotated[int, typer.Option("--jobs", "-j", help="Worker processes (0: cores).")] = 0,
        time_budget: TimeBudget = TIME_BUDGET,
        fail_on: Annotated[
            str | None,
            typer.Option(
                "--fail-on",
                help="Exit 1 on findings at or above: critical, high, medium, low, info, none.",
            ),
        ] = None,
        strict: Annotated[
            bool, typer.Option("--strict", help="Exit 3 when any file could not be handled.")
        ] = False,
        kb: Overlays = None,
        online: Online = False,
        config: Annotated[
            Path | None,
            typer.Option("--config", help="Policy file (default: .modeldeps.toml or pyproject)."),
        ] = None,
        baseline: Annotated[
            Path | None, typer.Option("--baseline", help="Report only findings not in this file.")
        ] = None,
        usage: Annotated[
            Path | None,
            typer.Option(
                "--usage",
                help="Usage file (as for `modeldeps cost`): weigh concentration by monthly tokens.",
            ),
        ] = None,
        no_inspect: NoInspect = False,
        reproducible: Annotated[
            bool, typer.Option("--reproducible", help="Drop timestamps and absolute paths.")
        ] = False,
        quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
        save: Annotated[
            bool, typer.Option("--save", help="Keep the scan in the store (see `history`).")
        ] = False,
        store: Annotated[
            str | None, typer.Option("--store", help="Store URL or file for --save.")
        ] = None,
    ) -> int:
        """Find every AI model the given paths depend on, and report it."""
        from modeldeps.pipeline import scan
        from modeldeps.report import RenderOptions, formats, render

        if fmt not in formats():
            raise UsageError(f"--format: unknown format {fmt!r} (one of: {', '.join(formats())})")
        for p in paths:
            if not p.exists():
                raise UsageError(f"no such file or directory: {p}")
        if usage is not None and not usage.is_file():
            raise UsageError(f"--usage: no such file: {usage}")
        threshold = parse_fail_on(fail_on)
        options = scan_options(
            exclude=exclude,
            no_gitignore=no_gitignore,
            no_cache=no_cache,
            no_inspect=no_inspect,
            kb=kb,
            online=online,
            config=config,
            time_budget=time_budget,
            jobs=jobs,
            baseline=baseline,
            strict=strict,
            usage_file=usage,
        )
        if fail_on is None:  # the policy's fail-on, or high
            threshold = _configured_fail_on(paths[0], options.config_file)
        options = replace(options, fail_on=threshold)
        saver = _store_for_save(paths, store) if save else None
        with progress_for(enabled=not quiet) as progress:
            result = scan(paths, options, progress)
        if saver is not None:
            from modeldeps.cli.store_support import save_result

            save_result(saver, result, paths[0])
        color = output is None and fmt == "table" and sys.stdout.isatty()
        width = terminal_width() if output is None else DEFAULT_WIDTH
        text = render(
            result, fmt, RenderOptions(reproducible=reproducible, color=color, width=width)
        )
        write_output(text, output)
        return exit_code(result, options.fail_on, strict)


def _store_for_save(paths: list[Path], store: str | None) -> Store:
    """Check ``--save`` can work before scanning: one folder, a store that opens."""
    from modeldeps.cli.store_support import open_cli_store

    if len(paths) != 1 or not paths[0].is_dir():
        raise UsageError(
            "--save keeps the scan of one repository: give one folder "
            "(use `modeldeps scan-many` for several)"
        )
    return open_cli_store(store, create=True)


def _configured_fail_on(root: Path, config: Path | None) -> Severity | None:
    """``fail-on`` from the policy configuration, or ``high`` when none is set."""
    from modeldeps.assess.policy import load_policy  # no fallback: no policy, no threshold

    policy = load_policy(root if root.is_dir() else root.parent, config)
    return policy.fail_on
