"""The ``scan-many`` command: scan many repositories in parallel into the store."""

from __future__ import annotations

import json
import sys
from contextlib import nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from modeldeps.cli.exitcodes import EXIT_CLEAN, EXIT_INCOMPLETE
from modeldeps.cli.extras import require
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
from modeldeps.cli.store_support import STORE_HELP, open_cli_store
from modeldeps.errors import UsageError

if TYPE_CHECKING:
    from modeldeps.scanmany.driver import RunProgress


class LineProgress:
    """One line per repository on stderr, for logs (when stderr is not a terminal)."""

    def __init__(self) -> None:
        self.total = 0

    def start(self, total: int) -> None:
        self.total = total

    def update(self, done: int, failed: int, left: int, last: str) -> None:
        if last:
            from modeldeps.report.org.table import printable

            line = f"[{done}/{self.total}] {last} (failed {failed}, left {left})"
            print(printable(line), file=sys.stderr)


class BarProgress:
    """A Rich bar with done, failed and left counts."""

    def __init__(self, progress: Any) -> None:
        self.progress = progress
        self.task: Any = None

    def start(self, total: int) -> None:
        self.task = self.progress.add_task("repositories", total=total, failed=0, left=total)

    def update(self, done: int, failed: int, left: int, last: str) -> None:
        self.progress.update(self.task, completed=done, failed=failed, left=left)


class _Silent:
    def start(self, total: int) -> None:
        pass

    def update(self, done: int, failed: int, left: int, last: str) -> None:
        pass


def _bar(console: Any = None) -> Any:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("failed {task.fields[failed]} · left {task.fields[left]}"),
        TimeElapsedColumn(),
        console=console or Console(stderr=True),
        transient=True,
    )


def register(app: typer.Typer) -> None:
    """Add ``scan-many`` to ``app``."""

    @app.command("scan-many")
    def scan_many_command(
        paths: Annotated[
            list[Path],
            typer.Argument(
                help="Repositories, files listing one path per line, or folders of repositories."
            ),
        ],
        store: Annotated[str | None, typer.Option("--store", help=STORE_HELP)] = None,
        executor: Annotated[
            str, typer.Option("--executor", help="process (default), ray, or serial.")
        ] = "process",
        jobs: Annotated[
            int, typer.Option("--jobs", "-j", help="Repositories scanned at once (0: cores).")
        ] = 0,
        ray_address: Annotated[
            str | None,
            typer.Option("--ray-address", help="Ray cluster to join (default: a local Ray)."),
        ] = None,
        resume: Annotated[
            bool,
            typer.Option(
                "--resume", help="Skip repositories already stored at the same commit (or files)."
            ),
        ] = False,
        timeout: Annotated[
            float | None,
            typer.Option("--timeout", help="Seconds one repository may take before it fails."),
        ] = None,
        children: Annotated[
            bool | None,
            typer.Option(
                "--children/--no-children",
                help="Take folder arguments as folders of repositories (default: guess).",
            ),
        ] = None,
        exclude: Exclude = None,
        no_cache: NoCache = False,
        no_gitignore: NoGitignore = False,
        no_inspect: NoInspect = False,
        time_budget: TimeBudget = TIME_BUDGET,
        kb: Overlays = None,
        config: Annotated[
            Path | None,
            typer.Option(
                "--config",
                help="One policy file for every repository (default: each repository's own).",
            ),
        ] = None,
        online: Online = False,
        fmt: Annotated[str, typer.Option("--format", "-f", help="table or json.")] = "table",
        quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress.")] = False,
    ) -> int:
        """Scan many repositories in parallel and save every result in the store.

        Exit 0 when every repository was scanned, 3 when some failed (each is listed with
        its reason and recorded in the store), 2 for bad arguments or an unusable store.
        """
        from modeldeps.scanmany.driver import EXECUTORS, scan_many
        from modeldeps.scanmany.targets import expand

        if fmt not in ("table", "json"):
            raise UsageError(f"--format: unknown format {fmt!r} (one of: table, json)")
        if executor not in EXECUTORS:
            raise UsageError(
                f"--executor: unknown executor {executor!r} (one of: {', '.join(EXECUTORS)})"
            )
        if executor == "ray":
            require("ray")
        if timeout is not None and timeout <= 0:
            raise UsageError("--timeout must be a positive number of seconds")
        options = scan_options(
            exclude=exclude,
            no_gitignore=no_gitignore,
            no_cache=no_cache,
            no_inspect=no_inspect,
            kb=kb,
            online=online,
            config=config,
            time_budget=time_budget,
        )
        if options.config_file is not None:
            from modeldeps.assess.policy import load_policy

            # one policy for every repository: a bad one stops the run here, exit 2
            load_policy(options.config_file.parent, options.config_file)
        targets = expand(list(paths), children)
        if not targets:
            raise UsageError("no repositories to scan")
        bar = _bar() if not quiet and sys.stderr.isatty() else None
        progress: RunProgress = (
            _Silent() if quiet else BarProgress(bar) if bar is not None else LineProgress()
        )
        with open_cli_store(store, create=True) as st, bar or nullcontext():
            summary = scan_many(
                st,
                targets,
                options,
                executor=executor,
                jobs=jobs,
                resume=resume,
                timeout=timeout,
                ray_address=ray_address,
                progress=progress,
            )
            where = st.display
        if fmt == "json":
            data = {
                "run": summary.run_id,
                "store": where,
                "seconds": round(summary.seconds, 3),
                "items": [
                    {
                        "target": i.target,
                        "status": i.status,
                        "scan": i.scan_id,
                        "reason": i.reason,
                        "seconds": round(i.seconds, 3),
                    }
                    for i in summary.items
                ],
            }
            sys.stdout.write(json.dumps(data, indent=2) + "\n")
        else:
            counts = ", ".join(
                f"{summary.count(s)} {s}" for s in ("stored", "duplicate", "skipped", "failed")
            )
            print(
                f"run #{summary.run_id}: {len(targets)} repositories in "
                f"{summary.seconds:.1f} s — {counts}; store: {where}"
            )
            from modeldeps.report.org.table import printable

            for item in summary.failed:
                print(printable(f"  failed {item.target}: {item.reason}"))
        return EXIT_INCOMPLETE if summary.failed else EXIT_CLEAN
