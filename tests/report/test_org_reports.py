"""The organization report's formats: JSON, Markdown, HTML (self-contained, real Chromium) and
an aggregated CycloneDX 1.6 BOM valid against the official schema."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import pytest
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator

from modeldeps.model import RefKind, ScanResult
from modeldeps.report.markdown import cell as markdown_cell
from modeldeps.report.org.render import render_org
from modeldeps.store import queries
from modeldeps.store.connect import open_store
from modeldeps.store.org import OrgReport, build_org_report
from modeldeps.store.save import save_scan
from tests.contract import OPENAI, QWEN
from tests.report.test_html import _dump_dom, _Refs
from tests.store.builders import ref, repo, result, rich_result


@pytest.fixture
def stored(tmp_path: Path) -> tuple[OrgReport, dict[int, ScanResult]]:
    hostile = ref(RefKind.HUB_MODEL, 'x/"><script>alert(1)</script>|', "a.py", 1, None)
    with open_store(str(tmp_path / "s.sqlite3")) as store:
        with store.write() as conn:
            save_scan(conn, rich_result(), repo("app"))
            save_scan(
                conn, result(ref(RefKind.API_MODEL, "gpt-4o", "x.py", 1, OPENAI)), repo("api")
            )
            save_scan(
                conn,
                result(
                    ref(RefKind.HUB_MODEL, "Qwen/Qwen2.5-7B-Instruct", "m.py", 2, QWEN), hostile
                ),
                repo("ml"),
            )
        with store.read() as conn:
            report = build_org_report(conn)
            results = {}
            for r in report.repositories:
                loaded = queries.load_result(conn, r.scan_id) if r.scan_id is not None else None
                if loaded is not None:
                    results[r.id] = loaded
    return report, results


def test_json(stored: tuple[OrgReport, dict[int, ScanResult]]) -> None:
    data = json.loads(render_org(stored[0], "json"))
    assert data["schema_version"] == "1.0" and data["kind"] == "org-report"
    qwen = next(m for m in data["models"] if m["name"] == "Qwen/Qwen2.5-7B-Instruct")
    assert qwen["repositories"] == ["app", "ml"] and qwen["country"] == "CN"
    assert data["shares"]["by_country"][0]["key"] in {"CN", "US"}
    assert data["generated_at"].endswith("Z")


def test_markdown_escapes_table_cells(stored: tuple[OrgReport, dict[int, ScanResult]]) -> None:
    text = render_org(stored[0], "markdown")
    assert "## Models by use" in text and "## Findings by rule" in text
    assert "<script>" not in text
    for line in text.splitlines():
        if line.startswith("| x/"):
            assert line.count(" | ") == 6  # the pipe in the name did not add a column
    report = stored[0]
    hostile = "pay\u202estnem\x1b[2J ![t](https://evil.example/t.png)\n| ~~x~~ &amp;"
    repos = (dataclasses.replace(report.repositories[0], name=hostile),)
    text = render_org(dataclasses.replace(report, repositories=repos), "markdown")
    assert "\u202e" not in text and "\x1b" not in text and "![t](" not in text
    # the scan's Markdown report escapes cells the same way (one helper, textsafe.markdown)
    assert markdown_cell(hostile) in text


def test_cyclonedx_names_each_repository_and_is_valid(
    stored: tuple[OrgReport, dict[int, ScanResult]],
) -> None:
    text = render_org(stored[0], "cyclonedx", stored[1])
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(text) is None
    doc = json.loads(text)
    repos = {c["name"]: c for c in doc["components"]}
    assert set(repos) == {"app", "api", "ml"}
    assert all(c["type"] == "application" for c in repos.values())
    app_models = {c["name"] for c in repos["app"]["components"]}
    assert "Qwen2.5-7B-Instruct" in app_models
    refs = [c["bom-ref"] for c in repos["app"]["components"]]
    assert all(r.startswith("repo:git.example.test/acme/app/") for r in refs)
    root = doc["dependencies"][0]
    assert root["ref"] == "organization" and len(root["dependsOn"]) == 3
    assert doc["metadata"]["component"]["name"] == "organization"


def test_html_is_self_contained_and_escaped(
    stored: tuple[OrgReport, dict[int, ScanResult]],
) -> None:
    text = render_org(stored[0], "html")
    refs = _Refs()
    refs.feed(text)
    assert refs.fetches == [] and "default-src 'none'" in text
    assert refs.tags.count("svg") == 5
    assert "<script>alert(1)" not in text and "&lt;script&gt;alert(1)" in text


@pytest.mark.browser
def test_html_charts_render_in_chromium(
    stored: tuple[OrgReport, dict[int, ScanResult]], tmp_path: Path
) -> None:
    page = tmp_path / "org.html"
    page.write_text(render_org(stored[0], "html"), encoding="utf-8")
    dom = _dump_dom(page, "", tmp_path / "profile")
    assert 'data-ready="1"' in dom, "the page's script did not run"
    charts = re.findall(r'id="chart-(\w+)" data-bars="(\d+)" data-rendered="(\d+)"', dom)
    assert {c[0] for c in charts} == {"country", "publisher", "models", "worst", "rules"}
    assert all(bars == drawn and int(bars) > 0 for _, bars, drawn in charts)


def test_html_shows_control_and_bidi_characters_as_escapes(
    stored: tuple[OrgReport, dict[int, ScanResult]],
) -> None:
    report = stored[0]
    hostile = dataclasses.replace(report.repositories[0], name="pay\u202estnem\x1b[2J")
    text = render_org(dataclasses.replace(report, repositories=(hostile,)), "html")
    assert "\u202e" not in text and "\x1b" not in text
    assert "pay\\u202estnem\\x1b[2J" in text


def test_table_shows_control_characters_instead_of_obeying_them(
    stored: tuple[OrgReport, dict[int, ScanResult]],
) -> None:
    report = stored[0]
    hostile = dataclasses.replace(report.repositories[0], name="evil\x1b]0;owned\x07\x1b[2J")
    text = render_org(dataclasses.replace(report, repositories=(hostile,)), "table")
    assert "\x1b" not in text and "\x07" not in text
    assert "evil\\x1b]0;owned\\x07" in text
    bidi = dataclasses.replace(report.repositories[0], name="pay\u202estnem")
    text = render_org(dataclasses.replace(report, repositories=(bidi,)), "table")
    assert "\u202e" not in text and "pay\\u202estnem" in text
