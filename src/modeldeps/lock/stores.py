"""Where local copies of models live (found as their own tools find them), and safe paths there."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path


def hf_hub_cache(env: Mapping[str, str] | None = None) -> Path:
    """The Hugging Face Hub cache, by the rules of ``huggingface_hub.constants``, read now.

    ``HF_HUB_CACHE``, else the legacy ``HUGGINGFACE_HUB_CACHE``, else ``$HF_HOME/hub``, where
    ``HF_HOME`` defaults to ``$XDG_CACHE_HOME/huggingface`` or ``~/.cache/huggingface``. The
    library evaluates these once at import; reading them per call lets a test or a long-lived
    caller change them. A test compares the two under several environments.
    """
    env = os.environ if env is None else env
    default_home = os.path.join(os.path.expanduser("~"), ".cache")
    hf_home = os.path.expandvars(
        os.path.expanduser(
            env.get("HF_HOME", os.path.join(env.get("XDG_CACHE_HOME", default_home), "huggingface"))
        )
    )
    legacy = env.get("HUGGINGFACE_HUB_CACHE", os.path.join(hf_home, "hub"))
    return Path(os.path.expandvars(os.path.expanduser(env.get("HF_HUB_CACHE", legacy))))


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
