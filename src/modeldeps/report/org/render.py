"""Render the organization report in one of ``ORG_FORMATS`` (each imported only when used)."""

from __future__ import annotations

from collections.abc import Mapping

from modeldeps.errors import ReportError
from modeldeps.model import ScanResult
from modeldeps.report.org import ORG_FORMATS
from modeldeps.store.org import OrgReport


def render_org(report: OrgReport, fmt: str, results: Mapping[int, ScanResult] | None = None) -> str:
    """``report`` as text; ``cyclonedx`` also needs each repository's latest result by id."""
    if fmt == "table":
        from modeldeps.report.org.table import render_org as table

        return table(report)
    if fmt == "json":
        from modeldeps.report.org.data import dumps, org_data

        return dumps(org_data(report))
    if fmt == "markdown":
        from modeldeps.report.org.markdown import render_org as markdown

        return markdown(report)
    if fmt == "html":
        from modeldeps.report.org.html import render_org as html

        return html(report)
    if fmt == "cyclonedx":
        from modeldeps.report.org.cyclonedx import render_org as cyclonedx

        return cyclonedx(report, results or {})
    raise ReportError(f"unknown format {fmt!r} (expected one of: {', '.join(ORG_FORMATS)})")
