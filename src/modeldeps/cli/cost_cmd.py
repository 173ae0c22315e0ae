"""The `cost` command group (registered by cli/app.py)."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer

from modeldeps.errors import UsageError

_FORMATS = ("table", "json", "markdown", "html")


def _write(text: str, output: Path | None) -> None:
    if output is None:
        typer.echo(text, nl=False)
    else:
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"cannot write {output}: {exc.strerror or exc}") from None


def _compare(
    usage: Path | None,
    otel: Path | None,
    from_scan: Path | None,
    prices_override: Path | None,
    fmt: str,
    output: Path | None,
    max_price_age: int,
    watch: str,
    otel_days: float | None,
    otel_sampling: float,
    precision: str,
) -> None:
    from modeldeps import usage as usage_mod
    from modeldeps.cli.extras import require

    require("cost")
    from modeldeps.cost import compare, fromscan, html, prices, render
    from modeldeps.cost import otel as otel_mod

    if fmt not in _FORMATS:
        raise UsageError(f"unknown format {fmt!r} (choose from {', '.join(_FORMATS)})")
    if usage is None and otel is None:
        if from_scan is not None:
            # Ask for the figures explicitly: list what the scan found as a file to fill in.
            scanned = fromscan.read_scan_report(from_scan)
            typer.echo(fromscan.usage_template(scanned), nl=False)
            raise UsageError(
                f"the scan found {len(scanned)} closed-API model(s) but no usage; fill in the "
                "template printed above and pass it with --usage FILE (or give --otel FILE)"
            )
        raise UsageError("give --usage FILE or --otel FILE (with or without --from-scan)")
    usages: list[usage_mod.ModelUsage] = []
    notes: list[str] = []
    if usage is not None:
        usages += usage_mod.read_usage_file(usage)
    if otel is not None:
        found, otel_notes = otel_mod.read_otlp_file(
            otel,
            boundaries=prices.tier_thresholds(),
            period_days=otel_days,
            sampling=otel_sampling,
        )
        usages += found
        notes += otel_notes
    merged = usage_mod.merge(usages)
    if from_scan is not None:
        merged, missing = fromscan.join(fromscan.read_scan_report(from_scan), merged)
        notes += missing
    # A model listed with zero figures (as in the template --from-scan writes) is not priced.
    empty = [u for u in merged if not usage_mod.has_usage(u)]
    merged = tuple(u for u in merged if usage_mod.has_usage(u))
    notes += [f"{u.model} ({u.origin}) has no usage figures yet; it is not priced" for u in empty]
    overrides = prices.read_overrides(prices_override) if prices_override else ()
    settings = compare.Settings(
        at=prices.now(),
        max_price_age_days=max_price_age,
        watch=tuple(c.strip().upper() for c in watch.split(",") if c.strip()),
        precision=precision,
        overrides=overrides,
    )
    results = compare.compare(merged, settings)
    if fmt == "json":
        doc = render.to_dict(results, settings)
        doc["notes"] = notes
        _write(json.dumps(doc, indent=2, sort_keys=True) + "\n", output)
        return
    text = {
        "table": render.render_table,
        "markdown": render.render_markdown,
        "html": html.render_html,
    }[fmt](results, settings)
    if notes and fmt != "html":
        text += "".join(f"note: {n}\n" for n in notes)
    _write(text, output)


def _selfhost(
    model: str,
    config: Path | None,
    gpu: str,
    gpus: int,
    precision: str,
    input_tokens: int,
    output_tokens: int,
    engine: str,
    fmt: str,
) -> None:
    from modeldeps.cost import architectures, engines, hardware, selfhost

    if precision not in hardware.PRECISIONS:
        raise UsageError(f"precision must be one of {', '.join(hardware.PRECISIONS)}")
    if gpus < 1 or input_tokens < 0 or output_tokens < 1:
        raise UsageError("--gpus and --output-tokens must be ≥ 1 and --input-tokens ≥ 0")
    arch = architectures.arch_from_config(config) if config else architectures.find_arch(model)
    est = selfhost.estimate(
        arch,
        hardware.find_gpu(gpu),
        gpus,
        precision,
        input_tokens,
        output_tokens,
        engines.preset(engine),
    )
    if fmt == "json":
        typer.echo(json.dumps(asdict(est), indent=2))
        return
    if fmt != "table":
        raise UsageError("selfhost --format is table or json")
    low, typ, high = est.usd_per_mtok_output
    typer.echo(
        f"{est.model} ({est.params}) on {est.gpus}× {est.gpu}, {est.precision}, "
        f"engine '{est.engine}'\n"
        f"  weights            {est.weights_gb:.1f} GB of {est.memory_gb:.0f} GB\n"
        f"  KV per sequence    {est.kv_gb_per_sequence * 1e3:.1f} MB "
        f"({est.input_tokens:.0f} in + {est.output_tokens:.0f} out)\n"
        f"  concurrency        {est.max_concurrency} fit; batch {est.batch} ({est.bound}-bound)\n"
        f"  output tokens/s    {est.output_tokens_per_s:,.0f} per replica\n"
        f"  $/M output tokens  ${typ:.3f} (range ${low:.3f}–${high:.3f}) at 100 % utilization\n"
        "  assumptions:\n" + "".join(f"    - {a}\n" for a in est.assumptions),
        nl=False,
    )


Opt = typer.Option


def register(app: typer.Typer) -> None:
    """Add this module's commands to app."""
    cost = typer.Typer(
        help="What closed-API models cost against open-weight hosts and self-hosting.",
        invoke_without_command=True,
        no_args_is_help=False,
    )

    @cost.callback()
    def _cost(
        ctx: typer.Context,
        usage: Annotated[Path | None, Opt("--usage", help="Usage file (TOML or YAML).")] = None,
        otel: Annotated[Path | None, Opt("--otel", help="OTLP JSON export of GenAI spans.")] = None,
        from_scan: Annotated[
            Path | None, Opt("--from-scan", help="JSON report of `modeldeps scan` to price.")
        ] = None,
        prices_override: Annotated[
            Path | None, Opt("--prices-override", help="Negotiated prices (TOML or YAML).")
        ] = None,
        fmt: Annotated[str, Opt("--format", "-f", help="table, json, markdown or html.")] = "table",
        output: Annotated[
            Path | None, Opt("--output", "-o", help="Write here, not stdout.")
        ] = None,
        max_price_age: Annotated[
            int, Opt("--max-price-age", help="Warn when a price is older than this many days.")
        ] = 180,
        watch: Annotated[
            str, Opt("--watch", help="Watch-listed countries, comma-separated.")
        ] = "CN",
        otel_days: Annotated[
            float | None, Opt("--otel-days", help="Days of traffic the span export covers.")
        ] = None,
        otel_sampling: Annotated[
            float, Opt("--otel-sampling", help="Trace sampling ratio of the export, (0, 1].")
        ] = 1.0,
        precision: Annotated[str, Opt("--precision", help="Self-hosted weight precision.")] = "fp8",
    ) -> None:
        """Compare closed-API spend with open-weight hosts and self-hosting."""
        if ctx.invoked_subcommand is not None:
            return
        _compare(
            usage,
            otel,
            from_scan,
            prices_override,
            fmt,
            output,
            max_price_age,
            watch,
            otel_days,
            otel_sampling,
            precision,
        )

    @cost.command("selfhost")
    def _selfhost_cmd(
        model: Annotated[str, Opt("--model", help="Open-weight model (bundled table).")] = "",
        config: Annotated[Path | None, Opt("--config", help="Local config.json instead.")] = None,
        gpu: Annotated[str, Opt("--gpu", help="GPU name, e.g. H100, H200, B200.")] = "H100 SXM",
        gpus: Annotated[int, Opt("--gpus", help="GPUs in the replica.")] = 1,
        precision: Annotated[str, Opt("--precision", help="bf16, fp8, fp4 or int4.")] = "fp8",
        input_tokens: Annotated[int, Opt("--input-tokens", help="Input tokens/request.")] = 1000,
        output_tokens: Annotated[int, Opt("--output-tokens", help="Output tokens/request.")] = 1000,
        engine: Annotated[str, Opt("--engine", help="Engine preset: tuned or default.")] = "tuned",
        fmt: Annotated[str, Opt("--format", help="table or json.")] = "table",
    ) -> None:
        """Estimate one self-hosted replica: memory, concurrency, tokens/s and $/M tokens."""
        if not model and config is None:
            raise UsageError("give --model ID or --config config.json")
        _selfhost(model, config, gpu, gpus, precision, input_tokens, output_tokens, engine, fmt)

    app.add_typer(cost, name="cost")
