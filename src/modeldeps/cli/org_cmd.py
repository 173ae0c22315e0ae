"""The ``org-report`` command: the organization over the latest scan of every repository."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from modeldeps.cli.scan_cmd import write_output
from modeldeps.cli.store_support import STORE_HELP, open_cli_store, parse_when
from modeldeps.errors import UsageError
from modeldeps.report.org import ORG_FORMATS


def register(app: typer.Typer) -> None:
    """Add ``org-report`` to ``app``."""

    @app.command("org-report")
    def org_report_command(
        store: Annotated[str | None, typer.Option("--store", help=STORE_HELP)] = None,
        fmt: Annotated[
            str,
            typer.Option("--format", "-f", help="table, json, markdown, html or cyclonedx."),
        ] = "table",
        output: Annotated[
            Path | None, typer.Option("--output", "-o", help="Write the report here.")
        ] = None,
        at: Annotated[
            str | None,
            typer.Option("--at", help="The organization as of this date (default: now)."),
        ] = None,
    ) -> None:
        """Models by use across repositories, shares and concentration, findings by rule."""
        from modeldeps.report.org.render import render_org
        from modeldeps.store import queries
        from modeldeps.store.org import build_org_report

        if fmt not in ORG_FORMATS:
            raise UsageError(f"--format: unknown format {fmt!r} (one of: {', '.join(ORG_FORMATS)})")
        when = parse_when(at) if at else None
        with open_cli_store(store, create=False) as st, st.read() as conn:
            report = build_org_report(conn, when)
            results = {}
            if fmt == "cyclonedx":
                for repo in report.repositories:
                    if repo.scan_id is not None:
                        loaded = queries.load_result(conn, repo.scan_id)
                        if loaded is not None:
                            results[repo.id] = loaded
        write_output(render_org(report, fmt, results), output)
