"""Cost model validation: predicted vs measured serving throughput for every validation row.

Reads the measured-throughput table (default: ``../shared/research/cost/validation.csv`` next to
the repository), refits the engine-efficiency presets on the fixed fitting split, and prints for
every row the prediction, the measurement and the error, then the median absolute percentage
error and the share within 2× on the held-out rows. The same held-out figures are printed for a
baseline measured in the same run: the research's rule-of-thumb efficiencies (REPORT §2.3:
tuned 0.5 dense / 0.25 MoE, default 0.5 dense / 0.12 MoE) in the same roofline.

Usage: python benchmarks/cost_model_validation.py [--validation PATH]
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

from modeldeps.cost.calibrate import Scored, fit_presets, parse_table, score, split, summary
from modeldeps.cost.engines import PRESETS, EnginePreset
from modeldeps.cost.tables import read_csv_file

REPO = Path(__file__).resolve().parents[1]
DEFAULT = REPO / ".." / "shared" / "research" / "cost" / "validation.csv"
TARGET_MAPE, TARGET_WITHIN = 0.35, 0.90


def _baseline() -> dict[str, EnginePreset]:
    rule = {"tuned": (0.5, 0.25), "default": (0.5, 0.12)}
    return {
        name: dataclasses.replace(
            p,
            dense_efficiency=rule[name][0],
            moe_efficiency=rule[name][1],
            int4_moe_factor=1.0,
        )
        for name, p in PRESETS.items()
    }


def _print_rows(title: str, rows: tuple[Scored, ...]) -> None:
    print(f"\n{title}")
    print(f"{'#':>3}  {'group':<14} {'predicted':>10} {'measured':>10} {'error':>7}  row")
    for s in rows:
        flag = "" if s.within_2x else "  (outside 2x)"
        print(
            f"{s.m.index:>3}  {s.m.group:<14} {s.predicted:>10,.0f} {s.m.measured:>10,.0f} "
            f"{s.error:>+7.0%}  {s.m.label}{flag}"
        )
        for note in s.m.assumptions:
            print(f"{'':>5}assumed: {note}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--validation", type=Path, default=DEFAULT)
    args = parser.parse_args(argv)
    rows = parse_table(read_csv_file(args.validation), str(args.validation))
    fit, held = split(rows)
    presets = fit_presets(fit, PRESETS)
    print(f"validation rows: {len(rows)} ({len(fit)} fit, {len(held)} held out)")
    for name, p in presets.items():
        bundled = PRESETS[name]
        same = (p.dense_efficiency, p.moe_efficiency, p.int4_moe_factor) == (
            bundled.dense_efficiency,
            bundled.moe_efficiency,
            bundled.int4_moe_factor,
        )
        print(
            f"preset {name:<8} dense {p.dense_efficiency:.2f}  MoE {p.moe_efficiency:.2f}  "
            f"int4 MoE x{p.int4_moe_factor:.2f}  max batch {p.max_batch}  "
            f"({'matches' if same else 'DIFFERS from'} engines.py)"
        )
    fit_scored, held_scored = score(fit, presets), score(held, presets)
    _print_rows("fitting rows", fit_scored)
    _print_rows("held-out rows", held_scored)
    mape, within = summary(held_scored)
    base_mape, base_within = summary(score(held, _baseline()))
    fit_mape, fit_within = summary(fit_scored)
    # Ablation: the same presets with the int4 MoE factor left at 1.0.
    no_int4 = {n: dataclasses.replace(p, int4_moe_factor=1.0) for n, p in presets.items()}
    ab_mape, ab_within = summary(score(held, no_int4))
    print(
        f"\nfitting rows:  median |error| {fit_mape:.1%}, within 2x {fit_within:.0%}\n"
        f"held-out rows: median |error| {mape:.1%} (target <= {TARGET_MAPE:.0%}), "
        f"within 2x {within:.0%} (target >= {TARGET_WITHIN:.0%})\n"
        f"baseline (rule-of-thumb presets), held-out: median |error| {base_mape:.1%}, "
        f"within 2x {base_within:.0%}\n"
        f"ablation (fitted presets, no int4 MoE factor), held-out: median |error| "
        f"{ab_mape:.1%}, within 2x {ab_within:.0%}"
    )
    return 0 if mape <= TARGET_MAPE and within >= TARGET_WITHIN else 1


if __name__ == "__main__":
    sys.exit(main())
