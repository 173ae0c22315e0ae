"""The dashboard in a real headless Chromium: pages load clean, filters, links, charts, no XSS."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from modeldeps.store import queries as sq
from modeldeps.store.connect import Store
from modeldeps.web import queries
from tests.web.orgstore import HOSTILE

pytestmark = pytest.mark.browser


@dataclass
class Watch:
    """What went wrong while a page loaded: console errors, page errors, bad responses."""

    problems: list[str] = field(default_factory=list)

    def attach(self, page: Any) -> None:
        page.on(
            "console",
            lambda m: (
                self.problems.append(f"console {m.type}: {m.text}")
                if m.type in ("error", "warning")
                else None
            ),
        )
        page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        page.on("requestfailed", lambda r: self.problems.append(f"failed: {r.url}"))
        page.on(
            "response",
            lambda r: self.problems.append(f"{r.status}: {r.url}") if r.status >= 400 else None,
        )


@pytest.fixture
def page(browser: Any) -> Iterator[tuple[Any, Watch]]:
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    tab = context.new_page()
    watch = Watch()
    watch.attach(tab)
    tab.set_default_timeout(20_000)
    try:
        yield tab, watch
    finally:
        context.close()


@pytest.fixture(scope="module")
def ids(read_store: Store) -> dict[str, int]:
    with read_store.read() as conn:
        out = {r.name: r.id for r in sq.list_repositories(conn)}
        found = queries.model_ids(
            conn, [("local_artifact", HOSTILE), ("hub_model", "Qwen/Qwen2.5-7B-Instruct")]
        )
    out.update({name: mid for (_k, name), mid in found.items()})
    return out


def _open(tab: Any, url: str) -> None:
    response = tab.goto(url)
    assert response is not None and response.status == 200, url
    tab.wait_for_selector("body[data-ready='1']")


def test_every_page_loads_without_errors(
    page: tuple[Any, Watch], live_server: str, ids: dict[str, int]
) -> None:
    tab, watch = page
    paths = [
        "/",
        "/inventory",
        "/inventory?country=CN",
        f"/models/{ids['Qwen/Qwen2.5-7B-Instruct']}",
        f"/models/{ids[HOSTILE]}",
        "/repos",
        f"/repos/{ids['payments-api']}",
        "/findings",
        "/findings?rule=MD102",
    ]
    for path in paths:
        _open(tab, live_server + path)
        assert watch.problems == [], (path, watch.problems)


def test_charts_are_drawn_with_data(page: tuple[Any, Watch], live_server: str) -> None:
    tab, watch = page
    _open(tab, live_server + "/")
    charts = tab.eval_on_selector_all(
        "canvas[data-chart]",
        """els => els.map(c => {
            const chart = window.Chart.getChart(c);
            const ctx = c.getContext('2d');
            const pixels = ctx.getImageData(0, 0, c.width, c.height).data;
            let painted = 0;
            for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) painted++;
            return {
                key: c.dataset.chart, rendered: c.dataset.rendered, width: c.width,
                points: chart ? chart.data.datasets.reduce((n, d) => n + d.data.length, 0) : 0,
                painted: painted,
            };
        })""",
    )
    assert {c["key"] for c in charts} == {
        *("country", "publisher"),
        *("country-history", "publisher-history", "hhi-history"),
    }
    for chart in charts:
        assert chart["rendered"] == "1" and chart["width"] > 100, chart
        assert chart["points"] > 0, chart
        assert chart["painted"] > 500, chart  # the canvas holds a drawing, not a blank
    country = tab.evaluate(
        "() => window.Chart.getChart(document.querySelector('[data-chart=country]')).data.labels"
    )
    assert country == ["CN", "US", "unknown"]
    assert watch.problems == []


def test_filters_change_the_table(page: tuple[Any, Watch], live_server: str) -> None:
    tab, watch = page
    _open(tab, live_server + "/inventory")
    rows = tab.locator("#inventory tbody tr[data-model]")
    assert rows.count() == 13  # with BAAI/bge-m3, a constant no loader takes
    with tab.expect_navigation():
        tab.select_option("select[name=country]", "CN")  # submits on change
    tab.wait_for_selector("body[data-ready='1']")
    assert "country=CN" in tab.url
    assert rows.count() == 8
    assert set(
        tab.eval_on_selector_all("#inventory tbody tr", "r => r.map(x => x.dataset.country)")
    ) == {"CN"}
    with tab.expect_navigation():
        tab.select_option("select[name=kind]", "hub_model")
    assert rows.count() == 5
    assert set(
        tab.eval_on_selector_all("#inventory tbody tr", "r => r.map(x => x.dataset.kind)")
    ) == {"hub_model"}
    shared = tab.url
    with tab.expect_navigation():
        tab.click("a.button.secondary")  # Reset
    assert rows.count() == 13
    _open(tab, shared)  # the address alone restores the view
    assert rows.count() == 5
    _open(tab, live_server + "/inventory")
    tab.fill("input[name=q]", "qwen")
    with tab.expect_navigation():
        tab.click("form#filters button[type=submit]")
    names = tab.eval_on_selector_all("#inventory tbody tr", "r => r.map(x => x.dataset.model)")
    assert len(names) == 3 and all("qwen" in n.lower() for n in names)
    assert watch.problems == []


def test_links_between_pages(page: tuple[Any, Watch], live_server: str) -> None:
    tab, watch = page
    _open(tab, live_server + "/")
    with tab.expect_navigation():
        tab.click("nav[aria-label=Main] >> text=Inventory")
    assert tab.url.endswith("/inventory")
    with tab.expect_navigation():
        tab.click("#inventory a[href^='/models/'] >> text=Qwen/Qwen2.5-7B-Instruct")
    assert tab.inner_text("h1") == "Qwen/Qwen2.5-7B-Instruct"
    with tab.expect_navigation():
        tab.click("section.card h3 a[href^='/repos/']")
    assert tab.inner_text("h1") == "payments-api"
    with tab.expect_navigation():
        tab.click("#findings a[href='/findings?rule=MD102'] >> nth=0")
    assert "Model from a watch-listed jurisdiction" in tab.inner_text("#rule")
    with tab.expect_navigation():
        tab.click("#finding-list a[href^='/repos/'] >> nth=0")
    assert tab.inner_text("h1") in {"billing-worker", "ml-training", "payments-api"}
    with tab.expect_navigation():
        tab.click("nav[aria-label=Main] >> text=Repositories")
    with tab.expect_navigation():
        tab.click("#repositories a >> text=chat-web")
    assert tab.inner_text("h1") == "chat-web"
    with tab.expect_navigation():
        tab.click("nav[aria-label=Main] >> text=Overview")
    assert tab.inner_text("h1") == "Overview"
    assert watch.problems == []


def test_injected_model_name_does_not_execute(
    page: tuple[Any, Watch], live_server: str, ids: dict[str, int]
) -> None:
    tab, watch = page
    for path in ("/inventory", f"/models/{ids[HOSTILE]}", f"/repos/{ids['payments-api']}"):
        _open(tab, live_server + path)
        assert tab.evaluate("() => window.__xss") is None, path
        assert tab.get_by_text(HOSTILE, exact=True).first.is_visible(), path
        injected = tab.evaluate(
            "() => [...document.scripts].filter(s => s.text.includes('__xss')).length"
        )
        assert injected == 0, path
    assert tab.inner_text("h1") == "payments-api"
    _open(tab, f"{live_server}/models/{ids[HOSTILE]}")
    assert tab.inner_text("h1") == HOSTILE
    assert watch.problems == []


def test_a_missing_chromium_fails_the_run(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    from tests.web.conftest import chromium_path

    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(pytest.fail.Exception, match="headless Chromium is required"):
        chromium_path()
