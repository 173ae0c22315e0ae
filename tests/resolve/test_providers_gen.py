"""Provider endpoints generated from models.dev (tools/kb_providers.py, providers.gen.yaml)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import pytest

from modeldeps import safeyaml
from modeldeps.discover.detectors import recognizer
from modeldeps.resolve.sources.bundled import load_kb

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "src" / "modeldeps" / "resolve" / "data"


def _tool() -> Any:
    spec = importlib.util.spec_from_file_location("kb_providers", ROOT / "tools/kb_providers.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _provider(root: Path, pid: str, name: str, api: str | None) -> None:
    folder = root / "providers" / pid
    folder.mkdir(parents=True)
    lines = [f'name = "{name}"'] + ([f'api = "{api}"'] if api else [])
    (folder / "provider.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.fixture
def built(tmp_path: Path) -> dict[str, Any]:
    _provider(tmp_path, "acme-router", "Acme Router", "https://api.acmerouter.example/v1")
    _provider(tmp_path, "acme-router-cn", "Acme (China)", "https://api.acmerouter.example/v1")
    _provider(tmp_path, "zeta-coding-plan-cn", "Zeta Coding", "https://coding.zeta.example/v4")
    _provider(tmp_path, "fireworks-ai", "Fireworks AI", "https://api.fireworks.example/v1")
    _provider(tmp_path, "beta", "Beta Labs", "https://llm.beta.example/v1")
    _provider(tmp_path, "known", "Known", "https://api.known.example/v1")
    _provider(tmp_path, "templ", "Templ", "https://${ACCOUNT}.templ.example/v1")
    _provider(tmp_path, "local", "Local", "http://127.0.0.1:1234/v1")
    _provider(tmp_path, "site", "Site", "https://site.example/v1")
    _provider(tmp_path, "webapp", "Web App", "https://app.webapp.example/v1")
    _provider(tmp_path, "sdk-only", "SDK only", None)
    publishers = [
        {"id": "zeta", "name": "Zeta", "country": "CN"},
        {"id": "fireworks", "name": "Fireworks AI", "country": "US"},
        {"id": "betalabs", "name": "Beta Labs (research)", "country": "FR", "aliases": []},
        {"id": "knownco", "name": "Known Co", "country": "US"},
    ]
    endpoints = [{"host": "*.known.example"}]
    result: dict[str, Any] = _tool().build(
        tmp_path,
        publishers,
        endpoints,
        first_party={"zeta": "zeta"},
        labs={"zeta"},
        prc={"CN", "HK", "MO"},
        source={"id": "x", "title": "t", "url": "https://models.dev", "license": "MIT"},
    )
    return result


def test_each_new_host_is_an_endpoint_of_one_operator(built: dict[str, Any]) -> None:
    rows = {e["host"]: e for e in built["endpoints"]}
    assert set(rows) == {
        "api.acmerouter.example",
        "coding.zeta.example",
        "api.fireworks.example",
        "llm.beta.example",
    }
    # a plan and region suffix is stripped to find the lab; a PRC lab's host carries the flag
    assert rows["coding.zeta.example"] == {
        "host": "coding.zeta.example",
        "operator": "zeta",
        "kind": "first-party",
        "flags": ["prc"],
        "sources": ["models-dev-providers"],
    }
    assert rows["api.fireworks.example"]["operator"] == "fireworks"  # the KB's spelling
    assert rows["llm.beta.example"]["operator"] == "betalabs"  # matched by display name
    assert rows["api.acmerouter.example"]["operator"] == "acme-router"
    assert rows["api.acmerouter.example"]["kind"] == "aggregator"


def test_unknown_operators_get_an_honest_publisher(built: dict[str, Any]) -> None:
    (pub,) = built["publishers"]
    assert pub["id"] == "acme-router"
    assert pub["country"] == "unknown"
    assert pub["type"] == "api-operator"
    assert pub["sources"] == ["models-dev-providers"]
    assert built["sources"][0]["id"] == "models-dev-providers"
    assert built["sources"][0]["license"] == "MIT"


def test_bundled_file_adds_no_second_record_of_a_curated_fact() -> None:
    curated = safeyaml.load((DATA / "publishers.yaml").read_text(encoding="utf-8"))
    hosts = safeyaml.load((DATA / "endpoints.yaml").read_text(encoding="utf-8"))
    gen = safeyaml.load((DATA / "providers.gen.yaml").read_text(encoding="utf-8"))
    ids = {p["id"] for p in curated["publishers"]}
    ids |= {a for p in curated["publishers"] for a in p.get("aliases", ())}
    assert not ids & {p["id"] for p in gen["publishers"]}
    assert not {e["host"] for e in hosts["endpoints"]} & {e["host"] for e in gen["endpoints"]}
    assert len(gen["endpoints"]) >= 50


def test_generated_hosts_are_endpoints_the_detector_knows() -> None:
    kb = load_kb()
    found = recognizer.provider_for_url("https://llm.chutes.ai/v1/chat/completions")
    assert found is not None and found[1] == "chutes"
    chutes = kb.publisher("chutes")
    assert chutes is not None and chutes.country == "unknown"
    # an operator known only by its host never names a model's maker in free text
    assert kb.publisher_by_text("Developed by the Synthetic team") is None
