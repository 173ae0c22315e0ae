"""The report seam: a reporter renders a ScanResult to text, purely and reproducibly."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import ClassVar

from modeldeps.errors import ReportError
from modeldeps.model import ScanResult

__all__ = ["DEFAULT_WIDTH", "RenderOptions", "ReportError", "Reporter"]


#: Columns of the text report when it goes to a file, or to something that is not a terminal.
DEFAULT_WIDTH = 120


@dataclass(frozen=True, slots=True)
class RenderOptions:
    """How to render. ``reproducible`` drops timestamps, durations and absolute paths."""

    reproducible: bool = False
    color: bool = False
    width: int = DEFAULT_WIDTH


class Reporter(ABC):
    """Renders a result in one format. ``render`` is a pure function of its arguments."""

    name: ClassVar[str]  # the --format value
    suffix: ClassVar[str] = ".txt"  # file suffix for --output defaults

    @abstractmethod
    def render(self, result: ScanResult, options: RenderOptions) -> str:
        """The whole report as text."""
