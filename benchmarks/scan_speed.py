"""Scan speed: modeldeps cold and warm against ripgrep, ``ast.parse`` and earlier builds.

Downloads the newest source distribution of each package from PyPI, unpacks it under
``benchmarks/.work/`` and, on each tree, measures in the same run:

- modeldeps **cold**: the first scan of the tree, every scan cache empty (a fresh cache folder
  in which only the knowledge base's own cache was built beforehand, as it is after any first
  use of the installed tool); **no-cache**: ``--no-cache``, which also re-reads and re-validates
  the knowledge base; **warm**: a second scan with the caches filled. Each writes the full JSON
  report with provenance and findings;
- ripgrep over the same tree (``--no-ignore --hidden``, case-insensitive fixed strings) twice:
  with the detectors' prefilter words (what modeldeps itself must find before it reads a file:
  several hundred words derived from the knowledge base) and with a fixed two-word list
  (``model``, ``llm``: the earlier baseline, which does not grow with the knowledge base);
- ``ast.parse`` of every ``.py`` file in one Python process;
- peak memory of the modeldeps process tree (sum of RSS over the process and its workers);
- with ``--compare NAME=SRC``, the cold scan of another build's source folder (``src/`` of an
  earlier commit: ``git archive COMMIT src | tar -x -C DIR``) run by this interpreter, taking
  turns with this build's cold scans, and the ratio of its time to this build's.

modeldeps runs with ``--no-gitignore`` so a tree unpacked under this repository's ignored work
folder is scanned as the project it is (the sdists carry no ``.gitignore`` of their own).

Targets on the transformers tree: cold ≤ 20× ripgrep, warm ≤ 2× ripgrep, peak memory < 500 MB;
the earlier target cold ≥ 3× faster than ``ast.parse`` is printed with the others.

    python benchmarks/scan_speed.py [--packages transformers vllm ...] [--runs 3] [--work DIR]
        [--compare previous=/tmp/prev/src ...]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_PACKAGES = ("transformers", "vllm", "langchain", "llama-index-core")

AST_SCRIPT = r"""
import ast, os, sys
n = 0
for dirpath, dirnames, filenames in os.walk(sys.argv[1]):
    for name in filenames:
        if name.endswith(".py"):
            try:
                with open(os.path.join(dirpath, name), "rb") as fh:
                    ast.parse(fh.read())
                n += 1
            except (SyntaxError, ValueError):
                pass
print(n)
"""


@dataclass
class Timing:
    median: float
    best: float
    peak_mb: float = 0.0


def fetch(package: str, work: Path) -> Path:
    """Download and unpack the newest sdist of ``package``; reuse an earlier download."""
    dest = work / "trees" / package
    if dest.is_dir() and any(dest.iterdir()):
        return next(p for p in dest.iterdir() if p.is_dir())
    dl = work / "downloads" / package
    dl.mkdir(parents=True, exist_ok=True)
    if not any(dl.iterdir()):
        download_sdist(package, dl)
    archive = next(dl.iterdir())
    dest.mkdir(parents=True, exist_ok=True)
    if archive.name.endswith(".zip"):
        with zipfile.ZipFile(archive) as zf:
            zf.extractall(dest)
    else:
        with tarfile.open(archive) as tf:
            tf.extractall(dest, filter="data")
    return next(p for p in dest.iterdir() if p.is_dir())


def download_sdist(package: str, dest: Path) -> None:
    """Fetch the newest sdist from PyPI's JSON API (``pip download`` would try to build it)."""
    import json
    import urllib.request
    from urllib.parse import urljoin

    api = f"https://pypi.org/pypi/{package}/json"
    with urllib.request.urlopen(api, timeout=60) as resp:
        info = json.load(resp)
    sdists = [u for u in info["urls"] if u["packagetype"] == "sdist"]
    if not sdists:
        raise RuntimeError(f"{package} {info['info']['version']} has no sdist on PyPI")
    url = urljoin(api, sdists[0]["url"])  # some mirrors answer with relative links
    target = dest / url.rsplit("/", 1)[-1]
    with urllib.request.urlopen(url, timeout=300) as resp, target.open("wb") as fh:
        shutil.copyfileobj(resp, fh)


