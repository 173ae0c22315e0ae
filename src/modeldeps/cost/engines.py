"""Engine-efficiency presets: the share of roofline peak an inference engine reaches.

The efficiencies were fitted with ``modeldeps.cost.calibrate.fit_presets`` on the fitting half
of the bundled ``validation.csv`` (the split is fixed: see ``calibrate.split``) and are checked
against the held-out half by ``benchmarks/cost_model_validation.py``. A test refits them and fails
if these constants drift from what the data gives.
"""

from __future__ import annotations

from dataclasses import dataclass

from modeldeps.errors import CostError


@dataclass(frozen=True, slots=True)
class EnginePreset:
    """How well an engine uses the hardware: one efficiency for dense and one for MoE models."""

    name: str
    dense_efficiency: float  # applied to both HBM bandwidth (MBU) and FLOPs (MFU)
    moe_efficiency: float
    max_batch: int  # the engine's cap on concurrent sequences
    description: str
    #: Extra factor on MoE efficiency with weight-only int4 (AWQ/GPTQ W4A16) weights: these
    #: run through generic dequantizing grouped-GEMM kernels, not the BF16/FP8 MoE kernels the
    #: efficiency above was measured with. 1.0 where the validation data has no such row.
    int4_moe_factor: float = 1.0

    def efficiency(self, is_moe: bool, precision: str = "bf16") -> float:
        """Share of peak bandwidth and FLOPs for a model kind at a weight precision."""
        if not is_moe:
            return self.dense_efficiency
        if precision == "int4":
            return self.moe_efficiency * self.int4_moe_factor
        return self.moe_efficiency


PRESETS: dict[str, EnginePreset] = {
    "tuned": EnginePreset(
        name="tuned",
        dense_efficiency=0.81,
        moe_efficiency=0.54,
        max_batch=2048,  # TensorRT-LLM's default max_batch_size
        description="tuned engine (TensorRT-LLM, or SGLang/vLLM with expert parallelism)",
    ),
    "default": EnginePreset(
        name="default",
        dense_efficiency=0.16,
        moe_efficiency=0.31,
        max_batch=256,  # vLLM's long-standing default max_num_seqs
        description="engine with default settings (vLLM or SGLang out of the box)",
        int4_moe_factor=0.34,
    ),
}


def preset(name: str) -> EnginePreset:
    """The preset called ``name``."""
    try:
        return PRESETS[name]
    except KeyError:
        raise CostError(f"unknown engine preset {name!r} (known: {', '.join(PRESETS)})") from None
