"""Open-weight model architectures: the bundled sourced table, or a local ``config.json``."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from modeldeps.cost.tables import Row, bundled, integer, split_list
from modeldeps.errors import CostError, InputError

#: A model config.json is a few kilobytes; refuse anything far larger.
MAX_CONFIG_BYTES = 1024 * 1024


@dataclass(frozen=True, slots=True)
class ModelArch:
    """What the roofline needs to know about a transformer."""

    name: str
    params_total: float  # parameters, all experts included
    params_active: float  # parameters touched per token
    layers: int
    hidden: int
    q_heads: int
    kv_heads: int
    head_dim: int
    attention: str = "gqa"  # "gqa" (covers MHA and MQA) or "mla"
    kv_lora_rank: int = 0  # MLA latent width
    qk_rope_dim: int = 0  # MLA decoupled RoPE key width
    sliding_window: int = 0  # tokens kept by sliding-window layers (0: none)
    sliding_layers: int = 0  # how many layers use the sliding window
    experts_routed: int = 0
    experts_active: int = 0
    experts_shared: int = 0
    hf_repo: str = ""
    publisher: str = ""
    license: str = ""
    source: str = ""
    verification: str = ""
    aliases: tuple[str, ...] = ()

    @property
    def is_moe(self) -> bool:
        return self.experts_routed > 0 and self.experts_active < self.experts_routed

    @property
    def routed_expert_params(self) -> float:
        """Parameters in routed experts, from total = D + X and active = D + X·k/E."""
        if not self.is_moe:
            return 0.0
        share = self.experts_active / self.experts_routed
        return (self.params_total - self.params_active) / (1.0 - share)

    @property
    def always_read_params(self) -> float:
        """Attention, embeddings, dense layers and shared experts: read at every step."""
        return self.params_total - self.routed_expert_params


def _arch(row: Row) -> ModelArch:
    return ModelArch(
        name=row["model"],
        params_total=float(row["params_total_b"]) * 1e9,
        params_active=float(row["params_active_b"]) * 1e9,
        layers=int(row["layers"]),
        hidden=int(row["hidden"]),
        q_heads=int(row["q_heads"]),
        kv_heads=int(row["kv_heads"]),
        head_dim=int(row["head_dim"]),
        attention=row["attention"],
        kv_lora_rank=integer(row["kv_lora_rank"]) or 0,
        qk_rope_dim=integer(row["qk_rope_dim"]) or 0,
        sliding_window=integer(row["sliding_window"]) or 0,
        sliding_layers=integer(row["sliding_layers"]) or 0,
        experts_routed=integer(row["experts_routed"]) or 0,
        experts_active=integer(row["experts_active"]) or 0,
        experts_shared=integer(row["experts_shared"]) or 0,
        hf_repo=row["hf_repo"],
        publisher=row["publisher"],
        license=row["license"],
        source=row["source"],
        verification=row["verification"],
        aliases=split_list(row["aliases"]),
    )


@cache
def open_models() -> tuple[ModelArch, ...]:
    """Every architecture in the bundled table."""
    return tuple(_arch(row) for row in bundled("open_models.csv"))


def lookup_arch(name: str) -> ModelArch | None:
    """The bundled architecture for a model name, Hugging Face repo id or alias."""
    key = name.strip().lower()
    for arch in open_models():
        names = {arch.name.lower(), arch.hf_repo.lower(), *(a.lower() for a in arch.aliases)}
        if key in names or key.split("/")[-1] in names:
            return arch
    return None


def find_arch(name: str) -> ModelArch:
    """Like ``lookup_arch`` but raises ``CostError`` naming the known models."""
    arch = lookup_arch(name)
    if arch is None:
        known = ", ".join(a.name for a in open_models())
        raise CostError(
            f"no architecture for {name!r}; pass a local config.json or use one of: {known}"
        )
    return arch


def _int(cfg: Mapping[str, Any], *keys: str, default: int = 0) -> int:
    for key in keys:
        value = cfg.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    return default


def arch_from_config(path: Path) -> ModelArch:
    """Read a Hugging Face ``config.json`` (never executing anything) and count parameters.

    Parameter counts are estimated from the shapes (embeddings, attention, dense and expert MLPs);
    norms and biases are ignored, which is well under 1 % for these models.
    """
    try:
        if path.stat().st_size > MAX_CONFIG_BYTES:
            raise InputError("config.json is too large", file=str(path))
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read config.json: {exc}", file=str(path)) from None
    except json.JSONDecodeError as exc:
        raise InputError(f"invalid JSON: {exc.msg}", file=str(path), line=exc.lineno) from None
    if not isinstance(raw, dict):
        raise InputError("config.json is not a JSON object", file=str(path))
    cfg: dict[str, Any] = (
        raw.get("text_config", raw) if isinstance(raw.get("text_config"), dict) else raw
    )
    layers = _int(cfg, "num_hidden_layers", "n_layer")
    hidden = _int(cfg, "hidden_size", "n_embd")
    heads = _int(cfg, "num_attention_heads", "n_head")
    if not (layers and hidden and heads):
        raise InputError(
            "config.json lacks num_hidden_layers, hidden_size or num_attention_heads",
            file=str(path),
        )
    kv_heads = _int(cfg, "num_key_value_heads", default=heads)
    head_dim = _int(cfg, "head_dim", default=hidden // heads)
    vocab = _int(cfg, "vocab_size")
    ffn = _int(cfg, "intermediate_size", "n_inner", default=4 * hidden)
    experts = _int(cfg, "n_routed_experts", "num_local_experts", "num_experts")
    top_k = _int(cfg, "num_experts_per_tok", "experts_per_token")
    shared = _int(cfg, "n_shared_experts")
    moe_ffn = _int(cfg, "moe_intermediate_size", default=ffn)
    dense_first = _int(cfg, "first_k_dense_replace")
    kv_lora = _int(cfg, "kv_lora_rank")
    rope = _int(cfg, "qk_rope_head_dim")
    window = _int(cfg, "sliding_window")
    layer_types = cfg.get("layer_types")
    sliding = (
        sum(1 for t in layer_types if t == "sliding_attention")
        if isinstance(layer_types, list)
        else 0
    )
    attn = hidden * heads * head_dim * 2 + hidden * kv_heads * head_dim * 2
    embed = vocab * hidden * (1 if cfg.get("tie_word_embeddings") else 2)
    moe_layers = max(layers - dense_first, 0) if experts else 0
    dense_layers = layers - moe_layers
    expert = 3 * hidden * moe_ffn
    total = embed + layers * attn + dense_layers * 3 * hidden * ffn
    total += moe_layers * (experts + shared) * expert
    active = total - moe_layers * max(experts - top_k, 0) * expert
    return ModelArch(
        name=str(cfg.get("_name_or_path") or path.parent.name),
        params_total=float(total),
        params_active=float(active),
        layers=layers,
        hidden=hidden,
        q_heads=heads,
        kv_heads=kv_heads,
        head_dim=head_dim,
        attention="mla" if kv_lora else "gqa",
        kv_lora_rank=kv_lora,
        qk_rope_dim=rope,
        sliding_window=window if sliding else 0,
        sliding_layers=sliding,
        experts_routed=experts,
        experts_active=top_k,
        experts_shared=shared,
        source=f"local {path.name} (parameter counts estimated from shapes)",
        verification="from the user's config.json",
    )


def describe_params(arch: ModelArch) -> str:
    """'671B total / 37B active' or '70.6B'."""
    total = arch.params_total / 1e9
    if arch.is_moe:
        return f"{total:.4g}B total / {arch.params_active / 1e9:.3g}B active"
    return f"{total:.4g}B"


__all__ = ["ModelArch", "arch_from_config", "describe_params", "find_arch", "lookup_arch"]
