"""Coverage of the bundled KB: publisher and country of the models the dev set and examples name.

    python benchmarks/kb_coverage.py [--truth DIR] [--examples DIR] [--show-misses]

Takes the distinct Hub organisations, Hub models, API model names, Ollama tags and endpoint hosts
labelled in the discovery dev set (``--truth``: the ``*.jsonl`` label files; default the shared
dev set, else the copy in ``tests/data/coverage/devset_refs.yaml``) plus every reference a scan of
``examples/`` finds, resolves each offline, and reports the share with a known publisher and a
known country, counted two ways (docs/kb.md, "Coverage"):

- ``+accounts``: a Hub account the KB does not know is the publisher of its repositories
  (publisher known); an individual's account has no country a source gives, so individuals are
  left out of the country share (``w/o indiv.``);
- strict (``publisher``, ``country``): only a publisher the KB knows counts, and every unknown
  country is a miss.

An organisation is covered when every dev-set model under it is.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable
from pathlib import Path

from modeldeps.resolve import Resolver
from modeldeps.resolve.coverage import (
    KINDS,
    Refs,
    Tally,
    coverage,
    from_copy,
    from_examples,
    individuals_of,
    merge,
)

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_TRUTH = ROOT / ".." / "shared" / "eval" / "discovery" / "truth"
COPY = ROOT / "tests" / "data" / "coverage" / "devset_refs.yaml"


def from_truth(folder: Path, individuals: Iterable[str]) -> Refs:
    """Distinct labelled values; a Hub value without an org takes the label's alt_value that
    names the repository."""
    out = Refs(individuals=frozenset(i.lower() for i in individuals))
    for path in sorted(folder.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            kind, value = row["kind"], row["value"]
            if kind == "hub_model" and "/" not in value:
                value = next((a for a in row.get("alt_values", []) if "/" in a), value)
            if kind in KINDS:
                out.values[kind].add(value)
    return out


def pct(a: int, b: int) -> str:
    return f"{100.0 * a / b:5.1f} %" if b else "  n/a"


def report(tallies: dict[str, Tally], show_misses: bool) -> None:
    print(f"{'unit':<14}{'n':>5}  {'publisher':>10} {'+accounts':>10}  {'country':>9} "
          f"{'w/o indiv.':>11}")  # fmt: skip
    total = Tally()
    for name, t in tallies.items():
        if name == "hub org":
            label = "hub orgs"
        else:
            label = name.replace("_model", " models").replace("endpoint", "endpoint hosts")
        print(
            f"{label:<14}{t.units:>5}  {pct(t.publisher, t.units):>10} "
            f"{pct(t.publisher_accounts, t.units):>10}  {pct(t.country, t.units):>9} "
            f"{pct(t.country_without_individuals, t.country_units_without_individuals):>11}"
        )
        if name != "hub org":
            for f in ("units", "publisher", "publisher_accounts", "country"):
                setattr(total, f, getattr(total, f) + getattr(t, f))
            total.country_units_without_individuals += t.country_units_without_individuals
            total.country_without_individuals += t.country_without_individuals
    print(
        f"{'all models':<14}{total.units:>5}  {pct(total.publisher, total.units):>10} "
        f"{pct(total.publisher_accounts, total.units):>10}  {pct(total.country, total.units):>9} "
        f"{pct(total.country_without_individuals, total.country_units_without_individuals):>11}"
    )
    if show_misses:
        for name, t in tallies.items():
            for m in t.misses:
                print(f"  miss [{name}] {m}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--truth", type=Path, default=DEFAULT_TRUTH, help="dev-set label folder")
    ap.add_argument("--examples", type=Path, default=ROOT / "examples")
    ap.add_argument("--show-misses", action="store_true")
    args = ap.parse_args(argv)
    if any(args.truth.glob("*.jsonl")):
        dev = from_truth(args.truth, individuals_of(COPY))
        where = str(args.truth)
    else:
        print(f"no labels under {args.truth}: using {COPY.name}", file=sys.stderr)
        dev, where = from_copy(COPY), str(COPY.relative_to(ROOT))
    r = Resolver.create()
    print(f"KB {r.kb_version}; dev set from {where}; examples from {args.examples.name}/")
    print("dev set:")
    report(coverage(dev, r), args.show_misses)
    if args.examples.is_dir():
        print("dev set + examples:")
        report(coverage(merge(dev, from_examples(args.examples)), r), args.show_misses)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
