"""A local Hub on 127.0.0.1 answering with recorded responses: model info and file downloads."""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

DATA = Path(__file__).resolve().parents[1] / "data" / "lock" / "hub"
RECORDED = json.loads((DATA / "model_info.json").read_text())
REPO = str(RECORDED["id"])
COMMIT = str(RECORDED["sha"])


def recorded_files() -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((DATA / "files").iterdir())}


class _Handler(BaseHTTPRequestHandler):
    server_version = "local-hub"
    requests: list[str]

    def log_message(self, format: str, *args: object) -> None:  # quiet
        pass

    def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _error(self, status: int, code: str) -> None:
        body = json.dumps({"error": code}).encode()
        self._send(status, body, {"Content-Type": "application/json", "X-Error-Code": code})

    def do_HEAD(self) -> None:
        self.do_GET()

    def do_GET(self) -> None:
        path = unquote(urlsplit(self.path).path)
        type(self).requests.append(f"{self.command} {path}")
        api = f"/api/models/{REPO}"
        if path.startswith("/api/models/"):
            if not path.startswith(api):
                return self._error(404, "RepoNotFound")
            rest = path[len(api) :]
            if rest not in ("", "/revision/main", f"/revision/{COMMIT}"):
                return self._error(404, "RevisionNotFound")
            return self._send(
                200, json.dumps(RECORDED).encode(), {"Content-Type": "application/json"}
            )
        prefix = f"/{REPO}/resolve/"
        if not path.startswith(prefix):
            return self._error(404, "RepoNotFound")
        revision, _, name = path[len(prefix) :].partition("/")
        files = recorded_files()
        if revision not in ("main", COMMIT) or name not in files:
            return self._error(404, "EntryNotFound")
        data = files[name]
        sib = next(s for s in RECORDED["siblings"] if s["rfilename"] == name)
        headers = {"X-Repo-Commit": COMMIT, "Content-Type": "application/octet-stream"}
        if "lfs" in sib:  # the Hub names an LFS file by its sha256
            headers["X-Linked-Etag"] = f'"{hashlib.sha256(data).hexdigest()}"'
            headers["X-Linked-Size"] = str(len(data))
            headers["ETag"] = f'"{sib["blobId"]}"'
        else:
            headers["ETag"] = f'"{sib["blobId"]}"'
        self._send(200, data, headers)


@contextmanager
def local_hub() -> Iterator[tuple[str, list[str]]]:
    """``(endpoint URL, log of requests)`` of a Hub served on 127.0.0.1 for the block's duration."""
    log: list[str] = []
    handler = type("Handler", (_Handler,), {"requests": log})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", log
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
