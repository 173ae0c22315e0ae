"""A small organization store made the way a user makes one: real scans of generated trees.

Four repositories, each scanned at three versions over two months; three are git checkouts
(``.git`` written by hand: HEAD, a branch ref and a remote), one is a plain tree. A fifth
is scanned twice and then fails in a real ``scan-many`` run (its policy file is broken).
One file names a model ``evil/"><script>…`` so every page can be checked to show it as
text. The rows come from ``pipeline.scan``, ``store.save.save_scan`` and the ``scan-many``
driver, never from hand-made inserts, so they cannot drift from the real schema. Only
``started_at`` is moved back in time, to give the history a shape.
"""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from modeldeps.options import ScanOptions
from modeldeps.pipeline import scan
from modeldeps.scanmany.driver import scan_many
from modeldeps.scanmany.targets import Target
from modeldeps.store.connect import open_store
from modeldeps.store.identify import identify
from modeldeps.store.save import save_scan

HOSTILE = 'evil/"><script>window.__xss=1</script>'
START = datetime(2026, 9, 1, 9, 0, 0)

_PY_BASE = """from transformers import AutoModel, AutoTokenizer
from openai import OpenAI

client = OpenAI()
EMBEDDER = "BAAI/bge-m3"


def load():
    tok = AutoTokenizer.from_pretrained("Qwen/Qwen2.5-7B-Instruct")
    return AutoModel.from_pretrained("Qwen/Qwen2.5-7B-Instruct"), tok


def answer(q: str) -> str:
    out = client.chat.completions.create(model="gpt-4o", messages=[])
    return out.choices[0].message.content or ""
"""

_PY_DEEPSEEK = """from openai import OpenAI

deepseek = OpenAI(base_url="https://api.deepseek.com/v1", api_key="set-in-env")


def reason(q: str) -> str:
    out = deepseek.chat.completions.create(model="deepseek-reasoner", messages=[])
    return out.choices[0].message.content or ""
"""

_PY_HOSTILE = f"""from transformers import AutoModel

head = AutoModel.from_pretrained('{HOSTILE}')
"""

_TS_CHAT = """import OpenAI from "openai";
import Anthropic from "@anthropic-ai/sdk";

const kimi = new OpenAI({ baseURL: "https://api.moonshot.ai/v1" });
const claude = new Anthropic();

export async function ask(question: string) {
  const reply = await kimi.chat.completions.create({
    model: "kimi-k2-0711-preview",
    messages: [{ role: "user", content: question }],
  });
  return reply.choices[0].message.content;
}

export async function draft(prompt: string) {
  const model = "claude-sonnet-4-20250514";
  return claude.messages.create({ model, max_tokens: 512, messages: [] });
}
"""

_TS_CHAT_V3 = _TS_CHAT.replace("kimi-k2-0711-preview", "gpt-4o-mini").replace(
    '({ baseURL: "https://api.moonshot.ai/v1" })', "()"
)

_SFT = """# Supervised fine-tuning recipe
model_name_or_path: {base}
dataset_name: HuggingFaceH4/ultrachat_200k
output_dir: ./out/support
learning_rate: 2.0e-5
teacher_model: {teacher}
"""

_COMPOSE = """services:
  vllm:
    image: vllm/vllm-openai:v0.6.3
    command: ["--model", "{model}"]
"""

