"""The verify report as a table for people and as JSON for machines."""

from __future__ import annotations

import json
from typing import Any

from modeldeps.lock.verify import EntryCheck, Status, VerifyReport
from modeldeps.textsafe import terminal

#: Version of the JSON layout below; bump on an incompatible change.
VERIFY_SCHEMA = "modeldeps-verify/1"
_MARK = {
    Status.OK: "ok",
    Status.DRIFTED: "DRIFTED",
    Status.MISSING: "MISSING",
    Status.EXTRA: "extra",
    Status.UNPINNED: "unpinned",
}


def to_data(report: VerifyReport, strict: bool = False) -> dict[str, Any]:
    """The report as JSON-ready data."""
    return {
        "schema": VERIFY_SCHEMA,
        "lock": report.lock,
        "ok": not report.failed(strict),
        "counts": report.counts(),
        "stores": dict(sorted(report.stores.items())),
        "entries": [
            {
                "kind": e.kind,
                "name": e.name,
                "status": e.status.value,
                "detail": e.detail,
                "lock_line": e.line,
                "files": [
                    {
                        "path": f.path,
                        "status": f.status.value,
                        "detail": f.detail,
                        "expected": f.expected,
                        "actual": f.actual,
                        "local": f.local,
                    }
                    for f in e.files
                ],
            }
            for e in report.entries
        ],
    }


def render_json(report: VerifyReport, strict: bool = False) -> str:
    return json.dumps(to_data(report, strict), indent=2, ensure_ascii=False) + "\n"


def _entry_lines(e: EntryCheck, verbose: bool) -> list[str]:
    where = f"  (line {e.line})" if e.line else ""
    lines = [f"{_MARK[e.status]:<9} {e.kind:<7} {terminal(e.name)}{where}"]
    if e.detail:
        lines.append(f"{'':<18}{terminal(e.detail)}")
    for f in e.files:
        if f.status is Status.OK and not verbose:
            continue
        detail = f": {terminal(f.detail)}" if f.detail else ""
        lines.append(f"{'':<18}{_MARK[f.status]:<9} {terminal(f.path)}{detail}")
    return lines


def render_table(report: VerifyReport, strict: bool = False, verbose: bool = False) -> str:
    """One line per model, then the files that are not as locked (every file with ``verbose``)."""
    order = {
        Status.DRIFTED: 0,
        Status.MISSING: 1,
        Status.EXTRA: 2,
        Status.UNPINNED: 3,
        Status.OK: 4,
    }
    entries = sorted(report.entries, key=lambda e: (order[e.status], e.kind, e.name.lower()))
    lines: list[str] = []
    for e in entries:
        lines += _entry_lines(e, verbose)
    counts = report.counts()
    summary = ", ".join(f"{n} {k}" for k, n in counts.items() if n)
    verdict = "FAILED" if report.failed(strict) else "passed"
    lines.append(f"{report.lock}: {summary or 'nothing locked'} — verify {verdict}")
    return "\n".join(lines) + "\n"
