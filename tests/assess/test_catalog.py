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
        rec = rule_record(cls.id)
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


def test_the_catalog_and_the_rule_registry_name_the_same_rules() -> None:
    from modeldeps.rule_catalog import RULES

    assert [r.id for r in RULES] == list(rule_ids())
    for info in RULES:
        cls = get_rule(info.id)
        assert cls is not None
        assert (cls.title, cls.severity, cls.cwe, cls.remediation) == (
            info.title,
            info.severity,
            info.cwe,
            info.remediation,
        )


def test_a_rule_class_cannot_state_what_the_catalog_holds() -> None:
    import pytest

    from modeldeps.assess.rules.interface import Rule

    with pytest.raises(TypeError, match="catalog"):

        class Stray(Rule):  # a second title for MD501 would reach reports under two names
            id = "MD501"
            title = "Another name"


def test_inspectors_emit_only_catalog_rules_under_catalog_titles() -> None:
    from modeldeps.discover.inspectors.support import finding
    from modeldeps.model import Severity
    from modeldeps.rule_catalog import known, rule_info

    src = Path(__file__).resolve().parents[2] / "src" / "modeldeps" / "discover" / "inspectors"
    emitted = set()
    for path in src.glob("*.py"):
        emitted |= set(re.findall(r"\"(MD\d{3})\"", path.read_text(encoding="utf-8")))
    assert emitted and all(known(rid) for rid in emitted), emitted
    for rid in emitted:
        f = finding(rid, Severity.LOW, "m", "a.bin")
        assert (f.title, f.remediation) == (rule_info(rid).title, rule_info(rid).remediation)


def test_remediation_and_docs_name_only_commands_that_exist() -> None:
    from modeldeps.cli.app import COMMAND_MODULES
    from modeldeps.rule_catalog import RULES

    top = Path(__file__).resolve().parents[2]
    texts = [r.remediation for r in RULES] + [cls.doc() for cls in RULE_CLASSES]
    texts += [p.read_text(encoding="utf-8") for p in [top / "README.md", *top.glob("docs/*.md")]]
    # A command as a reader would type it: quoted in backticks, or a line of a code block.
    quoted = re.compile(r"`modeldeps ([a-z][a-z-]+)")
    fenced = re.compile(r"^```.*?^```", re.MULTILINE | re.DOTALL)
    typed = re.compile(r"^\s*(?:\$\s*)?modeldeps ([a-z][a-z-]+)", re.MULTILINE)
    named = {m for t in texts for m in quoted.findall(t)}
    named |= {m for t in texts for block in fenced.findall(t) for m in typed.findall(block)}
    assert {"scan", "inspect", "cost"} <= named
    assert named <= set(COMMAND_MODULES), named - set(COMMAND_MODULES)
