"""Report stage: pure renderers from a ScanResult to text, one module per format.

Formats are registered by name and module and imported on first use, so a scan that writes JSON
never loads Rich, Jinja2 or cyclonedx-python-lib.
"""

from __future__ import annotations

import importlib

from modeldeps.errors import ReportError, StageError
from modeldeps.model import ScanResult
from modeldeps.report.interface import RenderOptions, Reporter

#: The registry: format name, module and class. Add a format here (see ADDING.md).
REPORTERS: tuple[tuple[str, str, str], ...] = (
    ("table", "modeldeps.report.table", "TableReporter"),
    ("json", "modeldeps.report.json", "JsonReporter"),
    ("cyclonedx", "modeldeps.report.cyclonedx", "CycloneDxReporter"),
    ("sarif", "modeldeps.report.sarif", "SarifReporter"),
    ("markdown", "modeldeps.report.markdown", "MarkdownReporter"),
    ("html", "modeldeps.report.html", "HtmlReporter"),
)


def formats() -> tuple[str, ...]:
    """Every format name, in registry order."""
    return tuple(name for name, _, _ in REPORTERS)


def reporter_class(name: str) -> type[Reporter]:
    """The class behind format ``name``, imported now."""
    for fmt, module, cls_name in REPORTERS:
        if fmt == name:
            try:
                loaded = importlib.import_module(module)
            except ImportError as exc:  # a format that cannot load is an error, not a fallback
                raise StageError(f"the {name} report format cannot run: {exc}") from exc
            cls: type[Reporter] = getattr(loaded, cls_name)
            return cls
    raise ReportError(f"unknown format {name!r} (expected one of: {', '.join(formats())})")


def reporter_classes() -> tuple[type[Reporter], ...]:
    """Every reporter class (imports them all)."""
    return tuple(reporter_class(name) for name in formats())


def get_reporter(name: str) -> Reporter:
    return reporter_class(name)()


def render(result: ScanResult, fmt: str, options: RenderOptions | None = None) -> str:
    """Render ``result`` in format ``fmt``."""
    return get_reporter(fmt).render(result, options or RenderOptions())


__all__ = [
    "REPORTERS",
    "RenderOptions",
    "Reporter",
    "formats",
    "get_reporter",
    "render",
    "reporter_class",
    "reporter_classes",
]
