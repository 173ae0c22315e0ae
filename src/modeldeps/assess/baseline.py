"""Baseline files: fingerprints of accepted findings, so CI fails only on new ones."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from modeldeps.errors import ConfigError
from modeldeps.model import Finding

__all__ = ["BASELINE_VERSION", "Baseline", "load_baseline", "render_baseline"]

#: 2: fingerprints of findings about a model no longer include the path (one finding per rule
#: and model); a version 1 file's fingerprints would match nothing, so it is refused.
BASELINE_VERSION = 2
MAX_BASELINE_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Baseline:
    """How many findings with each fingerprint were accepted."""

    counts: dict[str, int]

    def filter(self, findings: Sequence[Finding]) -> tuple[list[Finding], list[Finding]]:
        """(new, known): each fingerprint hides at most as many findings as the baseline holds."""
        budget = Counter(self.counts)
        new: list[Finding] = []
        known: list[Finding] = []
        for f in findings:
            if budget[f.fingerprint] > 0:
                budget[f.fingerprint] -= 1
                known.append(f)
            else:
                new.append(f)
        return new, known


def render_baseline(findings: Iterable[Finding], tool_version: str = "") -> str:
    """The baseline file text: versioned, sorted, one entry per fingerprint, no line numbers."""
    entries: dict[str, dict[str, Any]] = {}
    for f in findings:
        e = entries.setdefault(
            f.fingerprint,
            {
                "fingerprint": f.fingerprint,
                "rule_id": f.rule_id,
                "path": f.location.path,
                "subject": f.subject,
                "count": 0,
            },
        )
        e["count"] += 1
    doc = {
        "version": BASELINE_VERSION,
        "tool": "modeldeps",
        "tool_version": tool_version,
        "findings": sorted(
            entries.values(), key=lambda e: (e["path"], e["rule_id"], e["fingerprint"])
        ),
    }
    return json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def load_baseline(path: Path) -> Baseline:
    """Read a baseline file; a missing, oversized or malformed one is a configuration error."""
    try:
        with path.open("rb") as fh:
            data = fh.read(MAX_BASELINE_BYTES + 1)
    except OSError as exc:
        raise ConfigError(f"cannot read baseline: {exc.strerror or exc}", file=str(path)) from None
    if len(data) > MAX_BASELINE_BYTES:
        raise ConfigError("baseline file is too large", file=str(path))
    try:
        doc = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ConfigError(f"baseline is not valid JSON: {exc}", file=str(path)) from None
    except RecursionError:
        raise ConfigError("baseline is nested too deeply to read", file=str(path)) from None
    if not isinstance(doc, dict) or doc.get("tool") != "modeldeps":
        raise ConfigError("not a modeldeps baseline file", file=str(path))
    version = doc.get("version")
    if version == 1:
        raise ConfigError(
            "baseline version 1 was written by an older modeldeps whose fingerprints differ; "
            "write it again with `modeldeps baseline create`",
            file=str(path),
            key="version",
        )
    if version != BASELINE_VERSION:
        raise ConfigError(
            f"baseline version {version!r} is not supported (expected {BASELINE_VERSION})",
            file=str(path),
            key="version",
        )
    items = doc.get("findings")
    if not isinstance(items, list):
        raise ConfigError("expected a list", file=str(path), key="findings")
    counts: dict[str, int] = {}
    for i, item in enumerate(items):
        fp = item.get("fingerprint") if isinstance(item, dict) else None
        count = item.get("count", 1) if isinstance(item, dict) else None
        if not isinstance(fp, str) or not fp:
            raise ConfigError("entry without a fingerprint", file=str(path), key=f"findings[{i}]")
        if isinstance(count, bool) or not isinstance(count, int) or count < 1:
            raise ConfigError(
                "count must be a positive integer", file=str(path), key=f"findings[{i}].count"
            )
        counts[fp] = counts.get(fp, 0) + count
    return Baseline(counts)
