"""The bundled knowledge base: YAML files shipped in the package, validated and loaded once.

Start-up cost matters (every scan pays it): YAML is parsed with libyaml's safe loader when
PyYAML has it, and the validated merged document is cached as JSON in the user cache directory,
keyed by a hash of the data files and the schema. A changed data file is a cache miss, parsed and
validated again; overlays are always validated. The cache file carries the SHA-256 of its own
document, checked on every read: an edited or damaged cache is a miss, never a fact. A scan
under ``--no-cache`` neither reads nor writes it."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping, Sequence
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from modeldeps.errors import KnowledgeBaseError
from modeldeps.resolve.kb import KnowledgeBase

_DATA = "modeldeps.resolve.data"
#: Keys whose records are identified by a field other than ``id``.
_KEYS = {
    "endpoints": "host",
    "reuploaders": "org",
    "ollama": "name",
    "strip_suffixes": "",
    "strip_prefixes": "",
    "country_evidence": "",
}
#: Bump when merge_into changes what the merged document looks like: old caches then miss.
CACHE_FORMAT = "4"  # 4: the file carries its document's SHA-256 on a header line
#: libyaml's safe loader is ~8x faster; both build only plain data (no object tags).
_SAFE_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _read_text(name: str) -> str:
    return resources.files(_DATA).joinpath(name).read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def schema() -> dict[str, Any]:
    """The JSON Schema every KB document (bundled or overlay) must satisfy."""
    loaded: dict[str, Any] = json.loads(_read_text("kb.schema.json"))
    return loaded


def validate(doc: Mapping[str, Any], where: str) -> None:
    """Raise KnowledgeBaseError naming the file and the first few schema violations."""
    import jsonschema  # imported here: a cached bundled KB needs no validator

    validator = jsonschema.Draft202012Validator(schema())
    try:
        errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))
    except RecursionError:  # the validator recurses on nesting; a KB record is shallow
        raise KnowledgeBaseError(f"{where}: nested too deeply to validate") from None
    if errors:
        msgs = [
            f"{'/'.join(str(p) for p in e.absolute_path) or '<root>'}: {e.message[:160]}"
            for e in errors[:5]
        ]
        raise KnowledgeBaseError(f"{where}: " + "; ".join(msgs))


def safe_yaml(text: str) -> Any:
    """YAML to plain data with a safe loader (C when available); never constructs objects."""
    loader = _SAFE_LOADER(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def parse_yaml(text: str, where: str) -> dict[str, Any]:
    try:
        doc = safe_yaml(text)
    except yaml.YAMLError as exc:
        raise KnowledgeBaseError(f"{where}: not valid YAML: {exc}") from exc
    except RecursionError:  # the pure-Python loader recurses on nesting
        raise KnowledgeBaseError(f"{where}: nested too deeply to read") from None
    if doc is None:
        return {}
    if not isinstance(doc, dict):
        raise KnowledgeBaseError(f"{where}: top level must be a mapping")
    return doc


@lru_cache(maxsize=1)
def manifest() -> dict[str, Any]:
    """manifest.yaml: the KB version and the list of data files (cheap: one small file)."""
    return parse_yaml(_read_text("manifest.yaml"), "manifest.yaml")


def kb_cache_dir() -> Path:
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("modeldeps")) / "kb"


@lru_cache(maxsize=2)
def bundled_document(use_cache: bool = True) -> dict[str, Any]:
    """All bundled files merged into one document, validated (or read from the cache of an
    earlier validation of exactly these files, unless ``use_cache`` is false)."""
    names = [str(n) for n in manifest().get("files", [])]
    texts = {n: _read_text(n) for n in names}
    digest = hashlib.sha256(CACHE_FORMAT.encode())
    for part in (_read_text("manifest.yaml"), _read_text("kb.schema.json"), *texts.values()):
        digest.update(hashlib.sha256(part.encode()).digest())
    cache = kb_cache_dir() / f"bundled-{digest.hexdigest()[:32]}.json"
    cached = _read_cache(cache) if use_cache else None
    if cached is not None:
        return cached
    merged: dict[str, Any] = {k: v for k, v in manifest().items() if k != "files"}
    for name in names:
        merge_into(merged, parse_yaml(texts[name], name), overlay=False)
    validate(merged, "bundled knowledge base")
    if use_cache:
        _write_cache(cache, merged)
    return merged


def _read_cache(path: Path) -> dict[str, Any] | None:
    """The cached document, if its header's SHA-256 matches its bytes; else ``None``."""
    try:
        head, _, body = path.read_bytes().partition(b"\n")
        header = json.loads(head)
        if not isinstance(header, dict) or header.get("format") != CACHE_FORMAT:
            return None
        if header.get("sha256") != hashlib.sha256(body).hexdigest():
            return None  # edited or damaged: parse and validate the bundled files again
        doc = json.loads(body)
    except (OSError, ValueError, RecursionError):
        return None
    if not isinstance(doc, dict) or doc.get("kb_version") != manifest().get("kb_version"):
        return None
    return doc


