"""One error tree for the whole library; the CLI maps each class to a message and an exit code."""

from __future__ import annotations


class ModeldepsError(Exception):
    """Base of every error modeldeps raises on purpose."""


class UsageError(ModeldepsError):
    """The user asked for something that cannot be done (bad flag, missing path). Exit 2."""


class ConfigError(ModeldepsError):
    """Configuration is invalid. Names the file and the key. Exit 2."""

    def __init__(self, message: str, *, file: str | None = None, key: str | None = None) -> None:
        self.file = file
        self.key = key
        where = ""
        if file:
            where = f"{file}: "
        if key:
            where += f"[{key}] "
        super().__init__(f"{where}{message}")


class InputError(ModeldepsError):
    """An input file (usage file, report, lockfile) is malformed. Names the file and line."""

    def __init__(self, message: str, *, file: str | None = None, line: int | None = None) -> None:
        self.file = file
        self.line = line
        where = ""
        if file:
            where = f"{file}:{line}: " if line else f"{file}: "
        super().__init__(f"{where}{message}")


class StageError(ModeldepsError):
    """A pipeline stage, rule or report format cannot run (a broken install, a failing rule).

    Never turned into a clean result: the scan stops with exit 2 and says which part failed.
    """


class DetectorError(ModeldepsError):
    """A detector could not analyse a file; becomes a ``Skipped`` entry, never a crash."""


class InspectorError(ModeldepsError):
    """An inspector could not read a weight file; becomes a finding or ``Skipped`` entry."""


class KnowledgeBaseError(ModeldepsError):
    """The knowledge base (bundled or an overlay) is invalid."""


class ResolveError(ModeldepsError):
    """A knowledge source failed while resolving a reference."""


class ReportError(ModeldepsError):
    """A report format could not render the result."""


class CostError(ModeldepsError):
    """Cost estimation failed (unknown model, GPU or price)."""


class StoreError(ModeldepsError):
    """The scan store cannot be opened, is from a newer modeldeps, or refused a write. Exit 2."""
