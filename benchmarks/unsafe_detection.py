"""Detection benchmark: recall on malicious model files and false alarms on benign ones.

Runs modeldeps' full inspector dispatch over a labelled corpus (``labels.csv``: file, label,
format, ...) and, in the same run, a naive baseline (GLOBAL opcodes of the first pickle against
a short denylist, as early scanners did). With ``--peers`` it also installs picklescan and
modelscan into a throwaway virtualenv and scores them on the same files.

A malicious file counts as caught when flagged high or critical; a benign file is a false alarm
when flagged above low.
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

from modeldeps.discover.inspectors import inspect_file
from modeldeps.model import Severity

REPO = Path(__file__).resolve().parents[1]
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--peers", action="store_true", help="also score picklescan, modelscan")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    root: Path = args.corpus
    with (root / "labels.csv").open(newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if (root / r["file"]).is_file()]
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
    print(f"corpus: {len(rows)} files")
    print(
        f"{'tool':<15} {'recall (malicious >= high)':<28} {'false alarms (benign > low)':<28}"
        f" {'errors':>6} {'time':>7}"
    )
    for name, (table, secs) in results.items():
        c = table["ALL"]
        print(f"{name:<15} {pct(c[0], c[1]):<28} {pct(c[2], c[3]):<28} {c[4]:>6} {secs:6.1f}s")
    print("\nper format (modeldeps):")
    table = results["modeldeps"][0]
    for fmt in sorted(k for k in table if k != "ALL"):
        c = table[fmt]
        print(f"  {fmt:<16} recall {pct(c[0], c[1]):<20} false alarms {pct(c[2], c[3])}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
