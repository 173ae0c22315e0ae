"""API prices: genai-prices (offline, dated), sourced gap-filling rows, and user overrides.

Usage is priced one request bucket at a time, so a per-request price tier (e.g. prompts over
200k tokens) applies to the requests that cross it, never to the month as a whole.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from modeldeps.cost.tables import bundled, num
from modeldeps.errors import CostError, InputError
from modeldeps.usage import ModelUsage

#: When the bundled genai-prices data was last checked against providers' pages (research
#: snapshot); prices of an unlisted version have an unknown date and are flagged.
GENAI_PRICES_CHECKED: dict[str, date] = {"0.2.3": date(2026, 11, 28)}
DEFAULT_MAX_AGE_DAYS = 180
#: Aggregators and subscription products are not hosts one buys tokens from.
NOT_HOSTS = frozenset({"openrouter", "cursor", "github-copilot", "openai-decisions", "typesafe"})
MAX_OVERRIDE_BYTES = 1024 * 1024


@dataclass(frozen=True, slots=True)
class Quote:
    """What a model costs at one provider for one month's usage."""

    provider: str
    model_ref: str
    monthly_usd: float
    input_usd_per_mtok: float  # base tier, uncached
    cached_input_usd_per_mtok: float | None
    output_usd_per_mtok: float  # base tier
    as_of: date | None
    source: str
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Override:
    """A negotiated price from the user's override file, in $ per million tokens."""

    model: str
    provider: str | None
    input: float
    output: float
    cached_input: float | None
    as_of: date | None
    source: str


def genai_prices_version() -> str:
    import genai_prices

    return str(genai_prices.__version__)


def _snapshot_date() -> date | None:
    return GENAI_PRICES_CHECKED.get(genai_prices_version())


@cache
def tier_thresholds() -> tuple[int, ...]:
    """Every prompt-size tier threshold in the genai-prices data (request bins split at these)."""
    from genai_prices.data import providers
    from genai_prices.types import ModelPrice, TieredPrices

    found: set[int] = set()
    for provider in providers:
        for model in provider.models:
            variants = (
                [model.prices]
                if isinstance(model.prices, ModelPrice)
                else [c.prices for c in model.prices]
            )
            for mp in variants:
                for value in vars(mp).values():
                    if isinstance(value, TieredPrices):
                        found.update(t.start for t in value.tiers)
    return tuple(sorted(found))


def _base(value: Any) -> float | None:
    if value is None:
        return None
    base = getattr(value, "base", value)
    return float(base)


@cache
def _disagreements() -> dict[tuple[str, str], str]:
    """Rows where genai-prices and LiteLLM disagree by more than 10 % (research table)."""
    out: dict[tuple[str, str], str] = {}
    for row in bundled("api_prices_research.csv"):
        pairs = [
            (num(row["gp_input_usd_per_mtok"]), num(row["ll_input_usd_per_mtok"])),
            (num(row["gp_output_usd_per_mtok"]), num(row["ll_output_usd_per_mtok"])),
        ]
        if any(a is not None and b is not None and abs(a - b) > 0.1 * max(a, b) for a, b in pairs):
            out[(row["provider"], row["genai_prices_model_id"].lower())] = (
                f"genai-prices (${row['gp_input_usd_per_mtok']}/${row['gp_output_usd_per_mtok']}) "
                f"and LiteLLM (${row['ll_input_usd_per_mtok']}/${row['ll_output_usd_per_mtok']}) "
                "disagree by more than 10 % on this price"
            )
    return out


def age_warning(as_of: date | None, what: str, today: date, max_age_days: int) -> str | None:
    """A warning when a price is undated or older than ``max_age_days``."""
    if as_of is None:
        return f"{what}: price date unknown"
    age = (today - as_of).days
    if age > max_age_days:
        return f"{what}: price is {age} days old (as of {as_of.isoformat()})"
    return None


def _direct(provider_id: str, model_id: str) -> tuple[Any, Any]:
    """The genai-prices provider and model objects for an exact (provider id, model id)."""
    from genai_prices.data import providers

    for provider in providers:
        if provider.id == provider_id:
            for model in provider.models:
                if model.id == model_id:
                    return provider, model
    raise CostError(f"genai-prices has no {provider_id}/{model_id}")


