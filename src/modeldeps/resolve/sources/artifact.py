"""Artifact signals: read a model folder's small JSON/card files or GGUF metadata, bounded."""

from __future__ import annotations

import json
import re
import struct
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, BinaryIO

import yaml

from modeldeps.resolve.recognize import Signals

MAX_JSON_BYTES = 8 * 1024 * 1024  # tokenizer_config.json of big-vocab models reaches a few MB
MAX_CARD_BYTES = 256 * 1024
MAX_TEMPLATE_CHARS = 64 * 1024
MAX_TOKENS = 4096
MAX_GGUF_FIELDS = 4096
_CACHE_DIR = re.compile(r"^models--([^/]+?)--(.+)$")
_ORG_NAME = re.compile(r"^([A-Za-z0-9](?:(?!__)[\w.-]){0,95})__((?:(?!__)[\w.-]){1,96})(?:__.*)?$")
_HUB_URL = re.compile(r"huggingface\.co/([\w.-]+)(?:/([\w.-]+))?")
_REPO_ID = re.compile(r"^[\w.-]{1,96}/[\w.-]{1,96}$")


def _read_json(path: Path) -> dict[str, Any]:
    try:
        if not path.is_file() or path.stat().st_size > MAX_JSON_BYTES:
            return {}
        data = json.loads(path.read_bytes().decode("utf-8", errors="replace"))
    except (OSError, ValueError, RecursionError):
        return {}
    return data if isinstance(data, dict) else {}


def card_front_matter(path: Path) -> dict[str, Any]:
    """YAML front matter of a model card (safe_load only), or {} when absent or malformed."""
    try:
        with path.open("rb") as fh:
            text = fh.read(MAX_CARD_BYTES).decode("utf-8", errors="replace")
    except OSError:
        return {}
    if not text.startswith("---"):
        return {}
    end = text.find("\n---", 3)
    if end < 0:
        return {}
    try:
        data = yaml.safe_load(text[3:end])
    except yaml.YAMLError:
        return {}
    return data if isinstance(data, dict) else {}


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
    card = card_front_matter(path / "README.md")
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
    base = _strs(card.get("base_model"))
    quant_by = card.get("quantized_by") if isinstance(card.get("quantized_by"), str) else None
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
        quantized=bool(config.get("quantization") or config.get("quantization_config")),
        repo_id=repo_id_from_path(path) if use_path_name else None,
        name_or_path=name_or_path if isinstance(name_or_path, str) and name_or_path else None,
        base_models=tuple(b for b in base if _REPO_ID.match(b)),
        base_relation=str(card.get("base_model_relation") or "") or None,
        licenses=_card_licenses(card),
        developer_orgs=_orgs_from(
            _strs(card.get("developers")) + _strs(card.get("model_creator")) + _strs(quant_by)
        ),
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
        base_models=tuple(dict.fromkeys(bases)),
        licenses=tuple(x for x in (s("general.license.name") or s("general.license"),) if x),
        developer_orgs=_orgs_from(
            x for x in (s("general.organization"), s("general.quantized_by")) if x
        ),
        quantized_by=s("general.quantized_by"),
    )


_SCALARS = {
    0: "<B",
    1: "<b",
    2: "<H",
    3: "<h",
    4: "<I",
    5: "<i",
    6: "<f",
    7: "<?",
    10: "<Q",
    11: "<q",
    12: "<d",
}
MAX_GGUF_READ = 64 * 1024 * 1024
MAX_STRING = 1024 * 1024


class _Cursor:
    """Bounded little-endian reader over a file; raises ValueError past the byte budget."""

    def __init__(self, fh: BinaryIO, budget: int) -> None:
        self.fh, self.left = fh, budget

    def take(self, n: int) -> bytes:
        if n < 0 or n > self.left:
            raise ValueError("GGUF metadata exceeds the read budget")
        data = self.fh.read(n)
        if len(data) != n:
            raise ValueError("truncated GGUF metadata")
        self.left -= n
        return data

    def unpack(self, fmt: str) -> Any:
        return struct.unpack(fmt, self.take(struct.calcsize(fmt)))[0]

    def string(self) -> str:
        n = self.unpack("<Q")
        if n > MAX_STRING:
            raise ValueError("GGUF string too long")
        return self.take(n).decode("utf-8", errors="replace")


def read_gguf_metadata(path: Path, max_fields: int = MAX_GGUF_FIELDS) -> dict[str, Any]:
    """Fallback GGUF key/value reader (the inspector's keys), bounded in bytes and fields.
    A damaged file yields the keys read before the damage; ValueError if not even the header."""
    meta: dict[str, Any] = {}
    with path.open("rb") as fh:
        cur = _Cursor(fh, MAX_GGUF_READ)
        if cur.take(4) != b"GGUF":
            raise ValueError(f"{path.name}: not a GGUF file")
        version = cur.unpack("<I")
        if version not in (2, 3):
            raise ValueError(f"{path.name}: unsupported GGUF version {version}")
        cur.unpack("<Q")  # tensor count
        kv_count = cur.unpack("<Q")
        specials: list[str] = []
        try:
            for _ in range(min(kv_count, max_fields)):
                key = cur.string()
                vtype = cur.unpack("<I")
                if vtype == 8:
                    meta[key] = cur.string()
                elif vtype in _SCALARS:
                    meta[key] = cur.unpack(_SCALARS[vtype])
                elif vtype == 9:
                    _skip_array(cur, key, meta, specials)
                else:
                    raise ValueError(f"unknown GGUF value type {vtype} at {key!r}")
        except (ValueError, struct.error, UnicodeDecodeError) as exc:
            meta["modeldeps.partial"] = f"stopped after {len(meta)} keys: {exc}"
        meta["tokenizer.ggml.special_tokens"] = specials
    return meta


def _skip_array(cur: _Cursor, key: str, meta: dict[str, Any], specials: list[str]) -> None:
    itype, n = cur.unpack("<I"), cur.unpack("<Q")
    if key == "tokenizer.ggml.tokens":
        meta["tokenizer.ggml.tokens.count"] = n
    if itype == 8:
        for _ in range(n):
            text = cur.string()
            # control tokens are spelled <...> or [...]; keep a bounded sample of them
            if (
                key == "tokenizer.ggml.tokens"
                and len(specials) < MAX_TOKENS
                and _SPECIAL.match(text)
            ):
                specials.append(text)
    elif itype in _SCALARS:
        cur.take(struct.calcsize(_SCALARS[itype]) * n)
    else:
        raise ValueError(f"nested GGUF array at {key!r}")


_SPECIAL = re.compile(r"^(<[^<>\s]{1,40}>|\[[A-Za-z_]{2,30}\])$")
