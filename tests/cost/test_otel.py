"""OTLP JSON GenAI spans: aggregation, request-size bins, scaling and errors with lines."""

from __future__ import annotations

import json
from typing import Any

import pytest

from modeldeps.cost.otel import DAYS_PER_MONTH, parse_otlp_text
from modeldeps.errors import InputError

HOUR = 3_600_000_000_000


def _span(
    i: int, model: str | None, inp: int | None, out: int | None, t: int = 0
) -> dict[str, Any]:
    attrs = [{"key": "gen_ai.system", "value": {"stringValue": "openai"}}]
    if model:
        attrs.append({"key": "gen_ai.request.model", "value": {"stringValue": model}})
    if inp is not None:
        attrs.append({"key": "gen_ai.usage.input_tokens", "value": {"intValue": str(inp)}})
    if out is not None:
        attrs.append({"key": "gen_ai.usage.output_tokens", "value": {"intValue": out}})
    return {
        "spanId": f"{i:016x}",
        "startTimeUnixNano": str(t),
        "endTimeUnixNano": str(t + 1),
        "attributes": attrs,
    }


def _doc(spans: list[dict[str, Any]]) -> str:
    return json.dumps({"resourceSpans": [{"scopeSpans": [{"spans": spans}]}]}, indent=1)


def test_aggregates_and_scales_to_a_month() -> None:
    spans = [
        _span(1, "gpt-4o", 1000, 100),
        _span(2, "gpt-4o", 1100, 300, HOUR),
        {"spanId": "x", "attributes": [{"key": "http.route", "value": {"stringValue": "/"}}]},
    ]
    (u,), notes = parse_otlp_text(_doc(spans), "s.json", period_days=1.0)
    assert u.model == "gpt-4o" and u.provider == "openai"
    assert u.requests == pytest.approx(2 * DAYS_PER_MONTH)
    assert u.output_tokens == pytest.approx(400 * DAYS_PER_MONTH)
    assert any("without gen_ai" in n for n in notes)


def test_bins_never_straddle_a_price_tier() -> None:
    spans = [_span(1, "m", 199_000, 1), _span(2, "m", 201_000, 1)]
    (u,), _ = parse_otlp_text(_doc(spans), "s.json", boundaries=(200_000,), period_days=1.0)
    assert sorted(b.input_tokens for b in u.buckets) == [199_000, 201_000]


def test_sampling_scales_counts() -> None:
    (u,), _ = parse_otlp_text(_doc([_span(1, "m", 10, 1)]), "s.json", period_days=1.0, sampling=0.5)
    assert u.requests == pytest.approx(2 * DAYS_PER_MONTH)


def test_missing_tokens_is_an_error_with_the_span_line() -> None:
    text = _doc([_span(1, "m", 10, 1), _span(2, "m", None, 1)])
    with pytest.raises(InputError, match="input_tokens") as info:
        parse_otlp_text(text, "s.json")
    expected = text[: text.index('"0000000000000002"')].count("\n") + 1
    assert info.value.line == expected


def test_json_lines_and_bad_records() -> None:
    line = json.dumps({"resourceSpans": [{"scopeSpans": [{"spans": [_span(1, "m", 5, 5)]}]}]})
    (u,), _ = parse_otlp_text(line + "\n" + line + "\n", "s.jsonl", period_days=1.0)
    assert u.requests == pytest.approx(2 * DAYS_PER_MONTH)
    with pytest.raises(InputError) as info:
        parse_otlp_text(line + "\n{oops\n", "s.jsonl")
    assert info.value.line == 2
    with pytest.raises(InputError, match="no GenAI spans"):
        parse_otlp_text(_doc([]), "s.json")