def _write_cache(path: Path, doc: dict[str, Any]) -> None:
    """Best effort: a read-only or missing cache directory only costs the next start."""
    try:
        text = json.dumps(doc, ensure_ascii=False, separators=(",", ":"))
        if json.loads(text) != doc:  # e.g. non-string mapping keys: not cacheable as JSON
            return
        body = text.encode("utf-8")
        header = {"format": CACHE_FORMAT, "sha256": hashlib.sha256(body).hexdigest()}
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(json.dumps(header).encode() + b"\n" + body)
        os.replace(tmp, path)  # atomic: a concurrent reader sees the old file or the new one
    except (OSError, TypeError, ValueError):
        return


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


def tag_origin(doc: dict[str, Any], origin: str) -> dict[str, Any]:
    """Mark every record of an overlay with where it came from, so evidence can say "overlay"
    instead of "bundled"; a publisher's legacy ``api_hosts`` become first-party endpoints."""
    for p in doc.get("publishers", []):
        hosts = p.pop("api_hosts", None) if isinstance(p, dict) else None
        for host in hosts or ():
            doc.setdefault("endpoints", []).append(
                {"host": host, "operator": p["id"], "kind": "first-party", "sources": p["sources"]}
            )
    for key, value in doc.items():
        if key in (
            "sources",
            "licenses",
            "families",
            "strip_suffixes",
            "strip_prefixes",
            "reuploaders",
        ):
            continue
        if isinstance(value, list):
            doc[key] = [{**v, "origin": origin} if isinstance(v, dict) else v for v in value]
    return doc


def _key(record: Any, field: str) -> str:
    if isinstance(record, Mapping):
        # api_models without an id are keyed by their pattern
        return str(record.get(field) or record.get("pattern") or "").lower()
    return str(record)


def load_kb(overlays: Sequence[Path] = (), use_cache: bool = True) -> KnowledgeBase:
    """The bundled KB plus overlays, loaded once per distinct overlay content per process."""
    # The in-process memo knows its inputs: an overlay edited between two scans is read again.
    contents = tuple(_overlay_digest(Path(p)) for p in overlays)
    return _load_kb(tuple(overlays), contents, use_cache)


def _overlay_digest(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return "unreadable"  # read_overlay reports it, naming the file


@lru_cache(maxsize=8)
def _load_kb(
    overlays: tuple[Path, ...], contents: tuple[str, ...], use_cache: bool
) -> KnowledgeBase:
    from modeldeps.resolve.sources.overlay import read_overlay

    bundled = bundled_document(use_cache)
    doc = {k: (list(v) if isinstance(v, list) else v) for k, v in bundled.items()}
    for path in overlays:
        merge_into(doc, tag_origin(read_overlay(path), f"overlay {path.name}"), overlay=True)
    version = str(doc.get("kb_version", "unknown"))
    if overlays:
        version += "+overlay"
    return KnowledgeBase(doc, version)