#: repository name → (git remote or None, three versions of {path: text}).
REPOS: dict[str, tuple[str | None, list[dict[str, str]]]] = {
    "payments-api": (
        "https://git.example.com/acme/payments-api.git",
        [
            {"app/llm.py": _PY_BASE},
            {"app/llm.py": _PY_BASE, "app/reason.py": _PY_DEEPSEEK},
            {"app/llm.py": _PY_BASE, "app/reason.py": _PY_DEEPSEEK, "app/head.py": _PY_HOSTILE},
        ],
    ),
    "chat-web": (
        "git@git.example.com:acme/chat-web.git",
        [
            {"src/chat.ts": _TS_CHAT},
            {"src/chat.ts": _TS_CHAT},
            {"src/chat.ts": _TS_CHAT_V3},
        ],
    ),
    "ml-training": (
        None,
        [
            {
                "recipes/sft.yaml": _SFT.format(
                    base="meta-llama/Llama-3.1-8B-Instruct", teacher="mistralai/Mistral-7B-v0.3"
                )
            },
            {
                "recipes/sft.yaml": _SFT.format(
                    base="Qwen/Qwen2.5-1.5B-Instruct",
                    teacher="deepseek-ai/DeepSeek-R1-Distill-Qwen-7B",
                )
            },
            {
                "recipes/sft.yaml": _SFT.format(
                    base="Qwen/Qwen2.5-1.5B-Instruct",
                    teacher="deepseek-ai/DeepSeek-R1-Distill-Qwen-7B",
                ),
                "deploy/docker-compose.yml": _COMPOSE.format(model="deepseek-ai/DeepSeek-V3"),
            },
        ],
    ),
    "search-service": (
        "https://git.example.com/acme/search-service.git",
        [
            {"deploy/docker-compose.yml": _COMPOSE.format(model="mistralai/Mistral-7B-v0.3")},
            {"deploy/docker-compose.yml": _COMPOSE.format(model="google/gemma-2-9b-it")},
            {"deploy/docker-compose.yml": _COMPOSE.format(model="google/gemma-2-9b-it")},
        ],
    ),
}


#: A repository whose third version cannot be scanned: its policy file is not TOML.
FAILING = "billing-worker"
_FAILING_VERSIONS = [
    {"worker.py": _PY_DEEPSEEK},
    {"worker.py": _PY_DEEPSEEK.replace("deepseek-reasoner", "deepseek-chat")},
    {"worker.py": _PY_DEEPSEEK, ".modeldeps.toml": "[watch\nbroken =\n"},
]


@dataclass(frozen=True, slots=True)
class BuiltStore:
    """Where the store is and what went into it."""

    url: str
    path: Path
    repositories: tuple[str, ...]
    scans: int


def _write_git(root: Path, remote: str, version: int, name: str) -> None:
    git = root / ".git"
    (git / "refs" / "heads").mkdir(parents=True, exist_ok=True)
    (git / "HEAD").write_text("ref: refs/heads/main\n")
    sha = hashlib.sha1(f"{name}@{version}".encode()).hexdigest()
    (git / "refs" / "heads" / "main").write_text(sha + "\n")
    (git / "config").write_text(f'[remote "origin"]\n\turl = {remote}\n')


def _write_tree(root: Path, files: dict[str, str]) -> None:
    for old in sorted(root.rglob("*"), reverse=True):
        if ".git" in old.relative_to(root).parts:
            continue
        if old.is_file():
            old.unlink()
        elif old.is_dir():
            old.rmdir()
    for rel, text in files.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")


def build_store(workdir: Path, url: str | None = None) -> BuiltStore:
    """Scan every repository at each version, oldest first, saving each scan to a new store.

    The store is a SQLite file in ``workdir`` unless ``url`` names another (PostgreSQL).
    """
    path = workdir / "store.sqlite3"
    url = url or f"sqlite:///{path}"
    options = ScanOptions(use_cache=False, fail_on=None, jobs=1)
    count = 0
    repos = dict(REPOS)
    repos[FAILING] = ("https://git.example.com/acme/billing-worker.git", _FAILING_VERSIONS)
    with open_store(url) as store:
        for version in range(3):
            for offset, (name, (remote, versions)) in enumerate(repos.items()):
                root = workdir / name
                root.mkdir(parents=True, exist_ok=True)
                _write_tree(root, versions[version])
                if remote is not None:
                    _write_git(root, remote, version, name)
                if name == FAILING and version == 2:
                    summary = scan_many(store, [Target(root, name)], options, executor="serial")
                    assert [i.status for i in summary.items] == ["failed"], summary.items
                    continue
                result = scan([root], options)
                when = START + timedelta(days=28 * version + offset, hours=offset)
                result = dataclasses.replace(result, started_at=when.isoformat() + "+00:00")
                with store.write() as conn:
                    outcome = save_scan(conn, result, identify(root), now=when)
                count += int(outcome.created)
    return BuiltStore(url, path, tuple(repos), count)
