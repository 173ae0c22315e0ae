"""First-principles serving model: memory, KV cache, concurrency, step times and throughput.

Formulas follow the cost research (REPORT §2): weights and KV bytes, a memory-bound decode step
that reads the weights (only the experts touched, for MoE) plus every sequence's KV cache, a
compute-bound prefill, and continuous batching that interleaves the two.
"""

from __future__ import annotations

from dataclasses import dataclass

from modeldeps.cost.architectures import ModelArch
from modeldeps.cost.hardware import GPU, WEIGHT_BYTES
from modeldeps.errors import CostError

GB = 1e9
#: Share of HBM an engine hands to weights + KV (vLLM gpu_memory_utilization default 0.9).
MEMORY_UTILIZATION = 0.9
#: Per-GPU activations, CUDA graphs and allocator slack (research: 2-6 GB).
OVERHEAD_GB_PER_GPU = 3.0
#: Latency of one tensor-parallel all-reduce over NVLink; two per layer per step.
ALLREDUCE_LATENCY_S = 10e-6
#: Bytes one routed copy of a hidden value crosses the network with: FP8 dispatch (one byte plus
#: an FP32 scale per 128 values) and BF16 combine, the DeepSeek-V3 setting DeepEP is measured in
#: (github:deepseek-ai/DeepEP docs/legacy.md; its measured 39-63 GB/s at EP16-256 imply these
#: bytes: e.g. 128 tokens × top-8 × 7168 × 1.03 B in 194 us at 39 GB/s).
A2A_BYTES_PER_VALUE = (1.0 + 4.0 / 128.0) + 2.0
#: Decode batch per GPU an expert-parallel engine runs at most: DeepEP's low-latency kernels
#: recommend fewer than 256 dispatched tokens per rank (DeepEP docs/legacy.md); the measured
#: wide-EP deployments run 128 (DeepSeek) and 256 (SGLang) per GPU.
EP_MAX_BATCH_PER_GPU = 256


@dataclass(frozen=True, slots=True)
class Deployment:
    """One replica: a model on ``n_gpus`` GPUs of one kind at a weight precision."""

    arch: ModelArch
    gpu: GPU
    n_gpus: int
    precision: str  # bf16, fp8, fp4, int4
    kv_precision: str = "bf16"
    dp_attention: bool = True  # MLA latent sharded by data-parallel attention, not replicated

    @property
    def multi_node_ep(self) -> bool:
        """An MoE replica spread over more GPUs than one NVLink domain holds: experts are
        spread over nodes (expert parallelism) and tokens cross the network to reach them."""
        per_node = self.gpu.gpus_per_node
        return self.arch.is_moe and per_node > 0 and self.n_gpus > per_node


def weights_bytes(arch: ModelArch, precision: str) -> float:
    """``M_w = N_tot · b_w``: every expert is resident even if few are used per token."""
    return arch.params_total * WEIGHT_BYTES[precision]


def kv_elements_per_token_layer(arch: ModelArch) -> int:
    """Cached values per token per layer: 2·kv_heads·head_dim (GQA/MHA) or rank+rope (MLA)."""
    if arch.attention == "mla":
        return arch.kv_lora_rank + arch.qk_rope_dim
    return 2 * arch.kv_heads * arch.head_dim


def kv_bytes_per_token(arch: ModelArch, kv_precision: str = "bf16") -> float:
    """KV bytes per token if every layer keeps the full context (no sliding windows)."""
    return arch.layers * kv_elements_per_token_layer(arch) * WEIGHT_BYTES[kv_precision]


def kv_replication(arch: ModelArch, tp: int, dp_attention: bool = True) -> float:
    """How many copies of the KV cache tensor parallelism forces.

    TP splits KV heads across ranks; with more ranks than KV heads the heads are replicated. The
    MLA latent has no heads to split, so every rank holds a copy unless attention runs
    data-parallel.
    """
    if arch.attention == "mla":
        return 1.0 if dp_attention else float(tp)
    if tp > arch.kv_heads:
        return tp / arch.kv_heads
    return 1.0


