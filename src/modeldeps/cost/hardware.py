"""GPUs: memory, bandwidth, dense peak FLOPs per dtype and on-demand price ranges, with sources."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from modeldeps.cost.tables import Row, bundled, num, split_list
from modeldeps.errors import CostError

#: Bytes per stored weight (including block scales for 4-bit formats: MXFP4 is 4 bits plus one
#: 8-bit scale per 32 values = 4.25 bits; AWQ/GPTQ int4 with group 128 is about the same).
WEIGHT_BYTES: dict[str, float] = {
    "bf16": 2.0,
    "fp16": 2.0,
    "fp8": 1.0,
    "int8": 1.0,
    "fp4": 4.25 / 8,
    "int4": 4.25 / 8,
}

PRECISIONS = ("bf16", "fp8", "fp4", "int4")


@dataclass(frozen=True, slots=True)
class GPU:
    """One accelerator model and what it costs to rent."""

    name: str
    aliases: tuple[str, ...]
    memory_gb: float
    hbm_bw_tbps: float
    bf16_tflops: float
    fp8_tflops: float | None
    fp4_tflops: float | None
    usd_per_hr_low: float
    usd_per_hr_typical: float
    usd_per_hr_high: float
    spec_source: str
    spec_verification: str
    price_source: str
    price_date: str
    price_verification: str
    memory_unit: str = "GB"  # HBM capacities are sold in GiB ("80 GB" H100: 81559 MiB usable)
    gpus_per_node: int = 0  # GPUs sharing one NVLink domain; 0: no multi-node deployment
    scaleout_gb_s: float = 0.0  # RDMA bandwidth per GPU between nodes, GB/s
    interconnect_source: str = ""

    @property
    def memory_bytes(self) -> float:
        """Device memory in bytes, reading the stated capacity in its real unit."""
        return self.memory_gb * (2**30 if self.memory_unit == "GiB" else 1e9)

    def peak_tflops(self, precision: str) -> float:
        """Dense peak for the math a given weight precision runs in on this GPU.

        FP8 and FP4 use native tensor cores where the GPU has them; otherwise (A100, or int4
        weight-only quantization such as AWQ W4A16) weights are dequantized and math runs in BF16.
        """
        if precision == "fp4":
            return self.fp4_tflops or self.fp8_tflops or self.bf16_tflops
        if precision in ("fp8", "int8"):
            return self.fp8_tflops or self.bf16_tflops
        return self.bf16_tflops


def _gpu(row: Row) -> GPU:
    low, typ, high = (
        num(row["usd_per_gpu_hr_low"]),
        num(row["usd_per_gpu_hr_typical"]),
        num(row["usd_per_gpu_hr_high"]),
    )
    return GPU(
        name=row["gpu"],
        aliases=split_list(row["aliases"]),
        memory_gb=float(row["memory_gb"]),
        hbm_bw_tbps=float(row["hbm_bw_tbps"]),
        bf16_tflops=float(row["bf16_tflops"]),
        fp8_tflops=num(row["fp8_tflops"]),
        fp4_tflops=num(row["fp4_tflops"]),
        usd_per_hr_low=low or 0.0,
        usd_per_hr_typical=typ or 0.0,
        usd_per_hr_high=high or 0.0,
        spec_source=row["spec_source"],
        spec_verification=row["spec_verification"],
        price_source=row["price_source"],
        price_date=row["price_date"],
        price_verification=row["price_verification"],
        memory_unit=row.get("memory_unit") or "GB",
        gpus_per_node=int(num(row.get("gpus_per_node", "")) or 0),
        scaleout_gb_s=num(row.get("scaleout_gb_s", "")) or 0.0,
        interconnect_source=row.get("interconnect_source", ""),
    )


@cache
def gpus() -> tuple[GPU, ...]:
    """Every GPU in the bundled table."""
    return tuple(_gpu(row) for row in bundled("gpus.csv"))


def _norm(text: str) -> str:
    return " ".join(text.lower().replace("_", " ").split())


def find_gpu(name: str) -> GPU:
    """The GPU called ``name`` (or one of its aliases), case-insensitive."""
    key = _norm(name)
    for gpu in gpus():
        if key == _norm(gpu.name) or key in {_norm(a) for a in gpu.aliases}:
            return gpu
    known = ", ".join(g.name for g in gpus())
    raise CostError(f"unknown GPU {name!r} (known: {known})")
