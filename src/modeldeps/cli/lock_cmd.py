"""The ``lock`` and ``verify`` commands: pin every model in models.lock, check local copies."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from modeldeps.cli.exitcodes import EXIT_CLEAN, EXIT_FINDINGS
from modeldeps.cli.scan_options import (
    Exclude,
    NoGitignore,
    Overlays,
    checked_overlays,
    scan_options,
)
from modeldeps.errors import UsageError

if TYPE_CHECKING:
    from modeldeps.lock.lockfile import Lockfile
    from modeldeps.model import ScanResult

_HF_CACHE = typer.Option(
    "--hf-cache", help="Hugging Face cache (default: HF_HUB_CACHE, HF_HOME, ~/.cache/huggingface)."
)
_OLLAMA = typer.Option("--ollama-models", help="Ollama store (default: OLLAMA_MODELS, ~/.ollama).")


def _root(path: Path) -> Path:
    if not path.is_dir():
        raise UsageError(f"not a directory: {path}")
    return path


def _scan(root: Path, exclude: list[str] | None, no_gitignore: bool, quiet: bool) -> ScanResult:
    """Discovery only: what the code uses (no resolve, no assessment, no lock check)."""
    from modeldeps.cli.progress import progress_for
    from modeldeps.pipeline import scan

    options = scan_options(
        exclude=exclude,
        no_gitignore=no_gitignore,
        resolve=False,
        assess=False,
        check_lock=False,
    )
    with progress_for(enabled=not quiet) as progress:
        return scan([root], options, progress)


def _read_lock(path: Path) -> Lockfile | None:
    from modeldeps.lock import tomlio

    return tomlio.read(path) if path.exists() else None


def _say(text: str) -> None:
    sys.stderr.write(text + "\n")


def _lock(
    path: Path,
    output: Path | None,
    online: bool,
    upgrade: bool,
    check: bool,
    fix: bool,
    write: bool,
    hf_cache: Path | None,
    ollama_models: Path | None,
    exclude: list[str] | None,
    no_gitignore: bool,
    kb: list[Path] | None,
    quiet: bool,
) -> int:
    from modeldeps.lock import LOCK_FILENAME, tomlio
    from modeldeps.lock.build import LockOptions, build_lock, summary
    from modeldeps.resolve.sources.bundled import load_kb
    from modeldeps.textsafe import terminal

    root = _root(path)
    if write and not fix:
        raise UsageError("--write applies the changes of --fix; give both")
    overlays = checked_overlays(kb)
    target = output or root / LOCK_FILENAME
    previous = _read_lock(target)  # a malformed or newer lock stops here, untouched
    result = _scan(root, exclude, no_gitignore, quiet)
    opts = LockOptions(
        online=online,
        upgrade=upgrade,
        hf_cache=hf_cache,
        ollama_store=ollama_models,
        kb=load_kb(overlays),
    )
    lock = build_lock(result, root, opts, previous)
    text = tomlio.dumps(lock)
    old = target.read_text(encoding="utf-8") if target.exists() else None
    if check:
        if old == text:
            _say(f"{target}: up to date")
            return EXIT_CLEAN
        _say(f"{target}: out of date; run `modeldeps lock`")
        return EXIT_FINDINGS
    if old != text:
        try:
            tomlio.write(lock, target)
        except OSError as exc:
            raise UsageError(f"cannot write {target}: {exc.strerror or exc}") from None
    counts = "; ".join(f"{name} {n} ({pinned} pinned)" for name, n, pinned in summary(lock))
    _say(f"{target}: {'unchanged' if old == text else 'written'} — {counts or 'no models found'}")
    for pin in lock.entries():
        if not pin.pinned and pin.reason and not quiet:
            _say(f"  unpinned {terminal(pin.key)}: {terminal(pin.reason)}")
    if fix:
        _fix(root, result, lock, write)
    return EXIT_CLEAN


def _fix(root: Path, result: ScanResult, lock: Lockfile, write: bool) -> None:
    from modeldeps.lock.fix import apply, plan_fixes

    plan = plan_fixes(root, result.references, lock)
    for note in plan.notes:
        _say(f"  not fixed: {note}")
    if write:
        apply(plan, root)
        changed = sum(len(f.changes) for f in plan.files)
        _say(f"pinned {changed} loader call(s) in {len(plan.files)} file(s)")
    else:
        sys.stdout.write(plan.diff())


def _verify(
    path: Path,
    lock_file: Path | None,
    fmt: str,
    strict: bool,
    verbose: bool,
    hf_cache: Path | None,
    ollama_models: Path | None,
    jobs: int,
    exclude: list[str] | None,
    no_gitignore: bool,
    quiet: bool,
) -> int:
    from modeldeps.lock import LOCK_FILENAME
    from modeldeps.lock.build import wanted_from_scan
    from modeldeps.lock.render import render_json, render_table
    from modeldeps.lock.verify import verify

    if fmt not in ("table", "json"):
        raise UsageError(f"--format: expected table or json, got {fmt!r}")
    root = _root(path)
    target = lock_file or root / LOCK_FILENAME
    if not target.exists():
        raise UsageError(f"no lockfile at {target}; create it with `modeldeps lock`")
    lock = _read_lock(target)
    assert lock is not None
    wanted = wanted_from_scan(_scan(root, exclude, no_gitignore, quiet), root)
    report = verify(
        lock,
        root,
        lock_name=str(target),
        hf_cache=hf_cache,
        ollama_store=ollama_models,
        wanted=wanted,
        workers=jobs,
    )
    text = render_json(report, strict) if fmt == "json" else render_table(report, strict, verbose)
    sys.stdout.write(text)
    return EXIT_FINDINGS if report.failed(strict) else EXIT_CLEAN


def register(app: typer.Typer) -> None:
    """Add ``lock`` and ``verify`` to ``app``."""

    @app.command("lock")
    def lock_command(
        path: Annotated[Path, typer.Argument(help="Project directory.")] = Path("."),
        output: Annotated[
            Path | None,
            typer.Option("--output", "-o", help="Lockfile (default: PATH/models.lock)."),
        ] = None,
        online: Annotated[
            bool,
            typer.Option("--online", help="Ask the Hub API for Hub models' commits and files."),
        ] = False,
        upgrade: Annotated[
            bool, typer.Option("--upgrade", help="Re-pin Hub and Ollama models already locked.")
        ] = False,
        check: Annotated[
            bool, typer.Option("--check", help="Exit 1 if the lock is out of date; write nothing.")
        ] = False,
        fix: Annotated[
            bool,
            typer.Option("--fix", help='Show the revision="<commit>" edits for unpinned loaders.'),
        ] = False,
        write: Annotated[bool, typer.Option("--write", help="Apply the --fix edits.")] = False,
        hf_cache: Annotated[Path | None, _HF_CACHE] = None,
        ollama_models: Annotated[Path | None, _OLLAMA] = None,
        exclude: Exclude = None,
        no_gitignore: NoGitignore = False,
        kb: Overlays = None,
        quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress or notes.")] = False,
    ) -> int:
        """Pin every model the project uses in models.lock (revision, hashes, dated versions)."""
        return _lock(
            path, output, online, upgrade, check, fix, write, hf_cache, ollama_models,
            exclude, no_gitignore, kb, quiet,
        )  # fmt: skip

    @app.command("verify")
    def verify_command(
        path: Annotated[Path, typer.Argument(help="Project directory.")] = Path("."),
        lock_file: Annotated[
            Path | None, typer.Option("--lock", help="Lockfile (default: PATH/models.lock).")
        ] = None,
        fmt: Annotated[str, typer.Option("--format", "-f", help="table or json.")] = "table",
        strict: Annotated[
            bool, typer.Option("--strict", help="Also fail on extra and unpinned models.")
        ] = False,
        verbose: Annotated[
            bool, typer.Option("--verbose", "-v", help="List every file, not only problems.")
        ] = False,
        hf_cache: Annotated[Path | None, _HF_CACHE] = None,
        ollama_models: Annotated[Path | None, _OLLAMA] = None,
        jobs: Annotated[int, typer.Option("--jobs", "-j", help="Hashing threads (0: cores).")] = 0,
        exclude: Exclude = None,
        no_gitignore: NoGitignore = False,
        quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
    ) -> int:
        """Re-hash local copies against models.lock: exit 1 on drifted or missing models."""
        return _verify(
            path, lock_file, fmt, strict, verbose, hf_cache, ollama_models, jobs,
            exclude, no_gitignore, quiet,
        )  # fmt: skip
