"""Build ``models.lock`` from a scan: what the code uses, pinned from local stores or the Hub."""

from __future__ import annotations

import os
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from modeldeps.lock.lockfile import (
    HUB_REPO,
    SHA1,
    ApiPin,
    HubPin,
    LocalPin,
    Lockfile,
    OllamaPin,
    safe_relpath,
)
from modeldeps.model import ModelReference, RefKind, ScanResult

_HUB_PREFIX = re.compile(r"^(?:hf\.co/|https?://(?:www\.)?(?:huggingface\.co|hf\.co)/)")
#: Bound on the weight files listed under one referenced folder.
MAX_FOLDER_FILES = 10_000


def hub_repo(value: str) -> str | None:
    """The repository id a Hub reference names (URL and ``hf.co/`` prefixes removed), or None."""
    repo = _HUB_PREFIX.sub("", value.strip()).rstrip("/")
    repo = repo.split(":", 1)[0]  # "org/repo:Q4_K_M" names a file of org/repo
    return repo if HUB_REPO.fullmatch(repo) and "/" in repo else None


def requested_revision(ref: ModelReference) -> str:
    """The revision a reference asks for: its ``revision`` argument, else ``main``."""
    value = ref.context.get("revision")
    return str(value).strip() if isinstance(value, str) and value.strip() else "main"


@dataclass
class Wanted:
    """Every model a scan found, by lock key, with the files that use it."""

    hub: dict[tuple[str, str], set[str]] = field(default_factory=lambda: defaultdict(set))
    hub_names: dict[tuple[str, str], str] = field(default_factory=dict)
    ollama: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    local: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    missing_local: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    api: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    api_provider: dict[str, str] = field(default_factory=dict)


def _local_targets(value: str, ref_path: str, root: Path) -> list[str] | None:
    """Weight files (relative to root) a local reference names, or None when none is found."""
    from modeldeps.discover.walk import FileKind, classify

    raw = os.path.expanduser(value.strip())
    if os.path.isabs(raw):
        candidates = [Path(raw)]
    else:
        candidates = [root / raw, root / Path(ref_path).parent / raw]
    real_root = root.resolve()
    for cand in candidates:
        try:
            real = cand.resolve()
        except (OSError, RuntimeError):
            continue
        if not real.is_relative_to(real_root) or not real.exists():
            continue
        if real.is_file():
            return [real.relative_to(real_root).as_posix()]
        found: list[str] = []
        for dirpath, dirnames, filenames in os.walk(real):  # never follows linked folders
            dirnames.sort()
            for name in sorted(filenames):
                full = Path(dirpath) / name
                if classify(name) is FileKind.WEIGHT and not full.is_symlink():
                    found.append(full.relative_to(real_root).as_posix())
                if len(found) >= MAX_FOLDER_FILES:
                    return found
        return found or None
    return None


def wanted_from_scan(result: ScanResult, root: Path) -> Wanted:
    """The lock keys of everything ``result`` found under ``root`` (a single-root scan)."""
    want = Wanted()
    for ref in result.references:
        where = ref.location.path
        if ref.kind is RefKind.HUB_MODEL:
            repo = hub_repo(ref.value)
            if repo is None:
                continue
            key = (repo.lower(), requested_revision(ref))
            want.hub[key].add(where)
            want.hub_names.setdefault(key, repo)
        elif ref.kind is RefKind.OLLAMA_MODEL:
            from modeldeps.lock.ollama_store import normalize

            name = normalize(ref.value)
            if name is not None:
                want.ollama[name].add(where)
        elif ref.kind is RefKind.LOCAL_ARTIFACT:
            targets = _local_targets(ref.value, where, root)
            if targets is None:
                want.missing_local[ref.value.strip()].add(where)
            for t in targets or ():
                want.local[t].add(where)
        elif ref.kind is RefKind.API_MODEL:
            name = ref.value.strip()
            if name:
                want.api[name].add(where)
                provider = ref.context.get("provider")
                if isinstance(provider, str):
                    want.api_provider.setdefault(name, provider)
    for art in result.artifacts:
        path = art.location.path
        if safe_relpath(path):
            want.local.setdefault(path, set())
    return want


@dataclass(frozen=True, slots=True)
class LockOptions:
    """How ``lock`` finds pins."""

    online: bool = False  # ask the Hub API (through huggingface_hub) for Hub models
    upgrade: bool = False  # re-pin Hub and Ollama models even if the previous lock pinned them
    hf_cache: Path | None = None  # default: found as huggingface_hub finds it
    ollama_store: Path | None = None  # default: $OLLAMA_MODELS or ~/.ollama/models
    hub_endpoint: str | None = None  # default: $HF_ENDPOINT or the public Hub
    kb: Any = None  # a KnowledgeBase, for API aliases
    workers: int = 0


def _paths(where: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted(p for p in set(where) if safe_relpath(p)))


