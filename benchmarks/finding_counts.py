"""Findings per repository: one per (rule, model) instead of one per reference, none lost.

For each repository (every folder under ``--devset``, plus any ``--repo``) this scans without the
cache and prints, measured in the same run:

- ``places``: findings as they were before grouping, one per place (the sum of every finding's
  locations), and ``findings``: what the report now shows, with the ratio between them;
- with ``--before DIR`` (JSON reports of an earlier modeldeps, one ``<name>.json`` per
  repository): the earlier count, and every (rule, model) pair of the earlier report that the
  new one lacks. A lost pair is *explained* only when the rule changed on purpose: MD401 on a
  reference that downloads nothing, MD501 on a reference that sends no request. Any other lost
  pair is a regression; the script then exits 1.

    python benchmarks/finding_counts.py --devset ../devset --repo examples/demo-project \
        [--before DIR]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from modeldeps.assess.refs import downloads_weights, egress_of
from modeldeps.model import ModelReference, ScanResult
from modeldeps.options import ScanOptions
from modeldeps.pipeline import scan
from modeldeps.serialize import reference_from_data, to_data


def _model(rule: str, subject: str) -> str:
    """The model of a finding: its subject; for MD501 the operator and host it names."""
    return ":".join(subject.split(":")[:2]) if rule == "MD501" else subject


def pairs_of(findings: Iterable[dict[str, Any]]) -> set[tuple[str, str]]:
    return {(f["rule_id"], _model(f["rule_id"], f["subject"])) for f in findings}


def _explained(rule: str, before: dict[str, Any], refs: list[ModelReference]) -> bool:
    """Whether a pair lost from the earlier report was dropped on purpose."""
    loc = before["location"]
    here = [r for r in refs if (r.location.path, r.location.line) == (loc["path"], loc["line"])]
    if rule == "MD401":
        return not any(downloads_weights(r) for r in here)
    if rule == "MD501":
        return not any(egress_of(r) for r in here)
    return False


def measure(root: Path, before: Path | None) -> dict[str, Any]:
    result: ScanResult = scan([root], ScanOptions(use_cache=False))
    after: list[dict[str, Any]] = [to_data(f) for f in result.findings]
    row: dict[str, Any] = {
        "repo": root.name,
        "findings": len(after),
        "places": sum(len(f["locations"]) for f in after),
        "pairs": len(pairs_of(after)),
    }
    if before is not None and before.is_file():
        doc = json.loads(before.read_text(encoding="utf-8"))
        old = doc["findings"]
        refs = [reference_from_data(r) for r in doc["references"]]
        lost = pairs_of(old) - pairs_of(after)
        explained: list[str] = []
        unexplained: list[str] = []
        for rule, model in sorted(lost):
            hits = [f for f in old if (f["rule_id"], _model(rule, f["subject"])) == (rule, model)]
            ok = all(_explained(rule, f, refs) for f in hits)
            (explained if ok else unexplained).append(f"{rule} {model}")
        row |= {"before": len(old), "explained": explained, "unexplained": unexplained}
    return row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--devset", type=Path, help="folder of repositories (one per folder)")
    parser.add_argument("--repo", type=Path, action="append", default=[], help="a repository")
    parser.add_argument("--before", type=Path, help="folder of earlier JSON reports")
    args = parser.parse_args(argv)
    roots = sorted(p for p in args.devset.iterdir() if p.is_dir()) if args.devset else []
    roots += args.repo
    if not roots:
        parser.error("give --devset or --repo")
    rows = [measure(r, args.before / f"{r.name}.json" if args.before else None) for r in roots]
    head = f"{'repository':40} {'before':>7} {'places':>7} {'findings':>8} {'ratio':>6}  pairs"
    print(head)
    bad = 0
    for row in rows:
        ratio = row["places"] / row["findings"] if row["findings"] else 1.0
        was = str(row.get("before", "-"))
        print(
            f"{row['repo']:40} {was:>7} {row['places']:>7} {row['findings']:>8} "
            f"{ratio:>5.1f}x  {row['pairs']}"
        )
        for item in row.get("explained", []):
            print(f"    dropped on purpose: {item}")
        for item in row.get("unexplained", []):
            print(f"    LOST: {item}")
            bad += 1
    total_places = sum(r["places"] for r in rows)
    total = sum(r["findings"] for r in rows)
    print(
        f"{'total':40} {'':>7} {total_places:>7} {total:>8} {total_places / max(total, 1):>5.1f}x"
    )
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
