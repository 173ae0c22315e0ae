"""The comparison: closed API vs cheapest open-weight host vs self-hosting, with break-even."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from modeldeps.cost import alternatives as alt
from modeldeps.cost.architectures import ModelArch, lookup_arch
from modeldeps.cost.engines import PRESETS, EnginePreset
from modeldeps.cost.hardware import GPU, find_gpu
from modeldeps.cost.prices import (
    DEFAULT_MAX_AGE_DAYS,
    Override,
    Quote,
    find_override,
    host_quotes,
    quote_flat,
    quote_genai_prices,
)
from modeldeps.cost.roofline import Deployment, gpus_needed, output_tokens_per_s
from modeldeps.cost.selfhost import HOURS_PER_MONTH
from modeldeps.errors import CostError
from modeldeps.usage import ModelUsage

SELFHOST_GPUS = ("H100 SXM", "H200 SXM", "B200", "A100 SXM 80GB")
SECONDS_PER_MONTH = HOURS_PER_MONTH * 3600


@dataclass(frozen=True, slots=True)
class Settings:
    """Knobs of a comparison; every one is printed with the result."""

    at: datetime
    max_price_age_days: int = DEFAULT_MAX_AGE_DAYS
    watch: tuple[str, ...] = alt.DEFAULT_WATCH
    precision: str = "fp8"
    overhead_fraction: float = 0.3  # ops, storage, egress, idle headroom on top of GPU rent
    gpus: tuple[str, ...] = SELFHOST_GPUS
    overrides: tuple[Override, ...] = ()


@dataclass(frozen=True, slots=True)
class Option:
    """One of the three columns for one closed model."""

    kind: str  # "closed-api", "open-host", "self-host"
    label: str
    monthly_usd: float  # point estimate (self-host: tuned engine at typical GPU price)
    monthly_usd_low: float
    monthly_usd_high: float
    usd_per_mtok: float  # monthly cost per million tokens (input + output)
    country: str  # publisher jurisdiction
    publisher: str
    host_country: str | None = None  # where an API host is, when it is a different party
    watch: bool = False  # cheaper than the closed API and in a watch-listed jurisdiction
    source: str = ""
    details: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class BreakEven:
    """Monthly volume at which an option starts to cost less than another."""

    versus: str  # e.g. "self-host vs closed-api"
    scale: float | None  # multiple of the current volume; None: never; 0: always
    output_tokens: float | None
    requests: float | None


@dataclass(frozen=True, slots=True)
class SelfHostPlan:
    """Self-hosting sized for the traffic: replicas of one GPU configuration."""

    gpu: str
    gpus_per_replica: int
    replicas: int
    replica_usd_month: tuple[float, float, float]  # low, typical, high, incl. overhead
    busy_replicas: tuple[float, float]  # average replicas busy: tuned, default engine
    tokens_per_s: tuple[float, float]  # output tokens/s per replica: tuned, default
    monthly_usd: tuple[float, float, float]  # low, typical, high


@dataclass(frozen=True, slots=True)
class Comparison:
    """Everything the report shows for one closed model in use."""

    usage: ModelUsage
    closed: Option | None
    peer: alt.Peer | None
    other_peers: tuple[alt.Peer, ...]
    host: Option | None
    host_quotes: tuple[Quote, ...]
    selfhost: Option | None
    plan: SelfHostPlan | None
    break_even: tuple[BreakEven, ...]
    warnings: tuple[str, ...]


def _tokens(u: ModelUsage) -> float:
    return u.input_tokens + u.output_tokens


def _per_mtok(monthly: float, u: ModelUsage) -> float:
    total = _tokens(u)
    return monthly / (total / 1e6) if total else 0.0


def closed_quote(u: ModelUsage, s: Settings) -> Quote:
    """What the closed API costs for this usage (override first, else genai-prices)."""
    override = find_override(s.overrides, u.model, u.provider)
    if override is not None:
        return quote_flat(
            u,
            provider=override.provider or u.provider or "negotiated",
            model_ref=u.model,
            input_usd=override.input,
            output_usd=override.output,
            cached_usd=override.cached_input,
            as_of=override.as_of,
            source=override.source,
            today=s.at.date(),
            max_age_days=s.max_price_age_days,
        )
    row = alt.closed_row(u.model)
    provider = u.provider or (row["genai_prices_provider"] if row else None)
    try:
        return quote_genai_prices(u, u.model, provider, at=s.at, max_age_days=s.max_price_age_days)
    except CostError:
        if row is None:
            raise
        return quote_genai_prices(
            u,
            row["genai_prices_ref"],
            row["genai_prices_provider"],
            at=s.at,
            max_age_days=s.max_price_age_days,
        )


def _replica_seconds(d: Deployment, u: ModelUsage, preset: EnginePreset) -> tuple[float, float]:
    """Replica-seconds a month of traffic needs, and the mean output tokens/s while busy."""
    seconds = 0.0
    for b in u.buckets:
        tps, _ = output_tokens_per_s(
            d,
            b.input_tokens,
            max(b.output_tokens, 1.0),
            efficiency=preset.efficiency(d.arch.is_moe, d.precision),
            max_batch=preset.max_batch,
        )
        seconds += b.requests * max(b.output_tokens, 1.0) / tps
    mean_tps = u.output_tokens / seconds if seconds else 0.0
    return seconds, mean_tps


def plan_selfhost(arch: ModelArch, u: ModelUsage, s: Settings) -> SelfHostPlan:
    """Cheapest GPU configuration (typical price, tuned engine) that serves the traffic."""
    best: SelfHostPlan | None = None
    ctx = max(b.input_tokens + b.output_tokens / 2 for b in u.buckets)
    for name in s.gpus:
        gpu: GPU = find_gpu(name)
        try:
            n = gpus_needed(arch, gpu, s.precision, ctx)
            d = Deployment(arch, gpu, n, s.precision)
            tuned_s, tuned_tps = _replica_seconds(d, u, PRESETS["tuned"])
            default_s, default_tps = _replica_seconds(d, u, PRESETS["default"])
        except CostError:
            continue
        busy = (tuned_s / SECONDS_PER_MONTH, default_s / SECONDS_PER_MONTH)
        # Replicas are sized for the peak hour; the default engine may need more of them.
        replicas_tuned = max(1, math.ceil(busy[0] * u.peak_to_average))
        replicas_default = max(1, math.ceil(busy[1] * u.peak_to_average))
        per = tuple(
            n * p * HOURS_PER_MONTH * (1 + s.overhead_fraction)
            for p in (gpu.usd_per_hr_low, gpu.usd_per_hr_typical, gpu.usd_per_hr_high)
        )
        plan = SelfHostPlan(
            gpu=gpu.name,
            gpus_per_replica=n,
            replicas=replicas_tuned,
            replica_usd_month=(per[0], per[1], per[2]),
            busy_replicas=busy,
            tokens_per_s=(tuned_tps, default_tps),
            monthly_usd=(
                replicas_tuned * per[0],
                replicas_tuned * per[1],
                replicas_default * per[2],
            ),
        )
        if best is None or plan.monthly_usd[1] < best.monthly_usd[1]:
            best = plan
    if best is None:
        raise CostError(f"{arch.name} fits none of: {', '.join(s.gpus)}")
    return best


def break_even(
    versus: str,
    linear_usd: float,
    replica_usd: float,
    busy_per_scale: float,
    peak: float,
    u: ModelUsage,
) -> BreakEven:
    """Volume where self-hosting (step cost: replicas × replica cost) undercuts a per-token API.

    At scale s the API costs c·s and self-hosting ceil(a·s)·R with a = busy replicas × peak per
    unit of volume. Self-hosting wins from s* = R / c on, provided c ≥ a·R (otherwise never).
    """
    a = busy_per_scale * peak
    if linear_usd <= 0 or linear_usd < a * replica_usd:
        return BreakEven(versus, None, None, None)
    scale = replica_usd / linear_usd
    return BreakEven(versus, scale, scale * u.output_tokens, scale * u.requests)


def _watch(country: str, cheaper: bool, s: Settings) -> bool:
    return cheaper and country in s.watch


def compare_one(u: ModelUsage, s: Settings) -> Comparison:
    """Build the three columns for one closed model's usage."""
    warnings: list[str] = list(u.notes)
    closed: Option | None = None
    try:
        q = closed_quote(u, s)
        warnings.extend(q.warnings)
        j = alt.closed_jurisdiction(u.model, u.provider)
        closed = Option(
            "closed-api",
            f"{q.provider}/{q.model_ref}",
            q.monthly_usd,
            q.monthly_usd,
            q.monthly_usd,
            _per_mtok(q.monthly_usd, u),
            j.country,
            j.who,
            source=q.source,
            details={
                "input_usd_per_mtok": f"{q.input_usd_per_mtok:g}",
                "output_usd_per_mtok": f"{q.output_usd_per_mtok:g}",
            },
        )
    except CostError as exc:
        warnings.append(str(exc))
    peers = alt.peers_for(u.model)
    peer = alt.pinned_peer(u.model, u.peer) if u.peer else (peers[0] if peers else None)
    if peer is None:
        warnings.append(f'no open-weight peer known for {u.model}; pin one with peer = "..."')
    host: Option | None = None
    quotes: tuple[Quote, ...] = ()
    selfhost: Option | None = None
    plan: SelfHostPlan | None = None
    bes: list[BreakEven] = []
    closed_usd = closed.monthly_usd if closed else math.inf
    if peer is not None:
        arch = lookup_arch(peer.model)
        pj = alt.model_jurisdiction(peer.model)
        names = {peer.model}
        if arch is not None and arch.hf_repo and arch.name == peer.model:
            names.add(arch.hf_repo.split("/")[-1])
        quotes = host_quotes(
            u, peer.model, names, at=s.at, max_age_days=s.max_price_age_days, overrides=s.overrides
        )
        if quotes:
            best = quotes[0]
            warnings.extend(best.warnings)
            hc = alt.host_country(best.provider)
            host = Option(
                "open-host",
                f"{best.provider}/{best.model_ref}",
                best.monthly_usd,
                best.monthly_usd,
                best.monthly_usd,
                _per_mtok(best.monthly_usd, u),
                pj.country,
                pj.who,
                host_country=hc,
                watch=_watch(pj.country, best.monthly_usd < closed_usd, s)
                or _watch(hc, best.monthly_usd < closed_usd, s),
                source=best.source,
                details={"hosts_compared": str(len(quotes))},
            )
        else:
            warnings.append(f"no host price known for {peer.model}")
        if arch is None:
            warnings.append(f"no architecture for {peer.model}; self-hosting not estimated")
        else:
            try:
                plan = plan_selfhost(arch, u, s)
            except CostError as exc:
                warnings.append(str(exc))
        if plan is not None:
            low, typ, high = plan.monthly_usd
            selfhost = Option(
                "self-host",
                f"{plan.replicas}× ({plan.gpus_per_replica}× {plan.gpu}) {s.precision}",
                typ,
                low,
                high,
                _per_mtok(typ, u),
                pj.country,
                pj.who,
                watch=_watch(pj.country, low < closed_usd, s),
                source="roofline model with fitted engine presets",
                details={
                    "tokens_per_s_per_replica": f"{plan.tokens_per_s[0]:.0f} tuned / "
                    f"{plan.tokens_per_s[1]:.0f} default engine",
                    "busy_replicas": f"{plan.busy_replicas[0]:.3f}",
                    "peak_to_average": f"{u.peak_to_average:g}",
                },
            )
            busy, replica = plan.busy_replicas[0], plan.replica_usd_month[1]
            if closed is not None:
                bes.append(
                    break_even(
                        "self-host vs closed-api",
                        closed.monthly_usd,
                        replica,
                        busy,
                        u.peak_to_average,
                        u,
                    )
                )
            if host is not None:
                bes.append(
                    break_even(
                        "self-host vs open-host",
                        host.monthly_usd,
                        replica,
                        busy,
                        u.peak_to_average,
                        u,
                    )
                )
        if host is not None and closed is not None:
            always = host.monthly_usd < closed.monthly_usd
            bes.append(
                BreakEven(
                    "open-host vs closed-api",
                    0.0 if always else None,
                    0.0 if always else None,
                    0.0 if always else None,
                )
            )
    return Comparison(
        u,
        closed,
        peer,
        tuple(p for p in peers if p != peer),
        host,
        quotes,
        selfhost,
        plan,
        tuple(bes),
        tuple(dict.fromkeys(warnings)),
    )


def compare(usages: Sequence[ModelUsage], s: Settings) -> tuple[Comparison, ...]:
    """Compare every model in use, in input order."""
    return tuple(compare_one(u, s) for u in usages)
