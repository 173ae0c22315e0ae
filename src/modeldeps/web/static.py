"""The dashboard's own static files, read once from the package and served from memory.

A request names a file; the name is looked up in a table built at start-up from the
package's ``static`` folder, so no part of a request ever becomes a file-system path and no
``../`` can reach anything else. Each file is served with a content hash in its address, so
browsers may keep it until the dashboard is upgraded.
"""

from __future__ import annotations

import gzip
import hashlib
from dataclasses import dataclass
from importlib import resources

TYPES = {
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".woff2": "font/woff2",
}
MAX_FILES = 64  # the folder holds a handful; more means something was dropped in by mistake
MAX_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class StaticFile:
    """A static file in memory: its bytes, gzipped bytes, type and content hash."""

    name: str
    body: bytes
    gzipped: bytes | None  # None when compressing gains nothing
    content_type: str
    etag: str

    @property
    def version(self) -> str:
        return self.etag[:12]


def load_static() -> dict[str, StaticFile]:
    """Every servable file of the package's ``static`` folder, by its name relative to it."""
    root = resources.files("modeldeps.web") / "static"
    files: dict[str, StaticFile] = {}
    stack = [(root, "")]
    while stack:
        folder, prefix = stack.pop()
        for entry in folder.iterdir():
            name = f"{prefix}{entry.name}"
            if entry.is_dir():
                stack.append((entry, f"{name}/"))
                continue
            suffix = "." + entry.name.rsplit(".", 1)[-1] if "." in entry.name else ""
            kind = TYPES.get(suffix.lower())
            if kind is None:
                continue  # licences and notes ship with the package but are not served
            body = entry.read_bytes()
            if len(body) > MAX_BYTES or len(files) >= MAX_FILES:
                raise RuntimeError(f"static file {name} is unexpectedly large or one too many")
            packed = gzip.compress(body, compresslevel=9, mtime=0)
            files[name] = StaticFile(
                name,
                body,
                packed if len(packed) < len(body) * 0.9 else None,
                kind,
                hashlib.sha256(body).hexdigest(),
            )
    return files
