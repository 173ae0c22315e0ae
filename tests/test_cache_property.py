"""Property: for random trees and random edits of any declared input, a cached scan gives the
same exit code and the same JSON report (timestamps and cache counters aside) as ``--no-cache``.

The edits cover every input the stages declare: files in the tree (new, rewritten, deleted,
touched, swapped for same-size content with the modification time restored), the policy file
(in the tree, ignored by git, or given with ``--config`` from outside), ``.gitignore``, the
usage file, a knowledge-base overlay, and the options of each scan.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from modeldeps import pipeline
from modeldeps.cli.scan_cmd import exit_code
from modeldeps.options import ScanOptions
from modeldeps.report import RenderOptions, render
from modeldeps.scan_key import RACY_S

MODELS = [
    "Qwen/Qwen2.5-7B-Instruct",
    "meta-llama/Llama-3.1-8B-Instruct",
    "deepseek-ai/DeepSeek-V3",
    "acme-ml/support-bot",
]
PATHS = ["app.py", "sub/serve.sh", "sub/train.yaml", "llm.py", "w.safetensors"]


def _content(path: str, model: str, variant: int) -> bytes:
    if path.endswith(".py") and variant % 3 == 2:
        return (
            b"from openai import OpenAI\n"
            b'c = OpenAI(base_url="https://api.deepseek.com/v1")\n'
            b'c.chat.completions.create(model="deepseek-chat", messages=[])\n'
        )
    if path.endswith(".py"):
        trust = "True" if variant % 2 else "False"
        return (
            "from transformers import AutoModel\n"
            f'm = AutoModel.from_pretrained("{model}", trust_remote_code={trust})\n'
        ).encode()
    if path.endswith(".sh"):
        return f"vllm serve {model}\n".encode()
    if path.endswith(".yaml"):
        return f"model_name_or_path: {model}\n".encode()
    header = b'{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}'
    return len(header).to_bytes(8, "little") + header + bytes(4 * (variant % 2))


POLICIES = [
    None,
    "",
    "[deny]\ncountries = ['CN']\n",
    "[severity]\nMD205 = 'low'\n",
    "watch = {}\n",
    "[[ignore]]\nrule = 'MD401'\npath = 'sub/*'\nreason = 'reviewed'\n",
    "[allow]\npublishers = ['deepseek']\n",
]
GITIGNORES = [None, "*.sh\n", "sub/\n.modeldeps.toml\n"]
USAGE = [
    None,
    '[[models]]\nmodel = "Qwen/Qwen2.5-7B-Instruct"\nmonthly_input_tokens = 900\n'
    "monthly_output_tokens = 100\n",
    '[[models]]\nmodel = "meta-llama/Llama-3.1-8B-Instruct"\nmonthly_input_tokens = 5\n'
    "monthly_output_tokens = 1\n",
]
OVERLAYS = [
    None,
    "sources:\n- {id: internal, title: Internal registry, citation: CMDB, date: '2026-01-01'}\n"
    "publishers:\n- {id: acme, name: Acme Corp, hub_orgs: [acme-ml], country: DE,"
    " type: company, sources: [internal]}\n",
    "sources:\n- {id: internal, title: Internal registry, citation: CMDB, date: '2026-01-01'}\n"
    "publishers:\n- {id: acme, name: Acme Corp, hub_orgs: [acme-ml], country: CN,"
    " type: company, sources: [internal]}\n",
]

file_edit = st.tuples(
    st.just("file"),
    st.sampled_from(PATHS),
    st.sampled_from(["write", "delete", "touch", "swap", "swap"]),
    st.sampled_from(MODELS),
    st.integers(0, 5),
)
input_edit = st.one_of(
    st.tuples(st.just("policy"), st.sampled_from(range(len(POLICIES)))),
    st.tuples(st.just("config"), st.sampled_from(range(len(POLICIES)))),
    st.tuples(st.just("gitignore"), st.sampled_from(range(len(GITIGNORES)))),
    st.tuples(st.just("usage"), st.sampled_from(range(len(USAGE)))),
    st.tuples(st.just("overlay"), st.sampled_from(range(len(OVERLAYS)))),
)
scan_options = st.fixed_dictionaries(
    {
        "excludes": st.sampled_from([(), ("*.yaml",)]),
        "inspect_artifacts": st.booleans(),
        "config": st.sampled_from([True, True, True, False]),
        "usage": st.sampled_from([True, True, True, False]),
        "overlay": st.sampled_from([True, True, True, False]),
    }
)
#: Every path starts present, with random content; edits then change one input at a time.
tree = st.tuples(
    *[st.tuples(st.just(p), st.sampled_from(MODELS), st.integers(0, 5)) for p in PATHS]
)


def _set(path: Path, text: str | None) -> None:
    if text is None:
        path.unlink(missing_ok=True)
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def _apply(root: Path, outside: Path, edit: tuple[Any, ...]) -> None:
    kind = edit[0]
    if kind == "file":
        _, rel, op, model, variant = edit
        path = root / rel
        if op == "delete":
            path.unlink(missing_ok=True)
        elif op == "touch" and path.exists():
            os.utime(path)
        elif op == "swap" and path.exists():
            old, st_ = path.read_bytes(), path.stat()
            new = bytes(b if b not in b"TF" else (b"F" if b == ord("T") else b"T")[0] for b in old)
            new = new.replace(b"Qwen", b"Qvvn")  # same length, other content
            path.write_bytes(new)
            os.utime(path, ns=(st_.st_atime_ns, st_.st_mtime_ns))
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(_content(rel, model, variant))
    elif kind == "policy":
        _set(root / ".modeldeps.toml", POLICIES[edit[1]])
    elif kind == "config":
        _set(outside / "policy.toml", POLICIES[edit[1]] or "")
    elif kind == "gitignore":
        _set(root / ".gitignore", GITIGNORES[edit[1]])
    elif kind == "usage":
        _set(outside / "usage.toml", USAGE[edit[1]])
    else:
        _set(outside / "overlay.yaml", OVERLAYS[edit[1]])


def _verdict(root: Path, options: ScanOptions) -> tuple[int, dict[str, Any]] | str:
    """Exit code and report, as the CLI would give them; a configuration error by its text."""
    from modeldeps.errors import ModeldepsError

    try:
        result = pipeline.scan([root], options)
    except ModeldepsError as exc:
        return str(exc)
    doc = json.loads(render(result, "json", RenderOptions(reproducible=True)))
    doc["stats"] = None  # cache counters differ by design
    return exit_code(result, options.fail_on, options.strict), doc


def _options(outside: Path, cache: Path, chosen: dict[str, Any]) -> ScanOptions:
    opts = ScanOptions(
        cache_dir=cache,
        excludes=chosen["excludes"],
        inspect_artifacts=chosen["inspect_artifacts"],
    )
    if chosen["config"] and (outside / "policy.toml").exists():
        opts = replace(opts, config_file=outside / "policy.toml")
    if chosen["usage"] and (outside / "usage.toml").exists():
        opts = replace(opts, usage_file=outside / "usage.toml")
    if chosen["overlay"] and (outside / "overlay.yaml").exists():
        opts = replace(opts, kb_overlays=(outside / "overlay.yaml",))
    return opts


@pytest.mark.parametrize("racy_s", [RACY_S, 0.0], ids=["racy-window", "stat-only"])
@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    start=tree,
    chosen=scan_options,
    edits=st.lists(st.one_of(file_edit, input_edit), min_size=3, max_size=6),
)
def test_cached_scan_equals_uncached_scan(
    monkeypatch: pytest.MonkeyPatch,
    racy_s: float,
    start: tuple[tuple[str, str, int], ...],
    chosen: dict[str, Any],
    edits: list[tuple[Any, ...]],
) -> None:
    # With no racy window every stat is trusted at once: the stat alone must catch each edit.
    monkeypatch.setattr(pipeline, "RACY_S", racy_s)
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        root, outside, cache = base / "root", base / "outside", base / "cache"
        root.mkdir()
        outside.mkdir()
        for rel, model, variant in start:
            _apply(root, outside, ("file", rel, "write", model, variant))
        for name in ("policy.toml", "usage.toml", "overlay.yaml"):
            (outside / name).write_text("")
        (outside / "usage.toml").write_text(USAGE[1] or "")
        (outside / "overlay.yaml").write_text(OVERLAYS[1] or "")
        opts = _options(outside, cache, chosen)
        assert _verdict(root, opts) == _verdict(root, replace(opts, use_cache=False))
        # One input changes at a time, so a change the key misses shows as a stale verdict.
        for edit in edits:
            _apply(root, outside, edit)
            opts = _options(outside, cache, chosen)
            cached = _verdict(root, opts)
            again = _verdict(root, opts)  # the whole-scan cache answers this one
            fresh = _verdict(root, replace(opts, use_cache=False))
            assert cached == fresh, edit
            assert again == fresh, edit
