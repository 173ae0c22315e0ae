"""The rule catalogue: stable, documented IDs, and docs/rules.md generated from the docstrings."""

from __future__ import annotations

import os
import re
from pathlib import Path

from modeldeps.assess.catalog import rule_record, rules_markdown
from modeldeps.assess.rules import RULE_CLASSES, get_rule, rule_ids

DOC = Path(__file__).resolve().parents[2] / "docs" / "rules.md"

#: The project-wide rule table. IDs are never renamed: this list only grows.
FIXED = {
    "MD101": "high", "MD102": "medium", "MD103": "low", "MD104": "medium", "MD105": "medium",
    "MD201": "critical", "MD202": "high", "MD203": "low", "MD204": "medium", "MD205": "high",
    "MD206": "high", "MD207": "critical", "MD208": "high", "MD209": "medium", "MD210": "low",
    "MD211": "info", "MD301": "high", "MD302": "low", "MD303": "medium", "MD304": "medium",
    "MD305": "low", "MD306": "low", "MD401": "low", "MD402": "medium", "MD501": "high",
}  # fmt: skip


def test_every_fixed_id_exists_with_its_default_severity() -> None:
    for rid, severity in FIXED.items():
        cls = get_rule(rid)
        assert cls is not None, rid
        assert cls.severity.value == severity, rid


def test_ids_are_unique_well_formed_and_in_order() -> None:
    ids = list(rule_ids())
    assert len(ids) == len(set(ids)) and ids == sorted(ids)
    assert all(re.fullmatch(r"MD\d{3}", rid) for rid in ids)


def test_every_rule_is_documented() -> None:
    for cls in RULE_CLASSES:
        rec = rule_record(cls)
        assert rec["title"] and rec["remediation"], cls.id
        assert len(rec["doc"].split("\n\n")) >= 2, f"{cls.id}: summary and details"
        assert rec["summary"].endswith("."), cls.id
        assert rec["emitted_by"] in {"assess", "inspect", "lock"}


def test_docs_rules_md_is_current() -> None:
    text = rules_markdown()
    if os.environ.get("MODELDEPS_UPDATE_SNAPSHOTS"):
        DOC.write_text(text, encoding="utf-8")
    assert DOC.read_text(encoding="utf-8") == text, (
        "docs/rules.md is stale: regenerate with MODELDEPS_UPDATE_SNAPSHOTS=1"
    )
