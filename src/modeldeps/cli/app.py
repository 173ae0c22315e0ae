"""Builds the Typer application from one module per command group."""

from __future__ import annotations

import typer

from modeldeps import __version__


def _version(value: bool) -> None:
    if value:
        typer.echo(f"modeldeps {__version__}")
        raise typer.Exit(0)


def build_app() -> typer.Typer:
    """The ``modeldeps`` command with every command group registered."""
    from modeldeps.cli import cost_cmd, inspect_cmd, kb_cmd, rules_cmd, scan_cmd

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

    for module in (scan_cmd, inspect_cmd, kb_cmd, rules_cmd, cost_cmd):
        module.register(app)
    return app
