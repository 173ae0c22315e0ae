"""Opt-in online enrichment: Hub card data through huggingface_hub, cached in SQLite."""

from __future__ import annotations

import json
import os
import sqlite3
import time
from pathlib import Path
from typing import Any

from modeldeps.resolve.sources.interface import HubFacts, KnowledgeSource, KnowledgeSourceError

DEFAULT_TTL_S = 7 * 24 * 3600
_RELATIONS = ("quantized", "adapter", "merge", "finetune")


def default_cache_dir() -> Path:
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("modeldeps"))


class HubSource(KnowledgeSource):
    """Asks the Hub (``HF_ENDPOINT`` honoured by huggingface_hub) for card data of one model id.
    Only the model id is sent; answers, including "not found", are cached with an expiry."""

    name = "online"

    def __init__(
        self,
        cache_dir: Path | None = None,
        ttl_s: int = DEFAULT_TTL_S,
        timeout_s: float = 10.0,
        persist: bool = True,
    ) -> None:
        self.endpoint = os.environ.get("HF_ENDPOINT") or None  # read per process, not at import
        self.ttl_s = ttl_s
        self.timeout_s = timeout_s
        if persist:
            directory = cache_dir or default_cache_dir()
            directory.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(directory / "hub-cache.sqlite3")
        else:  # --no-cache: answers live for this process only
            self.db = sqlite3.connect(":memory:")
        self.db.execute(
            "CREATE TABLE IF NOT EXISTS hub_facts"
            " (model_id TEXT PRIMARY KEY, fetched REAL, body TEXT)"
        )

    def hub_facts(self, model_id: str) -> HubFacts | None:
        row = self.db.execute(
            "SELECT fetched, body FROM hub_facts WHERE model_id = ?", (model_id,)
        ).fetchone()
        if row and time.time() - row[0] < self.ttl_s:
            return _facts(model_id, json.loads(row[1]))
        body = self._fetch(model_id)
        with self.db:
            self.db.execute(
                "INSERT OR REPLACE INTO hub_facts VALUES (?, ?, ?)",
                (model_id, time.time(), json.dumps(body)),
            )
        return _facts(model_id, body)

    def _fetch(self, model_id: str) -> dict[str, Any]:
        from huggingface_hub import HfApi
        from huggingface_hub.errors import HfHubHTTPError, RepositoryNotFoundError

        try:
            info = HfApi(endpoint=self.endpoint).model_info(model_id, timeout=self.timeout_s)
        except RepositoryNotFoundError:
            return {}
        except (HfHubHTTPError, OSError, ValueError) as exc:
            raise KnowledgeSourceError(f"Hub lookup of {model_id} failed: {exc}") from exc
        card: dict[str, Any] = info.card_data.to_dict() if info.card_data else {}  # type: ignore[no-untyped-call]
        return {
            "base_model": card.get("base_model"),
            "base_model_relation": card.get("base_model_relation"),
            "license": card.get("license"),
            "license_name": card.get("license_name"),
            "tags": list(info.tags or []),
        }


def _facts(model_id: str, body: dict[str, Any]) -> HubFacts | None:
    if not body:
        return None
    bases: list[str] = []
    relation = body.get("base_model_relation")
    for tag in body.get("tags", []):
        # the Hub computes base_model:<relation>:<id> tags; they are the strongest lineage signal
        parts = str(tag).split(":")
        if len(parts) == 3 and parts[0] == "base_model" and parts[1] in _RELATIONS:
            bases.append(parts[2])
            relation = relation or parts[1]
    raw = body.get("base_model")
    bases += [raw] if isinstance(raw, str) else [b for b in raw or [] if isinstance(b, str)]
    lic = body.get("license_name") if body.get("license") == "other" else body.get("license")
    return HubFacts(
        model_id=model_id,
        base_models=tuple(dict.fromkeys(bases)),
        relation=relation if relation in _RELATIONS else None,
        licenses=(lic,) if isinstance(lic, str) and lic else (),
        source="online",
        detail=f"Hub card of {model_id}: base_model {', '.join(dict.fromkeys(bases)) or '-'}",
    )
