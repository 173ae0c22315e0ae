"""Every page over HTTP: what it shows, its exports, its errors, and scanned text as text."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from html.parser import HTMLParser

import pytest
from starlette.testclient import TestClient

from modeldeps.store import queries as sq
from modeldeps.store.connect import Store, open_store
from modeldeps.web.app import create_app
from tests.web.orgstore import HOSTILE, BuiltStore

PAGES = ("/", "/inventory", "/repos", "/findings", "/findings?rule=MD102")


@pytest.fixture(scope="module")
def client(read_store: Store) -> Iterator[TestClient]:
    with TestClient(create_app(read_store), base_url="http://127.0.0.1") as c:
        yield c


@pytest.fixture(scope="module")
def ids(read_store: Store) -> dict[str, int]:
    """Repository and model ids by name."""
    from modeldeps.web import queries

    with read_store.read() as conn:
        out = {r.name: r.id for r in sq.list_repositories(conn)}
        models = queries.model_ids(
            conn,
            [
                ("local_artifact", HOSTILE),
                ("api_model", "gpt-4o"),
                ("hub_model", "deepseek-ai/DeepSeek-R1-Distill-Qwen-7B"),
                ("hub_model", "Qwen/Qwen2.5-7B-Instruct"),
            ],
        )
    out.update({name: mid for (_kind, name), mid in models.items()})
    return out


class _Scripts(HTMLParser):
    """Every script element (src and type) and every event-handler attribute of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[dict[str, str | None]] = []
        self.handlers: list[str] = []
        self.styles: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script":
            self.scripts.append(dict(attrs))
        if tag == "style":
            self.styles.append(tag)
        for name, _ in attrs:
            if name.lower().startswith("on"):
                self.handlers.append(f"{tag}.{name}")
            if name.lower() == "style":
                self.styles.append(f"{tag}[style]")


def _all_pages(ids: dict[str, int]) -> list[str]:
    return [
        *PAGES,
        f"/repos/{ids['payments-api']}",
        f"/models/{ids[HOSTILE]}",
        f"/models/{ids['gpt-4o']}",
        f"/models/{ids['deepseek-ai/DeepSeek-R1-Distill-Qwen-7B']}",
    ]


def test_every_page_renders_without_inline_code(client: TestClient, ids: dict[str, int]) -> None:
    for path in _all_pages(ids):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["content-type"].startswith("text/html")
        assert response.headers["cache-control"] == "no-store"
        parsed = _Scripts()
        parsed.feed(response.text)
        assert parsed.handlers == [], path
        assert parsed.styles == [], path
        for script in parsed.scripts:
            # An external script of ours, or data that no browser executes.
            assert script.get("src", "").startswith("/static/") or (  # type: ignore[union-attr]
                script.get("type") == "application/json"
            ), (path, script)


def test_hostile_model_name_is_text_everywhere(client: TestClient, ids: dict[str, int]) -> None:
    escaped = "evil/&#34;&gt;&lt;script&gt;window.__xss=1&lt;/script&gt;"
    pages = ["/inventory", f"/models/{ids[HOSTILE]}", f"/repos/{ids['payments-api']}"]
    for path in pages:
        text = client.get(path).text
        assert "<script>window.__xss" not in text, path
        assert escaped in text or escaped.replace("&#34;", "&quot;") in text, path


def test_chart_data_cannot_close_its_block(read_store: Store) -> None:
    from modeldeps.web.render import make_env
    from modeldeps.web.static import load_static

    env = make_env(load_static())
    page = env.from_string('<script type="application/json">{{ data|tojson }}</script>')
    out = page.render(data={"label": "</script><script>alert(1)</script>"})
    assert out.count("</script>") == 1 and "\\u003c/script\\u003e" in out


def test_overview_figures(client: TestClient, read_store: Store) -> None:
    text = client.get("/").text
    assert re.search(r'<span class="n">12</span><span class="l">models in use', text)
    assert re.search(r'<span class="n">5</span><span class="l">repositories', text)
    assert re.search(r'<span class="n">1</span><span class="l">failed repositories', text)
    failed = text.split('id="failed"', 1)[1]
    assert "billing-worker" in failed and "not valid TOML" in failed
    for rule in ("MD501", "MD102", "MD401"):
        assert f'href="/findings?rule={rule}"' in text
    assert 'id="chart-data"' in text and 'data-chart="country-history"' in text