def quote_genai_prices(
    usage: ModelUsage,
    model_ref: str,
    provider: str | None,
    *,
    at: datetime,
    max_age_days: int,
    exact: bool = False,
) -> Quote:
    """Price ``usage`` with genai-prices, one request bucket at a time.

    ``exact`` takes ``model_ref`` as a genai-prices model id at ``provider`` rather than a name
    to match (some providers only match their own long reference form).
    """
    from genai_prices import Usage, calc_price

    total = 0.0
    calc = None
    try:
        direct = _direct(provider or "", model_ref) if exact else None
        for b in usage.buckets:
            tokens = Usage(
                input_tokens=b.input_tokens,
                cache_read_tokens=b.cached_input_tokens,
                output_tokens=b.output_tokens,
            )
            if direct is not None:
                calc = direct[1].calc_price(tokens, direct[0], genai_request_timestamp=at)
            else:
                calc = calc_price(
                    tokens, model_ref, provider_id=provider, genai_request_timestamp=at
                )
            total += float(calc.total_price) * b.requests
    except (LookupError, ValueError) as exc:
        raise CostError(f"no genai-prices price for {provider or '?'}/{model_ref}: {exc}") from None
    assert calc is not None  # usage always has at least one bucket
    mp = calc.model_price
    as_of = _snapshot_date()
    what = f"{calc.provider.id}/{calc.model.id}"
    warnings = [w for w in (age_warning(as_of, what, at.date(), max_age_days),) if w]
    disagreement = _disagreements().get((calc.provider.id, calc.model.id.lower()))
    if disagreement:
        warnings.append(f"{what}: {disagreement}")
    if calc.model.deprecated:
        warnings.append(f"{what}: the provider lists this model as deprecated")
    return Quote(
        provider=calc.provider.id,
        model_ref=calc.model.id,
        monthly_usd=total,
        input_usd_per_mtok=_base(mp.input_mtok) or 0.0,
        cached_input_usd_per_mtok=_base(mp.cache_read_mtok),
        output_usd_per_mtok=_base(mp.output_mtok) or 0.0,
        as_of=as_of,
        source=f"genai-prices {genai_prices_version()} bundled data",
        warnings=tuple(warnings),
    )


def quote_flat(
    usage: ModelUsage,
    *,
    provider: str,
    model_ref: str,
    input_usd: float,
    output_usd: float,
    cached_usd: float | None,
    as_of: date | None,
    source: str,
    today: date,
    max_age_days: int,
) -> Quote:
    """Price ``usage`` at flat per-million-token prices (override or table row)."""
    cached_rate = input_usd if cached_usd is None else cached_usd
    total = 0.0
    for b in usage.buckets:
        uncached = b.input_tokens - b.cached_input_tokens
        per_request = (
            uncached * input_usd
            + b.cached_input_tokens * cached_rate
            + b.output_tokens * output_usd
        )
        total += per_request / 1e6 * b.requests
    warning = age_warning(as_of, f"{provider}/{model_ref}", today, max_age_days)
    return Quote(
        provider=provider,
        model_ref=model_ref,
        monthly_usd=total,
        input_usd_per_mtok=input_usd,
        cached_input_usd_per_mtok=cached_usd,
        output_usd_per_mtok=output_usd,
        as_of=as_of,
        source=source,
        warnings=(warning,) if warning else (),
    )


def _date(value: Any, file: str, line: int | None) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise InputError(f"as_of must be a date (YYYY-MM-DD), not {value!r}", file=file, line=line)


def _price(raw: Mapping[str, Any], key: str, file: str, line: int | None) -> float | None:
    value = raw.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise InputError(f"{key} must be a price ≥ 0 in $ per million tokens", file=file, line=line)
    return float(value)


def read_overrides(path: Path) -> tuple[Override, ...]:
    """Read negotiated prices: a ``prices`` list of {model, provider?, input, output,
    cached_input?, as_of?, source?} in $ per million tokens (TOML or YAML)."""
    name = str(path)
    try:
        if path.stat().st_size > MAX_OVERRIDE_BYTES:
            raise InputError("price override file is too large", file=name)
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", file=name) from None
    except UnicodeDecodeError:
        raise InputError("not UTF-8 text", file=name) from None
    try:
        data = yaml.safe_load(text) if name.endswith((".yaml", ".yml")) else tomllib.loads(text)
    except (yaml.YAMLError, tomllib.TOMLDecodeError) as exc:
        raise InputError(f"cannot parse: {exc}", file=name) from None
    entries = data.get("prices") if isinstance(data, Mapping) else None
    if not isinstance(entries, list):
        raise InputError("expected a top-level 'prices' list", file=name, line=1)
    header = re.compile(r"\s*(\[\[\s*prices\s*\]\]|-\s)")
    lines = [i + 1 for i, text_line in enumerate(text.splitlines()) if header.match(text_line)]
    out = []
    allowed = {"model", "provider", "input", "output", "cached_input", "as_of", "source"}
    for i, raw in enumerate(entries):
        line = lines[i] if i < len(lines) else None
        if not isinstance(raw, Mapping) or not isinstance(raw.get("model"), str):
            raise InputError("each price needs a model name", file=name, line=line)
        unknown = set(raw) - allowed
        if unknown:
            raise InputError(f"unknown key(s): {', '.join(sorted(unknown))}", file=name, line=line)
        inp, outp = _price(raw, "input", name, line), _price(raw, "output", name, line)
        if inp is None or outp is None:
            raise InputError("each price needs input and output", file=name, line=line)
        out.append(
            Override(
                model=raw["model"],
                provider=raw.get("provider"),
                input=inp,
                output=outp,
                cached_input=_price(raw, "cached_input", name, line),
                as_of=_date(raw.get("as_of"), name, line),
                source=str(raw.get("source") or f"override file {path.name}"),
            )
        )
    return tuple(out)