def _hub_pins(want: Wanted, opts: LockOptions, previous: Lockfile | None) -> list[HubPin]:
    from modeldeps.lock.hub_cache import HubCache
    from modeldeps.lock.stores import hf_hub_cache

    cache: HubCache | None = None
    pins: list[HubPin] = []
    for key, where in sorted(want.hub.items()):
        repo, requested = want.hub_names[key], key[1]
        used = _paths(where)
        old = previous.hub_pin(repo, requested) if previous else None
        if old is not None and old.pinned and not opts.upgrade:
            pins.append(replace(old, repo=repo, used_in=used, line=None))
            continue
        reasons: list[str] = []
        if opts.online:
            from modeldeps.lock.hub_online import online_pin

            got = online_pin(repo, requested, opts.hub_endpoint, used)
            if got.pinned:
                pins.append(got)
                continue
            reasons.append(f"the Hub: {got.reason}")
        if cache is None:
            cache = HubCache(opts.hf_cache or hf_hub_cache())
        pin = cache.pin(repo, requested, used)
        if pin.pinned:
            pins.append(pin)
            continue
        reasons.append(pin.reason or "")
        if not opts.online:
            reasons.append("run `modeldeps lock --online` or download it first")
        if SHA1.fullmatch(requested):
            reasons.insert(0, "the code pins this commit, but its files are not known")
        pins.append(
            HubPin(repo, requested, reason="; ".join(r for r in reasons if r), used_in=used)
        )
    return pins


def _ollama_pins(want: Wanted, opts: LockOptions, previous: Lockfile | None) -> list[OllamaPin]:
    from modeldeps.lock.ollama_store import ollama_pin
    from modeldeps.lock.stores import ollama_store

    store = opts.ollama_store or ollama_store()
    old = {p.key: p for p in previous.ollama} if previous else {}
    pins: list[OllamaPin] = []
    for name, where in sorted(want.ollama.items()):
        used = _paths(where)
        kept = old.get(name)
        if kept is not None and kept.pinned and not opts.upgrade:
            pins.append(replace(kept, used_in=used, line=None))
        else:
            pins.append(ollama_pin(store, name, used))
    return pins


def _local_pins(want: Wanted, root: Path, workers: int) -> list[LocalPin]:
    from modeldeps.lock.hashing import hash_many
    from modeldeps.lock.stores import Escape, inside

    real_root = root.resolve()
    paths = sorted(want.local)
    jobs: list[tuple[str, str]] = []
    escaped: dict[str, str] = {}
    for rel in paths:
        try:
            jobs.append((inside(real_root / rel, real_root), "sha256"))
        except Escape as exc:
            escaped[rel] = exc.target
            jobs.append(("", "sha256"))
    results = hash_many(jobs, workers)
    pins: list[LocalPin] = []
    for rel, done in zip(paths, results, strict=True):
        used = _paths(want.local[rel])
        if rel in escaped:
            reason = f"a link to {escaped[rel]}, outside the project: not read"
            pins.append(LocalPin(rel, reason=reason, used_in=used))
        elif done.digest is None:
            pins.append(LocalPin(rel, reason=f"cannot be read: {done.error}", used_in=used))
        else:
            pins.append(LocalPin(rel, done.size, done.digest, used_in=used))
    for value, where in sorted(want.missing_local.items()):
        reason = "not found inside the project, so it cannot be pinned"
        pins.append(LocalPin(value, reason=reason, used_in=_paths(where)))
    return pins


def build_lock(
    result: ScanResult, root: Path, opts: LockOptions, previous: Lockfile | None = None
) -> Lockfile:
    """The lock for ``result``: previous pins kept unless upgraded, everything else pinned anew.

    Hub and Ollama pins of the previous lock are kept for models still used (so a machine
    without the cache does not unpin them); ``upgrade`` re-pins them. Local files are always
    hashed again: their bytes are part of the project itself.
    """
    from modeldeps.lock.api_alias import api_pin

    want = wanted_from_scan(result, root)
    api: list[ApiPin] = [
        api_pin(name, opts.kb, want.api_provider.get(name), _paths(where))
        for name, where in sorted(want.api.items())
    ]
    return Lockfile(
        hub=tuple(_hub_pins(want, opts, previous)),
        ollama=tuple(_ollama_pins(want, opts, previous)),
        local=tuple(_local_pins(want, root, opts.workers)),
        api=tuple(api),
    ).sorted()


def summary(lock: Lockfile) -> list[tuple[str, int, int]]:
    """``(section, entries, pinned)`` for each non-empty section."""
    rows: list[tuple[str, Sequence[Any]]] = [
        ("Hub models", lock.hub),
        ("Ollama models", lock.ollama),
        ("local files", lock.local),
        ("API models", lock.api),
    ]
    return [(name, len(items), sum(1 for p in items if p.pinned)) for name, items in rows if items]
