"""How many worker processes are worth starting: never more than the CPUs this process may use."""

from __future__ import annotations

import os


def usable_cpus() -> int:
    """CPUs this process may run on (its affinity mask where the OS has one)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def worker_count(requested: int, tasks: int) -> int:
    """Workers for ``tasks`` units of work when ``requested`` were asked for (0: one per CPU).

    Capped at the usable CPUs (more processes than cores only add forks and contention; a
    ``--jobs 100000`` must not fork a hundred thousand processes) and at the number of tasks.
    """
    cpus = usable_cpus()
    want = cpus if requested <= 0 else min(requested, cpus)
    return max(1, min(want, max(tasks, 1)))
