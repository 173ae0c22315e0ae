"""The ``history`` commands: list stored scans, show one, diff two scans or two dates."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from modeldeps.cli.scan_cmd import write_output
from modeldeps.cli.store_support import STORE_HELP, open_cli_store, parse_when, scan_id
from modeldeps.errors import UsageError
from modeldeps.report.org import HISTORY_FORMATS

if TYPE_CHECKING:
    import sqlalchemy as sa


def _check_format(fmt: str, allowed: tuple[str, ...]) -> None:
    if fmt not in allowed:
        raise UsageError(f"--format: unknown format {fmt!r} (one of: {', '.join(allowed)})")


def repository_id(conn: sa.Connection, text: str) -> int:
    """The stored repository ``text`` names: a path, key, name or id. Exit 2 when none or many."""
    from modeldeps.store import queries

    path = Path(text).expanduser()
    if path.exists():
        from modeldeps.store.identify import identify

        hits = queries.find_repositories(conn, identify(path).key)
    else:
        hits = queries.find_repositories(conn, text)
    if not hits:
        raise UsageError(
            f"no stored repository {text!r} (see `modeldeps history list` or `org-report`)"
        )
    if len(hits) > 1:
        keys = ", ".join(h.key for h in hits[:5])
        raise UsageError(f"{text!r} names several repositories ({keys}); give its key")
    return hits[0].id


def register(app: typer.Typer) -> None:
    """Add the ``history`` group to ``app``."""
    history = typer.Typer(help="Stored scans: list, show and compare them.", no_args_is_help=True)
    app.add_typer(history, name="history")

    @history.command("list")
    def list_command(
        repo: Annotated[
            str | None,
            typer.Argument(help="Repository: path, key, name or id (default: all)."),
        ] = None,
        store: Annotated[str | None, typer.Option("--store", help=STORE_HELP)] = None,
        limit: Annotated[int, typer.Option("--limit", help="At most this many scans.")] = 100,
        since: Annotated[
            str | None, typer.Option("--since", help="Only scans started on or after.")
        ] = None,
        fmt: Annotated[str, typer.Option("--format", "-f", help="table or json.")] = "table",
    ) -> None:
        """Stored scans, newest first."""
        from modeldeps.report.org import data, table
        from modeldeps.store import queries

        _check_format(fmt, HISTORY_FORMATS)
        start = parse_when(since) if since else None
        if start is not None and since is not None and len(since.strip()) == 10:
            start = start.replace(hour=0, minute=0, second=0)
        with open_cli_store(store, create=False) as st, st.read() as conn:
            rid = repository_id(conn, repo) if repo else None
            scans = queries.list_scans(conn, rid, since=start, limit=max(1, limit))
        text = data.dumps(data.scans_data(scans)) if fmt == "json" else table.render_scans(scans)
        write_output(text, None)

    @history.command("show")
    def show_command(
        scan: Annotated[str, typer.Argument(help="Scan id (12 or #12).")],
        store: Annotated[str | None, typer.Option("--store", help=STORE_HELP)] = None,
        fmt: Annotated[
            str,
            typer.Option("--format", "-f", help="table, json, cyclonedx, sarif, markdown or html."),
        ] = "table",
        output: Annotated[
            Path | None, typer.Option("--output", "-o", help="Write the report here.")
        ] = None,
    ) -> None:
        """A stored scan, as any report `scan` writes."""
        from modeldeps.report import RenderOptions, formats, render
        from modeldeps.store import queries

        _check_format(fmt, formats())
        sid = scan_id(scan)
        if sid is None:
            raise UsageError(f"not a scan id: {scan!r}")
        with open_cli_store(store, create=False) as st, st.read() as conn:
            result = queries.load_result(conn, sid)
        if result is None:
            raise UsageError(f"no stored scan #{sid} (see `modeldeps history list`)")
        write_output(render(result, fmt, RenderOptions()), output)

    @history.command("diff")
    def diff_command(
        before: Annotated[
            str,
            typer.Argument(help="Scan id, a date for the organization, or a repository alone."),
        ],
        after: Annotated[str | None, typer.Argument(help="Scan id, or a date (or `now`).")] = None,
        store: Annotated[str | None, typer.Option("--store", help=STORE_HELP)] = None,
        fmt: Annotated[str, typer.Option("--format", "-f", help="table or json.")] = "table",
        output: Annotated[
            Path | None, typer.Option("--output", "-o", help="Write the diff here.")
        ] = None,
    ) -> None:
        """What changed: two scans of one repository, or the organization at two dates.

        With a repository alone (a path, key or name), its two latest scans are compared.
        """
        from modeldeps.report.org import data, table
        from modeldeps.store import queries
        from modeldeps.store.diff import diff_dates, diff_scans

        _check_format(fmt, HISTORY_FORMATS)
        if after is None:
            with open_cli_store(store, create=False) as st, st.read() as conn:
                rid = repository_id(conn, before)
                latest = queries.list_scans(conn, rid, limit=2)
                if len(latest) < 2:
                    raise UsageError(f"{before!r} has one stored scan; nothing to compare")
                diff = diff_scans(conn, latest[1].id, latest[0].id)
            text = data.dumps(data.diff_data(diff)) if fmt == "json" else table.render_diff(diff)
            write_output(text, output)
            return
        a, b = scan_id(before), scan_id(after)
        if (a is None) != (b is None):
            raise UsageError(
                "give two scan ids (one repository) or two dates (the organization), not a mix"
            )
        with open_cli_store(store, create=False) as st, st.read() as conn:
            if a is not None and b is not None:
                diff = diff_scans(conn, a, b)
            else:
                diff = diff_dates(conn, parse_when(before), parse_when(after))
        text = data.dumps(data.diff_data(diff)) if fmt == "json" else table.render_diff(diff)
        write_output(text, output)

    @history.command("runs")
    def runs_command(
        run: Annotated[str | None, typer.Argument(help="A run id: list its targets.")] = None,
        store: Annotated[str | None, typer.Option("--store", help=STORE_HELP)] = None,
        limit: Annotated[int, typer.Option("--limit", help="At most this many runs.")] = 20,
        fmt: Annotated[str, typer.Option("--format", "-f", help="table or json.")] = "table",
    ) -> None:
        """scan-many runs: what each stored, found unchanged, skipped or failed (and why)."""
        from modeldeps.report.org import data, table
        from modeldeps.store import queries

        _check_format(fmt, HISTORY_FORMATS)
        with open_cli_store(store, create=False) as st, st.read() as conn:
            runs = queries.list_runs(conn, max(1, limit))
            items = []
            if run is not None:
                rid = scan_id(run)
                if rid is None:
                    raise UsageError(f"not a run id: {run!r}")
                runs = [r for r in queries.list_runs(conn) if r.id == rid]
                if not runs:
                    raise UsageError(f"no scan-many run #{rid}")
                items = queries.run_items(conn, rid)
        text = (
            data.dumps(data.runs_data(runs, items))
            if fmt == "json"
            else table.render_runs(runs, items)
        )
        write_output(text, None)
