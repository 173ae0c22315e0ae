"""Pricing per request bucket, cached input, overrides, dates and source disagreements."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from modeldeps.cost.prices import (
    age_warning,
    host_quotes,
    quote_genai_prices,
    read_overrides,
    tier_thresholds,
)
from modeldeps.errors import InputError
from modeldeps.usage import ModelUsage, RequestBucket

AT = datetime(2026, 11, 28, 12, tzinfo=UTC)


def _usage(*buckets: RequestBucket) -> ModelUsage:
    return ModelUsage("m", None, buckets)


def test_tiers_apply_per_request_not_per_month() -> None:
    # REPORT §1.3 item 2: 1M input tokens of Gemini 2.5 Pro sent as one aggregate is charged the
    # >200k rate ($2.50/M); as ten 100k requests it is $1.25/M.
    per_request = quote_genai_prices(
        _usage(RequestBucket(10, 100_000, 0)), "gemini-2.5-pro", "google", at=AT, max_age_days=9999
    )
    aggregate = quote_genai_prices(
        _usage(RequestBucket(1, 1_000_000, 0)), "gemini-2.5-pro", "google", at=AT, max_age_days=9999
    )
    assert per_request.monthly_usd == pytest.approx(1.25)
    assert aggregate.monthly_usd == pytest.approx(2.50)
    assert 200_000 in tier_thresholds()


def test_cached_input_priced_at_cache_rate() -> None:
    # OpenAI gpt-4o: $2.50/M input, $1.25/M cached input, $10/M output.
    q = quote_genai_prices(
        _usage(RequestBucket(1, 1_000_000, 100_000, cached_input_tokens=400_000)),
        "gpt-4o",
        "openai",
        at=AT,
        max_age_days=9999,
    )
    assert q.monthly_usd == pytest.approx(0.6 * 2.5 + 0.4 * 1.25 + 0.1 * 10)


def test_age_warning() -> None:
    assert age_warning(date(2026, 1, 1), "x", date(2026, 11, 28), 180) is not None
    assert age_warning(date(2026, 11, 1), "x", date(2026, 11, 28), 180) is None
    assert "unknown" in (age_warning(None, "x", date(2026, 11, 28), 180) or "")


def test_stale_genai_price_flagged_against_litellm() -> None:
    q = quote_genai_prices(
        _usage(RequestBucket(1, 1000, 1000)), "deepseek-chat", "deepseek", at=AT, max_age_days=9999
    )
    assert any("disagree" in w for w in q.warnings)


def test_hosts_include_table_rows_and_genai_prices_discoveries() -> None:
    quotes = host_quotes(
        _usage(RequestBucket(1000, 1000, 500)),
        "gpt-oss-120b",
        {"gpt-oss-120b"},
        at=AT,
        max_age_days=9999,
    )
    providers = {q.provider for q in quotes}
    assert "deepinfra" in providers  # sourced fixed-price row (genai-prices has no DeepInfra)
    assert "fireworks" in providers  # found in genai-prices by model id
    assert [q.monthly_usd for q in quotes] == sorted(q.monthly_usd for q in quotes)


def test_override_file(tmp_path: Path) -> None:
    path = tmp_path / "prices.toml"
    path.write_text(
        '[[prices]]\nmodel = "gpt-4o"\ninput = 2.0\noutput = 8.0\nas_of = 2026-10-01\n'
        '\n[[prices]]\nmodel = "x"\ninput = -1\noutput = 1\n',
        encoding="utf-8",
    )
    with pytest.raises(InputError) as info:
        read_overrides(path)
    assert info.value.line == 7
    path.write_text('[[prices]]\nmodel = "gpt-4o"\ninput = 2.0\noutput = 8.0\n', encoding="utf-8")
    (o,) = read_overrides(path)
    assert (o.input, o.output, o.as_of) == (2.0, 8.0, None)
