"""JSON report: the ScanResult with ``schema_version`` and a summary (docs/report-schema.md)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any, ClassVar, TypeVar

from modeldeps.model import SCHEMA_VERSION, ModelReference, ScanResult
from modeldeps.report.interface import RenderOptions, Reporter
from modeldeps.report.redact import redact_data
from modeldeps.serialize import to_data
from modeldeps.summary import summarize

T = TypeVar("T")


def _sorted(items: Iterable[T], key: Callable[[T], Any]) -> list[Any]:
    """JSON data of ``items`` in a fixed order, so the report never depends on input order."""
    return [to_data(item) for item in sorted(items, key=key)]


def report_data(result: ScanResult, options: RenderOptions) -> dict[str, Any]:
    """The JSON document as Python data (validated by ``schemas/report.schema.json``)."""
    data: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "modeldeps", "version": result.tool_version},
        "kb_version": result.kb_version,
        "roots": ["."] * len(result.roots) if options.reproducible else list(result.roots),
        "started_at": None if options.reproducible else result.started_at,
        "summary": to_data(summarize(result)),
        "references": _sorted(result.references, ModelReference.sort_key),
        "dependencies": _sorted(
            result.dependencies, lambda d: (d.location.path, d.location.line or 0, d.name)
        ),
        "artifacts": _sorted(result.artifacts, lambda a: (a.location.path, a.format)),
        "findings": _sorted(
            result.findings,
            lambda f: (
                -f.severity.rank,
                f.location.path,
                f.location.line or 0,
                f.rule_id,
                f.fingerprint,
            ),
        ),
        "skipped": _sorted(result.skipped, lambda s: (s.location.path, s.stage.value, s.reason)),
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
        # Compact separators keep the C encoder (``indent`` forces the pure-Python one, which
        # takes seconds on a report of ten thousand findings); pipe through ``jq`` to read.
        data = report_data(result, options)
        return json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n"
