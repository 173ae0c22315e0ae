"""Snapshot comparison for report tests; ``MODELDEPS_UPDATE_SNAPSHOTS=1`` rewrites the files."""

from __future__ import annotations

import difflib
import os
from pathlib import Path

SNAPSHOTS = Path(__file__).parent / "snapshots"


def assert_snapshot(name: str, text: str) -> None:
    """Compare ``text`` with ``snapshots/<name>``; rewrite it instead when asked to."""
    path = SNAPSHOTS / name
    if os.environ.get("MODELDEPS_UPDATE_SNAPSHOTS") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")
        return
    assert path.exists(), f"no snapshot {path}; run with MODELDEPS_UPDATE_SNAPSHOTS=1 to create it"
    expected = path.read_text(encoding="utf-8")
    if text != expected:
        diff = "".join(
            difflib.unified_diff(
                expected.splitlines(keepends=True),
                text.splitlines(keepends=True),
                f"snapshots/{name}",
                "rendered",
                n=2,
            )
        )
        raise AssertionError(
            f"{name} differs from its snapshot (MODELDEPS_UPDATE_SNAPSHOTS=1 to accept):\n"
            + diff[:6000]
        )
