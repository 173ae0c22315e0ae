"""The ASGI application: the routes, the security middleware in front, errors as pages."""

from __future__ import annotations

from collections.abc import Sequence

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from modeldeps.assess.catalog import rule_records
from modeldeps.errors import StoreError
from modeldeps.store.connect import Store
from modeldeps.usage import ModelUsage
from modeldeps.web import pages
from modeldeps.web.render import make_env
from modeldeps.web.security import LOOPBACK_NAMES, SecurityMiddleware, is_loopback
from modeldeps.web.static import StaticFile, load_static

#: Every route; each answers GET and HEAD only (the middleware refuses other methods first).
ROUTES: tuple[tuple[str, str], ...] = (
    ("/", "overview"),
    ("/inventory", "inventory"),
    ("/inventory.{fmt:str}", "inventory_export"),
    ("/models/{model_id:int}", "model"),
    ("/repos", "repositories"),
    ("/repos/{repo_id:int}", "repository"),
    ("/findings", "findings"),
    ("/healthz", "health"),
    ("/static/{name:path}", "static"),
)
EXPORT_FORMATS = ("csv", "json")


def _static_endpoint(files: dict[str, StaticFile]) -> pages.Endpoint:
    def serve_static(request: Request) -> Response:
        found = files.get(request.path_params["name"])
        if found is None:
            raise HTTPException(status_code=404)
        if request.headers.get("if-none-match") == f'"{found.etag}"':
            return Response(status_code=304, headers={"etag": f'"{found.etag}"'})
        versioned = request.query_params.get("v") == found.version
        headers = {
            "etag": f'"{found.etag}"',
            "cache-control": "public, max-age=31536000, immutable" if versioned else "no-cache",
            "vary": "accept-encoding",
        }
        body = found.body
        if found.gzipped is not None and "gzip" in request.headers.get("accept-encoding", ""):
            body = found.gzipped
            headers["content-encoding"] = "gzip"
        return Response(body, media_type=found.content_type, headers=headers)

    return serve_static


def _export(request: Request) -> Response:
    if request.path_params["fmt"] not in EXPORT_FORMATS:
        raise HTTPException(status_code=404)
    return pages.inventory_export(request)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    message = exc.detail if exc.status_code != 404 or exc.detail != "Not Found" else "Not found."
    return pages.error_page(request, exc.status_code, str(message))


async def _store_error(request: Request, exc: Exception) -> Response:
    return pages.error_page(request, 503, f"The store cannot be read now: {exc}")


async def _server_error(request: Request, exc: Exception) -> Response:
    # Never a stack trace on a page: the details are in the server's log.
    return pages.error_page(request, 500, "Something went wrong while building this page.")


def warm(app: SecurityMiddleware) -> None:
    """Fill the per-scan aggregates before the first visitor asks (in a background thread).

    Only a speed-up: a failure here is shown by the page that next reads the store.
    """
    dashboard: pages.Dashboard = app.app.state.dashboard  # type: ignore[attr-defined]
    from modeldeps.web import inventory, overview

    try:
        with dashboard.store.read() as conn:
            overview.share_history(conn, dashboard.digests)
            inventory.all_models(conn, dashboard.digests)
    except StoreError:
        return


def allowed_hosts(host: str) -> frozenset[str] | None:
    """``Host`` names a request may carry: loopback names on a loopback bind, else any."""
    if not is_loopback(host):
        return None
    return LOOPBACK_NAMES | {host.strip("[]").lower()}


def create_app(
    store: Store,
    *,
    host: str = "127.0.0.1",
    token: str | None = None,
    usages: Sequence[ModelUsage] = (),
    usage_source: str | None = None,
) -> SecurityMiddleware:
    """The dashboard over ``store`` (opened read-only by the caller).

    The security middleware wraps the whole Starlette application, its error handling
    included, so a 500 page carries the same headers as every other response.
    """
    files = load_static()
    dashboard = pages.Dashboard(
        store=store,
        env=make_env(files),
        rules=rule_records(),  # the rule catalog, with each rule's documentation
        usages=tuple(usages),
        usage_source=usage_source,
    )
    handlers: dict[str, pages.Endpoint] = {
        "overview": pages.overview,
        "inventory": pages.inventory,
        "inventory_export": _export,
        "model": pages.model,
        "repositories": pages.repositories,
        "repository": pages.repository,
        "findings": pages.findings,
        "health": pages.health,
        "static": _static_endpoint(files),
    }
    app = Starlette(
        routes=[Route(path, handlers[name], methods=["GET"], name=name) for path, name in ROUTES],
        middleware=[Middleware(GZipMiddleware, minimum_size=2048)],
        exception_handlers={
            HTTPException: _http_error,
            StoreError: _store_error,
            Exception: _server_error,
        },
    )
    app.state.dashboard = dashboard
    return SecurityMiddleware(app, token=token, allowed_hosts=allowed_hosts(host))
