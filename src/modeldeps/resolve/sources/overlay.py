"""User overlays (``--kb FILE``): an organization's own facts, same schema as the bundled KB."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from modeldeps.errors import KnowledgeBaseError
from modeldeps.resolve.sources.bundled import parse_yaml, validate

#: Overlays are small hand-written files; anything bigger is a mistake, not a KB.
MAX_OVERLAY_BYTES = 4 * 1024 * 1024


def read_overlay(path: Path) -> dict[str, Any]:
    """Read and validate one overlay file; errors name the file."""
    try:
        size = path.stat().st_size
        if size > MAX_OVERLAY_BYTES:
            raise KnowledgeBaseError(f"{path}: overlay larger than {MAX_OVERLAY_BYTES} bytes")
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise KnowledgeBaseError(f"{path}: cannot read overlay: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise KnowledgeBaseError(f"{path}: overlay is not UTF-8") from exc
    doc = parse_yaml(text, str(path))
    for key in ("kb_version", "schema_version", "files"):
        doc.pop(key, None)  # an overlay never changes the bundled version
    validate(doc, str(path))
    return doc
