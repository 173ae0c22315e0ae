"""A local pool of worker processes that survives its workers: one that crashes or overruns
its time is killed and replaced, and only its repository is reported as failed.

``concurrent.futures.ProcessPoolExecutor`` cannot do this: one dead worker breaks the whole
pool, and a running task cannot be stopped.
"""

from __future__ import annotations

import multiprocessing
import signal
import time
from collections import deque
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection, wait
from typing import Any

from modeldeps.options import ScanOptions
from modeldeps.scanmany.work import scan_target
from modeldeps.workers import worker_count

#: (index of the target, its outcome as returned by ``work.scan_target``)
OnResult = Callable[[int, dict[str, Any]], None]
#: What a worker runs for one path: ``work.scan_target`` (a module-level function: picklable).
Work = Callable[[str, ScanOptions], dict[str, Any]]


def _worker(conn: Connection, work: Work) -> None:
    # The driver handles Ctrl-C; a worker must not die half-way through sending a result.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    while True:
        try:
            task = conn.recv()
        except EOFError:
            return
        if task is None:
            return
        index, path, options = task
        conn.send(("start", index, None))  # the repository's time starts now, not at queueing
        conn.send(("done", index, work(path, options)))


class _Slot:
    """One worker process and the task it is working on."""

    def __init__(self, ctx: Any, work: Work) -> None:
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_worker, args=(child, work), daemon=True)
        self.proc.start()
        child.close()
        self.task: tuple[int, str] | None = None
        self.timeout: float | None = None
        self.deadline = float("inf")  # set when the worker says it started

    def give(self, index: int, path: str, options: ScanOptions, timeout: float | None) -> None:
        self.task = (index, path)
        self.timeout = timeout
        self.deadline = float("inf")
        self.conn.send((index, path, options))

    def receive(self) -> dict[str, Any] | None:
        """Read what the worker sent: note its start, return its outcome when it is done."""
        while self.conn.poll():
            kind, _, payload = self.conn.recv()
            if kind == "start" and self.timeout:
                self.deadline = time.monotonic() + self.timeout
            elif kind == "done":
                done: dict[str, Any] = payload
                return done
        return None

    def kill(self) -> None:
        if self.proc.is_alive():
            self.proc.kill()
        self.proc.join(5)
        self.conn.close()


def _death(proc: Any) -> str:
    code = proc.exitcode
    if code is not None and code < 0:
        try:
            return f"the worker process died ({signal.Signals(-code).name})"
        except ValueError:
            return f"the worker process died (signal {-code})"
    return f"the worker process exited with code {code}"


def run_pool(
    paths: Sequence[str],
    options: ScanOptions,
    on_result: OnResult,
    *,
    jobs: int = 0,
    timeout: float | None = None,
    work: Work = scan_target,
) -> None:
    """Scan ``paths`` on ``jobs`` worker processes (0: one per core), calling ``on_result``
    in the driver as each finishes. ``timeout`` bounds the seconds one repository may take."""
    if not paths:
        return
    # "spawn": workers start from a clean interpreter, never from a copy of the driver's open
    # database connections and threads.
    ctx = multiprocessing.get_context("spawn")
    workers = worker_count(jobs, len(paths))  # never more processes than usable CPUs
    queue = deque(enumerate(paths))
    slots = [_Slot(ctx, work) for _ in range(workers)]
    try:
        for slot in slots:
            if queue:
                slot.give(*queue.popleft(), options, timeout)
        while any(s.task is not None for s in slots):
            busy = [s for s in slots if s.task is not None]
            now = time.monotonic()
            wait_for = min(s.deadline for s in busy) - now
            ready = wait(
                [s.conn for s in busy] + [s.proc.sentinel for s in busy],
                timeout=None if wait_for == float("inf") else max(0.0, wait_for),
            )
            for i, slot in enumerate(slots):
                if slot.task is None:
                    continue
                index, path = slot.task
                outcome: dict[str, Any] | None = None
                replace = False
                dead = slot.proc.sentinel in ready
                if slot.conn in ready or dead:
                    try:
                        outcome = slot.receive()
                    except (EOFError, OSError):
                        dead = True
                    if outcome is None and dead:
                        slot.proc.join(1)
                        outcome = {"ok": False, "path": path, "reason": _death(slot.proc)}
                        replace = True
                if outcome is None and not replace and time.monotonic() >= slot.deadline:
                    outcome = {
                        "ok": False,
                        "path": path,
                        "reason": f"timed out after {timeout:g} s (the worker was stopped)",
                    }
                    replace = True
                if outcome is None:
                    continue
                if replace:
                    slot.kill()
                    slot = slots[i] = _Slot(ctx, work)
                slot.task = None
                slot.deadline = float("inf")
                on_result(index, outcome)
                if queue:
                    slot.give(*queue.popleft(), options, timeout)
    finally:
        for slot in slots:
            try:
                if slot.proc.is_alive() and slot.task is None:
                    slot.conn.send(None)
            except OSError:
                pass
        for slot in slots:
            slot.proc.join(2)
            slot.kill()


def run_serial(paths: Sequence[str], options: ScanOptions, on_result: OnResult, **_: Any) -> None:
    """Scan ``paths`` one after another in this process (for debugging and as a baseline)."""
    for index, path in enumerate(paths):
        on_result(index, scan_target(path, options))
