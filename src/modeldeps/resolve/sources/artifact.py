"""Artifact signals: read a model folder's small JSON/card files or GGUF metadata, bounded."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

from modeldeps.resolve.recognize import Signals
from modeldeps.resolve.sources.bundled import safe_yaml
from modeldeps.resolve.sources.card import read_card_body

MAX_JSON_BYTES = 8 * 1024 * 1024  # tokenizer_config.json of big-vocab models reaches a few MB
MAX_CARD_BYTES = 256 * 1024
MAX_TEMPLATE_CHARS = 64 * 1024
MAX_TOKENS = 4096
_CACHE_DIR = re.compile(r"^models--([^/]+?)--(.+)$")
_ORG_NAME = re.compile(r"^([A-Za-z0-9](?:(?!__)[\w.-]){0,95})__((?:(?!__)[\w.-]){1,96})(?:__.*)?$")
_HUB_URL = re.compile(r"huggingface\.co/([\w.-]+)(?:/([\w.-]+))?")
_REPO_ID = re.compile(r"^[\w.-]{1,96}/[\w.-]{1,96}$")
#: Card library_name / tags of a format conversion: the weights are someone's model, converted.
_CONVERTED = frozenset({"mlx", "gguf", "gptq", "awq", "exl2", "exllamav2", "ctranslate2"})
_LOCAL_PATH = re.compile(r"^(?:/|\.{1,2}/|~/|[A-Za-z]:[\\/])")
_MALFORMED_RULES = frozenset({"MD210"})  # the inspectors' "damaged or crafted file" finding


def _read_json(path: Path) -> dict[str, Any]:
    try:
        if not path.is_file() or path.stat().st_size > MAX_JSON_BYTES:
            return {}
        data = json.loads(path.read_bytes().decode("utf-8", errors="replace"))
    except (OSError, ValueError, RecursionError):
        return {}
    return data if isinstance(data, dict) else {}


def read_card(path: Path) -> tuple[dict[str, Any], str] | None:
    """A model card's YAML front matter (safe loader only; {} when absent or malformed) and its
    body, or None when there is no card."""
    try:
        with path.open("rb") as fh:
            text = fh.read(MAX_CARD_BYTES).decode("utf-8", errors="replace")
    except OSError:
        return None
    end = text.find("\n---", 3) if text.startswith("---") else -1
    if end < 0:
        return {}, text
    try:
        data = safe_yaml(text[3:end])
    except yaml.YAMLError:
        data = None
    return (data if isinstance(data, dict) else {}), text[end + 4 :]


def repo_id_from_path(path: Path) -> str | None:
    """The Hub id a folder's name encodes: ``models--org--name`` (Hugging Face cache, also its
    ``snapshots/<rev>`` children) or ``org__name`` (the common filesystem-safe spelling)."""
    parts = path.resolve().parts if path.is_absolute() else path.parts
    for part in reversed(parts[-4:]):
        m = _CACHE_DIR.match(part)
        if m:
            return f"{m.group(1)}/{m.group(2).replace('--', '/').split('/')[0]}"
    m = _ORG_NAME.match(path.name)
    if m:
        return f"{m.group(1)}/{m.group(2)}"
    return None


def _strs(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list):
        return tuple(v for v in value if isinstance(v, str))
    return ()


def _token_text(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping) and isinstance(value.get("content"), str):
        return str(value["content"])
    return None


def _orgs_from(values: Iterable[str]) -> tuple[str, ...]:
    out: list[str] = []
    for v in values:
        m = _HUB_URL.search(v)
        if m:
            out.append(m.group(1))
        elif re.fullmatch(r"[\w.-]{2,96}", v):
            out.append(v)
    return tuple(out)


def read_model_dir(path: Path, *, use_path_name: bool = True) -> Signals:
    """Signals from config.json, tokenizer_config.json, generation_config.json and README.md.
    Nothing is executed: remote-code models are identified from their declared names."""
    config = _read_json(path / "config.json")
    tok = _read_json(path / "tokenizer_config.json")
    card, body = read_card(path / "README.md") or ({}, "")
    raw_text_cfg = config.get("text_config")
    text_cfg: dict[str, Any] = raw_text_cfg if isinstance(raw_text_cfg, dict) else {}
    vocab = (
        config.get("vocab_size") or config.get("padded_vocab_size") or text_cfg.get("vocab_size")
    )
    tokens: list[str] = []
    for key in ("bos_token", "eos_token", "unk_token", "pad_token"):
        t = _token_text(tok.get(key))
        if t:
            tokens.append(t)
    added = tok.get("added_tokens_decoder")
    if isinstance(added, dict):
        tokens += [t for v in list(added.values())[:MAX_TOKENS] if (t := _token_text(v))]
    tokens += [t for t in _strs(tok.get("additional_special_tokens"))[:MAX_TOKENS]]
    template = tok.get("chat_template")
    if isinstance(template, list):  # named templates: [{"name":..., "template":...}]
        template = " ".join(str(t.get("template", "")) for t in template if isinstance(t, dict))
    tpl_file = path / "chat_template.jinja"
    if not template and tpl_file.is_file() and tpl_file.stat().st_size <= MAX_TEMPLATE_CHARS:
        template = tpl_file.read_text(encoding="utf-8", errors="replace")
    native = _native_keys(path) if not config else ()
    name_or_path = config.get("_name_or_path") or tok.get("name_or_path")
    auto_map = config.get("auto_map")
    base = tuple(b for b in _strs(card.get("base_model")) if _REPO_ID.match(b))
    quant_by = card.get("quantized_by") if isinstance(card.get("quantized_by"), str) else None
    text = read_card_body(body, exclude=base)
    base = base or text.base_models
    self_ids = text.self_ids
    base_names: tuple[str, ...] = ()
    if isinstance(name_or_path, str) and _LOCAL_PATH.match(name_or_path):
        # saved by a training run that started from a local checkpoint: a derivative of the
        # model that checkpoint is named after (when the name says which)
        tail = name_or_path.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]
        base_names = (tail,) if tail else ()
    converted = str(card.get("library_name") or "").lower() in _CONVERTED or bool(
        _CONVERTED & {t.lower() for t in _strs(card.get("tags"))}
    )
    return Signals(
        names=tuple(
            n for n in (_strs(card.get("model_name")) + _strs(card.get("model-index"))) if n
        ),
        model_type=str(config.get("model_type") or text_cfg.get("model_type") or "") or None,
        architectures=_strs(config.get("architectures")),
        vocab_size=vocab if isinstance(vocab, int) else None,
        tokenizer_class=tok.get("tokenizer_class")
        if isinstance(tok.get("tokenizer_class"), str)
        else None,
        tokens=tuple(dict.fromkeys(tokens)),
        chat_template=str(template or "")[:MAX_TEMPLATE_CHARS],
        native_keys=native,
        remote_code=isinstance(auto_map, dict),
        quantized=converted
        or bool(config.get("quantization") or config.get("quantization_config")),
        repo_id=repo_id_from_path(path) if use_path_name else None,
        name_or_path=name_or_path if isinstance(name_or_path, str) and name_or_path else None,
        base_models=base,
        base_relation=str(card.get("base_model_relation") or "") or None,
        licenses=_card_licenses(card),
        developer_orgs=_orgs_from(_strs(card.get("developers"))),
        developer_texts=_strs(card.get("model_creator")) + text.developers,
        self_ids=self_ids,
        base_names=base_names,
        quantized_by=quant_by,
    )


def _card_licenses(card: Mapping[str, Any]) -> tuple[str, ...]:
    lic = _strs(card.get("license"))
    name = _strs(card.get("license_name"))
    # "other" says nothing on its own; license_name carries the real one
    return tuple(n for n in lic if n != "other") + name if name else lic


def _native_keys(path: Path) -> tuple[str, ...]:
    """Top-level keys of non-standard config files (publishers' own inference configs)."""
    keys: set[str] = set()
    try:
        candidates = sorted(p for p in path.iterdir() if p.suffix == ".json")[:16]
    except OSError:
        return ()
    for p in candidates:
        keys.update(_read_json(p).keys())
    return tuple(sorted(keys))


def signals_from_gguf(meta: Mapping[str, Any], *, repo_id: str | None = None) -> Signals:
    """Signals from the GGUF inspector's metadata (scalar keys by their GGUF names)."""

    def s(key: str) -> str | None:
        v = meta.get(key)
        return v if isinstance(v, str) and v else None

    names = tuple(n for n in (s("general.name"), s("general.basename")) if n)
    bases: list[str] = []
    for i in range(int(meta.get("general.base_model.count", 0) or 0) or 8):
        url = s(f"general.base_model.{i}.repo_url")
        org, name = s(f"general.base_model.{i}.organization"), s(f"general.base_model.{i}.name")
        m = _HUB_URL.search(url or "")
        if m and m.group(2):
            bases.append(f"{m.group(1)}/{m.group(2)}")
        elif org and name:
            bases.append(f"{org.replace(' ', '-')}/{name.replace(' ', '-')}")
    # general.source.*: the Hub repo this file was converted from, i.e. the model it holds
    source = _HUB_URL.search(s("general.source.url") or "") or _HUB_URL.search(
        f"huggingface.co/{s('general.source.huggingface.repository') or ''}"
    )
    converted_from = (
        f"{source.group(1)}/{source.group(2)}" if source is not None and source.group(2) else None
    )
    own = _HUB_URL.search(s("general.url") or "")
    specials = meta.get("tokenizer.ggml.special_tokens")
    vocab = meta.get("tokenizer.ggml.tokens.count")
    arch = s("general.architecture")
    if not isinstance(vocab, int) and arch:  # damaged token list: the header count still says it
        vocab = meta.get(f"{arch}.vocab_size")
    return Signals(
        names=names,
        vocab_size=vocab if isinstance(vocab, int) else None,
        tokens=tuple(t for t in specials[:MAX_TOKENS] if isinstance(t, str))
        if isinstance(specials, (list, tuple))
        else (),
        chat_template=(s("tokenizer.chat_template") or "")[:MAX_TEMPLATE_CHARS],
        gguf_arch=s("general.architecture"),
        gguf_pre=s("tokenizer.ggml.pre"),
        repo_id=repo_id,
        base_models=tuple(dict.fromkeys(bases)) or ((converted_from,) if converted_from else ()),
        base_relation=None if bases or not converted_from else "quantized",
        licenses=tuple(x for x in (s("general.license.name") or s("general.license"),) if x),
        developer_texts=tuple(x for x in (s("general.organization"),) if x),
        self_ids=(f"{own.group(1)}/{own.group(2)}",) if own is not None and own.group(2) else (),
        quantized_by=s("general.quantized_by"),
    )


def gguf_metadata(path: Path, rel: str) -> tuple[dict[str, Any], tuple[str, ...]]:
    """The GGUF inspector's metadata for a file nobody inspected yet, and its problems.

    The inspector is the one GGUF reader: bounded, and on a damaged file it keeps the keys read
    before the damage (the problems say where it stopped). OSError propagates."""
    from modeldeps.discover.inspectors import inspect_file

    info = inspect_file(path, rel, path.parent)
    problems = tuple(f.message for f in info.findings if f.rule_id in _MALFORMED_RULES)
    if info.format != "gguf":
        return {}, (f"{rel}: not a GGUF file ({info.format})",)
    return dict(info.metadata), problems
