"""Small repositories made on the fly, and work functions that misbehave for the pool tests."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path
from typing import Any

from modeldeps.options import ScanOptions

MODELS = (
    "Qwen/Qwen2.5-7B-Instruct",
    "meta-llama/Llama-3.1-8B-Instruct",
    "deepseek-ai/DeepSeek-R1-Distill-Qwen-7B",
    "mistralai/Mistral-7B-Instruct-v0.3",
)


def make_repo(root: Path, index: int, *, git: bool = True, files: int = 3) -> Path:
    """A small Python service naming one or two models; a git checkout when ``git``."""
    root.mkdir(parents=True, exist_ok=True)
    model = MODELS[index % len(MODELS)]
    (root / "app.py").write_text(
        "from transformers import AutoModelForCausalLM\n"
        f'model = AutoModelForCausalLM.from_pretrained("{model}")\n'
    )
    for i in range(files):
        (root / f"util_{i}.py").write_text(f"def f{i}(x):\n    return x + {i}\n" * 20)
    if index % 3 == 0:
        (root / "llm.py").write_text(
            "from openai import OpenAI\n"
            'client = OpenAI(base_url="https://api.deepseek.com/v1")\n'
            'client.chat.completions.create(model="deepseek-chat", messages=[])\n'
        )
    if git:
        heads = root / ".git" / "refs" / "heads"
        heads.mkdir(parents=True, exist_ok=True)
        (root / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
        (heads / "main").write_text(f"{index + 1:040x}\n")
        (root / ".git" / "config").write_text(
            f'[remote "origin"]\n\turl = https://git.example.test/acme/svc-{index}.git\n'
        )
    return root


def make_org(base: Path, count: int, *, git: bool = True) -> list[Path]:
    return [make_repo(base / f"svc-{i:02d}", i, git=git) for i in range(count)]


def misbehaving(path: str, options: ScanOptions) -> dict[str, Any]:
    """Dies on ``crash``, hangs on ``hang``, raises on ``boom``, succeeds otherwise."""
    name = Path(path).name
    if name == "crash":
        os.kill(os.getpid(), signal.SIGKILL)
    if name == "hang":
        time.sleep(600)
    if name == "boom":
        raise MemoryError("boom")
    return {"ok": True, "path": path, "pid": os.getpid()}
