"""Verify speed: ``modeldeps verify`` vs hashlib's SHA-256 throughput x cores, and sha256sum.

Writes ``--size-gb`` (at least 4) of generated weight files into a folder (``--path``, default a
temporary folder), locks them as local artifacts, then measures in one run:

* baseline: hashlib SHA-256 on one core over an in-memory buffer, times the cores verify uses,
  measured right before and right after each verify run (their mean is that run's baseline);
* hashlib on every core at once over in-memory buffers (what the machine gives right now);
* ``verify`` of the lock over the files (page cache warm: the files were just written and
  locked), end to end: stat, path checks, hashing on a thread per core, comparison;
* ``sha256sum``, one process per core over the same files (``xargs -P``).

The target is verify >= 90 % of the baseline. The best and the median ratio of ``--repeat``
rounds are printed (the machine may be shared; the best round is the least disturbed one).

Usage: python benchmarks/hash_speed.py [--path DIR] [--size-gb 4] [--files 8] [--repeat 3]
       [--keep] [--json]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

from modeldeps.lock.hashing import hash_many
from modeldeps.lock.lockfile import LocalPin, Lockfile
from modeldeps.lock.verify import Status, verify
from modeldeps.workers import usable_cpus

MB = 1024 * 1024
GB = 1000**3


def make_files(folder: Path, total: int, count: int) -> list[Path]:
    """``count`` files of ``total`` bytes together, of pseudo-random content, written once."""
    folder.mkdir(parents=True, exist_ok=True)
    block = os.urandom(16 * MB)
    paths = []
    each = total // count
    for i in range(count):
        path = folder / f"model-{i + 1:05d}-of-{count:05d}.safetensors"
        if not path.exists() or path.stat().st_size != each:
            with open(path, "wb") as fh:
                left = each
                salt = i.to_bytes(8, "little")
                while left:
                    chunk = salt + block[8 : min(left, len(block))]
                    fh.write(chunk[:left])
                    left -= min(left, len(chunk))
        paths.append(path)
    return paths


def best(repeat: int, fn: Callable[[], float]) -> float:
    return min(fn() for _ in range(repeat))


def hashlib_single(nbytes: int = 512 * MB) -> float:
    """Bytes per second of hashlib SHA-256 on one core over an in-memory buffer."""
    buf = os.urandom(64 * MB)
    start = time.perf_counter()
    h = hashlib.sha256()
    for _ in range(nbytes // len(buf)):
        h.update(buf)
    return nbytes / (time.perf_counter() - start)


def hashlib_all_cores(workers: int, nbytes: int = 512 * MB) -> float:
    """Bytes per second of hashlib SHA-256 on ``workers`` threads at once, in memory."""
    buf = os.urandom(64 * MB)

    def work() -> None:
        h = hashlib.sha256()
        for _ in range(nbytes // len(buf)):
            h.update(buf)

    threads = [threading.Thread(target=work) for _ in range(workers)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return workers * nbytes / (time.perf_counter() - start)


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--path", type=Path, help="folder for the generated files")
    ap.add_argument("--size-gb", type=float, default=4.0)
    ap.add_argument("--files", type=int, default=8)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--keep", action="store_true", help="keep the generated files")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = ap.parse_args()
    if args.size_gb < 4:
        print("note: the target is defined over at least 4 GB", file=sys.stderr)
    folder = args.path or Path(tempfile.mkdtemp(prefix="modeldeps-hash-"))
    workers = usable_cpus()
    try:
        paths = make_files(folder, int(args.size_gb * GB), args.files)
        total = sum(p.stat().st_size for p in paths)
        rels = [p.relative_to(folder).as_posix() for p in paths]
        locked = hash_many([(str(p), "sha256") for p in paths], workers)  # also warms the cache
        lock = Lockfile(
            local=tuple(LocalPin(r, h.size, h.digest) for r, h in zip(rels, locked, strict=True))
        )

        def check(report: object) -> None:
            statuses = {e.status for e in report.entries}  # type: ignore[attr-defined]
            assert statuses == {Status.OK}, statuses

        # Each round measures the baseline right before and after verify, so a ratio compares
        # figures taken seconds apart: on a shared machine the load moves between rounds.
        rounds = []
        for _ in range(args.repeat):
            before = hashlib_single()
            seconds = timed(lambda: check(verify(lock, folder)))
            after = hashlib_single()
            now = hashlib_all_cores(workers)
            rounds.append(
                (total / seconds / ((before + after) / 2 * workers), seconds, before, after, now)
            )
        ratios = sorted(r[0] for r in rounds)
        best_round = max(rounds)
        ratio, ours, parallel = best_round[0], best_round[1], best_round[4]
        single = (best_round[2] + best_round[3]) / 2
        sha256sum = shutil.which("sha256sum")
        coreutils = None
        if sha256sum:
            names = b"\0".join(str(p).encode() for p in paths)
            argv = ["xargs", "-0", "-n", "1", "-P", str(workers), sha256sum]

            def run_coreutils() -> None:
                subprocess.run(argv, input=names, stdout=subprocess.DEVNULL, check=True)

            coreutils = best(args.repeat, lambda: timed(run_coreutils))
    finally:
        if not args.keep and args.path is None:
            shutil.rmtree(folder, ignore_errors=True)
    baseline = total / ours / ratio
    figures = {
        "bytes": total,
        "files": len(paths),
        "workers": workers,
        "hashlib_one_core_GBps": round(single / GB, 3),
        "baseline_GBps": round(baseline / GB, 3),
        "hashlib_all_cores_now_GBps": round(parallel / GB, 3),
        "verify_s": round(ours, 3),
        "verify_GBps": round(total / ours / GB, 3),
        "verify_vs_baseline": round(ratio, 3),
        "verify_vs_baseline_median": round(ratios[len(ratios) // 2], 3),
        "verify_vs_hashlib_all_cores_now": round(total / ours / parallel, 3),
        "sha256sum_parallel_s": round(coreutils, 3) if coreutils else None,
        "verify_vs_sha256sum": round(coreutils / ours, 3) if coreutils else None,
    }
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        rows = [
            ("hashlib SHA-256, one core (that round)", f"{single / GB:.2f} GB/s"),
            (f"baseline: one core x {workers} (that round)", f"{baseline / GB:.2f} GB/s"),
            (f"hashlib on {workers} threads right now", f"{parallel / GB:.2f} GB/s"),
            ("modeldeps verify", f"{total / ours / GB:.2f} GB/s ({ours:.2f} s)"),
            ("verify / baseline, best round", f"{ratio:.1%} (target >= 90%)"),
            ("verify / baseline, median round", f"{ratios[len(ratios) // 2]:.1%}"),
            ("verify / hashlib on all cores now", f"{total / ours / parallel:.1%}"),
        ]
        if coreutils:
            rows.append(
                (
                    f"sha256sum x {workers} (xargs -P)",
                    f"{total / coreutils / GB:.2f} GB/s ({coreutils:.2f} s)",
                )
            )
            rows.append(("verify / sha256sum", f"{coreutils / ours:.2f}x"))
        print(f"{total / GB:.2f} GB in {len(paths)} files, {workers} workers")
        for label, value in rows:
            print(f"{label:<36} {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
