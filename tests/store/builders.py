"""Small scan results built from contract types, and helpers to save them."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

from modeldeps.model import (
    ArtifactInfo,
    Dependency,
    Finding,
    Identity,
    Location,
    ModelReference,
    RefKind,
    ScanResult,
    ScanStats,
    Severity,
    Skipped,
    Stage,
)
from modeldeps.store.connect import Store
from modeldeps.store.identify import RepoIdentity
from modeldeps.store.save import SaveOutcome, save_scan
from tests.contract import LLAMA, OPENAI, QWEN, finding


def ref(
    kind: RefKind, value: str, path: str, line: int, ident: Identity | None, **context: object
) -> ModelReference:
    return ModelReference(kind, value, Location(path, line, 5), "python", dict(context), ident)  # type: ignore[arg-type]


def result(
    *refs: ModelReference,
    findings: tuple[Finding, ...] = (),
    started: str = "2026-11-01T10:00:00+00:00",
    artifacts: tuple[ArtifactInfo, ...] = (),
) -> ScanResult:
    return ScanResult(
        roots=("/repos/app",),
        started_at=started,
        tool_version="0.1.0",
        kb_version="2026.11.3",
        references=refs,
        dependencies=(Dependency("pypi", "openai", ">=1.0", Location("requirements.txt", 3)),),
        artifacts=artifacts,
        findings=findings,
        skipped=(
            Skipped(Location("big.json"), Stage.DETECT, "larger than 4 MiB"),
            Skipped(Location("models.lock", 3), Stage.LOCK, "not used: models.lock:3: bad pin"),
        ),
        # every counter set, and the five file counts adding up to files_seen as a scan's do
        stats=ScanStats(
            files_seen=15,
            files_parsed=8,
            files_cached=1,
            bytes_read=1234,
            duration_s=0.5,
            files_unmatched=2,
            files_inspected=2,
            files_skipped=2,
        ),
    )


def rich_result(started: str = "2026-11-01T10:00:00+00:00") -> ScanResult:
    """A result with every kind of content the store keeps."""
    art_finding = finding(  # as the inspector reports it: one place, not grouped
        "MD201", Severity.CRITICAL, "weights/model.pt", Location("weights/model.pt"), grouped=False
    )
    artifact = ArtifactInfo(
        location=Location("weights/model.pt"),
        format="pytorch-zip",
        size_bytes=10**10,
        sha256="ab" * 32,
        tensors=291,
        params=8_030_000_000,
        dtype="bf16",
        metadata={"general.architecture": "llama", "nested": {"a": [1, 2]}},
        findings=(art_finding,),
        bytes_read=4096,
        identity=LLAMA,
    )
    return result(
        ref(
            RefKind.HUB_MODEL,
            "Qwen/Qwen2.5-7B-Instruct",
            "app/chat.py",
            12,
            QWEN,
            loader="transformers.AutoModel.from_pretrained",
            trust_remote_code=True,
        ),
        ref(RefKind.HUB_MODEL, "Qwen/Qwen2.5-7B-Instruct", "app/chat.py", 13, QWEN),
        ref(RefKind.API_MODEL, "gpt-4o", "app/llm.py", 4, OPENAI, provider="openai"),
        ref(
            RefKind.ENDPOINT, "https://api.deepseek.com/v1", "app/llm.py", 9, None, egress="client"
        ),
        ref(RefKind.HUB_MODEL, "acme/unknown-model", "train.py", 2, None),
        findings=(
            finding(
                "MD205",
                Severity.HIGH,
                "Qwen/Qwen2.5-7B-Instruct",
                Location("app/chat.py", 12, 5),
                Location("app/chat.py", 13, 5),
            ),
            finding(
                "MD501", Severity.HIGH, "https://api.deepseek.com/v1", Location("app/llm.py", 9)
            ),
        ),
        started=started,
        artifacts=(artifact,),
    )


def repo(name: str = "app", commit: str | None = "a" * 40) -> RepoIdentity:
    return RepoIdentity(
        key=f"git.example.test/acme/{name}",
        name=name,
        path=f"/repos/{name}",
        remote_url=f"https://git.example.test/acme/{name}.git",
        commit=commit,
        branch="main",
    )


def save(store: Store, res: ScanResult, rep: RepoIdentity, tree: str | None = None) -> SaveOutcome:
    with store.write() as conn:
        return save_scan(conn, res, rep, tree_digest=tree)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC).replace(tzinfo=None)


def with_started(res: ScanResult, started: str) -> ScanResult:
    return dataclasses.replace(res, started_at=started)
