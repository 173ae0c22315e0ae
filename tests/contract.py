"""Contract data the store, report and dashboard tests share: identities as the resolver
gives them, and findings as the assess stage reports them. One definition each, so a test
of the store and a test of a report speak of the same Qwen."""

from __future__ import annotations

from modeldeps.model import (
    Confidence,
    Evidence,
    Finding,
    Identity,
    LineageEdge,
    Location,
    PublisherRef,
    Severity,
)

QWEN = Identity(
    canonical_id="Qwen/Qwen2.5-7B-Instruct",
    family="qwen2.5",
    publisher=PublisherRef("alibaba-qwen", "Alibaba Cloud (Qwen)", "CN"),
    licenses=("apache-2.0",),
    open_weights=True,
    evidence=(
        Evidence("bundled-kb", "exact", "Qwen/Qwen2.5-7B-Instruct", "https://huggingface.co/Qwen"),
    ),
    confidence=Confidence.HIGH,
    decided_by="exact",
)
LLAMA = Identity(
    canonical_id="meta-llama/Llama-3.1-8B-Instruct",
    family="llama3.1",
    publisher=PublisherRef("meta", "Meta", "US"),
    licenses=("llama3.1",),
    open_weights=True,
    confidence=Confidence.HIGH,
    decided_by="exact",
)
LLAMA_GGUF = Identity(
    canonical_id="meta-llama/Llama-3.1-8B-Instruct",
    family="llama3.1",
    publisher=PublisherRef("meta", "Meta", "US"),
    licenses=("llama3.1",),
    open_weights=True,
    lineage=(LineageEdge("quantized", "meta-llama/Llama-3.1-8B-Instruct", "meta", "US"),),
    uploader="bartowski",
    evidence=(Evidence("bundled-kb", "reuploader", "bartowski re-uploads GGUF quantizations"),),
    confidence=Confidence.HIGH,
    decided_by="reuploader",
)
DEEPSEEK_DISTILL = Identity(
    canonical_id="deepseek-ai/DeepSeek-R1-Distill-Llama-8B",
    family="deepseek-r1-distill",
    publisher=PublisherRef("deepseek", "DeepSeek", "CN"),
    licenses=("mit", "llama3.1"),
    open_weights=True,
    lineage=(LineageEdge("distill", "meta-llama/Llama-3.1-8B", "meta", "US"),),
    lineage_countries=("US",),
    evidence=(Evidence("bundled-kb", "exact"),),
    confidence=Confidence.HIGH,
    decided_by="exact",
)
OPENAI = Identity(
    canonical_id="gpt-4o",
    family="gpt-4o",
    publisher=PublisherRef("openai", "OpenAI", "US"),
    licenses=("proprietary",),
    open_weights=False,
    evidence=(Evidence("bundled-kb", "exact", "api_models.yaml"),),
    confidence=Confidence.HIGH,
    decided_by="exact",
)
DEEPSEEK_API = Identity(
    canonical_id="api.deepseek.com",
    publisher=PublisherRef("deepseek", "DeepSeek", "CN"),
    evidence=(Evidence("bundled-kb", "endpoint", "endpoints.yaml"),),
    confidence=Confidence.MEDIUM,
    decided_by="endpoint",
)
BERT = Identity(
    canonical_id="google-bert/bert-base-uncased",
    family="bert",
    publisher=PublisherRef("google", "Google", "US"),
    licenses=("apache-2.0",),
    open_weights=True,
    evidence=(Evidence("artifact", "config.model_type", "model_type=bert"),),
    confidence=Confidence.MEDIUM,
    decided_by="artifact",
)


def finding(
    rule: str,
    severity: Severity,
    subject: str,
    *places: Location,
    title: str | None = None,
    message: str | None = None,
    remediation: str = "do something",
    grouped: bool = True,
) -> Finding:
    """A fingerprinted finding at ``places``, the first the one it is reported at.

    ``grouped`` findings are as the assess stage reports them, with every place in
    ``locations``; an inspector's are not grouped (``locations`` empty, one place)."""
    return Finding(
        rule_id=rule,
        severity=severity,
        confidence=Confidence.HIGH,
        title=title if title is not None else f"{rule} title",
        message=message if message is not None else f"{rule} about {subject}",
        location=places[0],
        remediation=remediation,
        subject=subject,
        locations=places if grouped else (),
    ).with_fingerprint()
