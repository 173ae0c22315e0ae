"""The whole-scan cache key: everything a scan's result depends on, hashed.

A re-scan of an unchanged tree, under unchanged options, inputs and code, on the same day, gives
back the stored result without resolving or assessing anything again. The key covers: the tool
(version and every file of the installed package, by size and modification time), the day (ignore
expiries and model retirements are judged by date), the roots, every option that changes the
result, the content of every input file named by options or policy (configuration, baseline,
usage, knowledge-base overlays), and the walk itself (every file's path, size, modification time
and kind, and everything skipped). Files inside the roots, the policy file included, are covered
by the walk. Online enrichment is never cached this way: its answers can change at any time.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from collections.abc import Iterable, Sequence
from functools import cache
from pathlib import Path

from modeldeps import __version__
from modeldeps.options import ScanOptions

#: Options that change how a scan runs or exits, never what it finds.
_RUN_ONLY = frozenset({"jobs", "use_cache", "cache_dir", "fail_on", "strict"})


@cache
def package_fingerprint() -> str:
    """Size and modification time of every file of the installed package (once per process)."""
    package = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for dirpath, dirnames, filenames in os.walk(package):
        dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
        for name in sorted(filenames):
            full = os.path.join(dirpath, name)
            st = os.stat(full)
            digest.update(
                f"{os.path.relpath(full, package)}\0{st.st_size}\0{st.st_mtime_ns}\n".encode()
            )
    return digest.hexdigest()


def _file_digest(path: Path | None) -> str:
    if path is None:
        return "-"
    try:
        with path.open("rb") as fh:
            return hashlib.file_digest(fh, "sha256").hexdigest()
    except OSError:
        return "missing"


def _options_part(options: ScanOptions) -> dict[str, object]:
    part: dict[str, object] = {}
    for f in dataclasses.fields(options):
        if f.name in _RUN_ONLY:
            continue
        value = getattr(options, f.name)
        if isinstance(value, tuple):
            value = [str(v) for v in value]
        elif isinstance(value, Path | dict):
            value = str(value) if isinstance(value, Path) else sorted(value.items())
        part[f.name] = value
    return part


def scan_key(
    roots: Sequence[Path],
    walked: Iterable[str],
    options: ScanOptions,
    today: str,
    extra_inputs: Iterable[Path] = (),
) -> str | None:
    """The key for a scan, or ``None`` when its result must not be reused (``--online``).

    ``walked`` has one line per file or skipped entry the walk produced, in walk order.
    ``extra_inputs`` are further files the result depends on (the policy's baseline).
    """
    if options.online:
        return None
    digest = hashlib.sha256()
    digest.update(f"{__version__}\0{package_fingerprint()}\0{today}\n".encode())
    digest.update(json.dumps([str(r) for r in roots]).encode())
    digest.update(json.dumps(_options_part(options), sort_keys=True, default=str).encode())
    inputs = [options.config_file, options.baseline, options.usage_file, *options.kb_overlays]
    for path in [*inputs, *extra_inputs]:
        digest.update(f"\n{path}\0{_file_digest(path)}".encode())
    for line in walked:
        digest.update(line.encode("utf-8", "surrogateescape"))
        digest.update(b"\n")
    return digest.hexdigest()
