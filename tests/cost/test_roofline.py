"""Each roofline formula checked by hand on a published worked example."""

from __future__ import annotations

from dataclasses import replace

import pytest

from modeldeps.cost.architectures import ModelArch, find_arch
from modeldeps.cost.engines import preset
from modeldeps.cost.hardware import find_gpu
from modeldeps.cost.roofline import (
    Deployment,
    all_to_all_seconds,
    batch_cap,
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
    # An "80 GB" H100 holds 80 GiB (nvidia-smi: 81,559 MiB), 85.9e9 bytes.
    # (2·85.9e9·0.9 − 70.6e9 − 2·3e9) / (1500 tokens · 327,680 B) = 78.06e9 / 491.52e6 = 158.
    d = Deployment(find_arch("Llama-3.3-70B-Instruct"), find_gpu("H100"), 2, "fp8")
    assert max_concurrency(d, 1500) == int((2 * 80 * 2**30 * 0.9 - 76.6e9) // (1500 * 327_680))
    assert max_concurrency(d, 1500) == 158


def test_all_to_all_matches_deepep_low_latency_measurements() -> None:
    # DeepEP (docs/legacy.md), H800 + CX7 400 Gb/s: 128 tokens per rank, hidden 7168, top-8,
    # FP8 dispatch + BF16 combine took 118+195 us per layer at EP16 and 194+360 us at EP256.
    arch = find_arch("DeepSeek-V3-0324")
    d = Deployment(arch, find_gpu("H800"), 16, "fp8")
    assert d.multi_node_ep
    per_layer = all_to_all_seconds(d, 128 * 16) / arch.layers
    assert per_layer == pytest.approx(128 * 8 * 7168 * (1 + 4 / 128 + 2) / 50e9)
    assert 313e-6 < per_layer < 554e-6


def test_expert_parallel_only_across_nodes() -> None:
    arch = find_arch("DeepSeek-V3-0324")
    one_node = Deployment(arch, find_gpu("H200"), 8, "fp8")
    assert not one_node.multi_node_ep and all_to_all_seconds(one_node, 1000) == 0.0
    assert batch_cap(one_node, 2048) == 2048
    wide = Deployment(arch, find_gpu("H200"), 32, "fp8")
    assert batch_cap(wide, 2048) == 256 * 32
    dense = Deployment(find_arch("Llama-3.1-405B-Instruct"), find_gpu("H100"), 16, "fp8")
    assert not dense.multi_node_ep


def test_int4_factor_applies_to_int4_moe_only() -> None:
    p = replace(preset("default"), int4_moe_factor=0.5)
    assert p.efficiency(True, "int4") == pytest.approx(p.moe_efficiency * 0.5)
    assert p.efficiency(True, "fp8") == p.moe_efficiency
    assert p.efficiency(False, "int4") == p.dense_efficiency