def _tree_rss_kb(pid: int) -> int:
    """Sum of VmRSS over ``pid`` and its descendants (Linux /proc)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(entry))
        except (OSError, IndexError, ValueError):
            continue
    total, stack = 0, [pid]
    while stack:
        p = stack.pop()
        try:
            with open(f"/proc/{p}/status") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except OSError:
            pass
        stack.extend(children.get(p, []))
    return total


def run_timed(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """Wall seconds and peak process-tree RSS (MB) of one run of ``cmd``."""
    peak = 0
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    done = threading.Event()

    def poll() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss_kb(proc.pid))
            done.wait(0.02)

    poller = threading.Thread(target=poll, daemon=True)
    poller.start()
    _, err = proc.communicate()
    elapsed = time.perf_counter() - start
    done.set()
    poller.join()
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"{cmd[0]} exited {proc.returncode}: {err.decode()[-2000:]}")
    return elapsed, peak / 1024


def measure(cmd: list[str], runs: int, env: dict[str, str] | None = None) -> Timing:
    times, peaks = [], []
    for _ in range(runs):
        t, m = run_timed(cmd, env)
        times.append(t)
        peaks.append(m)
    return Timing(statistics.median(times), min(times), max(peaks))


#: The earlier ripgrep baseline: a fixed list that does not grow with the knowledge base.
FIXED_WORDS = ("model", "llm")


def rg_command(tree: Path, words: tuple[str, ...] | None = None) -> list[str]:
    """ripgrep over every file of ``tree`` with ``words`` (default: the detectors' prefilter
    keywords, the same byte patterns modeldeps looks for), case-insensitive fixed strings."""
    if words is None:
        sys.path.insert(0, str(REPO / "src"))
        from modeldeps.discover.detectors import all_detectors

        found = {k.decode("utf-8", "replace") for d in all_detectors() for k in d.keywords}
        words = tuple(sorted(found))
    cmd = ["rg", "--count-matches", "--no-messages", "-i", "-F", "--no-ignore", "--hidden"]
    for w in words:
        cmd += ["-e", w]
    return [*cmd, str(tree)]


@dataclass
class Build:
    """A modeldeps to time: this installation, or another source folder on PYTHONPATH."""

    name: str
    src: Path | None = None

    def command(self, modeldeps: str) -> list[str]:
        return [modeldeps] if self.src is None else [sys.executable, "-m", "modeldeps"]

    def env(self, cache: str) -> dict[str, str]:
        env = {**os.environ, "XDG_CACHE_HOME": cache}
        if self.src is not None:
            env["PYTHONPATH"] = str(self.src)
        return env


def scan_args(tree: Path) -> list[str]:
    return ["scan", str(tree), "--format", "json", "--quiet", "--fail-on", "none",
            "--no-gitignore", "--output", os.devnull]  # fmt: skip


def measure_colds(
    builds: list[Build], modeldeps: str, tree: Path, runs: int, scratch: Path
) -> list[Timing]:
    """First scans of ``tree`` by each build, each in a fresh cache folder holding only the
    KB's cache. The builds take turns run by run, so a busy spell of a shared machine falls on
    all of them alike."""
    times: list[list[float]] = [[] for _ in builds]
    peaks: list[list[float]] = [[] for _ in builds]
    for i in range(runs):
        for b, build in enumerate(builds):
            seed = scratch / f"kb-{build.name}"
            if not seed.exists():
                seed.mkdir(parents=True)
                subprocess.run(
                    [*build.command(modeldeps), "kb", "stats"],
                    env=build.env(str(seed)),
                    check=True,
                    stdout=subprocess.DEVNULL,
                )
            cache = scratch / f"cold-{build.name}-{tree.name}-{i}"
            shutil.copytree(seed, cache)
            cmd = [*build.command(modeldeps), *scan_args(tree)]
            t, m = run_timed(cmd, build.env(str(cache)))
            shutil.rmtree(cache, ignore_errors=True)
            times[b].append(t)
            peaks[b].append(m)
    return [Timing(statistics.median(t), min(t), max(p)) for t, p in zip(times, peaks, strict=True)]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--packages", nargs="+", default=list(DEFAULT_PACKAGES))
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--work", type=Path, default=REPO / "benchmarks" / ".work")
    ap.add_argument("--modeldeps", default=str(Path(sys.executable).with_name("modeldeps")))
    ap.add_argument(
        "--compare",
        action="append",
        default=[],
        metavar="NAME=SRC",
        help="another build's src folder, timed cold in the same run",
    )
    args = ap.parse_args(argv)
    if shutil.which("rg") is None:
        print("ripgrep is needed as the baseline: apt-get install ripgrep", file=sys.stderr)
        return 2
    others = [Build(n, Path(p).resolve()) for n, _, p in (c.partition("=") for c in args.compare)]
    me = Build("this")
    args.work.mkdir(parents=True, exist_ok=True)
    head: tuple[str, ...] = (
        "tree", "files", "py", "refs", "rg s", "rg2 s", "ast s", "cold s", "nocache s",
        "warm s", "cold/rg", "cold/rg2", "ast/cold", "warm/rg", "peak MB",
    )  # fmt: skip
    head += tuple(f"{b.name} s" for b in others) + tuple(f"{b.name}/this" for b in others)
    print(f"{head[0]:<18} " + " ".join(f"{h:>9}" for h in head[1:]))
    verdicts = []
    with tempfile.TemporaryDirectory() as tmp:
        scratch = Path(tmp)
        for package in args.packages:
            tree = fetch(package, args.work)
            n_files = sum(len(f) for _, _, f in os.walk(tree))
            n_py = sum(1 for p in tree.rglob("*.py"))
            rg = measure(rg_command(tree), args.runs)
            rg2 = measure(rg_command(tree, FIXED_WORDS), args.runs)
            ast_t = measure([sys.executable, "-c", AST_SCRIPT, str(tree)], args.runs)
            cold, *compared = measure_colds([me, *others], args.modeldeps, tree, args.runs, scratch)
            cache = str(scratch / f"warm-{tree.name}")
            env = me.env(cache)
            base = [args.modeldeps, *scan_args(tree)]
            nocache = measure([*base, "--no-cache"], args.runs, env)
            subprocess.run(base, env=env, check=True, stdout=subprocess.DEVNULL)
            warm = measure(base, args.runs, env)
            out = subprocess.run(
                [args.modeldeps, "scan", str(tree), "--format", "json", "--quiet",
                 "--fail-on", "none", "--no-gitignore"],
                env=env, check=True, capture_output=True, text=True,
            )  # fmt: skip
            refs = len(json.loads(out.stdout)["references"])
            peak = max(cold.peak_mb, warm.peak_mb, nocache.peak_mb)
            cells = (
                f"{n_files}", f"{n_py}", f"{refs}", f"{rg.median:.2f}", f"{rg2.median:.2f}",
                f"{ast_t.median:.2f}", f"{cold.median:.2f}", f"{nocache.median:.2f}",
                f"{warm.median:.2f}", f"{cold.median / rg.median:.1f}",
                f"{cold.median / rg2.median:.1f}", f"{ast_t.median / cold.median:.1f}",
                f"{warm.median / rg.median:.1f}", f"{peak:.0f}",
                *(f"{c.median:.2f}" for c in compared),
                *(f"{c.median / cold.median:.2f}" for c in compared),
            )  # fmt: skip
            print(f"{package:<18} " + " ".join(f"{c:>9}" for c in cells), flush=True)
            if package == "transformers":
                verdicts = [
                    ("cold within 20x of ripgrep", cold.median / rg.median <= 20),
                    ("warm within 2x of ripgrep", warm.median / rg.median <= 2),
                    ("peak memory under 500 MB", peak < 500),
                    ("cold at least 3x faster than ast.parse", ast_t.median / cold.median >= 3),
                ]
    for name, ok in verdicts:
        print(f"{'PASS' if ok else 'MISS'}  {name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
