"""Provider endpoints from models.dev: each provider's API base URL as a KB endpoint.

models.dev lists every provider it covers with the base URL of its API (``api`` in
``providers/<id>/provider.toml``). Each host that the curated ``endpoints.yaml`` does not cover
becomes an endpoint record, operated by the KB publisher that runs the provider (one operator id
scheme: the KB's own id where the KB knows the operator, else the models.dev provider id), so the
detector recognises calls to smaller OpenAI-compatible providers by their host. Operators the KB
does not know become publishers of type ``api-operator`` with country unknown: models.dev does
not say where an operator is based, and a guess would be a defect.

Used by ``tools/build_kb.py``; writes nothing itself.
"""

from __future__ import annotations

import fnmatch
import ipaddress
import re
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

#: models.dev provider ids whose operator the KB knows under another id (after the variant
#: suffixes below are stripped): a subsidiary, a product name, or another spelling.
OPERATORS: dict[str, str] = {
    "fireworks-ai": "fireworks",
    "togetherai": "together",
    "github-models": "microsoft",
    "github-copilot": "microsoft",
    "azure-cognitive-services": "microsoft",
    "kimi-for-coding": "moonshot",
    "llama": "meta",
    "nova": "amazon",
    "bailing": "ant-group",
    "google-vertex-anthropic": "google",
}
#: Suffixes of models.dev ids that name a plan, a region or an agent product of one operator
#: (``alibaba-coding-plan-cn``, ``xiaomi-token-plan-sgp``, ``perplexity-agent``).
_VARIANT = re.compile(r"-(?:cn|intl|ams|sgp|coding-plan|token-plan|agent|ai)$")
#: First labels of hosts that also serve a web application or documentation: a URL on them is
#: not a call to the API by its host alone (the detector's URL grammar still reads them).
_WEB_LABELS = frozenset({"www", "app", "chat", "docs", "doc", "console", "platform", "dashboard"})
#: Operators that are clouds serving many vendors' models.
_CLOUDS = frozenset({"microsoft", "google", "amazon"})

SOURCE_ID = "models-dev-providers"


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def base(provider: str) -> str:
    """``provider`` without one plan, region or product suffix (``minimax-cn-coding-plan`` ->
    ``minimax-cn``)."""
    return _VARIANT.sub("", provider.lower())


def _host(url: str) -> str | None:
    """The host of an API base URL that can stand for its provider, or ``None``."""
    if "${" in url or "{" in url:
        return None  # an account or resource template: no fixed host
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().rstrip(".")
    if not host or parts.scheme not in {"http", "https"}:
        return None
    try:
        ipaddress.ip_address(host)
        return None  # a local or private address (LM Studio, self-hosted gateways)
    except ValueError:
        pass
    if host == "localhost" or host.endswith((".local", ".internal")):
        return None
    labels = host.split(".")
    if len(labels) < 3 or labels[0] in _WEB_LABELS:
        return None  # the provider's web site itself (``opencode.ai``, ``www.x.co``)
    return host


def _covered(host: str, curated: Iterable[str]) -> bool:
    return any(fnmatch.fnmatchcase(host, pattern.lower()) for pattern in curated)


class Operators:
    """KB publisher ids by id, alias and normalized display name."""

    def __init__(self, publishers: Iterable[Mapping[str, Any]], first_party: Mapping[str, str]):
        self.ids: dict[str, str] = {}
        self.names: dict[str, str] = {}
        self.countries: dict[str, str] = {}
        for p in publishers:
            pid = str(p["id"])
            self.countries[pid] = str(p.get("country", "unknown"))
            for alias in (pid, *p.get("aliases", ())):
                self.ids.setdefault(str(alias).lower(), pid)
            self.names.setdefault(_norm(str(p["name"]).split(" (")[0]), pid)
        self.first_party = dict(first_party)

    def find(self, provider: str, name: str) -> str | None:
        """The KB publisher that operates models.dev ``provider`` (display ``name``), if known."""
        key = provider.lower()
        for _ in range(4):
            for table in (OPERATORS, self.first_party, self.ids):
                hit = table.get(key)
                if hit is not None:
                    return self.ids.get(hit, hit)
            key = base(key)
        return self.names.get(_norm(name.split(" (")[0]))


def build(
    folder: Path,
    publishers: list[Mapping[str, Any]],
    endpoints: list[Mapping[str, Any]],
    *,
    first_party: Mapping[str, str],
    labs: Iterable[str],
    prc: Iterable[str],
    source: Mapping[str, Any],
) -> dict[str, Any]:
    """Publishers and endpoints for the providers of models.dev (``folder``) that the curated
    KB lacks, with ``source`` as their citation."""
    ops = Operators(publishers, first_party)
    lab_ids = frozenset(labs)
    prc_countries = frozenset(prc)
    curated = [str(e["host"]) for e in endpoints]
    new_publishers: dict[str, dict[str, Any]] = {}
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for toml in sorted((folder / "providers").glob("*/provider.toml")):
        provider = toml.parent.name
        rec = tomllib.loads(toml.read_text(encoding="utf-8"))
        host = _host(str(rec.get("api") or ""))
        if host is None or host in seen or _covered(host, curated):
            continue
        seen.add(host)
        name = str(rec.get("name") or provider)
        operator = ops.find(provider, name)
        if operator is None:
            root = provider.lower()
            while base(root) != root:
                root = base(root)
            operator = re.sub(r"[^a-z0-9]+", "-", root).strip("-")
            new_publishers.setdefault(
                operator,
                {
                    "id": operator,
                    "name": name[:40],
                    "full_name": f"{name}: API operator listed by models.dev ({host})",
                    "hub_orgs": [],
                    "country": "unknown",
                    "type": "api-operator",
                    "flags": [],
                    "sources": [SOURCE_ID],
                    "notes": "known from the models.dev provider catalogue only; headquarters "
                    "not sourced here: unknown until a page is cited",
                },
            )
        kind = (
            "first-party"
            if operator in lab_ids
            else "cloud"
            if operator in _CLOUDS
            else "aggregator"
        )
        entry: dict[str, Any] = {"host": host, "operator": operator, "kind": kind}
        if ops.countries.get(operator) in prc_countries:
            entry["flags"] = ["prc"]
        entry["sources"] = [SOURCE_ID]
        out.append(entry)
    src = {**source, "id": SOURCE_ID}
    return {
        "sources": [src],
        "publishers": sorted(new_publishers.values(), key=lambda p: p["id"]),
        "endpoints": sorted(out, key=lambda e: e["host"]),
    }
