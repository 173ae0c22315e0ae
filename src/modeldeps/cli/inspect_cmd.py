"""The ``inspect`` command: what each local weight file is, and whether it can run code."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Annotated, Any

import typer

from modeldeps.cli.exitcodes import EXIT_CLEAN, EXIT_FINDINGS, EXIT_INCOMPLETE
from modeldeps.cli.progress import progress_for
from modeldeps.cli.scan_cmd import parse_fail_on, terminal_width, write_output
from modeldeps.errors import UsageError
from modeldeps.model import SCHEMA_VERSION, ArtifactInfo, Identity, Skipped
from modeldeps.report.units import human_count, human_size

_FORMATS = ("table", "json")


def _resolver() -> Any:
    """The resolve stage, which names the model each file holds; it cannot be missing."""
    from modeldeps.pipeline import load_stage

    return load_stage("resolve", "modeldeps.resolve").Resolver.create()


def _attach_identity(infos: list[ArtifactInfo], roots: list[Path], resolver: Any) -> list[Any]:
    if resolver is None:
        return infos
    out = []
    for info, root in zip(infos, roots, strict=True):
        try:
            ident = resolver.resolve_artifact(info, root / info.location.path)
        except Exception:  # identity is a bonus; never lose the inspection
            ident = None
        out.append(dataclasses.replace(info, identity=ident) if ident is not None else info)
    return out


def family_of(info: ArtifactInfo) -> str:
    if info.identity is not None and info.identity.family:
        return info.identity.family
    for key in ("general.architecture", "model_class", "repo_id", "ollama.model"):
        value = info.metadata.get(key)
        if isinstance(value, str) and value:
            return value
    return "-"


def render_table(
    infos: list[ArtifactInfo], skipped: list[Skipped], dirs: list[tuple[str, Identity]]
) -> str:
    from rich.console import Console
    from rich.table import Table

    table = Table(show_lines=False)
    for col in ("path", "format", "size", "params", "dtype", "family", "findings"):
        table.add_column(col, justify="right" if col in ("size", "params") else "left")
    for info in infos:
        worst = max((f.severity for f in info.findings), key=lambda s: s.rank, default=None)
        cell = f"{len(info.findings)} ({worst.value})" if worst else "-"
        table.add_row(
            info.location.path,
            info.format,
            human_size(info.size_bytes),
            human_count(info.params, "-"),
            info.dtype or "-",
            family_of(info),
            cell,
        )
    console = Console(file=None, width=terminal_width(), record=True, force_terminal=False)
    with console.capture() as cap:
        console.print(table)
        for info in infos:
            for f in sorted(info.findings, key=lambda f: -f.severity.rank):
                console.print(
                    f"{f.severity.value.upper():8} {f.rule_id} {info.location.path}: {f.message}",
                    markup=False,
                    highlight=False,
                )
        for rel, ident in dirs:
            who = ident.publisher.name if ident.publisher else "unknown publisher"
            console.print(
                f"model folder {rel}: {ident.canonical_id or '?'} · family {ident.family or '?'}"
                f" · {who} ({ident.country}) · decided by {ident.decided_by}",
                markup=False,
                highlight=False,
            )
        for s in skipped:
            console.print(f"skipped {s.location.path}: {s.reason}", markup=False, highlight=False)
    return cap.get()


def to_json(
    infos: list[ArtifactInfo],
    roots: list[Path],
    skipped: list[Skipped],
    dirs: list[tuple[str, Identity]],
) -> str:
    from modeldeps import __version__

    artifacts = []
    for info, root in zip(infos, roots, strict=True):
        data = dataclasses.asdict(info)
        data["root"] = str(root)
        artifacts.append(data)
    doc = {
        "schema_version": SCHEMA_VERSION,
        "tool_version": __version__,
        "artifacts": artifacts,
        "model_dirs": [{"path": p, "identity": dataclasses.asdict(i)} for p, i in dirs],
        "skipped": [dataclasses.asdict(s) for s in skipped],
    }
    return json.dumps(doc, indent=2, sort_keys=True, default=str, ensure_ascii=False) + "\n"


def run_inspect(
    paths: list[Path],
    *,
    hf_cache: Path | bool = False,
    ollama: Path | bool = False,
    hash_files: bool = False,
    jobs: int = 0,
    quiet: bool = False,
) -> tuple[list[ArtifactInfo], list[Path], list[Skipped], list[tuple[str, Identity]]]:
    """Collect jobs from paths and stores, inspect them on every core, attach identities."""
    from modeldeps.discover.inspectors.hf_cache import hf_cache_jobs
    from modeldeps.discover.inspectors.ollama import ollama_jobs
    from modeldeps.discover.inspectors.parallel import inspect_jobs, jobs_for_tree

    all_jobs = []
    skipped: list[Skipped] = []
    for p in paths:
        if not p.exists():
            raise UsageError(f"no such file or directory: {p}")
        found, skip = jobs_for_tree(p)
        all_jobs.extend(found)
        skipped.extend(skip)
    if hf_cache is not False:
        found, skip = hf_cache_jobs(hf_cache if isinstance(hf_cache, Path) else None)
        all_jobs.extend(found)
        skipped.extend(skip)
    if ollama is not False:
        found, skip = ollama_jobs(ollama if isinstance(ollama, Path) else None)
        all_jobs.extend(found)
        skipped.extend(skip)
    with progress_for(enabled=not quiet) as progress:
        progress.phase("inspect", len(all_jobs))
        infos, skip = inspect_jobs(
            all_jobs, hash_files=hash_files, workers=jobs, on_done=progress.advance
        )
    skipped.extend(skip)
    root_of = {j.rel: j.root for j in all_jobs}
    roots = [root_of[i.location.path] for i in infos]
    resolver = _resolver()
    infos = _attach_identity(infos, roots, resolver)
    dirs: list[tuple[str, Identity]] = []
    if resolver is not None:
        for p in paths:
            names = ("config.json", "tokenizer_config.json")
            if p.is_dir() and any((p / n).is_file() for n in names):
                try:
                    ident = resolver.resolve_model_dir(p)
                except Exception:  # identity is a bonus
                    ident = None
                if ident is not None:
                    dirs.append((p.as_posix(), ident))
    return infos, roots, skipped, dirs


def register(app: typer.Typer) -> None:
    """Add ``inspect`` to ``app``."""

    @app.command("inspect")
    def inspect_command(
        paths: Annotated[
            list[Path] | None, typer.Argument(help="Weight files or folders to inspect.")
        ] = None,
        hf_cache: Annotated[
            bool,
            typer.Option("--hf-cache", help="Also inspect the Hugging Face cache."),
        ] = False,
        hf_cache_dir: Annotated[
            Path | None,
            typer.Option("--hf-cache-dir", help="Hugging Face cache folder (implies --hf-cache)."),
        ] = None,
        ollama: Annotated[
            bool, typer.Option("--ollama", help="Also inspect the Ollama model store.")
        ] = False,
        ollama_dir: Annotated[
            Path | None,
            typer.Option("--ollama-dir", help="Ollama models folder (implies --ollama)."),
        ] = None,
        hash_files: Annotated[
            bool, typer.Option("--hash", help="SHA-256 every file (checks store digests).")
        ] = False,
        fmt: Annotated[str, typer.Option("--format", "-f", help="table or json.")] = "table",
        output: Annotated[
            Path | None, typer.Option("--output", "-o", help="Write the report here.")
        ] = None,
        fail_on: Annotated[
            str,
            typer.Option(
                "--fail-on", help="Exit 1 on findings at or above this severity (or none)."
            ),
        ] = "high",
        strict: Annotated[
            bool, typer.Option("--strict", help="Exit 3 when any file could not be handled.")
        ] = False,
        jobs: Annotated[int, typer.Option("--jobs", "-j", help="Worker processes (0: cores).")] = 0,
        quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
    ) -> int:
        """Tell what each model file is and flag anything that can run code, without running it."""
        if fmt not in _FORMATS:
            raise UsageError(f"--format: unknown format {fmt!r} (one of: {', '.join(_FORMATS)})")
        threshold = parse_fail_on(fail_on)
        hf: Path | bool = hf_cache_dir if hf_cache_dir is not None else hf_cache
        ol: Path | bool = ollama_dir if ollama_dir is not None else ollama
        if not paths and hf is False and ol is False:
            raise UsageError("give a PATH to inspect, or --hf-cache / --ollama")
        if hf is not False:
            from modeldeps.cli.extras import require

            require("online")
        infos, roots, skipped, dirs = run_inspect(
            list(paths or []),
            hf_cache=hf,
            ollama=ol,
            hash_files=hash_files,
            jobs=jobs,
            quiet=quiet,
        )
        if fmt == "json":
            text = to_json(infos, roots, skipped, dirs)
        else:
            text = render_table(infos, skipped, dirs)
        write_output(text, output)
        severities = [f.severity.rank for i in infos for f in i.findings]
        if threshold is not None and any(r >= threshold.rank for r in severities):
            return EXIT_FINDINGS
        if strict and skipped:
            return EXIT_INCOMPLETE
        return EXIT_CLEAN
