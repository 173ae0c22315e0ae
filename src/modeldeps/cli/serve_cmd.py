"""The ``serve`` command: the read-only dashboard over the scan store."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from modeldeps.cli.extras import require
from modeldeps.cli.store_support import STORE_HELP, open_cli_store


def register(app: typer.Typer) -> None:
    """Add ``serve`` to ``app``."""

    @app.command("serve")
    def serve_command(
        store: Annotated[str | None, typer.Option("--store", help=STORE_HELP)] = None,
        host: Annotated[
            str,
            typer.Option(
                "--host", help="Address to listen on; anything but loopback needs --token."
            ),
        ] = "127.0.0.1",
        port: Annotated[int, typer.Option("--port", help="Port (0: any free port).")] = 8765,
        token: Annotated[
            str | None,
            typer.Option(
                "--token",
                envvar="MODELDEPS_SERVE_TOKEN",
                help="Access token (16+ characters) every visitor must present.",
                show_envvar=True,
            ),
        ] = None,
        usage: Annotated[
            Path | None,
            typer.Option(
                "--usage", help="Usage file (as for `modeldeps cost`): show cost comparisons."
            ),
        ] = None,
    ) -> None:
        """Serve a read-only dashboard of the stored scans (extra: modeldeps[web])."""
        from modeldeps.errors import UsageError
        from modeldeps.web.security import check_bind

        if not 0 <= port <= 65535:
            raise UsageError(f"--port {port}: not a port number")
        check_bind(host, token)  # before anything is opened
        require("web")
        from modeldeps.usage import ModelUsage, merge, read_usage_file

        usages: tuple[ModelUsage, ...] = ()
        if usage is not None:
            require("cost")  # the dashboard prices usage with the cost package
            usages = merge(read_usage_file(usage))
        from modeldeps.web.serve import run

        with open_cli_store(store, create=False, read_only=True) as st:
            run(st, host=host, port=port, token=token, usages=usages, usage_file=usage)
