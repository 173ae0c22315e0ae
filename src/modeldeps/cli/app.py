"""Builds the Typer application from one module per command group."""

from __future__ import annotations

import typer

from modeldeps import __version__


def _version(value: bool) -> None:
    if value:
        typer.echo(f"modeldeps {__version__}")
        raise typer.Exit(0)


#: Command name → the module that registers it.
COMMAND_MODULES: dict[str, str] = {
    "scan": "scan_cmd",
    "inspect": "inspect_cmd",
    "kb": "kb_cmd",
    "rules": "rules_cmd",
    "baseline": "rules_cmd",
    "cost": "cost_cmd",
    "scan-many": "scan_many_cmd",
    "history": "history_cmd",
    "org-report": "org_cmd",
    "serve": "serve_cmd",
    "lock": "lock_cmd",
    "verify": "lock_cmd",
}


def build_app(command: str | None = None) -> typer.Typer:
    """The ``modeldeps`` command, with every command group or only the one ``command`` needs.

    Typer inspects the signature of every registered command on each start; registering only
    the command being run keeps a cached re-scan from paying for the other four.
    """
    import importlib

    app = typer.Typer(
        name="modeldeps",
        help="Inventory, provenance, risk and cost of the AI models your software depends on.",
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
        rich_markup_mode=None,
    )

    @app.callback()
    def _root(
        version: bool = typer.Option(
            False, "--version", callback=_version, is_eager=True, help="Print the version."
        ),
    ) -> None:
        """modeldeps: find, trace, assess and price the AI models your software uses."""

    wanted = COMMAND_MODULES.get(command or "")
    names = [wanted] if wanted else sorted(set(COMMAND_MODULES.values()), key=_ORDER.index)
    for name in names:
        importlib.import_module(f"modeldeps.cli.{name}").register(app)
    return app


_ORDER = [
    "scan_cmd",
    "inspect_cmd",
    "kb_cmd",
    "rules_cmd",
    "cost_cmd",
    "lock_cmd",
    "scan_many_cmd",
    "history_cmd",
    "org_cmd",
    "serve_cmd",
    "lock_cmd",
]
