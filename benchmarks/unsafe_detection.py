"""Detection benchmark: recall on malicious model files and false alarms on benign ones.

Two sets, each run through ``modeldeps inspect`` (the folder, as the CLI walks it) and
``modeldeps scan`` (the whole pipeline; its MD2xx findings are the unsafe-detection verdict):

- the shared labelled corpus (``labels.csv``: file, label, format, ...), scored in the same run
  against a naive baseline (GLOBAL opcodes of the first pickle against a short denylist, as
  early scanners did) and, with ``--peers``, picklescan and modelscan installed into a
  throwaway virtualenv;
- the hostile set (``tests/discover/inspectors/hostile_set.py``), built into a temporary
  folder: a variant of every way a verdict went wrong (files chosen by name, parser
  disagreements, limits, deny-list gaps, half-read formats, templates, hostile names), benign
  look-alikes, and crafted-but-inert files expected at medium.

A malicious file counts as caught when flagged high or critical; a benign file is a false alarm
when flagged above low. Every payload only touches one marker file: the run fails if it exists
afterwards (a payload ran).
"""

from __future__ import annotations

import argparse
import csv
import io
import pickletools
import subprocess
import sys
import tempfile
import time
import venv
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from modeldeps.cli.inspect_cmd import run_inspect
from modeldeps.discover.inspectors import inspect_file
from modeldeps.model import Finding, Severity
from modeldeps.options import ScanOptions
from modeldeps.pipeline import scan

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # the hostile set is built by the tests' own helpers
DEFAULT_CORPUS = REPO.parent / "shared" / "corpus" / "weights"
_NAIVE_DENY = {"os", "posix", "nt", "subprocess", "builtins", "__builtin__", "sys", "socket"}

#: A tool's answer for one file: its highest severity, True/False for tools that only say
#: flagged or clean, None when it could not run.
Verdict = Callable[[Path], Severity | bool | None]


def modeldeps_verdict(root: Path) -> Verdict:
    def run(path: Path) -> Severity | bool:
        info = inspect_file(path, path.relative_to(root).as_posix(), root)
        return max((f.severity for f in info.findings), key=lambda s: s.rank, default=False)

    return run


def caught(answer: Severity | bool | None) -> bool:
    """A malicious file is caught when flagged high or critical."""
    if isinstance(answer, Severity):
        return answer.rank >= Severity.HIGH.rank
    return bool(answer)


def false_alarm(answer: Severity | bool | None) -> bool:
    """A benign file is a false alarm when flagged above low (medium or more)."""
    if isinstance(answer, Severity):
        return answer.rank > Severity.LOW.rank
    return bool(answer)


def naive_verdict(path: Path) -> bool:
    """GLOBAL opcodes of the first pickle in the raw file, checked against a denylist."""
    try:
        for op, arg, _pos in pickletools.genops(io.BytesIO(path.read_bytes())):
            if op.name in ("GLOBAL", "INST") and str(arg).split(" ")[0] in _NAIVE_DENY:
                return True
    except Exception:  # the baseline gives up on anything it cannot parse
        return False
    return False


def peer_verdicts(tmp: Path) -> dict[str, Verdict]:
    """picklescan and modelscan installed into a throwaway virtualenv under ``tmp``."""
    env = tmp / "peers"
    venv.create(env, with_pip=True)
    bindir = env / ("Scripts" if sys.platform == "win32" else "bin")
    subprocess.run(
        [str(bindir / "python"), "-m", "pip", "install", "-q", "picklescan", "modelscan"],
        check=True,
    )

    def picklescan(path: Path) -> bool | None:
        proc = subprocess.run(
            [str(bindir / "picklescan"), "--path", str(path)], capture_output=True, text=True
        )
        out = proc.stdout + proc.stderr
        if "Infected files: 0" in out and "Dangerous globals: 0" in out:
            return False
        if "Infected files:" in out or "dangerous" in out.lower():
            return True
        return None

    def modelscan(path: Path) -> bool | None:
        proc = subprocess.run(
            [str(bindir / "modelscan"), "-p", str(path)], capture_output=True, text=True
        )
        return {0: False, 1: True}.get(proc.returncode)

    return {"picklescan": picklescan, "modelscan": modelscan}


def score(
    rows: list[dict[str, str]], root: Path, verdict: Verdict, workers: int
) -> dict[str, list[int]]:
    """Per format: [malicious caught, malicious total, benign flagged, benign total, errors]."""

    def one(row: dict[str, str]) -> tuple[dict[str, str], Severity | bool | None]:
        return row, verdict(root / row["file"])

    table: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    with ThreadPoolExecutor(workers) as pool:
        for row, answer in pool.map(one, rows):
            for key in (row["format"], "ALL"):
                cell = table[key]
                if answer is None:
                    cell[4] += 1
                if row["label"] == "malicious":
                    cell[0] += caught(answer)
                    cell[1] += 1
                else:
                    cell[2] += false_alarm(answer)
                    cell[3] += 1
    return dict(table)


