"""Builders for tiny model folders and GGUF files used by the resolve tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np


def model_dir(
    root: Path,
    name: str,
    config: dict[str, Any] | None = None,
    tokenizer: dict[str, Any] | None = None,
    card: str | None = None,
) -> Path:
    d = root / name
    d.mkdir(parents=True)
    if config is not None:
        (d / "config.json").write_text(json.dumps(config), encoding="utf-8")
    if tokenizer is not None:
        (d / "tokenizer_config.json").write_text(json.dumps(tokenizer), encoding="utf-8")
    if card is not None:
        (d / "README.md").write_text(card, encoding="utf-8")
    return d


def gguf_file(
    path: Path,
    arch: str,
    name: str,
    pre: str | None,
    tokens: list[str],
    types: list[int] | None = None,
    **extra: str,
) -> Path:
    """A vocab-only GGUF written with the gguf package's own writer; token types default to
    normal (1); 3 is control."""
    from gguf import GGUFWriter

    w = GGUFWriter(str(path), arch)
    w.add_name(name)
    w.add_tokenizer_model("gpt2")
    if pre:
        w.add_tokenizer_pre(pre)
    w.add_token_list(tokens)
    w.add_token_types(types if types is not None else np.ones(len(tokens), dtype=np.int32).tolist())
    for key, value in extra.items():
        w.add_string(key, value)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.close()
    return path