def find_override(
    overrides: Sequence[Override], model: str, provider: str | None
) -> Override | None:
    """The override for this model (and provider, when the override names one)."""
    for o in overrides:
        if o.model.lower() != model.lower():
            continue
        if o.provider is None or provider is None or o.provider.lower() == provider.lower():
            return o
    return None


def _host_name(provider_id: str) -> str:
    if provider_id.startswith("huggingface_"):
        return f"{provider_id.removeprefix('huggingface_')} (via Hugging Face)"
    return provider_id


@cache
def _discover(names: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """(provider, model id) pairs in genai-prices whose id ends with one of ``names``."""
    from genai_prices.data import providers

    wanted = {n.lower() for n in names}
    found = []
    for provider in providers:
        if provider.id in NOT_HOSTS:
            continue
        for model in provider.models:
            if model.deprecated:
                continue
            if model.id.lower().split("/")[-1] in wanted or model.id.lower() in wanted:
                found.append((provider.id, model.id))
    return tuple(found)


def host_quotes(
    usage: ModelUsage,
    open_model: str,
    names: Iterable[str],
    *,
    at: datetime,
    max_age_days: int,
    overrides: Sequence[Override] = (),
) -> tuple[Quote, ...]:
    """Quotes for ``open_model`` at every host we know: the sourced table, then genai-prices."""
    quotes: list[Quote] = []
    seen: set[tuple[str, str]] = set()
    for row in bundled("hosts.csv"):
        if row["open_model"].lower() != open_model.lower():
            continue
        if row["genai_prices_ref"]:
            key = (row["genai_prices_provider"], row["genai_prices_ref"].lower())
            if key in seen:
                continue
            seen.add(key)
            try:
                quotes.append(
                    quote_genai_prices(
                        usage,
                        row["genai_prices_ref"],
                        row["genai_prices_provider"],
                        at=at,
                        max_age_days=max_age_days,
                    )
                )
            except CostError:
                continue  # the table names a ref this genai-prices version lacks; others remain
        else:
            quotes.append(
                quote_flat(
                    usage,
                    provider=row["provider"],
                    model_ref=open_model,
                    input_usd=float(row["input_usd_per_mtok"]),
                    output_usd=float(row["output_usd_per_mtok"]),
                    cached_usd=num(row["cached_input_usd_per_mtok"]),
                    as_of=date.fromisoformat(row["price_date"]) if row["price_date"] else None,
                    source=row["source"],
                    today=at.date(),
                    max_age_days=max_age_days,
                )
            )
    for provider_id, model_id in _discover(tuple(sorted(set(names)))):
        if (provider_id, model_id.lower()) in seen:
            continue
        seen.add((provider_id, model_id.lower()))
        q = quote_genai_prices(
            usage, model_id, provider_id, at=at, max_age_days=max_age_days, exact=True
        )
        quotes.append(
            Quote(
                provider=_host_name(q.provider),
                model_ref=q.model_ref,
                monthly_usd=q.monthly_usd,
                input_usd_per_mtok=q.input_usd_per_mtok,
                cached_input_usd_per_mtok=q.cached_input_usd_per_mtok,
                output_usd_per_mtok=q.output_usd_per_mtok,
                as_of=q.as_of,
                source=q.source,
                warnings=q.warnings,
            )
        )
    override = find_override(overrides, open_model, None)
    if override is not None:
        quotes.append(
            quote_flat(
                usage,
                provider=override.provider or "negotiated",
                model_ref=open_model,
                input_usd=override.input,
                output_usd=override.output,
                cached_usd=override.cached_input,
                as_of=override.as_of,
                source=override.source,
                today=at.date(),
                max_age_days=max_age_days,
            )
        )
    return tuple(sorted(quotes, key=lambda q: (q.monthly_usd, q.provider)))


def now() -> datetime:
    return datetime.now(tz=UTC)
