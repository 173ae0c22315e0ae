"""JSON report: the ScanResult with ``schema_version`` and a summary (docs/report-schema.md)."""

from __future__ import annotations

import json
from typing import Any, ClassVar

from modeldeps.model import SCHEMA_VERSION, ScanResult
from modeldeps.report.interface import RenderOptions, Reporter
from modeldeps.report.redact import redact_data
from modeldeps.serialize import to_data
from modeldeps.summary import summarize


def report_data(result: ScanResult, options: RenderOptions) -> dict[str, Any]:
    """The JSON document as Python data (validated by ``schemas/report.schema.json``)."""
    data: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "modeldeps", "version": result.tool_version},
        "kb_version": result.kb_version,
        "roots": ["."] * len(result.roots) if options.reproducible else list(result.roots),
        "started_at": None if options.reproducible else result.started_at,
        "summary": to_data(summarize(result)),
        "references": [to_data(r) for r in result.references],
        "dependencies": [to_data(d) for d in result.dependencies],
        "artifacts": [to_data(a) for a in result.artifacts],
        "findings": [to_data(f) for f in result.findings],
        "skipped": [to_data(s) for s in result.skipped],
        "stats": to_data(result.stats),
    }
    if options.reproducible:
        data["stats"]["duration_s"] = None
    redacted: dict[str, Any] = redact_data(data)
    return redacted


class JsonReporter(Reporter):
    """Machine-readable report, stable key order, sorted lists."""

    name: ClassVar[str] = "json"
    suffix: ClassVar[str] = ".json"

    def render(self, result: ScanResult, options: RenderOptions) -> str:
        return json.dumps(report_data(result, options), indent=2, ensure_ascii=False) + "\n"
