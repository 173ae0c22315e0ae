"""Usage from OpenTelemetry GenAI spans exported as OTLP JSON (one document or JSON Lines)."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from modeldeps.errors import InputError
from modeldeps.usage import DEFAULT_PEAK_TO_AVERAGE, ModelUsage, RequestBucket

MAX_OTLP_BYTES = 256 * 1024 * 1024
DAYS_PER_MONTH = 365.25 / 12
#: Request sizes are grouped in bins a quarter-octave wide; bins never straddle a price tier.
BIN_RATIO = 2**0.25

_MODEL_KEYS = ("gen_ai.request.model", "gen_ai.response.model")
_SYSTEM_KEYS = ("gen_ai.provider.name", "gen_ai.system")
_INPUT = "gen_ai.usage.input_tokens"
_OUTPUT = "gen_ai.usage.output_tokens"
_CACHED = ("gen_ai.usage.cache_read.input_tokens", "gen_ai.usage.cache_read_input_tokens")


@dataclass
class _Acc:
    """Per-bin running sums."""

    requests: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cached: int = 0


@dataclass
class _Model:
    bins: dict[tuple[int, int], _Acc] = field(default_factory=dict)
    hours: dict[int, int] = field(default_factory=dict)
    first_line: int = 0


def _value(v: Any) -> Any:
    if not isinstance(v, Mapping):
        return None
    for key in ("stringValue", "intValue", "doubleValue", "boolValue"):
        if key in v:
            return v[key]
    return None


def _attributes(span: Mapping[str, Any]) -> dict[str, Any]:
    attrs = span.get("attributes") or []
    out: dict[str, Any] = {}
    if isinstance(attrs, list):
        for a in attrs:
            if isinstance(a, Mapping) and isinstance(a.get("key"), str):
                out[a["key"]] = _value(a.get("value"))
    return out


def _count(value: Any, key: str, file: str, line: int | None) -> int:
    # OTLP JSON encodes 64-bit ints as strings.
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise InputError(
            f"span attribute {key} is not an integer: {value!r}", file=file, line=line
        ) from None
    if number < 0:
        raise InputError(f"span attribute {key} is negative", file=file, line=line)
    return number


def _spans(doc: Any, file: str, line: int | None) -> Iterator[Mapping[str, Any]]:
    if not isinstance(doc, Mapping) or "resourceSpans" not in doc:
        raise InputError("not an OTLP trace export (no resourceSpans)", file=file, line=line)
    for rs in doc.get("resourceSpans") or []:
        for ss in (
            (rs or {}).get("scopeSpans") or (rs or {}).get("instrumentationLibrarySpans") or []
        ):
            for span in (ss or {}).get("spans") or []:
                if isinstance(span, Mapping):
                    yield span


def _line_of(text: str, span: Mapping[str, Any], base_line: int | None) -> int | None:
    span_id = span.get("spanId")
    if base_line is not None:  # JSON Lines: the record's own line
        return base_line
    if isinstance(span_id, str) and span_id:
        pos = text.find(f'"{span_id}"')
        if pos >= 0:
            return text.count("\n", 0, pos) + 1
    return None


def _bin(tokens: int, boundaries: Sequence[int]) -> tuple[int, int]:
    side = sum(1 for b in boundaries if tokens > b)
    return side, (int(math.log(tokens, BIN_RATIO)) if tokens > 0 else -1)


def _documents(text: str, file: str) -> Iterable[tuple[Any, int | None]]:
    try:
        yield json.loads(text), None
        return
    except RecursionError:
        raise InputError("JSON nested too deeply", file=file) from None
    except json.JSONDecodeError as exc:
        if exc.msg != "Extra data":
            raise InputError(f"invalid JSON: {exc.msg}", file=file, line=exc.lineno) from None
    for lineno, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            try:
                yield json.loads(line), lineno
            except (json.JSONDecodeError, RecursionError) as exc:
                raise InputError(
                    f"invalid JSON Lines record: {exc}", file=file, line=lineno
                ) from None


def parse_otlp_text(
    text: str,
    file: str,
    *,
    boundaries: Sequence[int] = (),
    period_days: float | None = None,
    sampling: float = 1.0,
) -> tuple[tuple[ModelUsage, ...], tuple[str, ...]]:
    """Monthly usage per (provider, model) from GenAI spans, and notes on what was assumed.

    Spans without any ``gen_ai.*`` attribute are not model calls and are counted, not used. A
    GenAI span without a model or token counts is an error naming its line.
    """
    if not 0 < sampling <= 1:
        raise InputError("sampling ratio must be in (0, 1]", file=file)
    models: dict[tuple[str | None, str], _Model] = {}
    starts: list[int] = []
    ends: list[int] = []
    other = 0
    for doc, base_line in _documents(text, file):
        for span in _spans(doc, file, base_line):
            attrs = _attributes(span)
            if not any(k.startswith("gen_ai.") for k in attrs):
                other += 1
                continue
            line = _line_of(text, span, base_line)
            model = next((attrs[k] for k in _MODEL_KEYS if isinstance(attrs.get(k), str)), None)
            if not model:
                raise InputError("GenAI span has no gen_ai.request.model", file=file, line=line)
            system = next((attrs[k] for k in _SYSTEM_KEYS if isinstance(attrs.get(k), str)), None)
            if _INPUT not in attrs:
                raise InputError(f"GenAI span for {model} lacks {_INPUT}", file=file, line=line)
            inp = _count(attrs[_INPUT], _INPUT, file, line)
            op = attrs.get("gen_ai.operation.name")
            if _OUTPUT not in attrs and op != "embeddings":
                raise InputError(f"GenAI span for {model} lacks {_OUTPUT}", file=file, line=line)
            out = _count(attrs.get(_OUTPUT, 0), _OUTPUT, file, line)
            cached_key = next((k for k in _CACHED if k in attrs), None)
            cached = _count(attrs[cached_key], cached_key, file, line) if cached_key else 0
            if cached > inp:
                raise InputError("cached input tokens exceed input tokens", file=file, line=line)
            acc_model = models.setdefault((system, model), _Model(first_line=line or 0))
            acc = acc_model.bins.setdefault(_bin(inp, boundaries), _Acc())
            acc.requests += 1
            acc.input_tokens += inp
            acc.output_tokens += out
            acc.cached += cached
            start = span.get("startTimeUnixNano")
            if start is not None:
                t0 = _count(start, "startTimeUnixNano", file, line)
                starts.append(t0)
                ends.append(_count(span.get("endTimeUnixNano", t0), "endTimeUnixNano", file, line))
                hour = t0 // 3_600_000_000_000
                acc_model.hours[hour] = acc_model.hours.get(hour, 0) + 1
    if not models:
        raise InputError("no GenAI spans (no gen_ai.* attributes) found", file=file)
    notes: list[str] = []
    if period_days is None:
        window_s = (max(ends) - min(starts)) / 1e9 if starts else 0.0
        period_days = max(window_s / 86400.0, 1.0)
        notes.append(
            f"spans cover {window_s / 3600:.1f} h; treated as {period_days:.2f} day(s) of traffic "
            "(set the period explicitly if the export is a sample of a longer time)"
        )
    scale = DAYS_PER_MONTH / period_days / sampling
    if sampling < 1:
        notes.append(f"trace sampling ratio {sampling:g}: counts scaled by {1 / sampling:g}")
    if other:
        notes.append(f"{other} span(s) without gen_ai.* attributes ignored (not model calls)")
    out_usage = []
    for (system, model), acc_model in sorted(
        models.items(), key=lambda kv: (kv[0][0] or "", kv[0][1])
    ):
        buckets = tuple(
            RequestBucket(
                requests=a.requests * scale,
                input_tokens=a.input_tokens / a.requests,
                output_tokens=a.output_tokens / a.requests,
                cached_input_tokens=a.cached / a.requests,
            )
            for _, a in sorted(acc_model.bins.items())
        )
        hours = list(acc_model.hours.values())
        ratio = DEFAULT_PEAK_TO_AVERAGE
        if len(acc_model.hours) >= 24:
            ratio = max(1.0, max(hours) / (sum(hours) / len(hours)))
        out_usage.append(
            ModelUsage(
                model=model,
                provider=system,
                buckets=buckets,
                peak_to_average=ratio,
                origin=f"{file}:{acc_model.first_line}" if acc_model.first_line else file,
            )
        )
    return tuple(out_usage), tuple(notes)


def read_otlp_file(
    path: Path,
    *,
    boundaries: Sequence[int] = (),
    period_days: float | None = None,
    sampling: float = 1.0,
) -> tuple[tuple[ModelUsage, ...], tuple[str, ...]]:
    """Read an OTLP JSON trace export, bounded in size."""
    try:
        size = path.stat().st_size
        if size > MAX_OTLP_BYTES:
            raise InputError(f"file is {size} bytes; the limit is {MAX_OTLP_BYTES}", file=str(path))
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", file=str(path)) from None
    except UnicodeDecodeError:
        raise InputError("not UTF-8 text", file=str(path)) from None
    return parse_otlp_text(
        text, str(path), boundaries=boundaries, period_days=period_days, sampling=sampling
    )
