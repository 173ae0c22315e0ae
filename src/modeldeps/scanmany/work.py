"""What a worker does for one repository: identify it, scan it, hand back plain data.

The result travels as plain data (``serialize.to_data``) so every executor — a local process,
a Ray worker on another node — returns the same thing, and the driver alone writes the store.
"""

from __future__ import annotations

import dataclasses
import time
import traceback
from pathlib import Path
from typing import Any

from modeldeps.options import ScanOptions


def scan_target(path: str, options: ScanOptions) -> dict[str, Any]:
    """Scan the repository at ``path``; never raises (a failure is returned with its reason)."""
    from modeldeps.errors import ModeldepsError
    from modeldeps.pipeline import scan
    from modeldeps.serialize import to_data
    from modeldeps.store.identify import identify, tree_digest

    started = time.perf_counter()
    try:
        root = Path(path)
        if not root.is_dir():
            return _failed(path, f"not a directory: {path}", started)
        repo = identify(root)
        digest = None if repo.commit else tree_digest(root)
        # One repository per worker, one process per worker: no pool inside a pool.
        result = scan([root], dataclasses.replace(options, jobs=1))
        return {
            "ok": True,
            "path": path,
            "repo": dataclasses.asdict(repo),
            "tree_digest": digest,
            "result": to_data(result),
            "seconds": time.perf_counter() - started,
        }
    except ModeldepsError as exc:
        return _failed(path, str(exc), started)
    except Exception as exc:  # a crash in one repository must not stop the others
        where = traceback.extract_tb(exc.__traceback__)[-1:] if exc.__traceback__ else []
        at = f" at {where[0].filename}:{where[0].lineno}" if where else ""
        return _failed(path, f"{type(exc).__name__}: {exc}{at}", started)


def _failed(path: str, reason: str, started: float) -> dict[str, Any]:
    return {"ok": False, "path": path, "reason": reason, "seconds": time.perf_counter() - started}
