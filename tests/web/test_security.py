"""The dashboard refuses what it must: paths out of its folder, writes, strangers, bad binds."""

from __future__ import annotations

import hashlib
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from modeldeps.errors import UsageError
from modeldeps.store import queries as sq
from modeldeps.store.connect import Store
from modeldeps.web.app import ROUTES, create_app
from modeldeps.web.security import CSP, SECURITY_HEADERS, check_bind, is_loopback, session_value
from modeldeps.web.static import load_static
from tests.web.orgstore import BuiltStore

TOKEN = "correct-horse-battery-staple-42"
#: What would show that a response leaked a file from outside the static folder.
LEAKS = ("root:x:0:", "[build-system]", "def create_app", "SQLite format 3", "[project]")


def raw_get(
    base: str, path: str, method: str = "GET", headers: str = "", host: str | None = None
) -> tuple[int, str]:
    """Send a request line exactly as written (no client normalizes the path) and read all."""
    address, port = base.removeprefix("http://").split(":")
    with socket.create_connection((address, int(port)), timeout=10) as sock:
        request = (
            f"{method} {path} HTTP/1.1\r\nHost: {host or f'127.0.0.1:{port}'}\r\n{headers}"
            "Content-Length: 0\r\nConnection: close\r\n\r\n"
        )
        sock.sendall(request.encode("latin-1"))
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    return status, head.decode("latin-1") + "\n\n" + body.decode("utf-8", "replace")


def concrete_paths(read_store: Store) -> list[str]:
    """One real path for every route."""
    with read_store.read() as conn:
        repo = sq.list_repositories(conn)[0].id
        model = conn.exec_driver_sql("SELECT min(id) FROM models").scalar()
    filled = {
        "/inventory.{fmt:str}": "/inventory.csv",
        "/models/{model_id:int}": f"/models/{model}",
        "/repos/{repo_id:int}": f"/repos/{repo}",
        "/static/{name:path}": "/static/app.css",
    }
    paths = [filled.get(path, path) for path, _ in ROUTES]
    assert not any("{" in p for p in paths), "a new route needs a concrete path here"
    return paths


TRAVERSALS = (
    "/static/../../../../../../etc/passwd",
    "/static/..%2f..%2f..%2f..%2f..%2f..%2fetc%2fpasswd",
    "/static/%2e%2e/%2e%2e/%2e%2e/pyproject.toml",
    "/static/%2e%2e%2f%2e%2e%2f%2e%2e%2fpyproject.toml",
    "/static/%252e%252e%252f%252e%252e%252fpyproject.toml",
    "/static/..%5c..%5c..%5cpyproject.toml",
    "/static/vendor/../../app.py",
    "/static/vendor/..%2f..%2fapp.py",
    "/static/../app.py",
    "/static/..%2fapp.py",
    "/static/%2fetc%2fpasswd",
    "/static//etc/passwd",
    "/static/....//....//etc/passwd",
    "/static/app.css%00../../pyproject.toml",
    "/models/..%2f..%2fetc%2fpasswd",
    "/models/../../etc/passwd",
    "/models/1%2f..%2f..%2fpyproject.toml",
    "/repos/..%2f..%2fpyproject.toml",
    "/repos/../../etc/passwd",
    "/inventory.%2e%2e%2f%2e%2e%2fpyproject.toml",
    "/inventory.csv%2f..%2f..%2fpyproject.toml",
    "/inventory.../../pyproject.toml",
    "/inventory?repo=../../etc/passwd",
    "/findings?rule=../../etc/passwd",
    "/repos/1?a=..%2f..%2fetc%2fpasswd",
)


@pytest.mark.parametrize("path", TRAVERSALS)
def test_dot_dot_in_every_path_parameter_is_refused(live_server: str, path: str) -> None:
    status, text = raw_get(live_server, path)
    assert status in (400, 404), (path, status)
    for marker in LEAKS:
        assert marker not in text, (path, marker)


def test_static_table_holds_only_the_package_folder() -> None:
    files = load_static()
    assert set(files) == {"app.css", "app.js", "favicon.svg", "vendor/chart.umd.min.js"}
    assert not any(".." in name or name.startswith("/") for name in files)


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE"])
def test_every_route_refuses_every_write_method(
    live_server: str, read_store: Store, org_store: BuiltStore, method: str
) -> None:
    before = hashlib.sha256(org_store.path.read_bytes()).hexdigest()
    for path in [*concrete_paths(read_store), "/no-such-route"]:
        status, text = raw_get(live_server, path, method)
        assert status == 405, (method, path, status)
        assert re.search(r"(?im)^allow: GET, HEAD\r?$", text), (method, path)
        assert re.search(r"(?im)^content-security-policy: ", text)
    assert hashlib.sha256(org_store.path.read_bytes()).hexdigest() == before


def test_get_and_head_answer_on_every_route(live_server: str, read_store: Store) -> None:
    for path in concrete_paths(read_store):
        assert raw_get(live_server, path)[0] == 200, path
        status, text = raw_get(live_server, path, "HEAD")
        assert status == 200 and text.endswith("\n\n"), path  # HEAD: headers only


def test_security_headers_on_every_response(live_server: str, read_store: Store) -> None:
    for path in [*concrete_paths(read_store), "/models/999999", "/inventory?kind=x"]:
        _status, text = raw_get(live_server, path)
        head = text.split("\n\n", 1)[0].lower()
        for name, value in SECURITY_HEADERS:
            assert f"{name}: {value.lower()}" in head, (path, name)
        assert "server: uvicorn" not in head
    assert "'unsafe-inline'" not in CSP and "'unsafe-eval'" not in CSP
    assert "script-src 'self'" in CSP and "require-trusted-types-for 'script'" in CSP