def kv_bytes_for_sequence(
    arch: ModelArch, ctx: float, kv_precision: str = "bf16", tp: int = 1, dp_attention: bool = True
) -> float:
    """KV bytes one sequence of ``ctx`` tokens holds; sliding layers keep ``min(ctx, window)``."""
    per_layer_token = kv_elements_per_token_layer(arch) * WEIGHT_BYTES[kv_precision]
    full_layers = arch.layers - arch.sliding_layers
    kept = full_layers * ctx + arch.sliding_layers * min(ctx, arch.sliding_window or ctx)
    return per_layer_token * kept * kv_replication(arch, tp, dp_attention)


def experts_touched_fraction(active: int, routed: int, batch: float) -> float:
    """Share of routed experts a decode step reads with uniform routing: 1 − (1 − k/E)^B."""
    if routed <= 0:
        return 1.0
    return 1.0 - float((1.0 - active / routed) ** max(batch, 0.0))


def weight_bytes_read(arch: ModelArch, precision: str, batch: float) -> float:
    """Bytes of weights one decode step streams from HBM at batch ``B``."""
    b_w = WEIGHT_BYTES[precision]
    if not arch.is_moe:
        return arch.params_total * b_w
    touched = experts_touched_fraction(arch.experts_active, arch.experts_routed, batch)
    return b_w * (arch.always_read_params + arch.routed_expert_params * touched)


def single_stream_bound(arch: ModelArch, gpu: GPU, n_gpus: int, precision: str) -> float:
    """Upper bound on tokens/s for one sequence: n·BW / (bytes of active weights)."""
    return n_gpus * gpu.hbm_bw_tbps * 1e12 / (arch.params_active * WEIGHT_BYTES[precision])


def batch_knee(gpu: GPU, precision: str) -> float:
    """Batch where decode turns compute-bound, ignoring KV traffic: (F/BW)·b_w/2."""
    ratio = gpu.peak_tflops(precision) * 1e12 / (gpu.hbm_bw_tbps * 1e12)
    return ratio * WEIGHT_BYTES[precision] / 2.0


def usable_kv_bytes(d: Deployment) -> float:
    """Memory left for KV: n·HBM·util − weights − per-GPU overhead."""
    total = d.n_gpus * d.gpu.memory_bytes * MEMORY_UTILIZATION
    return total - weights_bytes(d.arch, d.precision) - d.n_gpus * OVERHEAD_GB_PER_GPU * GB


