"""The ``rules`` and ``baseline`` commands: explain the rules, accept today's findings."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from modeldeps.cli.scan_options import Exclude, Overlays, scan_options
from modeldeps.errors import UsageError


def _rules(rule_id: str | None, fmt: str) -> int:
    from modeldeps.assess.catalog import rule_record, rule_records
    from modeldeps.rule_catalog import known

    if fmt not in {"table", "json"}:
        raise UsageError(f"--format: unknown format {fmt!r} (one of: table, json)")
    if rule_id is not None:
        if not known(rule_id.strip().upper()):
            raise UsageError(f"unknown rule {rule_id!r} (see `modeldeps rules`)")
        rec = rule_record(rule_id.strip().upper())
        if fmt == "json":
            sys.stdout.write(json.dumps(rec, indent=2, sort_keys=True) + "\n")
            return 0
        cwe = f", {rec['cwe']}" if rec["cwe"] else ""
        head = f"{rec['id']}: {rec['title']} (severity {rec['severity']}{cwe})"
        sys.stdout.write(f"{head}\n\n{rec['doc']}\n\nRemediation: {rec['remediation']}\n")
        return 0
    records = list(rule_records().values())
    if fmt == "json":
        sys.stdout.write(json.dumps(records, indent=2, sort_keys=True) + "\n")
        return 0
    from rich.console import Console
    from rich.table import Table

    table = Table(show_lines=False)
    for col in ("ID", "Severity", "CWE", "Title"):
        table.add_column(col, no_wrap=col != "Title")
    for rec in records:
        table.add_row(rec["id"], rec["severity"], rec["cwe"] or "", rec["title"])
    from modeldeps.cli.scan_cmd import terminal_width

    Console(file=sys.stdout, width=terminal_width(), color_system=None).print(table)
    return 0


def _baseline_create(
    paths: list[Path], output: Path, config: Path | None, kb: list[Path], exclude: list[str]
) -> int:
    from modeldeps.assess.baseline import render_baseline
    from modeldeps.assess.stage import run_assessment
    from modeldeps.pipeline import scan

    for p in paths:
        if not p.exists():
            raise UsageError(f"no such file or directory: {p}")
    options = scan_options(exclude=exclude, kb=kb, config=config, assess=False)
    result = scan(paths, options)
    root = paths[0] if paths[0].is_dir() else paths[0].parent
    # Every current finding, not only those new against an existing baseline.
    result = run_assessment(result, options, root, use_baseline=False)
    text = render_baseline(result.findings, result.tool_version)
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot write {output}: {exc.strerror or exc}") from None
    print(f"modeldeps: {len(result.findings)} findings written to {output}", file=sys.stderr)
    return 0


def register(app: typer.Typer) -> None:
    """Add ``rules`` and ``baseline`` to ``app``."""

    @app.command("rules")
    def rules_command(
        rule_id: Annotated[
            str | None, typer.Argument(help="A rule ID such as MD201 to explain it.")
        ] = None,
        fmt: Annotated[str, typer.Option("--format", "-f", help="table or json.")] = "table",
    ) -> int:
        """List the rules, or explain one."""
        return _rules(rule_id, fmt)

    baseline_app = typer.Typer(
        help="Accept today's findings so CI fails only on new ones.", no_args_is_help=True
    )

    @baseline_app.command("create")
    def baseline_create(
        paths: Annotated[list[Path], typer.Argument(help="Files or directories to scan.")],
        output: Annotated[
            Path, typer.Option("--output", "-o", help="Baseline file to write.")
        ] = Path(".modeldeps-baseline.json"),
        config: Annotated[
            Path | None,
            typer.Option("--config", help="Policy file (default: .modeldeps.toml or pyproject)."),
        ] = None,
        kb: Overlays = None,
        exclude: Exclude = None,
    ) -> int:
        """Scan PATHS and write the fingerprints of every finding to a baseline file."""
        return _baseline_create(paths, output, config, list(kb or ()), list(exclude or ()))

    app.add_typer(baseline_app, name="baseline")