def test_inventory_filters_and_shareable_urls(client: TestClient, ids: dict[str, int]) -> None:
    def models(path: str) -> list[str]:
        return re.findall(r'<tr data-model="([^"]*)"', client.get(path).text)

    assert len(models("/inventory")) == 13  # with BAAI/bge-m3, a constant no loader takes
    cn = models("/inventory?country=CN")
    assert len(cn) == 8 and "gpt-4o" not in cn
    cn_api = models("/inventory?country=CN&kind=api_model")
    assert sorted(cn_api) == ["deepseek-chat", "deepseek-reasoner"]
    both = models("/inventory?country=CN&country=US&kind=api_model")
    assert sorted(both) == sorted([*cn_api, "gpt-4o", "gpt-4o-mini", "claude-sonnet-4-20250514"])
    chat = models(f"/inventory?repo={ids['chat-web']}")
    assert sorted(chat) == ["claude-sonnet-4-20250514", "gpt-4o-mini"]
    assert models("/inventory?q=nothing-like-this") == []
    by_name = models("/inventory?sort=name")
    assert by_name == sorted(by_name, key=str.lower)
    # The form keeps the filters: the selected options are the query's.
    text = client.get("/inventory?country=CN&license=apache-2.0").text
    assert '<option value="CN" selected>' in text
    assert '<option value="apache-2.0" selected>' in text
    assert 'href="/inventory.csv?country=CN&amp;license=apache-2.0"' in text


def test_inventory_exports(client: TestClient) -> None:
    got = client.get("/inventory.json?country=CN")
    assert got.status_code == 200 and "attachment" in got.headers["content-disposition"]
    data = got.json()
    assert data["filters"] == {"country": ["CN"]}
    assert {m["country"] for m in data["models"]} == {"CN"} and len(data["models"]) == 8
    distill = next(m for m in data["models"] if m["name"].startswith("deepseek-ai/DeepSeek-R1"))
    assert distill["lineage"][0]["base"] == "Qwen/Qwen2.5-Math-7B"
    assert distill["files"] == ["ml-training:recipes/sft.yaml:6"]

    text = client.get("/inventory.csv").text
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 13
    hostile = next(r for r in rows if r["name"].startswith("evil/"))
    assert hostile["name"] == HOSTILE and hostile["country"] == "unknown"
    assert client.get("/inventory.xml").status_code == 404


