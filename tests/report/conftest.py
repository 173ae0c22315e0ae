"""A realistic scan result, built from plain contract data, shared by the report tests."""

from __future__ import annotations

import pytest

from modeldeps.model import (
    ArtifactInfo,
    Dependency,
    Finding,
    Location,
    ModelReference,
    RefKind,
    ScanResult,
    ScanStats,
    Severity,
    Skipped,
    Stage,
)
from tests.contract import BERT, DEEPSEEK_API, DEEPSEEK_DISTILL, LLAMA_GGUF, OPENAI, QWEN, finding

COMMIT = "0A1B2C3D4E5F60718293A4B5C6D7E8F901234567"


def _finding(
    rule: str,
    sev: Severity,
    title: str,
    message: str,
    loc: Location,
    subject: str,
    remediation: str,
    *more: Location,
) -> Finding:
    """The shared builder with every text spelled out; a finding of several places grouped."""
    return finding(
        rule,
        sev,
        subject,
        loc,
        *more,
        title=title,
        message=message,
        remediation=remediation,
        grouped=bool(more),
    )


def make_result() -> ScanResult:
    """A scan of a small application that uses local, hub and API models."""
    chat = Location("app/chat.py", 12, 9)
    local = Location("app/local.py", 8, 5)
    distill = Location("app/reasoning.py", 21, 13)
    summarize = Location("app/summarize.py", 5, 22)
    settings = Location("config/settings.yaml", 3, 11)
    notebook = Location("notebooks/explore.ipynb", 2)
    pickle_file = Location("models/classifier.pt")
    references = (
        ModelReference(
            RefKind.HUB_MODEL,
            "Qwen/Qwen2.5-7B-Instruct",
            chat,
            "python",
            {
                "loader": "transformers.AutoModelForCausalLM.from_pretrained",
                "trust_remote_code": True,
            },
            QWEN,
        ),
        ModelReference(
            RefKind.HUB_MODEL,
            "Qwen/Qwen2.5-7B-Instruct",
            Location("app/chat.py", 13, 9),
            "python",
            {"loader": "transformers.AutoTokenizer.from_pretrained"},
            QWEN,
        ),
        ModelReference(
            RefKind.HUB_MODEL,
            "bartowski/Meta-Llama-3.1-8B-Instruct-GGUF",
            local,
            "python",
            {"loader": "llama_cpp.Llama.from_pretrained", "revision": COMMIT},
            LLAMA_GGUF,
        ),
        ModelReference(
            RefKind.HUB_MODEL,
            "deepseek-ai/DeepSeek-R1-Distill-Llama-8B",
            distill,
            "python",
            {"loader": "vllm.LLM", "revision": "main"},
            DEEPSEEK_DISTILL,
        ),
        ModelReference(
            RefKind.API_MODEL,
            "gpt-4o",
            summarize,
            "python",
            {"loader": "openai.OpenAI.chat.completions.create", "provider": "openai"},
            OPENAI,
        ),
        ModelReference(
            RefKind.ENDPOINT,
            "https://svc-user:hunter2@api.deepseek.com/v1?api_key=sk-abcdefghijklmnopqrstuvwx",
            settings,
            "config",
            {"key": "base_url", "provider": "deepseek"},
            DEEPSEEK_API,
        ),
        ModelReference(
            RefKind.HUB_MODEL, "someone/mystery-model", notebook, "notebook", {"cell": 3}
        ),
        ModelReference(
            RefKind.OLLAMA_MODEL,
            "qwen2.5:7b",
            Location("deploy/Modelfile", 1),
            "modelfile",
            {},
            QWEN,
        ),
    )
    artifacts = (
        ArtifactInfo(
            location=pickle_file,
            format="pytorch-zip",
            size_bytes=48_213,
            sha256="9f2c" + "0" * 60,
            tensors=4,
            dtype="F32",
            findings=(
                _finding(
                    "MD201",
                    Severity.CRITICAL,
                    "Pickle imports a dangerous callable",
                    "models/classifier.pt imports posix.system, which runs a command on load",
                    pickle_file,
                    "posix.system",
                    "Do not load this file; convert trusted weights to safetensors.",
                ),
            ),
        ),
        ArtifactInfo(
            location=Location("models/encoder/model.safetensors"),
            format="safetensors",
            size_bytes=437_951_328,
            sha256="a1" * 32,
            tensors=199,
            params=109_482_240,
            dtype="F32",
            metadata={"format": "pt", "architectures": "BertModel"},
            identity=BERT,
        ),
    )
    findings = (
        *artifacts[0].findings,
        _finding(
            "MD102",
            Severity.MEDIUM,
            "Model from a watch-listed jurisdiction or publisher",
            "Qwen/Qwen2.5-7B-Instruct is published by Alibaba Cloud (Qwen), headquartered in CN",
            chat,
            "Qwen/Qwen2.5-7B-Instruct",
            "Replace the model or record an exception with a reason and an expiry date.",
        ),
        _finding(
            "MD205",
            Severity.HIGH,
            "trust_remote_code=True",
            "from_pretrained(..., trust_remote_code=True) executes Python shipped with the model",
            chat,
            "Qwen/Qwen2.5-7B-Instruct",
            "Remove trust_remote_code=True, or pin a reviewed commit revision.",
        ),
        _finding(
            "MD401",
            Severity.LOW,
            "Hub model without a pinned commit revision",
            "Qwen/Qwen2.5-7B-Instruct is loaded without revision=; the files can change under you",
            chat,
            "Qwen/Qwen2.5-7B-Instruct",
            "Pass revision=<40-character commit hash>.",
            Location("app/chat.py", 13, 9),  # the tokenizer, from the same unpinned repository
        ),
        _finding(
            "MD401",
            Severity.LOW,
            "Hub model without a pinned commit revision",
            "deepseek-ai/DeepSeek-R1-Distill-Llama-8B is pinned to the branch 'main', not a commit",
            distill,
            "deepseek-ai/DeepSeek-R1-Distill-Llama-8B",
            "Pass revision=<40-character commit hash>.",
        ),
        _finding(
            "MD501",
            Severity.HIGH,
            "Data sent to an API operated in a watch-listed jurisdiction",
            "https://svc-user:hunter2@api.deepseek.com/v1 is operated by DeepSeek (CN)",
            settings,
            "api.deepseek.com",
            "Route requests through a provider in an allowed jurisdiction.",
        ),
        _finding(
            "MD302",
            Severity.LOW,
            "Acceptable-use policy",
            "Llama 3.1 Community License: acceptable-use policy and a 700M monthly-user threshold",
            local,
            "bartowski/Meta-Llama-3.1-8B-Instruct-GGUF",
            "Check the acceptable-use policy against the product's use.",
        ),
        _finding(
            "MD103",
            Severity.LOW,
            "Unknown provenance",
            "someone/mystery-model matches no publisher, family or artifact signal",
            notebook,
            "someone/mystery-model",
            "Add the model to a knowledge-base overlay with its publisher and a source.",
        ),
    )
    dependencies = (
        Dependency("npm", "@anthropic-ai/sdk", "^0.30.0", Location("web/package.json", 12)),
        Dependency("pypi", "openai", "==1.51.0", Location("requirements.txt", 4)),
        Dependency("pypi", "transformers", ">=4.40", Location("requirements.txt", 3)),
        Dependency("pypi", "vllm", "", Location("requirements.txt", 5), "runtime"),
    )
    return ScanResult(
        roots=("/home/dev/src/acme-assistant",),
        started_at="2025-01-15T10:30:00Z",
        tool_version="0.1.0",
        kb_version="2025.01",
        references=tuple(sorted(references, key=ModelReference.sort_key)),
        dependencies=tuple(sorted(dependencies, key=lambda d: (d.location, d.name))),
        artifacts=artifacts,
        findings=tuple(sorted(findings, key=lambda f: (-f.severity.rank, f.rule_id, f.location))),
        skipped=(
            Skipped(Location("vendor/broken.ipynb"), Stage.DETECT, "invalid JSON at byte 88"),
        ),
        stats=ScanStats(
            files_seen=42,
            files_parsed=17,
            files_cached=3,
            bytes_read=438_200_000,
            duration_s=1.84,
            files_unmatched=19,
            files_inspected=2,
            files_skipped=1,
        ),
    )


@pytest.fixture
def scan_result() -> ScanResult:
    return make_result()


@pytest.fixture
def empty_result() -> ScanResult:
    return ScanResult(
        roots=("proj",), started_at="2025-01-15T10:30:00Z", tool_version="0.1.0", kb_version=None
    )
