"""Self-contained HTML: snapshot, no network references, and a real headless Chromium render."""

from __future__ import annotations

import dataclasses
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from modeldeps.model import Location, ModelReference, RefKind, ScanResult
from modeldeps.report import RenderOptions, render
from tests.report.snapshot import assert_snapshot

REPRO = RenderOptions(reproducible=True)
CHROMIUM_NAMES = ("chromium", "chromium-browser")


def test_snapshot(scan_result: ScanResult) -> None:
    assert_snapshot("report.html", render(scan_result, "html", REPRO))


class _Refs(HTMLParser):
    """Collects every attribute that could make a browser fetch something."""

    def __init__(self) -> None:
        super().__init__()
        self.fetches: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        for name, value in attrs:
            if name in {"src", "href", "srcset", "action", "xlink:href"} and value:
                self.fetches.append(value)


def test_self_contained(scan_result: ScanResult) -> None:
    text = render(scan_result, "html", REPRO)
    refs = _Refs()
    refs.feed(text)
    assert refs.fetches == []
    assert "link" not in refs.tags and "img" not in refs.tags
    assert "default-src 'none'" in text  # the page itself forbids any fetch
    assert refs.tags.count("svg") == 4


def test_scanned_text_is_escaped(scan_result: ScanResult) -> None:
    hostile = ModelReference(
        RefKind.HUB_MODEL, 'x/"><script>alert(1)</script>', Location("a.py", 1), "python"
    )
    result = dataclasses.replace(scan_result, references=(hostile,))
    text = render(result, "html", REPRO)
    assert "<script>alert(1)" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "hunter2" not in render(scan_result, "html", REPRO)


def _chromium() -> str:
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    pytest.fail(
        "headless Chromium is required for the HTML report test but was not found "
        "(install Debian's `chromium`, e.g. `make browser` or `apt-get install chromium`)"
    )


def _dump_dom(page: Path, fragment: str, profile: Path) -> str:
    cmd = [
        _chromium(),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--user-data-dir={profile}",
        "--dump-dom",
        page.as_uri() + fragment,
    ]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=90, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


@pytest.mark.browser
def test_charts_and_sorted_table_render_in_chromium(
    scan_result: ScanResult, tmp_path: Path
) -> None:
    page = tmp_path / "report.html"
    page.write_text(render(scan_result, "html", REPRO), encoding="utf-8")
    dom = _dump_dom(page, "#sort=-findings", tmp_path / "profile")

    assert 'data-ready="1"' in dom, "the report's script did not run"
    # Each chart: every bar was laid out by the browser with a non-zero width.
    for chart_id, bars in (("country", 3), ("publisher", 6), ("license", 5), ("severity", 5)):
        m = re.search(rf'id="chart-{chart_id}" data-bars="(\d+)" data-rendered="(\d+)"', dom)
        assert m, f"chart {chart_id} missing or not measured"
        assert (int(m.group(1)), int(m.group(2))) == (bars, bars)

    # The inventory was re-ordered by the script: findings descending, ties in report order.
    assert 'data-sorted-by="-findings"' in dom
    assert re.search(r'data-key="findings"[^>]*aria-sort="descending"', dom)
    tbody = dom.split('id="inventory"', 1)[1].split("</tbody>", 1)[0]
    counts = [int(n) for n in re.findall(r'data-findings="(\d+)"', tbody)]
    assert len(counts) == len(scan_result.references) + len(scan_result.artifacts)
    assert counts == sorted(counts, reverse=True) and counts[0] == 3
    first_model = re.search(r'data-model="([^"]+)"', tbody)
    assert first_model and first_model.group(1) == "Qwen/Qwen2.5-7B-Instruct"


@pytest.mark.browser
def test_sort_by_country_ascending_in_chromium(scan_result: ScanResult, tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    page.write_text(render(scan_result, "html", REPRO), encoding="utf-8")
    dom = _dump_dom(page, "#sort=country", tmp_path / "profile")
    tbody = dom.split('id="inventory"', 1)[1].split("</tbody>", 1)[0]
    countries = re.findall(r'data-country="([^"]+)"', tbody)
    assert countries[0] == "CN" and countries[-1] == "US"
    assert countries == sorted(countries, key=str.lower)  # locale order: case-insensitive


def test_missing_chromium_fails_with_a_clear_message(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(pytest.fail.Exception, match="headless Chromium is required"):
        _chromium()
