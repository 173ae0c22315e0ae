"""Each roofline formula checked by hand on a published worked example."""

from __future__ import annotations

import pytest

from modeldeps.cost.architectures import ModelArch, find_arch
from modeldeps.cost.hardware import find_gpu
from modeldeps.cost.roofline import (
    Deployment,
    batch_knee,
    experts_touched_fraction,
    kv_bytes_for_sequence,
    kv_bytes_per_token,
    kv_replication,
    max_concurrency,
    single_stream_bound,
    weight_bytes_read,
    weights_bytes,
)

# Llama 2 7B: 32 layers, 32 heads of 128 (MHA), from its config.json.
LLAMA2_7B = ModelArch("Llama-2-7b", 6.74e9, 6.74e9, 32, 4096, 32, 32, 128)


def test_kv_cache_llama2_7b_matches_nvidia_worked_example() -> None:
    # NVIDIA Technical Blog, "Mastering LLM Techniques: Inference Optimization" (2023):
    # batch 1 × 4096 tokens × 2 (K and V) × 32 layers × 4096 hidden × 2 bytes ≈ 2 GB.
    assert kv_bytes_for_sequence(LLAMA2_7B, 4096) == 1 * 4096 * 2 * 32 * 4096 * 2


def test_kv_per_token_gqa_and_mla_match_published_configs() -> None:
    # Cost research REPORT §2.1: Llama-3.3-70B 2·80·8·128·2 = 327,680 B; DeepSeek-V3 MLA
    # 61·(512 + 64)·2 = 70,272 B (transformers DeepseekV3Config defaults).
    assert kv_bytes_per_token(find_arch("Llama-3.3-70B-Instruct")) == 327_680
    assert kv_bytes_per_token(find_arch("DeepSeek-V3-0324")) == 70_272
    assert kv_bytes_per_token(find_arch("Llama-3.3-70B-Instruct"), "fp8") == 163_840


def test_sliding_window_layers_keep_only_the_window() -> None:
    # gpt-oss-120b: 36 layers alternating 128-token windows and full attention; 8 KV heads of 64.
    arch = find_arch("gpt-oss-120b")
    per_layer = 2 * 8 * 64 * 2
    assert kv_bytes_for_sequence(arch, 10_000) == per_layer * (18 * 10_000 + 18 * 128)
    assert kv_bytes_for_sequence(arch, 100) == per_layer * 36 * 100


def test_tensor_parallel_replicates_heads_beyond_kv_heads() -> None:
    qwen = find_arch("Qwen3-235B-A22B-Instruct-2507")  # 4 KV heads
    assert kv_replication(qwen, 8) == 2.0
    assert kv_replication(qwen, 4) == 1.0
    deepseek = find_arch("DeepSeek-V3-0324")
    assert kv_replication(deepseek, 8, dp_attention=False) == 8.0
    assert kv_replication(deepseek, 8, dp_attention=True) == 1.0


def test_weights_gpt_oss_120b_mxfp4_close_to_published_checkpoint() -> None:
    # Artificial Analysis launch post: the MXFP4 checkpoint is 60.8 GB (attention kept in BF16,
    # so the true size differs slightly from 4.25 bits for every weight).
    size = weights_bytes(find_arch("gpt-oss-120b"), "fp4") / 1e9
    assert size == pytest.approx(60.8, rel=0.03)
    assert weights_bytes(find_arch("Llama-3.3-70B-Instruct"), "bf16") == pytest.approx(141.2e9)


def test_single_stream_bound_llama_8b_h100() -> None:
    # REPORT §2.2: Llama-3.1-8B FP8 on one H100 → 3.35e12 / 8e9 ≈ 420 tokens/s at most.
    bound = single_stream_bound(find_arch("Llama-3.1-8B-Instruct"), find_gpu("H100"), 1, "fp8")
    assert bound == pytest.approx(3.35e12 / 8.03e9)
    assert 400 < bound < 425


def test_batch_knee_h100_fp8() -> None:
    # REPORT §2.2: 1979/3.35 = 590 FLOP/B with 1 byte per weight → B* ≈ 300.
    assert batch_knee(find_gpu("H100"), "fp8") == pytest.approx(1979 / 3.35 / 2)


def test_moe_experts_touched() -> None:
    # 1 − (1 − k/E)^B, by hand for DeepSeek-V3 (k = 8 of E = 256).
    assert experts_touched_fraction(8, 256, 1) == pytest.approx(1 / 32)
    assert experts_touched_fraction(8, 256, 64) == pytest.approx(1 - (31 / 32) ** 64)
    arch = find_arch("DeepSeek-V3-0324")
    one = weight_bytes_read(arch, "fp8", 1)
    assert one == pytest.approx(arch.params_active, rel=1e-9)  # batch 1 reads N_act
    assert weight_bytes_read(arch, "fp8", 4096) == pytest.approx(arch.params_total, rel=1e-3)


def test_concurrency_llama_70b_on_two_h100_by_hand() -> None:
    # (2·80 GB·0.9 − 70.6 GB − 2·3 GB) / (1500 tokens · 327,680 B) = 67.4e9 / 491.52e6 = 137.
    d = Deployment(find_arch("Llama-3.3-70B-Instruct"), find_gpu("H100"), 2, "fp8")
    assert max_concurrency(d, 1500) == int((144e9 - 70.6e9 - 6e9) // (1500 * 327_680))
    assert max_concurrency(d, 1500) == 137
