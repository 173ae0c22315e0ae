"""What keeps the dashboard safe to run: bind checks, and one middleware in front of every route.

The middleware refuses every method but GET and HEAD, refuses a ``Host`` other than the
loopback names when bound to loopback (so a web page cannot reach the dashboard through DNS
rebinding), asks for the access token when one is set, and adds the security headers (a
Content-Security-Policy that allows no inline script or style) to every response, errors
included.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
from collections.abc import Awaitable, Callable, MutableMapping
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qsl, urlencode

from modeldeps.errors import UsageError

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

ALLOWED_METHODS = ("GET", "HEAD")
MIN_TOKEN_LENGTH = 16
COOKIE = "modeldeps_session"
TOKEN_PARAM = "token"  # noqa: S105 (the name of a query parameter)
LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})

#: No inline script or style anywhere: data reaches scripts through JSON blocks and ``data-``
#: attributes, and every DOM sink must take a Trusted Type (our script uses none).
CSP = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "font-src 'self'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "require-trusted-types-for 'script'",
        "trusted-types 'none'",
    )
)

SECURITY_HEADERS: tuple[tuple[str, str], ...] = (
    ("content-security-policy", CSP),
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "no-referrer"),
    ("x-frame-options", "DENY"),
    ("cross-origin-opener-policy", "same-origin"),
    ("cross-origin-resource-policy", "same-origin"),
    ("permissions-policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=()"),
)


def is_loopback(host: str) -> bool:
    """Whether ``host`` (a name or an address to bind) is only reachable from this machine."""
    name = host.strip().strip("[]").lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def check_bind(host: str, token: str | None) -> None:
    """Refuse a bind that would expose the inventory: another address needs a long token."""
    if token is not None and len(token) < MIN_TOKEN_LENGTH:
        raise UsageError(
            f"--token must be at least {MIN_TOKEN_LENGTH} characters (for example: "
            "python -c 'import secrets; print(secrets.token_urlsafe())')"
        )
    if not is_loopback(host) and not token:
        raise UsageError(
            f"refusing to serve on {host}, which other machines can reach, without --token "
            "(or MODELDEPS_SERVE_TOKEN); the dashboard shows the organization's inventory"
        )


def session_value(token: str) -> str:
    """The cookie value that stands for the token (the token itself never goes in a cookie)."""
    return hmac.new(token.encode(), b"modeldeps-serve-session", hashlib.sha256).hexdigest()


def _host_name(raw: str) -> str:
    value = raw.strip().lower()
    if value.startswith("["):
        return value[1 : value.find("]")] if "]" in value else value
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


class SecurityMiddleware:
    """Methods, host, token and headers, checked before any route runs."""

    def __init__(
        self, app: ASGIApp, *, token: str | None, allowed_hosts: frozenset[str] | None
    ) -> None:
        self.app = app
        self.token = token
        self.session = session_value(token) if token else None
        self.allowed_hosts = allowed_hosts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self.app(scope, receive, send)
            return
        if scope["type"] != "http":  # websockets: the dashboard has none
            await send({"type": "websocket.close", "code": 1008})
            return
        headers = _headers(scope)
        host = headers.get("host")
        if self.allowed_hosts is not None and host and _host_name(host) not in self.allowed_hosts:
            await _plain(send, 400, "Bad Request: unexpected Host header.\n")
            return
        if scope["method"] not in ALLOWED_METHODS:
            extra = [(b"allow", b", ".join(m.encode() for m in ALLOWED_METHODS))]
            await _plain(send, 405, "Method Not Allowed: the dashboard is read-only.\n", extra)
            return
        if self.token is not None and not await self._authorized(scope, headers, send):
            return
        await self.app(scope, receive, _with_headers(send))

    async def _authorized(self, scope: Scope, headers: dict[str, str], send: Send) -> bool:
        assert self.token is not None and self.session is not None
        auth = headers.get("authorization", "")
        if auth.lower().startswith("bearer ") and hmac.compare_digest(
            auth[7:].strip().encode(), self.token.encode()
        ):
            return True
        cookie = SimpleCookie()
        try:
            cookie.load(headers.get("cookie", ""))
        except Exception:  # a malformed Cookie header is no session
            cookie = SimpleCookie()
        morsel = cookie.get(COOKIE)
        if morsel is not None and hmac.compare_digest(morsel.value.encode(), self.session.encode()):
            return True
        query = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
        given = [v for k, v in query if k == TOKEN_PARAM]
        if given and hmac.compare_digest(given[-1].encode(), self.token.encode()):
            # Trade the token in the address for a cookie, and drop it from the address so it
            # stays out of the history and of anything copied from the address bar.
            rest = urlencode([(k, v) for k, v in query if k != TOKEN_PARAM])
            location = scope.get("root_path", "") + scope["path"] + (f"?{rest}" if rest else "")
            set_cookie = f"{COOKIE}={self.session}; Path=/; HttpOnly; SameSite=Strict"
            await _plain(
                send,
                303,
                "See Other\n",
                [(b"location", location.encode()), (b"set-cookie", set_cookie.encode())],
            )
            return False
        await _plain(
            send,
            401,
            "Unauthorized: open the address `modeldeps serve` printed (it carries the token), "
            "or send the header 'Authorization: Bearer TOKEN'.\n",
            [(b"www-authenticate", b'Bearer realm="modeldeps"')],
        )
        return False


def _headers(scope: Scope) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}


def _with_headers(send: Send) -> Send:
    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            present = {k.lower() for k, _ in message.get("headers", [])}
            extra = [
                (k.encode(), v.encode()) for k, v in SECURITY_HEADERS if k.encode() not in present
            ]
            message["headers"] = list(message.get("headers", [])) + extra
        await send(message)

    return wrapped


async def _plain(
    send: Send, status: int, text: str, extra: list[tuple[bytes, bytes]] | None = None
) -> None:
    body = text.encode()
    headers = [
        (b"content-type", b"text/plain; charset=utf-8"),
        (b"content-length", str(len(body)).encode()),
        (b"cache-control", b"no-store"),
        *(extra or []),
        *((k.encode(), v.encode()) for k, v in SECURITY_HEADERS),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
