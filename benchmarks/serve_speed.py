"""How fast the dashboard answers over a large store: 1,000 scans and 50,000 references.

1. Writes ``--trees`` small repositories (default 50), each naming 50 models — Hub models of
   many publishers and countries, closed-API models, some unknown — and scans each for real.
2. Fills a fresh store with ``--scans`` scans (default 1,000: 250 repositories, four dates
   each over four months, each scan one of the real results), so it holds 50,000 references
   with their identities and findings, saved through the store's own ``save_scan``.
3. Serves the dashboard with uvicorn on 127.0.0.1, as ``modeldeps serve`` does, and times
   every page over HTTP: the first request (the first page also fills the server's per-scan
   aggregates), then ``--repeat`` more; prints the first, the median and the slowest, against
   the 300 ms target for the median.

The baseline, measured in the same run, is the organization report built in-process from the
same store (``store.org.build_org_report``: what a page that loaded every latest scan through
the store's general read API would cost); each page prints its ratio to it.

    python benchmarks/serve_speed.py [--work DIR] [--scans 1000] [--repeat 7] [--store URL]
"""

from __future__ import annotations

import argparse
import dataclasses
import random
import statistics
import sys
import tempfile
import threading
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

from modeldeps.model import ScanResult
from modeldeps.options import ScanOptions
from modeldeps.pipeline import scan
from modeldeps.store import queries
from modeldeps.store.connect import open_store
from modeldeps.store.identify import RepoIdentity
from modeldeps.store.org import build_org_report
from modeldeps.store.save import save_scan

TARGET_MS = 300.0
REFS_PER_TREE = 50

#: Hub model name shapes of real publishers (the resolver decides who they are).
HUB = (
    "Qwen/Qwen2.5-{n}B-Instruct",
    "Qwen/Qwen3-{n}B",
    "meta-llama/Llama-3.1-{n}B-Instruct",
    "meta-llama/Llama-3.2-{n}B",
    "mistralai/Mistral-{n}B-Instruct-v0.3",
    "google/gemma-2-{n}b-it",
    "google/gemma-3-{n}b-it",
    "microsoft/Phi-3-{n}k-instruct",
    "deepseek-ai/DeepSeek-R1-Distill-Qwen-{n}B",
    "THUDM/glm-4-{n}b-chat",
    "01-ai/Yi-1.5-{n}B-Chat",
    "tiiuae/falcon-{n}b-instruct",
    "internlm/internlm2_5-{n}b-chat",
    "BAAI/bge-m{n}",
    "sentence-transformers/all-MiniLM-L{n}-v2",
    "acme-internal/ranker-{n}",  # nobody the knowledge base knows
)
SIZES = (1, 3, 7, 8, 9, 12, 14, 27, 32, 70)
API = (
    "gpt-4o",
    "gpt-4o-mini",
    "o3-mini",
    "claude-sonnet-4-20250514",
    "claude-3-5-haiku-20241022",
    "gemini-2.5-pro",
    "deepseek-chat",
    "qwen-plus",
    "glm-4-plus",
    "mistral-large-latest",
)


def write_trees(work: Path, count: int, rng: random.Random) -> list[Path]:
    names = [t.format(n=n) for t in HUB for n in SIZES]
    trees = []
    for i in range(count):
        root = work / "trees" / f"service-{i:03d}"
        (root / "app").mkdir(parents=True, exist_ok=True)
        hub = rng.sample(names, REFS_PER_TREE - 5)
        api = rng.sample(API, 5)
        lines = ["from transformers import AutoModel", "from openai import OpenAI", ""]
        lines += ["client = OpenAI()", ""]
        lines += [f'm{j} = AutoModel.from_pretrained("{name}")' for j, name in enumerate(hub)]
        lines += [
            f'r{j} = client.chat.completions.create(model="{name}", messages=[])'
            for j, name in enumerate(api)
        ]
        (root / "app" / "models.py").write_text("\n".join(lines) + "\n", encoding="utf-8")
        trees.append(root)
    return trees


def scan_trees(trees: list[Path]) -> list[ScanResult]:
    options = ScanOptions(use_cache=False, fail_on=None, jobs=1)
    return [scan([t], options) for t in trees]


