"""Flat rows shared by the Markdown and HTML reports: inventory, findings, license counts."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from modeldeps.model import Finding, Identity, ScanResult
from modeldeps.report.redact import redact
from modeldeps.summary import distinct_models, ranked


@dataclass(frozen=True, slots=True)
class InventoryRow:
    """One reference or model file, as a report row."""

    kind: str
    model: str
    location: str
    path: str
    line: int
    publisher: str
    country: str  # the publisher's country, then "base: XX" when a base comes from elsewhere
    license: str
    via: str
    findings: int


def _cells(ident: Identity | None) -> tuple[str, str, str]:
    if ident is None or ident.publisher is None:
        lic = ", ".join(ident.licenses) if ident else ""
        return ("unknown", "unknown", lic)
    own = ident.publisher.country
    bases = sorted(set(ident.lineage_countries) - {own})
    country = own + (f" (base: {', '.join(bases)})" if bases else "")
    return (ident.publisher.name, country, ", ".join(ident.licenses))


def inventory_rows(result: ScanResult) -> list[InventoryRow]:
    """Every reference and artifact, sorted by location, credentials redacted."""
    per_place = Counter((p.path, p.line) for f in result.findings for p in f.places)
    rows = []
    for ref in result.references:
        pub, country, lic = _cells(ref.identity)
        via = ref.context.get("loader") or ref.context.get("key") or ref.detector
        loc = ref.location
        rows.append(
            InventoryRow(
                kind=ref.kind.value,
                model=redact(ref.value),
                location=str(loc),
                path=loc.path,
                line=loc.line or 0,
                publisher=pub,
                country=country,
                license=lic,
                via=redact(str(via)),
                findings=per_place[(loc.path, loc.line)],
            )
        )
    on_file = findings_by_path(result)
    for art in result.artifacts:
        pub, country, lic = _cells(art.identity)
        name = art.identity.canonical_id if art.identity and art.identity.canonical_id else ""
        loc = art.location
        rows.append(
            InventoryRow(
                kind="artifact",
                model=name or loc.path.rsplit("/", 1)[-1],
                location=str(loc),
                path=loc.path,
                line=loc.line or 0,
                publisher=pub,
                country=country,
                license=lic,
                via=art.format,
                findings=len(on_file.get(loc.path, ())),
            )
        )
    return sorted(rows, key=lambda r: (r.path, r.line, r.kind, r.model))


def findings_by_path(result: ScanResult) -> dict[str, list[Finding]]:
    """The assessed findings (``result.findings``, after severity overrides, ignores and the
    baseline) of each file. A model file's own ``ArtifactInfo.findings`` are what the inspector
    saw before policy, so reports never count or grade by them."""
    out: dict[str, list[Finding]] = {}
    for f in result.findings:
        for path in dict.fromkeys(p.path for p in f.places):
            out.setdefault(path, []).append(f)
    return out


def more_places(f: Finding) -> str:
    """`` (+N more)`` after a finding's first location when it was seen in N more places."""
    extra = len(f.places) - 1
    return f" (+{extra} more)" if extra > 0 else ""


def sorted_findings(findings: tuple[Finding, ...]) -> list[Finding]:
    """Most severe first, then by place and rule."""
    return sorted(
        findings,
        key=lambda f: (
            -f.severity.rank,
            f.location.path,
            f.location.line or 0,
            f.rule_id,
            f.message,
        ),
    )


def license_counts(result: ScanResult) -> list[tuple[str, int]]:
    """How many distinct models carry each license ("unknown" when none is known)."""
    counts: Counter[str] = Counter()
    for ident in distinct_models(result).values():
        licenses = set(ident.licenses) if ident else set()
        for lic in licenses or {"unknown"}:
            counts[lic] += 1
    return ranked(counts)
