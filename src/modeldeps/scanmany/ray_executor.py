"""The same work on a Ray cluster: workers scan, the driver alone writes the store.

Without ``--ray-address`` a local Ray is started for the run (and stopped after it); with one,
the run joins that cluster, whose nodes must see the repositories at the same paths. A Ray
already started in this process (a test session, a notebook) is used as it is.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from typing import Any

from modeldeps.errors import UsageError
from modeldeps.options import ScanOptions
from modeldeps.scanmany.pool import OnResult
from modeldeps.scanmany.work import scan_target
from modeldeps.workers import worker_count


def _import_ray() -> Any:
    try:
        import ray
    except ImportError:
        raise UsageError("--executor ray needs Ray: pip install 'modeldeps[ray]'") from None
    return ray


def run_ray(
    paths: Sequence[str],
    options: ScanOptions,
    on_result: OnResult,
    *,
    jobs: int = 0,
    timeout: float | None = None,
    address: str | None = None,
) -> None:
    """Scan ``paths`` as Ray tasks, at most one per CPU of the cluster at a time."""
    # A tool that runs offline does not report usage: Ray's usage statistics stay off unless
    # the user turned them on.
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    ray = _import_ray()
    started_here = not ray.is_initialized()
    if started_here:
        kwargs: dict[str, Any] = {
            "include_dashboard": False,
            "log_to_driver": False,
            "configure_logging": False,
        }
        if address:
            kwargs["address"] = address
        else:
            if jobs > 0:  # a local Ray gets no more CPUs than this machine lets us use
                kwargs["num_cpus"] = worker_count(jobs, len(paths))
            kwargs["_node_ip_address"] = "127.0.0.1"
        try:
            ray.init(**kwargs)
        except Exception as exc:  # Ray raises ConnectionError, RuntimeError, ValueError, ...
            raise UsageError(f"cannot start or join Ray ({address or 'local'}): {exc}") from None
    try:
        task = ray.remote(num_cpus=1, max_retries=0)(scan_target)
        slots = max(1, int(ray.cluster_resources().get("CPU", 1)))
        if jobs > 0:
            slots = min(slots, jobs)
        waiting = list(enumerate(paths))
        running: dict[Any, tuple[int, str, float]] = {}
        while waiting or running:
            while waiting and len(running) < slots:
                index, path = waiting.pop(0)
                ref = task.remote(path, options)
                deadline = time.monotonic() + timeout if timeout else float("inf")
                running[ref] = (index, path, deadline)
            next_deadline = min(d for _, _, d in running.values())
            wait_s = (
                None
                if next_deadline == float("inf")
                else max(0.0, next_deadline - time.monotonic())
            )
            done, _ = ray.wait(list(running), num_returns=1, timeout=wait_s)
            for ref in done:
                index, path, _ = running.pop(ref)
                try:
                    outcome = ray.get(ref)
                except Exception as exc:  # the worker died, or Ray lost the task
                    first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
                    outcome = {"ok": False, "path": path, "reason": f"Ray task failed: {first}"}
                on_result(index, outcome)
            now = time.monotonic()
            for ref, (index, path, deadline) in list(running.items()):
                if now >= deadline:
                    ray.cancel(ref, force=True)
                    running.pop(ref)
                    on_result(
                        index,
                        {"ok": False, "path": path, "reason": f"timed out after {timeout:g} s"},
                    )
    finally:
        if started_here:
            ray.shutdown()