def pct(a: int, b: int) -> str:
    return f"{100 * a / b:5.1f}% ({a}/{b})" if b else "   n/a"


def verdicts(root: Path) -> tuple[dict[str, int], dict[str, int], float, float]:
    """Highest code-execution severity per file (relative path) from inspect and from scan."""

    def worst(findings: list[Finding]) -> dict[str, int]:
        out: dict[str, int] = {}
        for f in findings:
            if f.rule_id.startswith("MD2"):
                out[f.location.path] = max(out.get(f.location.path, -1), f.severity.rank)
        return out

    start = time.perf_counter()
    infos, _roots, _skipped, _dirs = run_inspect([root], quiet=True)
    inspected = worst([f for i in infos for f in i.findings])
    mid = time.perf_counter()
    scanned = worst(list(scan([root], ScanOptions(use_cache=False)).findings))
    return inspected, scanned, mid - start, time.perf_counter() - mid


def expected(label: str, rank: int) -> bool:
    if label == "malicious":
        return rank >= Severity.HIGH.rank
    if label == "benign":
        return rank <= Severity.LOW.rank
    return rank == Severity.MEDIUM.rank  # crafted: inert but malformed on purpose


def report_pipeline(name: str, rows: list[tuple[str, str, str]], root: Path) -> int:
    """Score (path, label, class) rows through inspect and scan; print; return misses."""
    inspected, scanned, t_inspect, t_scan = verdicts(root)
    print(f"\n{name}: {len(rows)} files, inspect {t_inspect:.1f} s, scan {t_scan:.1f} s")
    misses = 0
    for tool, got in (("inspect", inspected), ("scan", scanned)):
        per: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0, 0])
        for rel, label, cls in rows:
            ok = expected(label, got.get(rel, -1))
            cell = per[cls]
            slot = {"malicious": 0, "benign": 2, "crafted": 4}[label]
            cell[slot] += ok
            cell[slot + 1] += 1
            if not ok:
                misses += 1
                print(f"  MISS {tool}: {label} {rel!r} got rank {got.get(rel, -1)}")
        total = [sum(c[i] for c in per.values()) for i in range(6)]
        print(
            f"  {tool:<8} malicious >= high {pct(total[0], total[1]):<20} "
            f"benign <= low {pct(total[2], total[3]):<20} "
            f"crafted = medium {pct(total[4], total[5])}"
        )
        for cls in sorted(per):
            c = per[cls]
            shown = [pct(c[i], c[i + 1]) for i in (0, 2, 4) if c[i + 1]]
            print(f"    {cls:<10} {'  '.join(shown)}")
    return misses


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--peers", action="store_true", help="also score picklescan, modelscan")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--filler-mb", type=int, default=20, help="filler before payloads")
    parser.add_argument("--no-hostile", action="store_true", help="skip the hostile set")
    args = parser.parse_args(argv)
    from tests.discover.inspectors import pickle_gen as g
    from tests.discover.inspectors.hostile_set import build

    g.MARKER.unlink(missing_ok=True)
    misses = 0
    root: Path = args.corpus
    with (root / "labels.csv").open(newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if (root / r["file"]).is_file()]
    misses += report_pipeline(
        "shared corpus", [(r["file"], r["label"], r["format"]) for r in rows], root
    )
    if not args.no_hostile:
        with tempfile.TemporaryDirectory(prefix="modeldeps-hostile-") as tmp:
            start = time.perf_counter()
            samples = build(Path(tmp) / "set", filler_mb=args.filler_mb)
            print(f"\nhostile set built in {time.perf_counter() - start:.1f} s")
            hostile = [(s.rel, s.label, s.cls) for s in samples]
            misses += report_pipeline("hostile set", hostile, Path(tmp) / "set")
    ran = g.MARKER.exists()
    print(f"\npayload ran: {'YES' if ran else 'no'} (marker {g.MARKER})")
    tools: dict[str, Verdict] = {
        "modeldeps": modeldeps_verdict(root),
        "naive-denylist": naive_verdict,
    }
    with tempfile.TemporaryDirectory(prefix="modeldeps-peers-") as tmp:
        if args.peers:
            tools.update(peer_verdicts(Path(tmp)))
        results = {}
        for name, verdict in tools.items():
            start = time.perf_counter()
            workers = 1 if name == "modeldeps" else args.workers
            results[name] = (score(rows, root, verdict, workers), time.perf_counter() - start)
    print(f"\nshared corpus, per file (inspect_file), against other tools: {len(rows)} files")
    print(
        f"{'tool':<15} {'recall (malicious >= high)':<28} {'false alarms (benign > low)':<28}"
        f" {'errors':>6} {'time':>7}"
    )
    for name, (table, secs) in results.items():
        c = table["ALL"]
        print(f"{name:<15} {pct(c[0], c[1]):<28} {pct(c[2], c[3]):<28} {c[4]:>6} {secs:6.1f}s")
    return 1 if misses or ran else 0


if __name__ == "__main__":
    raise SystemExit(main())
