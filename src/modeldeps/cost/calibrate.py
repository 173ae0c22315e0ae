"""Fit and test the engine presets on measured throughput (``validation.csv``).

The research table is free text ("ShareGPT (avg 215)", "offline max (3000 req)"); this module
turns each row into numbers with documented rules and records every value it had to assume.
"""

from __future__ import annotations

import math
import re
import statistics
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace

from modeldeps.cost.architectures import ModelArch, lookup_arch
from modeldeps.cost.engines import EnginePreset
from modeldeps.cost.hardware import find_gpu
from modeldeps.cost.roofline import Deployment, output_tokens_per_s
from modeldeps.cost.tables import Row
from modeldeps.errors import CostError, InputError

#: ShareGPT-style runs that do not state lengths use the averages the stated runs report.
SHAREGPT_ISL, SHAREGPT_OSL = 215, 200
#: The vLLM wide-EP figure (2.2k tok/s per H200) states no setup; its follow-up post, which builds
#: on it, lists the H200 deployment it compares against: decode on 32 GPUs, 2K input and 2K output
#: tokens (github:vllm-project/vllm-project.github.io _posts/2026-02-03-dsr1-gb200-part1.md).
WIDE_EP_GPUS, WIDE_EP_ISL, WIDE_EP_OSL = 32, 2000, 2000


@dataclass(frozen=True, slots=True)
class Measurement:
    """One measured throughput point, in the numbers the roofline takes."""

    index: int  # 1-based row in the table
    label: str
    arch: ModelArch
    gpu: str
    n_gpus: int  # GPUs in the modelled replica (weights are spread over all of them)
    report_gpus: int  # GPUs the measured figure covers
    precision: str
    engine: str
    preset: str  # "tuned" or "default"
    isl: float
    osl: float
    concurrency: int | None  # None: as many as fit (offline max)
    decode_only: bool
    measured: float  # output tokens/s over report_gpus
    assumptions: tuple[str, ...]
    source: str

    @property
    def group(self) -> str:
        return f"{self.preset}/{'moe' if self.arch.is_moe else 'dense'}"


_INT = re.compile(r"\d[\d,]*")


def _first_int(text: str) -> int | None:
    m = _INT.search(text)
    return int(m.group().replace(",", "")) if m else None


def _model(text: str) -> ModelArch:
    base = re.sub(r"\(.*?\)", " ", text).strip()
    candidates = [text, base, *re.split(r"[/\s]+", base)]
    for cand in candidates:
        arch = lookup_arch(cand.strip())
        if arch is not None:
            return arch
    raise CostError(f"no architecture for validation model {text!r}")


def _precision(text: str) -> str:
    upper = text.upper()
    if "AWQ" in upper or "W4A16" in upper or "INT4" in upper:
        return "int4"
    if "FP4" in upper:
        return "fp4"
    if "FP8" in upper:
        return "fp8"
    return "bf16"


def _preset(engine: str) -> str:
    tuned_marks = ("TensorRT", "DeepEP", "in-house")
    return "tuned" if any(mark in engine for mark in tuned_marks) else "default"


def parse_row(index: int, row: Row) -> Measurement:
    """Turn one research row into a ``Measurement`` (rules in the module docstring)."""
    notes: list[str] = []
    arch = _model(row["model"])
    n = int(row["n_gpus"])
    report_gpus = n
    in_text, out_text, conc_text = row["input_len"], row["output_len"], row["concurrency"]
    decode_only = "decode" in out_text.lower()
    isl = _first_int(in_text)
    osl = None if decode_only else _first_int(out_text)
    if isl is None:
        isl = 2000 if decode_only else SHAREGPT_ISL
        notes.append(f"input length not stated; assumed {isl}")
    if osl is None and not decode_only:
        osl = SHAREGPT_OSL
        notes.append(f"output length not stated; assumed {osl}")
    where = f"{row['precision']} {row['notes']}"
    ep = re.search(r"EP(\d+)", where)
    nodes = re.search(r"(\d+) decode nodes", where)
    if ep:
        n = int(ep.group(1))
    elif nodes:
        n = int(nodes.group(1)) * 8
    elif "wide-EP" in where and n == 1:
        n = WIDE_EP_GPUS
        # Decode-only rows model a context of ISL tokens; mid-answer a 2K/2K request holds 3K.
        isl = WIDE_EP_ISL + WIDE_EP_OSL // 2
        notes[:] = [
            f"setup not stated; {n} decode GPUs and 2K/2K requests (average context {isl}) "
            "from the follow-up post's H200 setup table"
        ]
    conc: int | None
    if "offline max" in conc_text or conc_text.strip().lower() == "n/a":
        conc = None
    else:
        conc = _first_int(conc_text)
        if conc is not None and "per" in conc_text and "GPU" in conc_text:
            conc *= n
    return Measurement(
        index=index,
        label=f"{row['model']} · {report_gpus}×{row['gpu']} · {row['engine']}",
        arch=arch,
        gpu=find_gpu(row["gpu"]).name,
        n_gpus=n,
        report_gpus=report_gpus,
        precision=_precision(row["precision"]),
        engine=row["engine"],
        preset=_preset(row["engine"]),
        isl=float(isl),
        osl=float(osl or 0),
        concurrency=conc,
        decode_only=decode_only,
        measured=float(row["output_tok_s_total"]),
        assumptions=tuple(notes),
        source=row["source"],
    )