def max_concurrency(d: Deployment, ctx: float) -> int:
    """``B_max = usable / (ctx · kv bytes per token)``: sequences whose KV fits at once."""
    usable = usable_kv_bytes(d)
    if usable <= 0:
        return 0
    per_seq = kv_bytes_for_sequence(d.arch, ctx, d.kv_precision, d.n_gpus, d.dp_attention)
    return int(usable // per_seq)


def attention_flops_per_token(arch: ModelArch, ctx: float) -> float:
    """Decode attention FLOPs for one new token over ``ctx`` cached tokens (QKᵀ and AV)."""
    width = arch.q_heads * (
        arch.kv_lora_rank + arch.qk_rope_dim if arch.attention == "mla" else arch.head_dim
    )
    full = arch.layers - arch.sliding_layers
    attended = full * ctx + arch.sliding_layers * min(ctx, arch.sliding_window or ctx)
    return 4.0 * attended * width


def prefill_flops(arch: ModelArch, isl: float) -> float:
    """Prefill FLOPs: 2·N_act·ISL plus causal attention 2·L·ISL²·(heads·head_dim)."""
    return (
        2.0 * arch.params_active * isl + 2.0 * arch.layers * isl**2 * arch.q_heads * arch.head_dim
    )


def all_to_all_seconds(d: Deployment, tokens: float) -> float:
    """Expert-parallel dispatch and combine of one step's ``tokens`` across nodes.

    Every token sends its hidden state to its top-k experts and gets the results back at each
    MoE layer; with experts spread over nodes nearly all of it crosses the per-GPU RDMA link
    (DeepEP counts all of it against that link). Communication is added to the step, not hidden
    under it: overlapping two micro-batches hides it but makes each read the weights again.
    """
    if not d.multi_node_ep or d.gpu.scaleout_gb_s <= 0:
        return 0.0
    per_gpu = tokens / d.n_gpus
    per_layer = per_gpu * d.arch.experts_active * d.arch.hidden * A2A_BYTES_PER_VALUE
    return d.arch.layers * per_layer / (d.gpu.scaleout_gb_s * 1e9)


def batch_cap(d: Deployment, max_batch: int) -> int:
    """Most sequences the engine decodes at once: its own cap, or per GPU with wide EP."""
    if d.multi_node_ep:
        return min(max_batch, EP_MAX_BATCH_PER_GPU) * d.n_gpus
    return max_batch


@dataclass(frozen=True, slots=True)
class StepTimes:
    """Where the time of one continuous-batching iteration goes, in seconds."""

    batch: int
    memory_s: float
    compute_s: float
    comm_s: float
    prefill_s: float

    @property
    def total_s(self) -> float:
        return max(self.memory_s, self.compute_s) + self.comm_s + self.prefill_s

    @property
    def bound(self) -> str:
        """What limits the step: the larger of HBM traffic, FLOPs and communication."""
        if self.comm_s > max(self.memory_s, self.compute_s):
            return "interconnect"
        return "memory-bandwidth" if self.memory_s >= self.compute_s else "compute"


def step_times(
    d: Deployment, isl: float, osl: float, batch: int, efficiency: float, decode_only: bool = False
) -> StepTimes:
    """Decode step at batch B plus the prefill work that B/OSL new requests per step bring."""
    ctx = isl + osl / 2.0
    bw = d.n_gpus * d.gpu.hbm_bw_tbps * 1e12 * efficiency
    flops = d.n_gpus * d.gpu.peak_tflops(d.precision) * 1e12 * efficiency
    kv = kv_bytes_for_sequence(d.arch, ctx, d.kv_precision, d.n_gpus, d.dp_attention)
    memory = (weight_bytes_read(d.arch, d.precision, batch) + batch * kv) / bw
    compute = (2.0 * d.arch.params_active + attention_flops_per_token(d.arch, ctx)) * batch / flops
    comm = 2 * d.arch.layers * ALLREDUCE_LATENCY_S if d.n_gpus > 1 else 0.0
    prefill = 0.0 if decode_only else prefill_flops(d.arch, isl) * batch / max(osl, 1.0) / flops
    prefill_tokens = 0.0 if decode_only else batch * isl / max(osl, 1.0)
    comm += all_to_all_seconds(d, batch + prefill_tokens)
    return StepTimes(batch, memory, compute, comm, prefill)


def output_tokens_per_s(
    d: Deployment,
    isl: float,
    osl: float,
    *,
    efficiency: float,
    max_batch: int,
    concurrency: int | None = None,
    decode_only: bool = False,
) -> tuple[float, StepTimes]:
    """Steady-state output tokens/s of the replica: B / (t_step(B) + t_prefill_per_step)."""
    fit = max_concurrency(d, isl + osl / 2.0)
    if fit < 1:
        need = weights_bytes(d.arch, d.precision) / GB
        have = d.n_gpus * d.gpu.memory_bytes / GB
        raise CostError(
            f"{d.arch.name} at {d.precision} needs {need:.0f} GB of weights plus KV cache; "
            f"{d.n_gpus}× {d.gpu.name} has {have:.0f} GB — use more GPUs or a lower precision"
        )
    cap = batch_cap(d, max_batch)
    batch = min(fit, cap, concurrency or cap)
    times = step_times(d, isl, osl, batch, efficiency, decode_only)
    return batch / times.total_s, times


def gpus_needed(arch: ModelArch, gpu: GPU, precision: str, ctx: float, min_batch: int = 8) -> int:
    """Smallest power-of-two GPU count (≤ 64) whose memory holds the weights and ``min_batch``
    sequences of ``ctx`` tokens."""
    n = 1
    while n <= 64:
        d = Deployment(arch, gpu, n, precision)
        if max_concurrency(d, ctx) >= min_batch:
            return n
        n *= 2
    raise CostError(f"{arch.name} at {precision} does not fit on 64× {gpu.name}")


__all__ = [
    "A2A_BYTES_PER_VALUE",
    "EP_MAX_BATCH_PER_GPU",
    "Deployment",
    "StepTimes",
    "all_to_all_seconds",
    "attention_flops_per_token",
    "batch_cap",
    "batch_knee",
    "experts_touched_fraction",
    "gpus_needed",
    "kv_bytes_for_sequence",
    "kv_bytes_per_token",
    "max_concurrency",
    "output_tokens_per_s",
    "prefill_flops",
    "single_stream_bound",
    "step_times",
    "weight_bytes_read",
    "weights_bytes",
]
