"""Pins for Ollama models read from the local Ollama store: the manifest digest and its layers."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from modeldeps.lock.lockfile import OLLAMA_DIGEST, OLLAMA_NAME, OllamaLayer, OllamaPin
from modeldeps.lock.stores import Escape, inside

#: A manifest is a few hundred bytes of JSON; anything far larger is not one.
MAX_MANIFEST = 1024 * 1024
_DEFAULT_HOST = "registry.ollama.ai"


def normalize(name: str) -> str | None:
    """``qwen2.5`` → ``qwen2.5:latest``; ``None`` for something that is not an Ollama name."""
    name = name.strip()
    for prefix in ("ollama/", "ollama_chat/"):  # LiteLLM's provider prefixes
        if name.startswith(prefix):
            name = name[len(prefix) :]
    name = name.split("@", 1)[0]
    last = name.rsplit("/", 1)[-1]
    if ":" not in last:
        name += ":latest"
    return name if OLLAMA_NAME.fullmatch(name) else None


def manifest_relpath(name: str) -> str:
    """The manifest's path under ``manifests/`` for a normalized name (inverse of Ollama's naming).

    ``qwen2.5:7b`` → ``registry.ollama.ai/library/qwen2.5/7b``; ``user/m:t`` →
    ``registry.ollama.ai/user/m/t``; ``hf.co/org/repo:Q4`` → ``hf.co/org/repo/Q4``.
    """
    path, _, tag = name.rpartition(":")
    parts = path.split("/")
    if len(parts) == 1:
        parts = [_DEFAULT_HOST, "library", *parts]
    elif len(parts) == 2:
        parts = [_DEFAULT_HOST, *parts]
    return "/".join([*parts, tag])


def blob_path(store: Path, digest: str) -> Path:
    """Where Ollama keeps a blob: ``blobs/sha256-<hex>`` (older stores used ``sha256:<hex>``)."""
    hexdigest = digest.split(":", 1)[1]
    path = store / "blobs" / f"sha256-{hexdigest}"
    if not path.exists() and not path.is_symlink():
        old = store / "blobs" / f"sha256:{hexdigest}"
        if old.exists() or old.is_symlink():
            return old
    return path


class ManifestError(ValueError):
    """A manifest that is missing, escapes the store, or is not a manifest."""


def read_manifest(store: Path, name: str) -> tuple[str, tuple[OllamaLayer, ...]]:
    """``(manifest digest, layers)`` of ``name`` in the resolved ``store``, or ManifestError."""
    path = store / "manifests" / manifest_relpath(name)
    if not path.exists() and not path.is_symlink():
        raise FileNotFoundError(f"no manifest for {name} in the Ollama store")
    try:
        real = inside(path, store)
    except Escape as exc:
        raise ManifestError(
            f"its manifest points outside the Ollama store, to {exc.target}"
        ) from None
    with open(real, "rb") as fh:
        raw = fh.read(MAX_MANIFEST + 1)
    if len(raw) > MAX_MANIFEST:
        raise ManifestError("its manifest is larger than a manifest can be")
    try:
        doc = json.loads(raw)
        rows = [doc["config"], *doc["layers"]] if doc.get("config") else list(doc["layers"])
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ManifestError(f"its manifest is not valid: {exc}") from None
    layers: list[OllamaLayer] = []
    for row in rows:
        if not isinstance(row, dict):
            raise ManifestError("its manifest lists a layer that is not an object")
        digest, size = str(row.get("digest", "")), row.get("size", 0)
        if not OLLAMA_DIGEST.fullmatch(digest):
            raise ManifestError(f"its manifest names a malformed digest {digest[:80]!r}")
        if isinstance(size, bool) or not isinstance(size, int) or size < 0:
            raise ManifestError(f"its manifest gives a malformed size for {digest}")
        layers.append(OllamaLayer(str(row.get("mediaType") or "unknown"), digest, size))
    return f"sha256:{hashlib.sha256(raw).hexdigest()}", tuple(sorted(set(layers)))


def ollama_pin(store: Path, name: str, used_in: tuple[str, ...] = ()) -> OllamaPin:
    """The pin of ``name`` from the store, or an unpinned entry saying why not."""
    if not (store / "manifests").is_dir():
        return OllamaPin(name, reason="no local Ollama store", used_in=used_in)
    try:
        manifest, layers = read_manifest(store.resolve(), name)
    except (OSError, ManifestError) as exc:
        reason = str(exc) if not isinstance(exc, OSError) or not exc.strerror else exc.strerror
        if isinstance(exc, FileNotFoundError):
            reason = "not in the local Ollama store"
        return OllamaPin(name, reason=reason, used_in=used_in)
    return OllamaPin(name, manifest, layers, used_in=used_in)
