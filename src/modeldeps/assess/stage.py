"""The assess stage itself: rules, policy, suppressions and baseline applied to a scan result."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

from modeldeps.assess.baseline import load_baseline
from modeldeps.assess.concentration import usage_weights
from modeldeps.assess.grouping import merge_by_fingerprint
from modeldeps.assess.knowledge import EmptyKnowledge, Knowledge, load_knowledge
from modeldeps.assess.policy import Policy, load_policy, policy_candidates
from modeldeps.assess.rules import RuleContext, all_rules
from modeldeps.assess.suppress import InlineSuppressions, split_suppressed
from modeldeps.errors import StageError
from modeldeps.model import Finding, ScanResult
from modeldeps.options import ScanOptions
from modeldeps.rule_catalog import known, rule_info
from modeldeps.scan_key import Declaration

__all__ = ["assess", "declared_inputs", "finding_sort_key", "run_assessment", "scan_date"]


def scan_date(result: ScanResult) -> date:
    """The day the scan started (UTC): rules and expiry dates are judged on it."""
    try:
        return datetime.fromisoformat(result.started_at).date()
    except (TypeError, ValueError):
        return datetime.now(UTC).date()


def finding_sort_key(f: Finding) -> tuple[int, str, str, int, str]:
    """Most severe first, then by rule, place and fingerprint: a stable, reproducible order."""
    return (-f.severity.rank, f.rule_id, f.location.path, f.location.line or 0, f.fingerprint)


def _annotate(f: Finding) -> Finding:
    """A finding with its rule's title and remediation from the catalog (the one source)."""
    if not known(f.rule_id):
        raise StageError(f"a finding names rule {f.rule_id!r}, which the rule catalog lacks")
    info = rule_info(f.rule_id)
    return replace(f, title=info.title, remediation=info.remediation).with_fingerprint()


def _regrade(findings: Iterable[Finding], policy: Policy) -> list[Finding]:
    out: list[Finding] = []
    for f in findings:
        if f.rule_id in policy.severity:
            level = policy.severity[f.rule_id]
            if level is None:  # the policy turned the rule off
                continue
            f = replace(f, severity=level)
        out.append(f)
    return out


def assess(
    result: ScanResult,
    policy: Policy,
    knowledge: Knowledge,
    *,
    roots: tuple[Path, ...] = (),
    max_bytes: int = 4 * 1024 * 1024,
    baseline: Path | None = None,
    usage: Mapping[str, float] | None = None,
) -> ScanResult:
    """Run every enabled rule under ``policy`` and return ``result`` with its findings.

    ``usage`` (model id -> tokens or requests) weighs concentration when the policy says
    ``weight = "usage"``.
    """
    today = scan_date(result)
    ctx = RuleContext(result, policy, knowledge, today, roots[0] if roots else None, usage)
    raw: list[Finding] = [_annotate(f) for f in result.findings]
    for art in result.artifacts:
        raw.extend(_annotate(f) for f in art.findings)
    for rule in all_rules():
        if not policy.enabled(rule.id):
            continue
        try:
            raw.extend(f.with_fingerprint() for f in rule.check(ctx))
        except Exception as exc:
            # A rule that cannot run leaves the verdict unknown: stop rather than pass.
            raise StageError(f"rule {rule.id} failed: {type(exc).__name__}: {exc}") from exc
    # Suppress place by place, then merge: an ignore for tests/** hides the test locations of a
    # finding, not a finding that is also somewhere else.
    inline = InlineSuppressions(roots, max_bytes) if roots else None
    kept, _hidden = split_suppressed(_regrade(raw, policy), policy.ignores, inline, today)
    findings = merge_by_fingerprint(kept)
    findings.sort(key=finding_sort_key)
    if baseline is not None:
        findings, _known = load_baseline(baseline).filter(findings)
    return replace(result, findings=tuple(findings))


def run_assessment(
    result: ScanResult,
    options: ScanOptions,
    root: Path,
    *,
    knowledge: Knowledge | None = None,
    use_baseline: bool = True,
    usage: Mapping[str, float] | None = None,
) -> ScanResult:
    """The assess stage of a scan: load the policy and knowledge, then ``assess``.

    ``usage`` defaults to the monthly tokens per model of ``options.usage_file``, if any.
    """
    policy = load_policy(root, options.config_file)
    if usage is None and options.usage_file is not None:
        usage = usage_weights(options.usage_file)
    if knowledge is None:
        knowledge = _knowledge(options) if options.resolve else EmptyKnowledge()
    roots = tuple(Path(r) for r in result.roots) or (root,)
    return assess(
        result,
        policy,
        knowledge,
        roots=roots,
        max_bytes=options.max_text_bytes,
        baseline=(options.baseline or policy.baseline) if use_baseline else None,
        usage=usage,
    )


def declared_inputs(root: Path, options: ScanOptions) -> Declaration:
    """What the assess stage reads besides the scan result: the policy file actually loaded
    (wherever it is, ignored by git or not), the baseline and the usage file."""
    policy = load_policy(root, options.config_file)
    files = (
        *policy_candidates(root, options.config_file),
        options.baseline or policy.baseline,
        options.usage_file,
    )
    return Declaration("assess", files=files)


def _knowledge(options: ScanOptions) -> Knowledge:
    from modeldeps.pipeline import load_stage

    resolve = load_stage("resolve", "modeldeps.resolve")
    resolver = resolve.Resolver.create(overlays=options.kb_overlays, use_cache=options.use_cache)
    return load_knowledge(resolver)
