"""The bundled knowledge base: YAML files shipped in the package, validated and loaded once."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from modeldeps.errors import KnowledgeBaseError
from modeldeps.resolve.kb import KnowledgeBase

_DATA = "modeldeps.resolve.data"
#: Keys whose records are identified by a field other than ``id``.
_KEYS = {"endpoints": "host", "reuploaders": "org", "ollama": "name", "strip_suffixes": ""}


def _read_text(name: str) -> str:
    return resources.files(_DATA).joinpath(name).read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def schema() -> dict[str, Any]:
    """The JSON Schema every KB document (bundled or overlay) must satisfy."""
    loaded: dict[str, Any] = json.loads(_read_text("kb.schema.json"))
    return loaded


def validate(doc: Mapping[str, Any], where: str) -> None:
    """Raise KnowledgeBaseError naming the file and the first few schema violations."""
    validator = jsonschema.Draft202012Validator(schema())
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))
    if errors:
        msgs = [
            f"{'/'.join(str(p) for p in e.absolute_path) or '<root>'}: {e.message[:160]}"
            for e in errors[:5]
        ]
        raise KnowledgeBaseError(f"{where}: " + "; ".join(msgs))


def parse_yaml(text: str, where: str) -> dict[str, Any]:
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise KnowledgeBaseError(f"{where}: not valid YAML: {exc}") from exc
    if doc is None:
        return {}
    if not isinstance(doc, dict):
        raise KnowledgeBaseError(f"{where}: top level must be a mapping")
    return doc


@lru_cache(maxsize=1)
def bundled_document() -> dict[str, Any]:
    """All bundled files merged into one document (validated)."""
    manifest = parse_yaml(_read_text("manifest.yaml"), "manifest.yaml")
    merged: dict[str, Any] = {k: v for k, v in manifest.items() if k != "files"}
    for name in manifest.get("files", []):
        merge_into(merged, parse_yaml(_read_text(name), name), overlay=False)
    validate(merged, "bundled knowledge base")
    return merged


def merge_into(base: dict[str, Any], doc: Mapping[str, Any], *, overlay: bool) -> None:
    """Add doc's records to base; an overlay record replaces the bundled one with the same key
    and comes first, so an organization's own facts win over bundled patterns."""
    for key, value in doc.items():
        if not isinstance(value, list):
            base[key] = value
            continue
        current: list[Any] = base.setdefault(key, [])
        field = _KEYS.get(key, "id")
        if not field:
            current[: 0 if overlay else len(current)] = [v for v in value if v not in current]
            continue
        new_keys = {_key(v, field) for v in value}
        kept = [v for v in current if _key(v, field) not in new_keys] if overlay else current
        base[key] = [*value, *kept] if overlay else [*kept, *value]


def _key(record: Any, field: str) -> str:
    if isinstance(record, Mapping):
        # api_models without an id are keyed by their pattern
        return str(record.get(field) or record.get("pattern") or "").lower()
    return str(record)


@lru_cache(maxsize=8)
def load_kb(overlays: Sequence[Path] = ()) -> KnowledgeBase:
    """The bundled KB plus overlays, loaded once per distinct overlay list per process."""
    from modeldeps.resolve.sources.overlay import read_overlay

    doc = {k: (list(v) if isinstance(v, list) else v) for k, v in bundled_document().items()}
    for path in overlays:
        merge_into(doc, read_overlay(path), overlay=True)
    version = str(doc.get("kb_version", "unknown"))
    if overlays:
        version += "+overlay"
    return KnowledgeBase(doc, version)