def test_csv_cells_cannot_become_formulas() -> None:
    from modeldeps.web.pages import _cell

    assert _cell("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert _cell("@SUM(1)") == "'@SUM(1)" and _cell("-2+3") == "'-2+3"
    assert _cell("Qwen/Qwen2.5-7B") == "Qwen/Qwen2.5-7B"


def test_model_page(client: TestClient, ids: dict[str, int]) -> None:
    text = client.get(f"/models/{ids['deepseek-ai/DeepSeek-R1-Distill-Qwen-7B']}").text
    assert '<ol class="chain">' in text and "Qwen/Qwen2.5-Math-7B" in text
    assert "distill of" in text
    assert "recipes/sft.yaml:6" in text
    assert "DeepSeek" in text and "bundled-kb" in text
    qwen = client.get(f"/models/{ids['Qwen/Qwen2.5-7B-Instruct']}").text
    assert 'href="/findings?rule=MD102"' in qwen and "app/llm.py:9" in qwen
    gpt = client.get(f"/models/{ids['gpt-4o']}").text
    assert "Open-weight alternatives" in gpt
    assert "--usage FILE" in gpt  # no usage given to this app


def test_model_page_with_usage_compares_costs(read_store: Store, ids: dict[str, int]) -> None:
    from pathlib import Path

    from modeldeps.usage import merge, read_usage_file

    usage = Path(__file__).resolve().parents[2] / "examples" / "usage.toml"
    app = create_app(read_store, usages=merge(read_usage_file(usage)), usage_source="usage.toml")
    with TestClient(app, base_url="http://127.0.0.1") as c:
        text = c.get(f"/models/{ids['gpt-4o']}").text
    assert '<table class="cost">' in text
    assert "closed-api" in text and "self-host" in text
    assert "1,200,000 requests" in text


def test_repository_page_diff_and_findings(
    client: TestClient, ids: dict[str, int], read_store: Store
) -> None:
    repo = ids["payments-api"]
    with read_store.read() as conn:
        scans = sq.list_scans(conn, repo)
    newest, middle, oldest = (s.id for s in scans)
    text = client.get(f"/repos/{repo}").text
    assert "Models added" in text and f"#{middle}" in text
    assert 'data-chart="scans"' in text
    assert "app/reason.py:7" in text  # a finding with its file and line
    full = client.get(f"/repos/{repo}?a={oldest}&b={newest}").text
    added = full.split("Models added", 1)[1].split("Models removed", 1)[0]
    assert "deepseek-reasoner" in added and "evil/" in added
    old = client.get(f"/repos/{repo}?scan={oldest}").text
    assert (
        f"Findings of scan #{oldest}" in old
        and "app/reason.py" not in old.split("Findings of scan", 1)[1]
    )
    other = ids["chat-web"]
    with read_store.read() as conn:
        foreign = sq.list_scans(conn, other)[0].id
    assert client.get(f"/repos/{repo}?a={foreign}").status_code == 400


def test_findings_page(client: TestClient) -> None:
    text = client.get("/findings?rule=MD102").text
    assert "Model from a watch-listed jurisdiction or publisher" in text
    assert "<code>[watch]</code>" in text  # the rule's documentation, with its code marked up
    assert "Remediation." in text
    # One MD102 per (repository, model), whatever the number of places it is referenced at.
    assert text.count('<tr><td><span class="sev sev-medium">') == 7
    sev = client.get("/findings?severity=high").text
    assert "MD501" in sev
    assert client.get("/findings?rule=MD999").status_code == 200  # unknown to this version
    assert client.get("/findings?rule=x'or'1").status_code == 400


def test_every_rule_is_explained_from_the_one_rule_catalog(client: TestClient) -> None:
    from markupsafe import escape

    from modeldeps.assess.catalog import REPORTED_BY
    from modeldeps.rule_catalog import RULES

    for info in RULES:
        text = client.get(f"/findings?rule={info.id}").text
        assert f"<h2><code>{info.id}</code> {escape(info.title)}</h2>" in text, info.id
        assert escape(info.remediation) in text, info.id
        assert f"Default severity {_sev_badge(info.severity.value)}" in text, info.id
        by = REPORTED_BY.get(info.emitted_by)
        assert (by is not None) == ("reported by the" in text), info.id
    lock = client.get("/findings?rule=MD403").text
    assert "reported by the lock check of <code>scan</code>" in lock


def _sev_badge(severity: str) -> str:
    return f'<span class="sev sev-{severity}">{severity}</span>'


@pytest.mark.parametrize(
    "path",
    [
        "/inventory?repo=abc",
        "/inventory?kind=weights",
        "/inventory?open_weights=maybe",
        "/inventory?sort=drop",
        "/inventory?page=-1",
        "/findings?severity=extreme",
        "/findings?repo=1e9",
        "/inventory?" + "&".join(f"country=C{i}" for i in range(60)),
        "/inventory?q=" + "x" * 400,
    ],
)
def test_bad_parameters_are_a_400_page(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 400
    assert "content-security-policy" in response.headers
    assert "Traceback" not in response.text


@pytest.mark.parametrize(
    "path", ["/models/999999", "/repos/999999", "/models/99999999999999999999999", "/nope"]
)
def test_unknown_things_are_a_404_page(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert "<h1>404</h1>" in response.text
    assert "content-security-policy" in response.headers


def test_static_files_are_cached_by_content(client: TestClient) -> None:
    page = client.get("/").text
    href = re.search(r'href="(/static/app\.css\?v=[0-9a-f]+)"', page)
    assert href
    css = client.get(href.group(1))
    assert css.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert css.headers["content-type"].startswith("text/css")
    again = client.get(href.group(1), headers={"if-none-match": css.headers["etag"]})
    assert again.status_code == 304
    js = client.get("/static/vendor/chart.umd.min.js", headers={"accept-encoding": "gzip"})
    assert js.headers["content-encoding"] == "gzip" and js.headers["cache-control"] == "no-cache"
    assert "Chart.js v4" in js.text  # httpx decoded it
    assert client.get("/static/vendor/VENDOR.toml").status_code == 404  # shipped, not served


def test_empty_store(tmp_path: object) -> None:
    from pathlib import Path

    from modeldeps.store.connect import open_store as open_rw

    path = Path(str(tmp_path)) / "empty.sqlite3"
    open_rw(f"sqlite:///{path}").close()  # created and migrated, nothing saved
    with (
        open_store(f"sqlite:///{path}", read_only=True) as store,
        TestClient(create_app(store), base_url="http://127.0.0.1") as c,
    ):
        for page in PAGES:
            assert c.get(page).status_code == 200, page
        assert "No scans yet" in c.get("/").text


def test_pages_on_postgresql(pg_org_store: BuiltStore) -> None:
    with (
        open_store(pg_org_store.url, read_only=True) as store,
        TestClient(create_app(store), base_url="http://127.0.0.1") as c,
    ):
        for page in PAGES:
            assert c.get(page).status_code == 200, page
        text = c.get("/inventory").text
        assert len(re.findall(r"<tr data-model=", text)) == 13
        first_repo = re.search(r'href="/repos/(\d+)"', c.get("/repos").text)
        assert first_repo and c.get(f"/repos/{first_repo.group(1)}").status_code == 200
        first_model = re.search(r'href="/models/(\d+)"', text)
        assert first_model and c.get(f"/models/{first_model.group(1)}").status_code == 200


def test_warm_fills_the_aggregates_and_never_raises(read_store: Store, tmp_path: object) -> None:
    from pathlib import Path

    from modeldeps.web import overview
    from modeldeps.web.app import warm

    app = create_app(read_store)
    dashboard = app.app.state.dashboard  # type: ignore[attr-defined]
    warm(app)
    with read_store.read() as conn:
        assert overview.share_history(conn, dashboard.digests)  # answered from what warm kept
    path = Path(str(tmp_path)) / "gone.sqlite3"
    from modeldeps.store.connect import open_store as open_rw

    open_rw(f"sqlite:///{path}").close()
    with open_store(f"sqlite:///{path}", read_only=True) as store:
        broken = create_app(store)
        path.unlink()
        path.mkdir()  # the store is gone: warm must not raise, the pages will tell
        warm(broken)
