"""Online enrichment against a local HTTP server speaking the Hub API (no network)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest

from modeldeps.resolve import Resolver
from modeldeps.resolve.sources.online import HubSource

HUB = Path(__file__).parent.parent / "data" / "resolve" / "hub"


class _Hub(BaseHTTPRequestHandler):
    requests: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        _Hub.requests.append(self.path)
        prefix = "/api/models/"
        name = (
            self.path.split("?")[0][len(prefix) :].replace("/", "__")
            if self.path.startswith(prefix)
            else ""
        )
        body_file = HUB / f"{name}.json"
        if name and body_file.is_file():
            body = body_file.read_bytes()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
        else:
            body = b'{"error":"Repository not found"}'
            self.send_response(404)
            self.send_header("Content-Type", "application/json")
            self.send_header("X-Error-Code", "RepoNotFound")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def _model_requests() -> list[str]:
    return [p for p in _Hub.requests if p.startswith("/api/models/")]


@pytest.fixture
def hub(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Hub)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    monkeypatch.setenv("HF_ENDPOINT", url)
    monkeypatch.setenv("HF_HUB_OFFLINE", "0")
    _Hub.requests.clear()
    yield url
    server.shutdown()


def test_online_fills_lineage_the_kb_lacks(hub: str, tmp_path: Path) -> None:
    offline = Resolver.create()
    assert offline.resolve_hub_id("acme-ml/support-bot").decided_by == "hub-account"
    r = Resolver.create(online=True, cache_dir=tmp_path)
    ident = r.resolve_hub_id("acme-ml/support-bot")
    assert ident.decided_by == "online" and ident.publisher is None
    assert (
        ident.lineage[0].base == "Qwen/Qwen2.5-7B-Instruct"
        and ident.lineage[0].relation == "finetune"
    )
    assert ident.lineage_countries == ("CN",) and "apache-2.0" in ident.licenses
    # only the model id is sent (the client library may also fetch its own agent registry)
    assert _model_requests() == ["/api/models/acme-ml/support-bot"]


def test_answers_are_cached_with_expiry(hub: str, tmp_path: Path) -> None:
    src = HubSource(cache_dir=tmp_path)
    assert src.hub_facts("acme-ml/support-bot") is not None
    assert src.hub_facts("nobody/nothing") is None
    assert len(_model_requests()) == 2
    again = HubSource(cache_dir=tmp_path)
    again.hub_facts("acme-ml/support-bot")
    again.hub_facts("nobody/nothing")
    assert len(_model_requests()) == 2  # both answers, including "not found", came from SQLite
    expired = HubSource(cache_dir=tmp_path, ttl_s=0)
    expired.hub_facts("acme-ml/support-bot")
    assert len(_model_requests()) == 3
