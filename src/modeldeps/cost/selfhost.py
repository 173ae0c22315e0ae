"""One self-hosting estimate: memory, concurrency, throughput and $/M tokens for a replica."""

from __future__ import annotations

from dataclasses import dataclass

from modeldeps.cost.architectures import ModelArch, describe_params
from modeldeps.cost.engines import EnginePreset
from modeldeps.cost.hardware import GPU
from modeldeps.cost.roofline import (
    EP_MAX_BATCH_PER_GPU,
    MEMORY_UTILIZATION,
    OVERHEAD_GB_PER_GPU,
    Deployment,
    kv_bytes_for_sequence,
    max_concurrency,
    output_tokens_per_s,
    weights_bytes,
)

HOURS_PER_MONTH = 730.0


@dataclass(frozen=True, slots=True)
class SelfHostEstimate:
    """What one replica does at steady state, and what its output tokens cost."""

    model: str
    params: str
    gpu: str
    gpus: int
    precision: str
    engine: str
    efficiency: float
    input_tokens: float
    output_tokens: float
    weights_gb: float
    kv_gb_per_sequence: float
    memory_gb: float
    max_concurrency: int
    batch: int
    bound: str
    output_tokens_per_s: float
    usd_per_gpu_hour: tuple[float, float, float]  # low, typical, high
    usd_per_mtok_output: tuple[float, float, float]  # at 100 % utilization
    replica_usd_per_month: tuple[float, float, float]  # GPUs only, no overhead
    assumptions: tuple[str, ...]


def estimate(
    arch: ModelArch,
    gpu: GPU,
    gpus: int,
    precision: str,
    input_tokens: float,
    output_tokens: float,
    preset: EnginePreset,
    kv_precision: str = "bf16",
) -> SelfHostEstimate:
    """Roofline estimate for one replica serving requests of the given size."""
    d = Deployment(arch, gpu, gpus, precision, kv_precision)
    eff = preset.efficiency(arch.is_moe, precision)
    tps, times = output_tokens_per_s(
        d, input_tokens, output_tokens, efficiency=eff, max_batch=preset.max_batch
    )
    ctx = input_tokens + output_tokens / 2
    prices = (gpu.usd_per_hr_low, gpu.usd_per_hr_typical, gpu.usd_per_hr_high)
    per_mtok = tuple(gpus * p / (tps * 3600 / 1e6) for p in prices)
    monthly = tuple(gpus * p * HOURS_PER_MONTH for p in prices)
    if d.multi_node_ep:
        cap = (
            f"at most {min(preset.max_batch, EP_MAX_BATCH_PER_GPU)} sequences per GPU "
            "(expert-parallel decode)"
        )
    else:
        cap = f"at most {preset.max_batch} sequences"
    kind = (
        "MoE, weight-only int4"
        if arch.is_moe and precision == "int4"
        else ("MoE" if arch.is_moe else "dense")
    )
    network = (
        (
            f"experts spread over {gpus // gpu.gpus_per_node} nodes: dispatch and combine cross "
            f"{gpu.scaleout_gb_s:g} GB/s per GPU ({gpu.interconnect_source}), added to each step"
        )
        if d.multi_node_ep
        else "one NVLink domain: tensor-parallel all-reduce latency only"
    )
    assumptions = (
        f"engine preset '{preset.name}': {preset.description}; efficiency {eff:.2f} of peak "
        f"bandwidth and FLOPs ({kind}), {cap}",
        network,
        f"memory: {MEMORY_UTILIZATION:.0%} of HBM usable, {OVERHEAD_GB_PER_GPU:g} GB per GPU "
        "for activations and graphs",
        f"average context {ctx:.0f} tokens (input + half the output), KV cache in {kv_precision}",
        f"architecture: {arch.source} ({arch.verification})",
        f"GPU: {gpu.spec_source} ({gpu.spec_verification}); price {gpu.price_source} "
        f"{gpu.price_date} ({gpu.price_verification})",
        "$/M output tokens assume the replica is busy 100 % of the time; input tokens are "
        "included (their prefill is part of the step time)",
    )
    return SelfHostEstimate(
        model=arch.name,
        params=describe_params(arch),
        gpu=gpu.name,
        gpus=gpus,
        precision=precision,
        engine=preset.name,
        efficiency=eff,
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        weights_gb=weights_bytes(arch, precision) / 1e9,
        kv_gb_per_sequence=kv_bytes_for_sequence(arch, ctx, kv_precision, gpus) / 1e9,
        memory_gb=gpus * gpu.memory_bytes / 1e9,
        max_concurrency=max_concurrency(d, ctx),
        batch=times.batch,
        bound=times.bound,
        output_tokens_per_s=tps,
        usd_per_gpu_hour=prices,
        usd_per_mtok_output=(per_mtok[0], per_mtok[1], per_mtok[2]),
        replica_usd_per_month=(monthly[0], monthly[1], monthly[2]),
        assumptions=assumptions,
    )