def fill(url: str, results: list[ScanResult], scans: int) -> tuple[int, int, float]:
    """Save ``scans`` scans: four dates for each of ``scans // 4`` repositories."""
    start = datetime(2026, 6, 1, tzinfo=UTC)
    repos = max(1, scans // 4)
    refs = 0
    t0 = time.perf_counter()
    with open_store(url) as store:
        n = 0
        for r in range(repos):
            for k in range(4):
                if n >= scans:
                    break
                base = results[(r * 7 + k * 3) % len(results)]
                when = start + timedelta(days=30 * k + r % 28, hours=r % 24)
                result = dataclasses.replace(base, started_at=when.isoformat(timespec="seconds"))
                ident = RepoIdentity(
                    key=f"git.example.test/acme/repo-{r:04d}",
                    name=f"repo-{r:04d}",
                    path=f"/src/repo-{r:04d}",
                    remote_url=f"https://git.example.test/acme/repo-{r:04d}.git",
                    commit=f"{r:020x}{k:020x}",
                    branch="main",
                )
                with store.write() as conn:
                    save_scan(conn, result, ident, now=when.replace(tzinfo=None))
                refs += len(result.references)
                n += 1
    return n, refs, time.perf_counter() - t0


def serve(url: str) -> tuple[str, object, threading.Thread]:
    import uvicorn

    from modeldeps.web.app import create_app
    from modeldeps.web.serve import listen, server_config

    store = open_store(url, read_only=True)
    sock = listen("127.0.0.1", 0)
    server = uvicorn.Server(server_config(create_app(store)))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    host, port = sock.getsockname()[:2]
    return f"http://{host}:{port}", server, thread


def fetch(url: str) -> tuple[float, int]:
    start = time.perf_counter()
    with urllib.request.urlopen(url, timeout=120) as response:
        body = response.read()
        assert response.status == 200, url
    return (time.perf_counter() - start) * 1000, len(body)


def pages(url: str) -> dict[str, str]:
    """One address for every page, with ids of a busy repository and models."""
    from modeldeps.web.digests import ScanDigests
    from modeldeps.web.inventory import all_models

    with open_store(url, read_only=True) as store, store.read() as conn:
        repo = queries.list_repositories(conn)[0]
        scans = queries.list_scans(conn, repo.id)
        rows = all_models(conn, ScanDigests())
    popular, rare = rows[0], rows[-1]
    return {
        "overview": "/",
        "inventory": "/inventory",
        "inventory, filtered": "/inventory?country=CN&kind=hub_model",
        "inventory, page 3": "/inventory?page=3",
        "inventory.csv": "/inventory.csv",
        "inventory.json": "/inventory.json",
        "model, most used": f"/models/{popular.model_id}",
        "model, least used": f"/models/{rare.model_id}",
        "repositories": "/repos",
        "repository": f"/repos/{repo.id}",
        "repository, diff": f"/repos/{repo.id}?a={scans[-1].id}&b={scans[0].id}",
        "findings": "/findings",
        "findings, one rule": "/findings?rule=MD102",
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, help="Folder for the trees and the store.")
    parser.add_argument("--scans", type=int, default=1000)
    parser.add_argument("--trees", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--store", help="Fill this (empty) store instead of a new SQLite file.")
    args = parser.parse_args(argv)
    work = args.work or Path(tempfile.mkdtemp(prefix="modeldeps-serve-"))
    work.mkdir(parents=True, exist_ok=True)
    url = args.store or f"sqlite:///{work / 'dashboard.sqlite3'}"
    if not args.store:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{work / 'dashboard.sqlite3'}{suffix}").unlink(missing_ok=True)

    t0 = time.perf_counter()
    results = scan_trees(write_trees(work, args.trees, random.Random(11)))
    print(f"scanned {len(results)} trees for real in {time.perf_counter() - t0:.1f} s")
    saved, refs, seconds = fill(url, results, args.scans)
    print(f"store: {saved} scans, {refs} references, saved in {seconds:.1f} s ({url})")

    with open_store(url, read_only=True) as store, store.read() as conn:
        build_org_report(conn)  # warm
        runs = []
        for _ in range(3):
            start = time.perf_counter()
            build_org_report(conn)
            runs.append((time.perf_counter() - start) * 1000)
    baseline = statistics.median(runs)
    print(f"baseline: organization report built in-process: {baseline:.0f} ms (median of 3)\n")

    base, server, thread = serve(url)
    worst = 0.0
    try:
        head = f"{'page':22s} {'first':>7s} {'median':>7s} {'slowest':>7s} {'size':>7s}"
        print(f"{head}  vs target  vs baseline")
        for name, path in pages(url).items():
            first, _ = fetch(base + path)
            times = []
            size = 0
            for _ in range(args.repeat):
                ms, size = fetch(base + path)
                times.append(ms)
            median, slowest = statistics.median(times), max(times)
            worst = max(worst, median)
            verdict = "ok" if median < TARGET_MS else "MISSED"
            print(
                f"{name:22s} {first:5.0f}ms {median:5.0f}ms {slowest:5.0f}ms {size / 1024:5.0f}KB"
                f"  {median / TARGET_MS:5.2f}x {verdict:6s} {baseline / median:6.1f}x faster"
            )
    finally:
        server.should_exit = True  # type: ignore[attr-defined]
        thread.join(10)
    print(f"\nslowest page (median): {worst:.0f} ms; target {TARGET_MS:.0f} ms")
    return 0 if worst < TARGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
