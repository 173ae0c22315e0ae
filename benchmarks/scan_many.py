"""scan-many throughput (serial vs local process pool vs local Ray) and the store at scale.

Downloads the newest sdist of each package below from PyPI into ``benchmarks/.work/`` (40+
real source trees), then in one run:

1. scans every tree into a fresh SQLite store three ways — serial (one process, one tree at
   a time), the local process pool, Ray on this machine — with the cache off, and prints each
   one's wall time and its ratio to serial (Ray is timed from an already started Ray, as a
   cluster is; its start-up is printed apart);
2. prints the store's size after one run;
3. fills a second store with ``--scans`` stored scans (default 1,000: the real results of the
   trees, saved for many repositories at many dates, each a little different), then times
   ``history diff`` of two scans and of the organization at two dates, and ``org-report`` in
   every format, each as the command a user runs (a new process).

Targets: pool ≥ 1.7× serial on 2 cores; Ray within 25 % of the pool; org report over 1,000
stored scans under 2 s.

    python benchmarks/scan_many.py [--work DIR] [--jobs 2] [--scans 1000] [--skip-ray]
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from scan_speed import fetch

from modeldeps.model import ScanResult
from modeldeps.options import ScanOptions
from modeldeps.scanmany.driver import scan_many
from modeldeps.scanmany.targets import Target
from modeldeps.store import queries
from modeldeps.store.connect import open_store
from modeldeps.store.identify import RepoIdentity
from modeldeps.store.save import save_scan
from modeldeps.workers import usable_cpus

REPO = Path(__file__).resolve().parent.parent
#: Well-known packages, many of them AI SDKs and frameworks (so the scans find models), none of
#: the very largest trees (a single 8,000-file tree would measure one scan, not many).
PACKAGES = (
    "requests",
    "flask",
    "click",
    "jinja2",
    "rich",
    "typer",
    "httpx",
    "attrs",
    "black",
    "pytest",
    "sqlalchemy",
    "alembic",
    "fastapi",
    "pydantic",
    "openai",
    "anthropic",
    "huggingface-hub",
    "sentence-transformers",
    "diffusers",
    "accelerate",
    "peft",
    "datasets",
    "langchain",
    "langchain-core",
    "llama-index-core",
    "instructor",
    "dspy",
    "haystack-ai",
    "outlines",
    "mistralai",
    "cohere",
    "groq",
    "together",
    "ollama",
    "langgraph",
    "pydantic-ai-slim",
    "smolagents",
    "timm",
    "open-clip-torch",
    "openai-whisper",
    "mlx-lm",
    "guidance",
    "aisuite",
    "semantic-kernel",
)


def trees(work: Path, want: int) -> list[Path]:
    out = []
    for package in PACKAGES:
        try:
            out.append(fetch(package, work))
        except Exception as exc:  # a package without an sdist: the others are enough
            print(f"  skipped {package}: {exc}", file=sys.stderr)
    if len(out) < want:
        raise SystemExit(f"only {len(out)} trees could be fetched; {want} are needed")
    return out


def run(executor: str, targets: list[Target], jobs: int, base: Path) -> tuple[float, int, int]:
    """Wall seconds, stored count, store bytes for one executor over every tree."""
    db = base / f"{executor}.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    # The trees are unpacked under this repository's ignored work folder: scan them as the
    # projects they are, not as ignored files of this one (the sdists carry no .gitignore).
    options = ScanOptions(use_cache=False, use_gitignore=False)
    with open_store(str(db)) as store:
        start = time.perf_counter()
        summary = scan_many(store, targets, options, executor=executor, jobs=jobs)
        seconds = time.perf_counter() - start
        with store.write() as conn:  # fold the WAL into the file before measuring it
            conn.exec_driver_sql("SELECT 1")
        if store.is_sqlite:
            with store.engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        with store.engine.connect() as conn:
            seen = conn.exec_driver_sql("SELECT COALESCE(SUM(files_seen), 0) FROM scans").scalar()
    if not seen:  # a throughput over trees that were not read measures nothing
        raise SystemExit(f"{executor}: the stored scans read no files")
    for item in summary.failed:
        print(f"  {executor}: failed {item.target}: {item.reason}", file=sys.stderr)
    return seconds, summary.count("stored"), db.stat().st_size


def fill(db: str, results: list[ScanResult], scans: int) -> float:
    """Save ``scans`` scans: ``scans // 5`` repositories, five dates each, results varied."""
    rng = random.Random(7)
    start_day = datetime(2026, 6, 1, tzinfo=UTC)
    repos = max(1, scans // 5)
    t0 = time.perf_counter()
    with open_store(db) as store:
        n = 0
        for r in range(repos):
            base = results[r % len(results)]
            for k in range(5):
                if n >= scans:
                    break
                refs = list(base.references)
                if refs and k:  # each later scan drops a few references and moves in time
                    for _ in range(min(k, len(refs) - 1)):
                        refs.pop(rng.randrange(len(refs)))
                when = start_day + timedelta(days=30 * k + r % 28, hours=r % 24)
                res = dataclasses.replace(
                    base, references=tuple(refs), started_at=when.isoformat(timespec="seconds")
                )
                ident = RepoIdentity(
                    key=f"git.example.test/org/repo-{r:04d}",
                    name=f"repo-{r:04d}",
                    path=f"/src/repo-{r:04d}",
                    commit=f"{r:020x}{k:020x}",
                )
                with store.write() as conn:
                    save_scan(conn, res, ident)
                n += 1
    return time.perf_counter() - t0


def timed_cli(*args: str, runs: int = 1) -> float:
    """Median wall seconds of ``modeldeps ARGS`` as a user runs it (a new process each time)."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "modeldeps", *args], capture_output=True, text=True, check=False
        )
        times.append(time.perf_counter() - start)
        if done.returncode != 0:
            raise SystemExit(f"modeldeps {' '.join(args)} failed: {done.stderr[-1000:]}")
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--work", type=Path, default=REPO / "benchmarks" / ".work")
    parser.add_argument("--jobs", type=int, default=usable_cpus())
    parser.add_argument("--scans", type=int, default=1000)
    parser.add_argument("--min-trees", type=int, default=40)
    parser.add_argument("--skip-ray", action="store_true")
    parser.add_argument("--runs", type=int, default=3, help="runs of each store command")
    parser.add_argument(
        "--org-store",
        help="fill this (empty) store URL with the --scans scans instead of a SQLite file, "
        "e.g. postgresql+psycopg://USER@127.0.0.1/bench",
    )
    parser.add_argument(
        "--keep", type=Path, help="keep the stores in this folder (default: a temporary one)"
    )
    parser.add_argument(
        "--store-only",
        action="store_true",
        help="skip the scans; time the store part on the results kept in --keep by an earlier run",
    )
    args = parser.parse_args(argv)
    if args.store_only and not args.keep:
        parser.error("--store-only needs --keep")

    base = args.keep or Path(tempfile.mkdtemp(prefix="modeldeps-bench-"))
    base.mkdir(parents=True, exist_ok=True)
    try:
        if not args.store_only:
            compare_executors(args, base)
        store_at_scale(args, base)
    finally:
        if args.keep is None:
            shutil.rmtree(base, ignore_errors=True)
    return 0


def compare_executors(args: argparse.Namespace, base: Path) -> None:
    """Scan every tree serially, in the pool and on Ray, into fresh stores; print the times."""
    paths = trees(args.work, args.min_trees)
    files = sum(sum(1 for _ in p.rglob("*") if _.is_file()) for p in paths)
    print(f"{len(paths)} trees, {files:,} files; {args.jobs} jobs on {usable_cpus()} usable cores")
    targets = [Target(p.resolve(), str(p)) for p in paths]
    serial, stored, size = run("serial", targets, 1, base)
    print(f"serial : {serial:7.2f} s  ({stored} stored; store {size / 1e6:.1f} MB)")
    pool, stored, _ = run("process", targets, args.jobs, base)
    print(f"pool   : {pool:7.2f} s  ({stored} stored)  serial/pool = {serial / pool:.2f}x")
    if not args.skip_ray:
        os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
        import ray

        t0 = time.perf_counter()
        ray.init(
            num_cpus=args.jobs,
            include_dashboard=False,
            log_to_driver=False,
            _node_ip_address="127.0.0.1",
        )
        start_up = time.perf_counter() - t0
        ray_s, stored, _ = run("ray", targets, args.jobs, base)
        ray.shutdown()
        print(
            f"ray    : {ray_s:7.2f} s  ({stored} stored; start-up {start_up:.1f} s apart)  "
            f"ray/pool = {ray_s / pool:.2f}  serial/ray = {serial / ray_s:.2f}x"
        )


def store_at_scale(args: argparse.Namespace, base: Path) -> None:
    """Fill a store with ``--scans`` scans and time history diff and org-report over it."""
    with open_store(str(base / "serial.sqlite3")) as store, store.read() as conn:
        results = [
            r
            for s in queries.list_scans(conn)
            if (r := queries.load_result(conn, s.id)) is not None
        ]
    big = base / "org.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{big}{suffix}").unlink(missing_ok=True)
    url = args.org_store or str(big)
    fill_s = fill(url, results, args.scans)
    with open_store(url) as store:
        with store.read() as conn:
            scans = queries.list_scans(conn, limit=None)
            repo_id = scans[0].repository_id
            pair = [s.id for s in scans if s.repository_id == repo_id][:2]
            if store.is_sqlite:
                size = big.stat().st_size
            else:
                size = int(
                    conn.exec_driver_sql("SELECT pg_database_size(current_database())").scalar_one()
                )
        if store.is_sqlite:
            with store.engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            size = big.stat().st_size
        shown = store.display
    print(
        f"store  : {len(scans)} scans saved in {fill_s:.1f} s "
        f"({len(scans) / fill_s:.0f}/s); {size / 1e6:.1f} MB ({shown})"
    )
    runs = args.runs
    two = timed_cli(
        "history", "diff", str(pair[1]), str(pair[0]), "--store", url, "-f", "json", runs=runs
    )
    print(f"median of {runs} runs, each a new process (interpreter start included)")
    print(f"history diff (two scans)       : {two:.2f} s")
    dates = timed_cli(
        "history", "diff", "2026-07-15", "2026-10-15", "--store", url, "-f", "json", runs=runs
    )
    print(f"history diff (org, two dates)  : {dates:.2f} s")
    for fmt in ("table", "json", "markdown", "html", "cyclonedx"):
        out = str(base / f"org.{fmt}")
        once = 1 if fmt == "cyclonedx" else runs  # the BOM takes long enough to time once
        seconds = timed_cli("org-report", "--store", url, "-f", fmt, "-o", out, runs=once)
        print(f"org-report --format {fmt:9s}  : {seconds:.2f} s")


if __name__ == "__main__":
    sys.exit(main())
