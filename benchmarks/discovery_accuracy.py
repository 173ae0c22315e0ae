"""Discovery accuracy on hand-labelled real repositories: precision, recall and F1 per repository.

Scans each extracted repository under ``--devset`` (one folder per repository, named
``owner__name``, as ``extract_repos.sh`` of the labelled set writes them), writes one prediction
per reference (``{repo, file, line, value}``, JSON lines), runs the labelled set's own scorer
(``score.py`` next to ``--truth``) and prints per-repository and micro precision/recall/F1, and
recall per reference kind. It fetches nothing.

Endpoint references derived from a provider SDK call (``context.derived``: no URL is written in
the file) have no string the labels could name; they are counted and listed apart, not scored.

    python benchmarks/discovery_accuracy.py --devset DIR --truth DIR/../truth [--out preds.jsonl]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
KINDS = ("hub_model", "api_model", "ollama_model", "local_artifact", "endpoint")


def predictions(devset: Path, repos: list[str]) -> tuple[list[dict[str, object]], int, float]:
    """Scan every repository; (predictions, derived endpoint count, seconds)."""
    sys.path.insert(0, str(REPO / "src"))
    from modeldeps.options import ScanOptions
    from modeldeps.pipeline import scan

    options = ScanOptions(use_cache=False, resolve=False, assess=False, inspect_artifacts=False)
    rows: list[dict[str, object]] = []
    derived = 0
    started = time.perf_counter()
    for name in repos:
        result = scan([devset / name], options)
        for ref in result.references:
            if ref.context.get("derived"):
                derived += 1
                continue
            rows.append(
                {
                    "repo": name,
                    "file": ref.location.path,
                    "line": ref.location.line or 0,
                    "value": ref.value,
                    "kind": ref.kind.value,
                }
            )
    return rows, derived, time.perf_counter() - started


def score(scorer: Path, truth: Path, preds: Path, kinds: str = "") -> dict[str, object]:
    cmd = [sys.executable, str(scorer), "--truth", str(truth), "--pred", str(preds), "--json"]
    if kinds:
        cmd += ["--kinds", kinds]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True)
    report: dict[str, object] = json.loads(out.stdout)
    return report


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--devset", type=Path, required=True, help="folder of extracted repositories")
    ap.add_argument("--truth", type=Path, required=True, help="folder of <repo>.jsonl labels")
    ap.add_argument("--scorer", type=Path, help="score.py (default: next to --truth)")
    ap.add_argument("--out", type=Path, help="where to write the predictions (JSON lines)")
    ap.add_argument("--show-errors", type=int, default=0, help="list N misses and false alarms")
    args = ap.parse_args(argv)
    scorer = args.scorer or args.truth.parent / "score.py"
    labelled = sorted(p.name.removesuffix(".jsonl") for p in args.truth.glob("*.jsonl"))
    repos = [r for r in labelled if (args.devset / r).is_dir()]
    missing = sorted(set(labelled) - set(repos))
    if not repos:
        print(f"no labelled repository found under {args.devset}", file=sys.stderr)
        return 2
    rows, derived, seconds = predictions(args.devset, repos)
    with tempfile.TemporaryDirectory() as tmp:
        preds = args.out or Path(tmp) / "preds.jsonl"
        preds.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
        report = score(scorer, args.truth, preds)
        per_kind = {k: score(scorer, args.truth, preds, k)["total"] for k in KINDS}
        if args.show_errors:
            subprocess.run(
                [sys.executable, str(scorer), "--truth", str(args.truth), "--pred", str(preds),
                 "--repos", ",".join(repos), "--show-errors", str(args.show_errors)],
                check=True,
            )  # fmt: skip
    repos_report = report["repos"]
    assert isinstance(repos_report, dict)
    head = (
        f"{'repository':42} {'labels':>6} {'tp':>5} {'fp':>4} {'fn':>4} {'P':>6} {'R':>6} {'F1':>6}"
    )
    print(head)
    print("-" * len(head))
    for name in repos:
        r = repos_report[name]
        print(
            f"{name:42} {r['n_truth']:6d} {r['tp']:6d} {r['fp']:6d} {r['fn']:6d} "
            f"{r['precision']:6.3f} {r['recall']:6.3f} {r['f1']:6.3f}"
        )
    t = report["total"]
    assert isinstance(t, dict)
    print("-" * len(head))
    print(
        f"{'micro':42} {t['n_truth']:6d} {t['tp']:6d} {t['fp']:6d} {t['fn']:6d} "
        f"{t['precision']:6.3f} {t['recall']:6.3f} {t['f1']:6.3f}"
    )
    print()
    print("recall by kind: " + ", ".join(
        f"{k} {v['recall']:.3f} ({v['tp']}/{v['n_truth']})" for k, v in per_kind.items()  # type: ignore[index]
    ))  # fmt: skip
    print(f"derived endpoint references (SDK calls, no URL written; not scored): {derived}")
    print(f"scan time for {len(repos)} repositories: {seconds:.1f} s")
    if missing:
        print(f"not found under {args.devset}: {', '.join(missing)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