def parse_table(rows: Sequence[Row], name: str = "validation.csv") -> tuple[Measurement, ...]:
    """Every row, or an ``InputError`` naming the row that cannot be read."""
    out = []
    for i, row in enumerate(rows, start=1):
        try:
            out.append(parse_row(i, row))
        except (KeyError, ValueError, CostError) as exc:
            raise InputError(f"cannot read validation row: {exc}", file=name, line=i + 1) from None
    return tuple(out)


def split(rows: Iterable[Measurement]) -> tuple[tuple[Measurement, ...], tuple[Measurement, ...]]:
    """Fixed split: within each preset group (tuned/default × dense/MoE), in table order, the
    1st, 3rd, 5th… rows fit the presets and the 2nd, 4th… rows are held out."""
    seen: dict[str, int] = {}
    fit: list[Measurement] = []
    held: list[Measurement] = []
    for m in rows:
        k = seen.get(m.group, 0)
        seen[m.group] = k + 1
        (fit if k % 2 == 0 else held).append(m)
    return tuple(fit), tuple(held)


def predict(m: Measurement, preset: EnginePreset) -> float:
    """Predicted output tokens/s for the GPUs the measurement covers."""
    d = Deployment(m.arch, find_gpu(m.gpu), m.n_gpus, m.precision)
    tps, _ = output_tokens_per_s(
        d,
        m.isl,
        m.osl,
        efficiency=preset.efficiency(m.arch.is_moe, m.precision),
        max_batch=preset.max_batch,
        concurrency=m.concurrency,
        decode_only=m.decode_only,
    )
    return tps * m.report_gpus / m.n_gpus


def _fit_scalar(
    rows: Sequence[Measurement], make: Callable[[float], EnginePreset], hi: float = 1.0
) -> float:
    """The value in (0.01, hi) whose median log error over ``rows`` is zero (bisection;
    throughput grows monotonically with every fitted parameter)."""

    def median_log_ratio(value: float) -> float:
        p = make(value)
        return statistics.median(math.log(predict(m, p) / m.measured) for m in rows)

    lo = 0.01
    for _ in range(40):
        mid = math.sqrt(lo * hi)
        if median_log_ratio(mid) > 0:
            hi = mid
        else:
            lo = mid
    return round(math.sqrt(lo * hi), 2)


def _int4_moe(m: Measurement) -> bool:
    return m.arch.is_moe and m.precision == "int4"


def _fit_preset(p: EnginePreset, rows: Sequence[Measurement]) -> EnginePreset:
    """Dense and MoE efficiency on the rows of each kind (int4 MoE rows excluded), then the
    int4 MoE factor on the int4 MoE rows; a parameter without rows keeps its value."""
    dense = [m for m in rows if not m.arch.is_moe]
    moe = [m for m in rows if m.arch.is_moe and not _int4_moe(m)]
    int4 = [m for m in rows if _int4_moe(m)]
    if dense:
        p = replace(
            p, dense_efficiency=_fit_scalar(dense, lambda e: replace(p, dense_efficiency=e))
        )
    if moe:
        p = replace(p, moe_efficiency=_fit_scalar(moe, lambda e: replace(p, moe_efficiency=e)))
    factor = _fit_scalar(int4, lambda f: replace(p, int4_moe_factor=f), hi=2.0) if int4 else 1.0
    return replace(p, int4_moe_factor=factor)


def fit_presets(
    fit_rows: Sequence[Measurement], presets: dict[str, EnginePreset]
) -> dict[str, EnginePreset]:
    """Refit every preset on its own ``fit_rows``."""
    return {
        name: _fit_preset(p, [m for m in fit_rows if m.preset == name])
        for name, p in presets.items()
    }


@dataclass(frozen=True, slots=True)
class Scored:
    """A measurement with its prediction."""

    m: Measurement
    predicted: float

    @property
    def error(self) -> float:
        """Signed relative error, (predicted − measured) / measured."""
        return (self.predicted - self.m.measured) / self.m.measured

    @property
    def within_2x(self) -> bool:
        return 0.5 <= self.predicted / self.m.measured <= 2.0


def score(rows: Iterable[Measurement], presets: dict[str, EnginePreset]) -> tuple[Scored, ...]:
    """Predict every row with its preset."""
    return tuple(Scored(m, predict(m, presets[m.preset])) for m in rows)


def summary(scored: Sequence[Scored]) -> tuple[float, float]:
    """Median absolute percentage error and share of rows within 2×."""
    if not scored:
        return math.nan, math.nan
    mape = statistics.median(abs(s.error) for s in scored)
    within = sum(s.within_2x for s in scored) / len(scored)
    return mape, within
