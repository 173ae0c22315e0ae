"""The scan-many driver: plans the run, hands repositories to an executor, writes the store.

Every finished repository is saved in its own transaction as soon as its result arrives, so a
run killed at any point keeps every scan saved before; ``resume`` then skips repositories
already stored at the same commit (or, without git, with the same files), by this tool and KB.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import sqlalchemy as sa

from modeldeps import __version__
from modeldeps.errors import StoreError, UsageError
from modeldeps.options import ScanOptions
from modeldeps.scanmany.targets import Target
from modeldeps.serialize import result_from_data
from modeldeps.store import queries
from modeldeps.store import schema as t
from modeldeps.store.connect import Store
from modeldeps.store.identify import RepoIdentity, identify, tree_digest
from modeldeps.store.save import save_scan, upsert_repository, utcnow

EXECUTORS = ("process", "ray", "serial")
MAX_REASON = 2000


class RunProgress(Protocol):
    """Receives the state of a run after each repository; the CLI draws it."""

    def start(self, total: int) -> None: ...

    def update(self, done: int, failed: int, left: int, last: str) -> None: ...


@dataclass(frozen=True, slots=True)
class ItemOutcome:
    """What became of one target."""

    target: str
    status: str  # stored, duplicate, failed, skipped
    scan_id: int | None = None
    reason: str = ""
    seconds: float = 0.0


@dataclass(slots=True)
class RunSummary:
    """What a run did."""

    run_id: int
    items: list[ItemOutcome] = field(default_factory=list)
    seconds: float = 0.0

    def count(self, status: str) -> int:
        return sum(1 for i in self.items if i.status == status)

    @property
    def failed(self) -> list[ItemOutcome]:
        return [i for i in self.items if i.status == "failed"]


def kb_version_of(options: ScanOptions) -> str | None:
    """The knowledge-base version a scan with ``options`` records (for ``resume``)."""
    if not options.resolve:
        return None
    from modeldeps.resolve.sources.bundled import load_kb

    return load_kb(options.kb_overlays).kb_version


def _already_stored(
    conn: sa.Connection, repo: RepoIdentity, path: Path, kb: str | None
) -> int | None:
    if repo.commit:
        return queries.stored_at_commit(conn, repo.key, repo.commit, __version__, kb)
    return queries.stored_with_tree(conn, repo.key, tree_digest(path), __version__, kb)


def _item(
    conn: sa.Connection, run_id: int, target: str, repo_id: int | None, outcome: ItemOutcome
) -> None:
    conn.execute(
        sa.insert(t.run_items).values(
            run_id=run_id,
            target=target,
            repository_id=repo_id,
            scan_id=outcome.scan_id,
            status=outcome.status,
            reason=outcome.reason[:MAX_REASON],
            at=utcnow(),
        )
    )


def _repository_id(conn: sa.Connection, key: str) -> int | None:
    repos = t.repositories
    found = conn.execute(
        sa.select(repos.c.id).where(repos.c.key_digest == t.digest_of(key))
    ).scalar()
    return int(found) if found is not None else None


def scan_many(
    store: Store,
    targets: Sequence[Target],
    options: ScanOptions,
    *,
    executor: str = "process",
    jobs: int = 0,
    resume: bool = False,
    timeout: float | None = None,
    ray_address: str | None = None,
    progress: RunProgress | None = None,
) -> RunSummary:
    """Scan every target and save each result; failures are recorded, never raised."""
    if executor not in EXECUTORS:
        raise UsageError(
            f"--executor: unknown executor {executor!r} (one of: {', '.join(EXECUTORS)})"
        )
    if timeout is not None and executor == "serial":
        raise UsageError("--timeout needs a worker to stop: use --executor process or ray")
    started = time.perf_counter()
    with store.write() as conn:
        run_id = int(
            conn.execute(
                sa.insert(t.runs).values(
                    started_at=utcnow(),
                    executor=executor,
                    targets=len(targets),
                    tool_version=__version__,
                )
            ).inserted_primary_key[0]  # type: ignore[index]
        )
    summary = RunSummary(run_id)
    todo: list[Target] = list(targets)
    if resume:
        kb = kb_version_of(options)
        todo = []
        with store.write() as conn:
            for target in targets:
                repo = identify(target.path)
                found = _already_stored(conn, repo, target.path, kb)
                if found is None:
                    todo.append(target)
                    continue
                outcome = ItemOutcome(str(target.path), "skipped", found, "already stored")
                _item(conn, run_id, str(target.path), _repository_id(conn, repo.key), outcome)
                summary.items.append(outcome)
    if executor != "serial" and len(todo) > 1:
        todo = _longest_first(store, todo)
    done = len(summary.items)
    failed = 0
    if progress is not None:
        progress.start(len(targets))
        progress.update(done, failed, len(todo), "")

    def on_result(index: int, data: dict[str, Any]) -> None:
        nonlocal done, failed
        target = todo[index]
        outcome = _record(store, run_id, target, data)
        summary.items.append(outcome)
        done += 1
        failed += outcome.status == "failed"
        if progress is not None:
            progress.update(done, failed, len(targets) - done, f"{outcome.status} {target.path}")

    paths = [str(t_.path) for t_ in todo]
    run = _executor(executor)
    kwargs: dict[str, Any] = {"jobs": jobs, "timeout": timeout}
    if executor == "ray":
        kwargs["address"] = ray_address
    run(paths, options, on_result, **kwargs)
    with store.write() as conn:
        conn.execute(sa.update(t.runs).where(t.runs.c.id == run_id).values(finished_at=utcnow()))
    summary.seconds = time.perf_counter() - started
    return summary


def _longest_first(store: Store, todo: list[Target]) -> list[Target]:
    """Repositories that took longest last time first, so no worker is left with a big one at
    the end while the others idle; never-scanned ones (their size unknown) lead."""
    keys = {t_.path: identify(t_.path).key for t_ in todo}
    with store.read() as conn:
        took = queries.last_durations(conn, set(keys.values()))
    unknown = [t_ for t_ in todo if keys[t_.path] not in took]
    known = [t_ for t_ in todo if keys[t_.path] in took]
    known.sort(key=lambda t_: -took[keys[t_.path]])
    return unknown + known


def _executor(name: str) -> Callable[..., None]:
    if name == "ray":
        from modeldeps.scanmany.ray_executor import run_ray

        return run_ray
    from modeldeps.scanmany.pool import run_pool, run_serial

    return run_serial if name == "serial" else run_pool


def _record(store: Store, run_id: int, target: Target, data: dict[str, Any]) -> ItemOutcome:
    """Save one worker's outcome (in the driver, in one transaction)."""
    seconds = float(data.get("seconds", 0.0))
    path = str(target.path)
    if not data.get("ok"):
        outcome = ItemOutcome(path, "failed", None, str(data.get("reason", "unknown")), seconds)
        # A folder that failed is still a repository of the organization: the report lists it.
        repo = identify(target.path) if target.path.is_dir() else None
        with store.write() as conn:
            repo_id = upsert_repository(conn, repo, utcnow()) if repo is not None else None
            _item(conn, run_id, path, repo_id, outcome)
        return outcome
    repo = RepoIdentity(**data["repo"])
    try:
        result = result_from_data(data["result"])
        with store.write() as conn:
            saved = save_scan(conn, result, repo, tree_digest=data.get("tree_digest"))
            status = "stored" if saved.created else "duplicate"
            outcome = ItemOutcome(path, status, saved.scan_id, "", seconds)
            _item(conn, run_id, path, saved.repository_id, outcome)
        return outcome
    except (StoreError, KeyError, ValueError, TypeError) as exc:
        # One result the store refuses is one failed repository; if the store itself is gone,
        # recording the failure fails too, and that stops the run.
        failed = ItemOutcome(path, "failed", None, f"cannot save the result: {exc}", seconds)
        with store.write() as conn:
            _item(conn, run_id, path, upsert_repository(conn, repo, utcnow()), failed)
        return failed
