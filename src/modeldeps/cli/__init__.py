"""Command-line interface: ``main(argv) -> int`` maps every error to a message and exit code."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from modeldeps.cli.exitcodes import EXIT_CLEAN, EXIT_FINDINGS, EXIT_INCOMPLETE, EXIT_USAGE

__all__ = ["EXIT_CLEAN", "EXIT_FINDINGS", "EXIT_INCOMPLETE", "EXIT_USAGE", "main", "run"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI with ``argv`` (default: ``sys.argv[1:]``) and return the exit code."""
    import typer
    from typer.main import get_command

    from modeldeps.cli.app import build_app
    from modeldeps.errors import ModeldepsError

    args = list(sys.argv[1:] if argv is None else argv)
    first = args[0] if args and not args[0].startswith("-") else None
    command = get_command(build_app(first))
    try:
        result = command.main(args=args, prog_name="modeldeps", standalone_mode=False)
    except typer.Exit as exc:
        return int(exc.exit_code)
    except typer.Abort:
        print("aborted", file=sys.stderr)
        return EXIT_USAGE
    except typer.exceptions.TyperException as exc:  # click's usage errors, as vendored by Typer
        show = getattr(exc, "show", None)
        if callable(show):
            show()
        else:
            print(f"modeldeps: error: {exc}", file=sys.stderr)
        code = getattr(exc, "exit_code", EXIT_USAGE)
        return code if isinstance(code, int) else EXIT_USAGE
    except ModeldepsError as exc:
        from modeldeps.cli.exitcodes import exit_code_for

        print(f"modeldeps: error: {exc}", file=sys.stderr)
        return exit_code_for(exc)
    except BrokenPipeError:
        return EXIT_CLEAN
    except ImportError as exc:
        # A part of modeldeps that cannot be imported is a broken install, never a clean result.
        print(f"modeldeps: error: cannot load a part of modeldeps: {exc}", file=sys.stderr)
        return EXIT_USAGE
    return int(result) if isinstance(result, int) else EXIT_CLEAN


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())
