"""Stores are found as their own tools find them; paths stay inside them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from modeldeps.discover.inspectors.ollama import model_name
from modeldeps.lock.ollama_store import manifest_relpath, normalize
from modeldeps.lock.stores import Escape, hf_hub_cache, inside, ollama_store, repo_folder

_ENVS = [
    {},
    {"XDG_CACHE_HOME": "/x/cache"},
    {"HF_HOME": "/h/home"},
    {"HF_HOME": "~/hf", "XDG_CACHE_HOME": "/ignored"},
    {"HUGGINGFACE_HUB_CACHE": "/legacy/hub"},
    {"HF_HUB_CACHE": "/new/hub", "HUGGINGFACE_HUB_CACHE": "/legacy/hub", "HF_HOME": "/h"},
    {"HF_HUB_CACHE": "$HOME/expanded"},
]


def test_hf_cache_found_exactly_as_huggingface_hub_finds_it() -> None:
    """huggingface_hub decides at import; ask it in a fresh interpreter under each environment,
    and ask ours in this one after changing the environment."""
    base = {
        k: v for k, v in os.environ.items() if not k.startswith(("HF_", "HUGGINGFACE_", "XDG_"))
    }
    base["HOME"] = "/home/someone"
    code = "import huggingface_hub.constants as c; print(c.HF_HUB_CACHE)"
    for extra in _ENVS:
        env = {**base, **extra}
        out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
        assert out.returncode == 0, out.stderr
        old = dict(os.environ)
        try:
            os.environ.clear()
            os.environ.update(env)
            ours = str(hf_hub_cache())
        finally:
            os.environ.clear()
            os.environ.update(old)
        assert ours == out.stdout.strip(), extra


def test_ollama_store_and_repo_folders() -> None:
    assert ollama_store({"OLLAMA_MODELS": "/srv/ollama"}) == Path("/srv/ollama")
    assert ollama_store({}) == Path.home() / ".ollama" / "models"
    assert repo_folder("Qwen/Qwen2.5-7B") == "models--Qwen--Qwen2.5-7B"


@pytest.mark.parametrize(
    "name", ["qwen2.5:7b", "user/m:latest", "hf.co/org/repo-GGUF:Q4_K_M", "llama3:8b-instruct"]
)
def test_manifest_paths_invert_the_inspectors_naming(name: str) -> None:
    parts = tuple(manifest_relpath(name).split("/"))
    assert model_name(parts) == name


def test_ollama_names_are_normalized() -> None:
    assert normalize("qwen2.5") == "qwen2.5:latest"
    assert normalize("ollama/llama3") == "llama3:latest"
    assert normalize("qwen2.5:7b@sha256:abc") == "qwen2.5:7b"
    assert normalize("../../etc:x") is None


def test_inside_refuses_links_that_leave(tmp_path: Path) -> None:
    root = tmp_path / "root"
    (root / "a").mkdir(parents=True)
    (root / "a" / "f").write_text("x")
    (tmp_path / "outside").write_text("y")
    (root / "in").symlink_to("a/f")
    (root / "out").symlink_to("../outside")
    (root / "hop").symlink_to("out")
    real = root.resolve()
    assert inside(root / "in", real) == str(real / "a" / "f")
    for name in ("out", "hop"):
        with pytest.raises(Escape):
            inside(root / name, real)
