"""Run the dashboard: check the bind, open the store read-only, listen, serve until stopped."""

from __future__ import annotations

import socket
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from modeldeps.errors import UsageError
from modeldeps.store.connect import Store
from modeldeps.usage import ModelUsage
from modeldeps.web.security import TOKEN_PARAM, ASGIApp, check_bind

if TYPE_CHECKING:
    import uvicorn


def listen(host: str, port: int) -> socket.socket:
    """A listening socket on ``host:port`` (port 0: any free port), or a ``UsageError``."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise UsageError(f"--host {host!r}: {exc.strerror}") from None
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(128)
    except OSError as exc:
        sock.close()
        raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    sock.set_inheritable(True)
    return sock


def address_of(sock: socket.socket, token: str | None) -> str:
    """The address to open in a browser (with the token, which the page trades for a cookie)."""
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/" + (f"?{TOKEN_PARAM}={token}" if token else "")


def server_config(app: ASGIApp) -> uvicorn.Config:
    """How uvicorn runs the dashboard (the tests' live server uses the same)."""
    import uvicorn

    return uvicorn.Config(
        app,
        log_level="warning",
        access_log=False,  # an access log would keep the token of a first visit
        server_header=False,
        proxy_headers=False,  # the client address is the socket's, never a header's
        lifespan="off",
    )


def run(
    store: Store,
    *,
    host: str,
    port: int,
    token: str | None,
    usages: Sequence[ModelUsage] = (),
    usage_file: Path | None = None,
) -> None:
    """Serve until interrupted. The caller has opened ``store`` read-only."""
    import threading

    import uvicorn

    from modeldeps.web.app import create_app, warm

    check_bind(host, token)
    sock = listen(host, port)
    app = create_app(
        store,
        host=host,
        token=token,
        usages=usages,
        usage_source=usage_file.name if usage_file else None,
    )
    config = server_config(app)
    threading.Thread(target=warm, args=(app,), name="warm", daemon=True).start()
    print(
        f"modeldeps dashboard (read-only) of {store.display}\n"
        f"open {address_of(sock, token)}\n(Ctrl-C stops it)",
        file=sys.stderr,
        flush=True,
    )
    try:
        uvicorn.Server(config).run(sockets=[sock])
    finally:
        sock.close()
