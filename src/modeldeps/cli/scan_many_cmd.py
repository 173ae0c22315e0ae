"""The ``scan-many`` command: scan many repositories in parallel into the store."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from modeldeps.cli.exitcodes import EXIT_CLEAN, EXIT_INCOMPLETE
from modeldeps.cli.extras import require
from modeldeps.cli.store_support import STORE_HELP, open_cli_store
from modeldeps.errors import UsageError
from modeldeps.options import ScanOptions


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
        exclude: Annotated[
            list[str] | None,
            typer.Option("--exclude", help="Gitignore-style pattern to skip (repeatable)."),
        ] = None,
        no_cache: Annotated[
            bool, typer.Option("--no-cache", help="Ignore the scan cache.")
        ] = False,
        no_gitignore: Annotated[
            bool, typer.Option("--no-gitignore", help="Scan files .gitignore excludes.")
        ] = False,
        no_inspect: Annotated[
            bool, typer.Option("--no-inspect", help="Do not open weight files.")
        ] = False,
        kb: Annotated[
            list[Path] | None, typer.Option("--kb", help="Knowledge-base overlay (repeatable).")
        ] = None,
        config: Annotated[
            Path | None,
            typer.Option(
                "--config",
                help="One policy file for every repository (default: each repository's own).",
            ),
        ] = None,
        online: Annotated[
            bool, typer.Option("--online", help="Ask the Hub about models the KB does not know.")
        ] = False,
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
        for overlay in kb or ():
            if not overlay.is_file():
                raise UsageError(f"--kb: no such file: {overlay}")
        if config is not None:
            if not config.is_file():
                raise UsageError(f"--config: no such file: {config}")
            from modeldeps.assess.policy import load_policy

            load_policy(config.parent, config.resolve())  # a bad policy stops the run, exit 2
        targets = expand(list(paths), children)
        if not targets:
            raise UsageError("no repositories to scan")
        options = ScanOptions(
            excludes=tuple(exclude or ()),
            use_gitignore=not no_gitignore,
            use_cache=not no_cache,
            inspect_artifacts=not no_inspect,
            kb_overlays=tuple(kb or ()),
            config_file=config.resolve() if config is not None else None,
            online=online,
        )
        with open_cli_store(store, create=True) as st:
            if quiet:
                summary = scan_many(
                    st,
                    targets,
                    options,
                    executor=executor,
                    jobs=jobs,
                    resume=resume,
                    timeout=timeout,
                    ray_address=ray_address,
                    progress=_Silent(),
                )
            elif sys.stderr.isatty():
                with _bar() as bar:
                    summary = scan_many(
                        st,
                        targets,
                        options,
                        executor=executor,
                        jobs=jobs,
                        resume=resume,
                        timeout=timeout,
                        ray_address=ray_address,
                        progress=BarProgress(bar),
                    )
            else:
                summary = scan_many(
                    st,
                    targets,
                    options,
                    executor=executor,
                    jobs=jobs,
                    resume=resume,
                    timeout=timeout,
                    ray_address=ray_address,
                    progress=LineProgress(),
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
