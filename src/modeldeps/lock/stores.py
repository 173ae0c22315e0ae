"""Where local copies of models live (found as their own tools find them), and safe paths there."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path


def hf_hub_cache() -> Path:
    """The Hugging Face Hub cache, decided by huggingface_hub's own rules under today's environment.

    ``huggingface_hub.constants`` computes it once, at import, from ``HF_HUB_CACHE``,
    ``HUGGINGFACE_HUB_CACHE``, ``HF_HOME`` and ``XDG_CACHE_HOME`` (the rules differ between
    versions: 0.24 does not expand ``$VARS`` in ``HF_HUB_CACHE``, 1.x does). A fresh copy of that
    module, which imports only the standard library, is run now, so the answer is the installed
    library's own for the current environment, not a copy of its rules.
    """
    import importlib.util

    spec = importlib.util.find_spec("huggingface_hub.constants")
    if spec is None or spec.loader is None:  # pragma: no cover - a dependency
        raise ImportError("huggingface_hub is not installed")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return Path(module.HF_HUB_CACHE)


def ollama_store(env: Mapping[str, str] | None = None) -> Path:
    """Ollama's model store: ``$OLLAMA_MODELS`` or ``~/.ollama/models``, as Ollama decides."""
    env = os.environ if env is None else env
    value = env.get("OLLAMA_MODELS")
    return Path(value).expanduser() if value else Path.home() / ".ollama" / "models"


def repo_folder(repo: str) -> str:
    """A model repository's cache folder (``models--org--name``), named by huggingface_hub."""
    from huggingface_hub.file_download import repo_folder_name

    return repo_folder_name(repo_id=repo, repo_type="model")


class Escape(Exception):
    """A path whose real location is outside the root it must stay in."""

    def __init__(self, path: Path, target: str) -> None:
        super().__init__(f"{path} points outside its store, to {target}")
        self.path = path
        self.target = target


def inside(path: Path, root: Path) -> str:
    """The real path of ``path`` (symlinks resolved) if it stays under ``root``; else ``Escape``.

    ``root`` must already be resolved. Only the final location decides: a chain of links that
    ends inside the root reads bytes that belong to it, and one that ends outside is reported
    and never opened.
    """
    real = os.path.realpath(path)
    root_s = str(root)
    if real != root_s and not real.startswith(root_s.rstrip(os.sep) + os.sep):
        raise Escape(path, real)
    return real
