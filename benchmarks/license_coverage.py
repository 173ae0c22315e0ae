"""Licences of the most-downloaded Hub models: how many the bundled KB answers, and how.

    python benchmarks/license_coverage.py [--list FILE] [--show-missing]

Resolves every id of ``--list`` (default ``benchmarks/data/hub_popular.gen.yaml``, the 500
most-downloaded repositories of llmfit's Hub catalogue, written by ``tools/build_kb.py``) offline
and counts the basis of each licence: an exact sourced record, a sourced versioned rule (a
re-upload counts its base's), the model's card, the Hub, the family's usual licence (assumed,
low confidence) or none. "Sourced" is exact + rule.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from modeldeps import safeyaml
from modeldeps.resolve import Resolver
from modeldeps.resolve.coverage import LICENSE_BASES, license_coverage

DEFAULT = Path(__file__).resolve().parent / "data" / "hub_popular.gen.yaml"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--list", type=Path, default=DEFAULT)
    ap.add_argument("--show-missing", action="store_true")
    args = ap.parse_args(argv)
    doc = safeyaml.load(args.list.read_text(encoding="utf-8"))
    ids = [m["id"] for m in doc["models"]]
    r = Resolver.create()
    t0 = time.perf_counter()
    by = license_coverage(ids, r)
    ms = (time.perf_counter() - t0) * 1000
    n = len(ids)
    print(f"licence basis of {n} Hub models ({args.list.name}; KB {r.kb_version}; {ms:.0f} ms)")
    for basis in LICENSE_BASES:
        print(f"  {basis:<9}{len(by[basis]):>5}  {100.0 * len(by[basis]) / n:5.1f} %")
    sourced = len(by["exact"]) + len(by["rule"])
    print(f"  sourced  {sourced:>5}  {100.0 * sourced / n:5.1f} %  (exact + rule)")
    if args.show_missing:
        for basis in ("assumed", "none"):
            for model_id in by[basis]:
                print(f"  {basis}: {model_id}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
