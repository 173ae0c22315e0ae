"""Exit codes, documented in the README: one table from outcome or exception to code."""

from __future__ import annotations

from modeldeps.errors import ConfigError, InputError, ModeldepsError, StageError, UsageError

EXIT_CLEAN = 0  # nothing at or above --fail-on
EXIT_FINDINGS = 1  # findings at or above --fail-on
EXIT_USAGE = 2  # usage or configuration error, or a part of modeldeps that cannot run
EXIT_INCOMPLETE = 3  # something was skipped and --strict was given

_TABLE: tuple[tuple[type[ModeldepsError], int], ...] = (
    (UsageError, EXIT_USAGE),
    (ConfigError, EXIT_USAGE),
    (InputError, EXIT_USAGE),
    (StageError, EXIT_USAGE),
)


def exit_code_for(exc: ModeldepsError) -> int:
    """The exit code for an error raised on purpose; anything unlisted is a usage error."""
    for cls, code in _TABLE:
        if isinstance(exc, cls):
            return code
    return EXIT_USAGE
