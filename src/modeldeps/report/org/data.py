"""JSON-ready data of the organization report, diffs, scan lists and runs."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from modeldeps.report.org import ORG_SCHEMA_VERSION
from modeldeps.report.redact import redact_data
from modeldeps.serialize import to_data
from modeldeps.store.diff import Diff
from modeldeps.store.org import OrgReport
from modeldeps.store.queries import RunItemRow, RunRow, ScanRow


def _time(value: datetime | None) -> str | None:
    return value.isoformat() + "Z" if value is not None else None


def _plain(obj: Any) -> Any:
    """``to_data`` with datetimes as ISO-8601 UTC strings."""
    if isinstance(obj, datetime):
        return _time(obj)
    if isinstance(obj, dict):
        return {k: _plain(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_plain(v) for v in obj]
    return obj


def _fields(obj: Any) -> dict[str, Any]:
    """A frozen dataclass with slots as data (``to_data`` does not know datetimes)."""
    return {name: _plain(_raw(getattr(obj, name))) for name in obj.__slots__}


def _raw(value: Any) -> Any:
    if isinstance(value, datetime):
        return value
    if isinstance(value, tuple | list):
        return [_raw(v) for v in value]
    if hasattr(value, "__slots__") and hasattr(value, "__dataclass_fields__"):
        return _fields(value)
    return to_data(value)


def org_data(report: OrgReport) -> dict[str, Any]:
    data = {"schema_version": ORG_SCHEMA_VERSION, "kind": "org-report", **_fields(report)}
    return redact_data(data)  # type: ignore[no-any-return]


def diff_data(diff: Diff) -> dict[str, Any]:
    data = {"schema_version": ORG_SCHEMA_VERSION, "kind": "history-diff", **_fields(diff)}
    return redact_data(data)  # type: ignore[no-any-return]


def scans_data(scans: Sequence[ScanRow]) -> dict[str, Any]:
    return {
        "schema_version": ORG_SCHEMA_VERSION,
        "kind": "history-list",
        "scans": [_fields(s) for s in scans],
    }


def runs_data(runs: Sequence[RunRow], items: Sequence[RunItemRow] = ()) -> dict[str, Any]:
    return {
        "schema_version": ORG_SCHEMA_VERSION,
        "kind": "history-runs",
        "runs": [_fields(r) for r in runs],
        "items": [_fields(i) for i in items],
    }


def dumps(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False, sort_keys=False) + "\n"
