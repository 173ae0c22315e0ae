"""Ollama's local store: manifests name models (``name:tag``) and point at GGUF blobs."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from modeldeps.discover.inspectors.parallel import InspectJob
from modeldeps.model import Location, Skipped, Stage

MAX_MANIFEST = 1024 * 1024
_DIGEST = re.compile(r"sha256[:-]([0-9a-f]{64})")
#: Layers that hold GGUF weights: the model itself, LoRA adapters, vision projectors.
WEIGHT_LAYERS = frozenset(
    {
        "application/vnd.ollama.image.model",
        "application/vnd.ollama.image.adapter",
        "application/vnd.ollama.image.projector",
    }
)
_DEFAULT_HOST = "registry.ollama.ai"


def default_ollama_store() -> Path:
    """``$OLLAMA_MODELS`` or ``~/.ollama/models``, as Ollama itself decides."""
    env = os.environ.get("OLLAMA_MODELS")
    return Path(env) if env else Path.home() / ".ollama" / "models"


def model_name(parts: tuple[str, ...]) -> str:
    """``host/namespace/model/tag`` under manifests/ → the name users type (``qwen2.5:7b``)."""
    *path, tag = parts
    if len(path) >= 3 and path[0] == _DEFAULT_HOST:
        path = path[2:] if path[1] == "library" else path[1:]
    return f"{'/'.join(path)}:{tag}"


def inside(path: Path, root: Path) -> bool:
    """Whether ``path``, every symlink on the way resolved, is ``root`` or under it."""
    real = os.path.realpath(path)
    base = str(root)
    return real == base or real.startswith(base + os.sep)


def ollama_jobs(store: Path | None = None) -> tuple[list[InspectJob], list[Skipped]]:
    """One job per weight blob, naming every model:tag that uses it.

    The store root is taken as given (it may itself be a link), but nothing is read from
    outside it: a ``manifests`` or ``blobs`` folder, a manifest or a blob that a symlink leads
    out of the store is skipped, with a ``Skipped`` entry saying so.
    """
    root = (store or default_ollama_store()).resolve()
    manifests = root / "manifests"
    if manifests.is_dir() and not inside(manifests, root):
        reason = "manifests folder is a link out of the Ollama store; not read"
        return [], [Skipped(Location("manifests"), Stage.INSPECT, reason)]
    if not manifests.is_dir():
        return [], [Skipped(Location(str(root)), Stage.INSPECT, "no Ollama manifests folder")]
    skipped: list[Skipped] = []
    users: dict[str, list[tuple[str, str]]] = {}
    for dirpath, _dirs, files in os.walk(manifests):
        for name in files:
            path = Path(dirpath) / name
            rel = path.relative_to(manifests)
            try:
                if not inside(path, root) or path.stat().st_size > MAX_MANIFEST:
                    raise ValueError("a link out of the store, or an oversized manifest")
                doc = json.loads(path.read_bytes())
                layers = doc["layers"]
                if not isinstance(layers, list):
                    raise ValueError("layers is not a list")
            except (OSError, ValueError, KeyError, TypeError) as exc:
                where = Location(f"manifests/{rel.as_posix()}")
                skipped.append(Skipped(where, Stage.INSPECT, f"unreadable manifest: {exc}"))
                continue
            model = model_name(rel.parts)
            for layer in layers:
                if not isinstance(layer, dict) or layer.get("mediaType") not in WEIGHT_LAYERS:
                    continue
                m = _DIGEST.fullmatch(str(layer.get("digest", "")))
                if m is None:
                    continue  # a digest we cannot trust as a file name is never opened
                users.setdefault(m.group(1), []).append((model, str(layer["mediaType"])))
    jobs: list[InspectJob] = []
    for digest, uses in sorted(users.items()):
        blob = root / "blobs" / f"sha256-{digest}"
        if not blob.is_file():
            blob = root / "blobs" / f"sha256:{digest}"
        if not blob.is_file():
            where = Location(f"blobs/sha256-{digest}")
            skipped.append(Skipped(where, Stage.INSPECT, f"blob missing for {uses[0][0]}"))
            continue
        if blob.is_symlink() or not inside(blob, root):
            # A link from the blob, or from the blobs folder itself, out of the store.
            where = Location(f"blobs/sha256-{digest}")
            reason = f"blob for {uses[0][0]} is a link out of the Ollama store; not read"
            skipped.append(Skipped(where, Stage.INSPECT, reason))
            continue
        names = sorted({u[0] for u in uses})
        meta = {
            "ollama.model": names[0],
            "ollama.models": names,
            "ollama.media_type": uses[0][1].rsplit(".", 1)[-1],
            "ollama.digest": f"sha256:{digest}",
        }
        jobs.append(InspectJob(blob, blob.relative_to(root).as_posix(), root, meta, digest))
    return jobs, skipped
