"""Names from a scanned repository that hold a bidi override or a terminal escape are shown
as visible escapes on every dashboard page (``textsafe``, on top of HTML escaping), in a real
headless Chromium and in the HTML itself."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from modeldeps.options import ScanOptions
from modeldeps.pipeline import scan
from modeldeps.store import queries as sq
from modeldeps.store.connect import open_store
from modeldeps.store.identify import identify
from modeldeps.store.save import save_scan
from modeldeps.textsafe import shown
from modeldeps.web import queries
from modeldeps.web.render import to_json
from tests.web.conftest import serving
from tests.web.test_security import raw_get

RLO, ESC = "\u202e", "\x1b"
#: A repository folder whose name reads "payments" backwards after the override.
REPO = f"pay{RLO}stnem"
#: A file name that would turn a terminal red, and a model path that reads "final" reversed
#: and clears the screen.
FILE = f"app{ESC}[31m.py"
MODEL = f"./w/{RLO}lanif{ESC}[2J"
SOURCE = (
    "from transformers import AutoModel\n"
    f'm = AutoModel.from_pretrained("{MODEL}", trust_remote_code=True)\n'
)
#: How each is shown: the escapes spelled out, nothing else changed.
SHOWN = {REPO: "pay\\u202estnem", FILE: "app\\x1b[31m.py", MODEL: "./w/\\u202elanif\\x1b[2J"}


@pytest.fixture(scope="module")
def hostile_site(browser: Any) -> Iterator[tuple[str, dict[str, str]]]:
    """A store holding a real scan of a repository with hostile names, and the dashboard on it."""
    workdir = Path(tempfile.mkdtemp(prefix="acme-"))
    try:
        root = workdir / REPO
        root.mkdir()
        (root / FILE).write_text(SOURCE, encoding="utf-8")
        url = f"sqlite:///{workdir / 'store.sqlite3'}"
        with pytest.MonkeyPatch.context() as mp:
            mp.setenv("XDG_CACHE_HOME", str(workdir / ".cache"))
            result = scan([root], ScanOptions(use_cache=False, fail_on=None, jobs=1))
        assert [r.value for r in result.references] == [MODEL]
        with open_store(url) as store, store.write() as conn:
            save_scan(conn, result, identify(root))
        with open_store(url, read_only=True) as store:
            with store.read() as conn:
                repo = sq.list_repositories(conn)[0].id
                model = queries.model_ids(conn, [("local_artifact", MODEL)])[
                    ("local_artifact", MODEL)
                ]
            paths = {
                "overview": "/",
                "inventory": "/inventory",
                "model": f"/models/{model}",
                "repository": f"/repos/{repo}",
                "repositories": "/repos",
                "findings": "/findings?rule=MD205",
            }
            with serving(store) as base:
                yield base, paths
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def test_the_filter_makes_controls_and_bidi_visible_and_leaves_the_rest() -> None:
    assert shown(MODEL) == SHOWN[MODEL]
    assert shown("Qwen/Qwen2.5-7B-Instruct") == "Qwen/Qwen2.5-7B-Instruct"
    assert shown(3) == 3 and shown(None) is None
    assert str(to_json({"labels": [REPO]})) == '{"labels": ["pay\\\\u202estnem"]}'


@pytest.mark.browser
def test_pages_show_hostile_names_as_escapes(
    browser: Any, hostile_site: tuple[str, dict[str, str]]
) -> None:
    base, paths = hostile_site
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda e: errors.append(str(e)))
    try:
        seen: dict[str, str] = {}
        for name, path in paths.items():
            response = tab.goto(base + path)
            assert response is not None and response.status == 200, path
            tab.wait_for_selector("body[data-ready='1']")
            text = tab.evaluate("() => document.title + '\\n' + document.body.innerText")
            assert RLO not in text and ESC not in text, name
            seen[name] = text
            if name == "model":
                assert tab.evaluate("() => document.title").startswith(SHOWN[MODEL] + " ")
    finally:
        context.close()
    assert SHOWN[MODEL] in seen["inventory"] and SHOWN[REPO] in seen["inventory"]
    assert SHOWN[MODEL] in seen["model"] and SHOWN[FILE] in seen["model"]
    assert SHOWN[REPO] in seen["repository"] and SHOWN[FILE] in seen["repository"]
    assert SHOWN[REPO] in seen["repositories"]
    assert SHOWN[MODEL] in seen["findings"] and SHOWN[FILE] in seen["findings"]
    assert errors == []


def test_no_page_carries_a_raw_control_or_bidi_character(
    hostile_site: tuple[str, dict[str, str]],
) -> None:
    base, paths = hostile_site
    for name, path in paths.items():
        status, text = raw_get(base, path)
        assert status == 200, name
        assert RLO not in text and ESC not in text, name
    assert SHOWN[MODEL] in raw_get(base, paths["model"])[1]
