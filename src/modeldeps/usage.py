"""Usage files: monthly requests and tokens per model, read by scan (--usage) and cost alike.

A small module of its own so that `modeldeps scan --usage` never imports the cost package or its
dependencies (genai-prices, which is an optional extra). OTLP spans are read by `cost/otel.py`.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from modeldeps.errors import InputError

MAX_USAGE_BYTES = 4 * 1024 * 1024
MAX_MODELS = 10_000
DEFAULT_PEAK_TO_AVERAGE = 2.0


@dataclass(frozen=True, slots=True)
class RequestBucket:
    """Requests per month of one size; token counts are per request (input includes cached)."""

    requests: float
    input_tokens: float
    output_tokens: float
    cached_input_tokens: float = 0.0


@dataclass(frozen=True, slots=True)
class ModelUsage:
    """What one model is asked to do in a month, and where that figure came from."""

    model: str
    provider: str | None
    buckets: tuple[RequestBucket, ...]
    peak_to_average: float = DEFAULT_PEAK_TO_AVERAGE
    peer: str | None = None  # an open-weight peer the user pinned
    origin: str = ""  # file:line
    sizes_known: bool = True  # False when only monthly totals were given
    notes: tuple[str, ...] = ()

    @property
    def requests(self) -> float:
        return sum(b.requests for b in self.buckets)

    @property
    def input_tokens(self) -> float:
        return sum(b.requests * b.input_tokens for b in self.buckets)

    @property
    def cached_input_tokens(self) -> float:
        return sum(b.requests * b.cached_input_tokens for b in self.buckets)

    @property
    def output_tokens(self) -> float:
        return sum(b.requests * b.output_tokens for b in self.buckets)


_MODEL_KEYS = frozenset(
    {
        "model",
        "provider",
        "requests",
        "input_tokens",
        "output_tokens",
        "cached_input_tokens",
        "monthly_input_tokens",
        "monthly_output_tokens",
        "monthly_cached_input_tokens",
        "peak_to_average",
        "peer",
        "buckets",
    }
)
_BUCKET_KEYS = frozenset({"requests", "input_tokens", "output_tokens", "cached_input_tokens"})
#: Without per-request sizes, monthly totals are split into requests of this many input tokens.
NOMINAL_INPUT_TOKENS = 1000.0


class _Lines:
    """Finds the line of the n-th ``[[models]]`` entry (TOML) or of a YAML node."""

    def __init__(self, text: str, marks: Sequence[int] | None) -> None:
        self.marks = (
            list(marks)
            if marks is not None
            else [
                i + 1
                for i, line in enumerate(text.splitlines())
                if re.match(r"\s*\[\[\s*models\s*\]\]", line)
            ]
        )

    def of(self, index: int) -> int | None:
        return self.marks[index] if index < len(self.marks) else None


def _number(value: Any, key: str, file: str, line: int | None, *, positive: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InputError(f"{key} must be a number, not {value!r}", file=file, line=line)
    number = float(value)
    if number != number or number < 0 or (positive and number == 0) or number == float("inf"):
        raise InputError(f"{key} must be a finite number ≥ 0, not {value!r}", file=file, line=line)
    return number


def _bucket(raw: Any, file: str, line: int | None) -> RequestBucket:
    if not isinstance(raw, Mapping):
        raise InputError("each bucket must be a table", file=file, line=line)
    unknown = set(raw) - _BUCKET_KEYS
    if unknown:
        raise InputError(
            f"unknown bucket key(s): {', '.join(sorted(unknown))}", file=file, line=line
        )
    for key in ("requests", "input_tokens", "output_tokens"):
        if key not in raw:
            raise InputError(f"bucket lacks {key}", file=file, line=line)
    inp = _number(raw["input_tokens"], "input_tokens", file, line)
    cached = _number(raw.get("cached_input_tokens", 0), "cached_input_tokens", file, line)
    if cached > inp:
        raise InputError("cached_input_tokens exceeds input_tokens", file=file, line=line)
    return RequestBucket(
        requests=_number(raw["requests"], "requests", file, line),
        input_tokens=inp,
        output_tokens=_number(raw["output_tokens"], "output_tokens", file, line),
        cached_input_tokens=cached,
    )


def _entry(raw: Any, defaults: Mapping[str, Any], file: str, line: int | None) -> ModelUsage:
    if not isinstance(raw, Mapping):
        raise InputError("each models entry must be a table", file=file, line=line)
    unknown = set(raw) - _MODEL_KEYS
    if unknown:
        raise InputError(f"unknown key(s): {', '.join(sorted(unknown))}", file=file, line=line)
    model = raw.get("model")
    if not isinstance(model, str) or not model.strip():
        raise InputError("model must be a non-empty string", file=file, line=line)
    provider = raw.get("provider", defaults.get("provider"))
    if provider is not None and not isinstance(provider, str):
        raise InputError("provider must be a string", file=file, line=line)
    peer = raw.get("peer")
    if peer is not None and not isinstance(peer, str):
        raise InputError("peer must be a string", file=file, line=line)
    ratio = _number(
        raw.get("peak_to_average", defaults.get("peak_to_average", DEFAULT_PEAK_TO_AVERAGE)),
        "peak_to_average",
        file,
        line,
        positive=True,
    )
    if ratio < 1:
        raise InputError("peak_to_average must be ≥ 1", file=file, line=line)
    notes: list[str] = []
    sizes_known = True
    if "buckets" in raw:
        if not isinstance(raw["buckets"], list) or not raw["buckets"]:
            raise InputError("buckets must be a non-empty list", file=file, line=line)
        buckets = tuple(_bucket(b, file, line) for b in raw["buckets"])
    elif "requests" in raw:
        missing = [k for k in ("input_tokens", "output_tokens") if k not in raw]
        if missing:
            raise InputError(
                f"with requests, give per-request {' and '.join(missing)}", file=file, line=line
            )
        buckets = (_bucket({k: raw[k] for k in _BUCKET_KEYS if k in raw}, file, line),)
    elif "monthly_input_tokens" in raw and "monthly_output_tokens" in raw:
        tin = _number(raw["monthly_input_tokens"], "monthly_input_tokens", file, line)
        tout = _number(raw["monthly_output_tokens"], "monthly_output_tokens", file, line)
        tcached = _number(
            raw.get("monthly_cached_input_tokens", 0), "monthly_cached_input_tokens", file, line
        )
        if tcached > tin:
            raise InputError(
                "monthly_cached_input_tokens exceeds monthly_input_tokens", file=file, line=line
            )
        requests = max(tin / NOMINAL_INPUT_TOKENS, 1.0)
        buckets = (RequestBucket(requests, tin / requests, tout / requests, tcached / requests),)
        sizes_known = False
        notes.append(
            "no request count: priced as requests of "
            f"{NOMINAL_INPUT_TOKENS:.0f} input tokens, so long-prompt price tiers are not applied"
        )
    else:
        raise InputError(
            "give requests with per-request input_tokens/output_tokens, buckets, or "
            "monthly_input_tokens and monthly_output_tokens",
            file=file,
            line=line,
        )
    return ModelUsage(
        model=model.strip(),
        provider=provider.strip() if provider else None,
        buckets=buckets,
        peak_to_average=ratio,
        peer=peer.strip() if peer else None,
        origin=f"{file}:{line}" if line else file,
        sizes_known=sizes_known,
        notes=tuple(notes),
    )


def _yaml_marks(text: str, file: str) -> list[int] | None:
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise InputError(
            f"invalid YAML: {exc}", file=file, line=mark.line + 1 if mark else None
        ) from None
    if isinstance(root, yaml.MappingNode):
        for key, value in root.value:
            if getattr(key, "value", None) == "models" and isinstance(value, yaml.SequenceNode):
                return [item.start_mark.line + 1 for item in value.value]
    return None


def parse_usage_text(text: str, file: str) -> tuple[ModelUsage, ...]:
    """Parse usage from TOML (``.toml``) or YAML text; ``file`` names it in errors."""
    data: Any
    marks: list[int] | None = None
    try:
        if file.endswith((".yaml", ".yml")):
            marks = _yaml_marks(text, file)
            data = yaml.safe_load(text)
        else:
            try:
                data = tomllib.loads(text)
            except tomllib.TOMLDecodeError as exc:
                found = re.search(r"line (\d+)", str(exc))
                raise InputError(
                    f"invalid TOML: {exc}", file=file, line=int(found.group(1)) if found else None
                ) from None
    except RecursionError:  # both parsers recurse on nesting
        raise InputError("nested too deeply to read", file=file) from None
    if not isinstance(data, Mapping) or "models" not in data:
        raise InputError("expected a top-level 'models' list", file=file, line=1)
    unknown = set(data) - {"models", "defaults"}
    if unknown:
        raise InputError(
            f"unknown top-level key(s): {', '.join(sorted(unknown))}", file=file, line=1
        )
    models = data["models"]
    defaults = data.get("defaults") or {}
    if not isinstance(models, list) or not models:
        raise InputError("'models' must be a non-empty list", file=file, line=1)
    if not isinstance(defaults, Mapping):
        raise InputError("'defaults' must be a table", file=file, line=1)
    if len(models) > MAX_MODELS:
        raise InputError(f"more than {MAX_MODELS} models", file=file)
    lines = _Lines(text, marks)
    return tuple(_entry(raw, defaults, file, lines.of(i)) for i, raw in enumerate(models))


def read_usage_file(path: Path) -> tuple[ModelUsage, ...]:
    """Read a usage file (TOML or YAML), bounded in size."""
    try:
        size = path.stat().st_size
        if size > MAX_USAGE_BYTES:
            raise InputError(
                f"file is {size} bytes; the limit is {MAX_USAGE_BYTES}", file=str(path)
            )
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", file=str(path)) from None
    except UnicodeDecodeError:
        raise InputError("not UTF-8 text", file=str(path)) from None
    return parse_usage_text(text, str(path))


def has_usage(u: ModelUsage) -> bool:
    """Whether ``u`` asks anything of its model: some requests with some tokens."""
    return u.requests > 0 and u.input_tokens + u.output_tokens > 0


def merge(usages: Sequence[ModelUsage]) -> tuple[ModelUsage, ...]:
    """One entry per (model, provider): buckets of repeated entries are added, never dropped."""
    merged: dict[tuple[str, str | None], ModelUsage] = {}
    for u in usages:
        key = (u.model.lower(), (u.provider or "").lower() or None)
        prev = merged.get(key)
        if prev is None:
            merged[key] = u
            continue
        merged[key] = ModelUsage(
            model=prev.model,
            provider=prev.provider,
            buckets=prev.buckets + u.buckets,
            peak_to_average=max(prev.peak_to_average, u.peak_to_average),
            peer=prev.peer or u.peer,
            origin=f"{prev.origin}, {u.origin}",
            sizes_known=prev.sizes_known and u.sizes_known,
            notes=prev.notes + u.notes,
        )
    return tuple(merged.values())
