"""Screenshots of every page in headless Chromium, for docs/dashboard.md.

Each run takes them and checks they are real pictures; with
``MODELDEPS_UPDATE_SCREENSHOTS=1`` they replace the ones in ``docs/dashboard/``.
"""

from __future__ import annotations

import os
import shutil
import struct
from pathlib import Path
from typing import Any

import pytest

from modeldeps.store import queries as sq
from modeldeps.store.connect import Store
from modeldeps.web import queries

pytestmark = pytest.mark.browser

DOCS = Path(__file__).resolve().parents[2] / "docs"
SHOTS = DOCS / "dashboard"
WIDTH = 1400
DISTILL = "deepseek-ai/DeepSeek-R1-Distill-Qwen-7B"


def _pages(read_store: Store) -> dict[str, str]:
    with read_store.read() as conn:
        repo = next(r.id for r in sq.list_repositories(conn) if r.name == "payments-api")
        found = queries.model_ids(
            conn,
            [
                ("hub_model", DISTILL),
                ("api_model", "gpt-4o"),
            ],
        )
    return {
        "overview": "/",
        "inventory": "/inventory",
        "inventory-filtered": "/inventory?country=CN",
        "model-lineage": f"/models/{found[('hub_model', DISTILL)]}",
        "model-cost": f"/models/{found[('api_model', 'gpt-4o')]}",
        "repository": f"/repos/{repo}",
        "repositories": "/repos",
        "findings": "/findings?rule=MD102",
    }


def _png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n", path
    width, height = struct.unpack(">II", head[16:24])
    return int(width), int(height)


def test_screenshots_of_every_page(
    browser: Any, live_server: str, read_store: Store, tmp_path: Path
) -> None:
    context = browser.new_context(viewport={"width": WIDTH, "height": 900})
    tab = context.new_page()
    taken = {}
    try:
        for name, path in _pages(read_store).items():
            response = tab.goto(live_server + path)
            assert response is not None and response.status == 200
            tab.wait_for_selector("body[data-ready='1']")
            out = tmp_path / f"{name}.png"
            tab.screenshot(path=str(out), full_page=True)
            taken[name] = out
    finally:
        context.close()
    for name, out in taken.items():
        width, height = _png_size(out)
        assert width == WIDTH and height >= 600, name
        assert out.stat().st_size > 30_000, name  # a rendered page, not a blank
    if os.environ.get("MODELDEPS_UPDATE_SCREENSHOTS") == "1":
        SHOTS.mkdir(exist_ok=True)
        for name, out in taken.items():
            shutil.copyfile(out, SHOTS / f"{name}.png")


def test_the_documentation_shows_every_screenshot(read_store: Store) -> None:
    text = (DOCS / "dashboard.md").read_text(encoding="utf-8")
    for name in _pages(read_store):
        assert f"](dashboard/{name}.png)" in text, name
        assert _png_size(SHOTS / f"{name}.png")[0] == WIDTH, name
