"""Builders for small scan results: plain contract data, as the earlier stages produce it."""

from __future__ import annotations

from pathlib import Path

from modeldeps.assess import assess
from modeldeps.assess.knowledge import Knowledge, load_knowledge
from modeldeps.assess.policy import Policy, parse_policy
from modeldeps.model import (
    ArtifactInfo,
    ContextValue,
    Finding,
    Identity,
    Location,
    ModelReference,
    PublisherRef,
    RefKind,
    ScanResult,
)
from modeldeps.resolve import Resolver

_RESOLVER = Resolver.create()
KB: Knowledge = load_knowledge(_RESOLVER)


def ref(
    value: str,
    kind: RefKind = RefKind.HUB_MODEL,
    *,
    path: str = "app.py",
    line: int = 1,
    resolve: bool = True,
    **context: ContextValue,
) -> ModelReference:
    """A reference, resolved by the real resolver unless ``resolve`` is false."""
    r = ModelReference(kind, value, Location(path, line), "python", dict(context))
    if resolve:
        from dataclasses import replace

        r = replace(r, identity=_RESOLVER.resolve_reference(r))
    return r


def ident(canonical: str, pub: str, country: str, *licenses: str, **kw: object) -> Identity:
    return Identity(
        canonical_id=canonical,
        family=kw.pop("family", None),  # type: ignore[arg-type]
        publisher=PublisherRef(pub, pub.title(), country),
        licenses=licenses,
        **kw,  # type: ignore[arg-type]
    )


def result(
    *refs: ModelReference,
    artifacts: tuple[ArtifactInfo, ...] = (),
    started: str = "2025-06-01T12:00:00+00:00",
    roots: tuple[str, ...] = ("/nonexistent-root",),
) -> ScanResult:
    return ScanResult(
        roots=roots,
        started_at=started,
        tool_version="0",
        kb_version=None,
        references=refs,
        artifacts=artifacts,
    )


def policy(**doc: object) -> Policy:
    return parse_policy(doc, source="test.toml")


def run(
    res: ScanResult,
    pol: Policy | None = None,
    kb: Knowledge | None = None,
    roots: tuple[Path, ...] = (),
    baseline: Path | None = None,
) -> list[Finding]:
    out = assess(res, pol or Policy(), kb or KB, roots=roots, baseline=baseline)
    return list(out.findings)


def ids(findings: list[Finding]) -> list[str]:
    return sorted(f.rule_id for f in findings)


def of(findings: list[Finding], rule_id: str) -> list[Finding]:
    return [f for f in findings if f.rule_id == rule_id]
