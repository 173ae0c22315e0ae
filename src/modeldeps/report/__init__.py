"""Report stage: pure renderers from a ScanResult to text, one module per format."""

from __future__ import annotations

from modeldeps.errors import ReportError
from modeldeps.model import ScanResult
from modeldeps.report.cyclonedx import CycloneDxReporter
from modeldeps.report.html import HtmlReporter
from modeldeps.report.interface import RenderOptions, Reporter
from modeldeps.report.json import JsonReporter
from modeldeps.report.markdown import MarkdownReporter
from modeldeps.report.sarif import SarifReporter
from modeldeps.report.table import TableReporter

#: The registry of formats. Add one by importing its class here (see ADDING.md).
REPORTER_CLASSES: tuple[type[Reporter], ...] = (
    TableReporter,
    JsonReporter,
    CycloneDxReporter,
    SarifReporter,
    MarkdownReporter,
    HtmlReporter,
)


def formats() -> tuple[str, ...]:
    return tuple(cls.name for cls in REPORTER_CLASSES)


def get_reporter(name: str) -> Reporter:
    for cls in REPORTER_CLASSES:
        if cls.name == name:
            return cls()
    raise ReportError(f"unknown format {name!r} (expected one of: {', '.join(formats())})")


def render(result: ScanResult, fmt: str, options: RenderOptions | None = None) -> str:
    """Render ``result`` in format ``fmt``."""
    return get_reporter(fmt).render(result, options or RenderOptions())


__all__ = ["REPORTER_CLASSES", "RenderOptions", "Reporter", "formats", "get_reporter", "render"]