def test_host_header_must_be_a_loopback_name(live_server: str) -> None:
    port = live_server.rsplit(":", 1)[1]
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"[::1]:{port}", "localhost"):
        assert raw_get(live_server, "/healthz", host=host)[0] == 200, host
    for host in ("rebind.attacker.example", f"attacker.example:{port}", "127.0.0.1.nip.io"):
        assert raw_get(live_server, "/healthz", host=host)[0] == 400, host


@pytest.fixture(scope="module")
def token_client(read_store: Store) -> Iterator[TestClient]:
    app = create_app(read_store, host="0.0.0.0", token=TOKEN)
    with TestClient(app, base_url="http://dashboard.example") as c:
        yield c


def test_token_is_required_on_every_route(token_client: TestClient, read_store: Store) -> None:
    token_client.cookies.clear()
    for path in concrete_paths(read_store):
        assert token_client.get(path).status_code == 401, path
        wrong = token_client.get(path, headers={"authorization": "Bearer not-the-token-at-all"})
        assert wrong.status_code == 401, path
        assert token_client.get(f"{path}?token=wrong-token-wrong-token").status_code == 401


def test_token_in_the_address_becomes_a_cookie(token_client: TestClient) -> None:
    token_client.cookies.clear()
    first = token_client.get(f"/inventory?country=CN&token={TOKEN}", follow_redirects=False)
    assert first.status_code == 303
    assert first.headers["location"] == "/inventory?country=CN"  # the token leaves the address
    cookie = first.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and TOKEN not in cookie
    assert session_value(TOKEN) in cookie
    assert token_client.get("/inventory?country=CN").status_code == 200  # the cookie is sent
    token_client.cookies.clear()
    bearer = token_client.get("/", headers={"authorization": f"Bearer {TOKEN}"})
    assert bearer.status_code == 200


def test_bind_rules() -> None:
    for host in ("127.0.0.1", "127.8.9.10", "::1", "[::1]", "localhost", "LOCALHOST"):
        assert is_loopback(host), host
        check_bind(host, None)
    for host in ("0.0.0.0", "::", "192.0.2.10", "10.1.2.3", "example.com"):
        assert not is_loopback(host), host
        with pytest.raises(UsageError, match="without --token"):
            check_bind(host, None)
        check_bind(host, TOKEN)
    with pytest.raises(UsageError, match="at least 16 characters"):
        check_bind("127.0.0.1", "short")


def _serve(args: list[str], env_token: str | None = None) -> subprocess.Popen[str]:
    env = dict(os.environ)
    env.pop("MODELDEPS_SERVE_TOKEN", None)
    if env_token:
        env["MODELDEPS_SERVE_TOKEN"] = env_token
    return subprocess.Popen(
        [sys.executable, "-m", "modeldeps", "serve", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.0.2.10"])
def test_cli_refuses_a_non_loopback_bind_without_a_token(org_store: BuiltStore, host: str) -> None:
    proc = _serve(["--store", org_store.url, "--host", host, "--port", "0"])
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 2
    assert "without --token" in err and "refusing to serve" in err


def test_cli_refuses_a_short_token(org_store: BuiltStore) -> None:
    proc = _serve(["--store", org_store.url, "--token", "abc"])
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 2 and "at least 16 characters" in err


def _started(proc: subprocess.Popen[str]) -> str:
    assert proc.stderr is not None
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        found = re.search(r"open (http://\S+)", line)
        if found:
            return found.group(1)
        if not line and proc.poll() is not None:
            break
    proc.kill()
    pytest.fail(f"modeldeps serve did not start: {proc.stderr.read()}")


def test_cli_serves_on_loopback(org_store: BuiltStore) -> None:
    proc = _serve(["--store", org_store.url, "--port", "0"])
    try:
        url = _started(proc)
        assert url.startswith("http://127.0.0.1:")
        status, text = raw_get(url.rstrip("/"), "/inventory")
        assert status == 200 and "evil/&#34;&gt;&lt;script&gt;" in text
    finally:
        proc.terminate()
        proc.wait(30)


def test_cli_serves_everywhere_with_a_token_from_the_environment(org_store: BuiltStore) -> None:
    proc = _serve(["--store", org_store.url, "--host", "0.0.0.0", "--port", "0"], TOKEN)
    try:
        url = _started(proc)
        assert f"?token={TOKEN}" in url
        port = re.search(r":(\d+)/", url)
        assert port
        base = f"http://127.0.0.1:{port.group(1)}"
        assert raw_get(base, "/")[0] == 401
        status, _ = raw_get(base, "/", headers=f"Authorization: Bearer {TOKEN}\r\n")
        assert status == 200
    finally:
        proc.terminate()
        proc.wait(30)


def test_cli_names_a_missing_store(tmp_path: Path) -> None:
    proc = _serve(["--store", str(tmp_path / "none.sqlite3"), "--port", "0"])
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 2 and "no store at" in err
    assert not (tmp_path / "none.sqlite3").exists()


def test_cli_names_a_port_in_use(org_store: BuiltStore) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        proc = _serve(["--store", org_store.url, "--port", str(port)])
        _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 2 and f"cannot listen on 127.0.0.1:{port}" in err
