"""The pages: each handler reads the query string, asks ``queries`` and renders one template.

Handlers are plain functions, so Starlette runs them in its thread pool and a slow query
never blocks the event loop. Every value a request brings is checked here (ids are bounded
integers, filters bounded strings); a bad one is a 400 or a 404 page, never a stack trace.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import jinja2
import sqlalchemy as sa
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from modeldeps import __version__
from modeldeps.assess.catalog import REPORTED_BY
from modeldeps.model import SEVERITY_ORDER, Identity, RefKind, Severity
from modeldeps.store import queries as sq
from modeldeps.store import schema as t
from modeldeps.store.connect import Store
from modeldeps.store.org import UNKNOWN
from modeldeps.usage import ModelUsage
from modeldeps.web import charts, modelpage, queries, repos
from modeldeps.web import findings as findings_q
from modeldeps.web import inventory as inventory_q
from modeldeps.web import overview as overview_q
from modeldeps.web.digests import ScanDigests
from modeldeps.web.inventory import InventoryFilter, InventoryRow

PAGE_SIZE = 100  # inventory rows a page
FINDINGS_PAGE = 200  # findings a page
MAX_ID = 2**53  # larger ids exist in no store and would overflow SQLite's integers
MAX_PARAM = 300  # characters in one query parameter
MAX_VALUES = 50  # values of one repeated parameter
_RULE_ID = re.compile(r"^[A-Z]{2}\d{3}$")
KINDS = (*(k.value for k in RefKind), queries.ARTIFACT)

#: A page handler: Starlette runs plain functions in its thread pool.
Endpoint = Callable[[Request], Response]


@dataclass(frozen=True, slots=True)
class Dashboard:
    """What every handler needs: the store, the templates, the rules and the usage figures."""

    store: Store
    env: jinja2.Environment
    rules: dict[str, dict[str, Any]]  # rule id → the catalogue's record
    usages: tuple[ModelUsage, ...] = ()
    usage_source: str | None = None
    digests: ScanDigests = field(default_factory=ScanDigests)

    def titles(self) -> dict[str, str]:
        return {k: str(v["title"]) for k, v in self.rules.items()}

    def render(self, request: Request, name: str, status: int = 200, **ctx: Any) -> HTMLResponse:
        now = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
        text = self.env.get_template(name).render(
            request_path=request.url.path,
            store=self.store.display,
            store_label=store_label(self.store),
            version=__version__,
            now=now,
            **ctx,
        )
        return HTMLResponse(text, status_code=status, headers={"cache-control": "no-store"})


def store_label(store: Store) -> str:
    """A short name for the header: a SQLite store's file name, else its URL sans password."""
    if store.is_sqlite:
        return store.display.rsplit("/", 1)[-1] or store.display
    return store.display


def _dash(request: Request) -> Dashboard:
    dash: Dashboard = request.app.state.dashboard
    return dash


# ---------------------------------------------------------------- parameters


def bad_request(message: str) -> HTTPException:
    return HTTPException(status_code=400, detail=message)


def _values(request: Request, name: str) -> tuple[str, ...]:
    values = request.query_params.getlist(name)
    if len(values) > MAX_VALUES or any(len(v) > MAX_PARAM for v in values):
        raise bad_request(f"too many or too long values for {name!r}")
    return tuple(dict.fromkeys(v.strip() for v in values if v.strip()))


def _one(request: Request, name: str) -> str:
    values = _values(request, name)
    return values[-1] if values else ""


def _id(text: str, name: str) -> int:
    if not text.isdigit() or int(text) > MAX_ID:
        raise bad_request(f"{name} must be a number")
    return int(text)


def _opt_id(request: Request, name: str) -> int | None:
    text = _one(request, name)
    return _id(text, name) if text else None


def _path_id(request: Request, name: str) -> int:
    value = request.path_params[name]
    if not isinstance(value, int) or value > MAX_ID:
        raise HTTPException(status_code=404)
    return value


def inventory_filter(request: Request) -> InventoryFilter:
    kinds = _values(request, "kind")
    if any(k not in KINDS for k in kinds):
        raise bad_request(f"kind must be one of: {', '.join(KINDS)}")
    weights = _one(request, "open_weights")
    if weights not in ("", "yes", "no", "unknown"):
        raise bad_request("open_weights must be yes, no or unknown")
    return InventoryFilter(
        country=_values(request, "country"),
        publisher=_values(request, "publisher"),
        license=_values(request, "license"),
        kind=kinds,
        repo=tuple(_id(v, "repo") for v in _values(request, "repo")),
        q=_one(request, "q"),
        open_weights=weights,
    )


def _filter_query(f: InventoryFilter, sort: str) -> dict[str, Any]:
    return {
        "q": f.q,
        "country": list(f.country),
        "publisher": list(f.publisher),
        "license": list(f.license),
        "kind": list(f.kind),
        "repo": [str(r) for r in f.repo],
        "open_weights": f.open_weights,
        "sort": "" if sort == "repos" else sort,
    }


# ---------------------------------------------------------------- overview


def overview(request: Request) -> Response:
    dash = _dash(request)
    with dash.store.read() as conn:
        totals = overview_q.totals(conn, dash.digests)
        history = overview_q.share_history(conn, dash.digests)
        # The last point of the history is the latest scans' shares (a test holds them equal).
        current = history[-1].shares if history else overview_q.shares_from(Counter())
        rules = overview_q.rule_counts(conn, dash.titles())
        last = sq.list_scans(conn, limit=10)
        failures = sorted(sq.latest_failures(conn).values(), key=lambda f: f.at, reverse=True)
        names = queries.repository_names(conn)
    chart_data = {
        "country": charts.share_chart(current.by_country, "doughnut"),
        "publisher": charts.share_chart(current.by_publisher, "hbar"),
        "country-history": charts.share_history_chart(history, current, "country"),
        "publisher-history": charts.share_history_chart(history, current, "publisher"),
        "hhi-history": charts.hhi_history_chart(history),
    }
    return dash.render(
        request,
        "overview.html.j2",
        page="overview",
        totals=totals,
        shares=current,
        history=history,
        rules=rules[:8],
        rule_total=len(rules),
        last_scans=last,
        failures=failures,
        repo_names=names,
        charts=chart_data,
    )


# ---------------------------------------------------------------- inventory


def _sort(request: Request) -> str:
    sort = _one(request, "sort") or "repos"
    if sort not in inventory_q.SORTS:
        raise bad_request(f"sort must be one of: {', '.join(inventory_q.SORTS)}")
    return sort


def inventory(request: Request) -> Response:
    dash = _dash(request)
    f = inventory_filter(request)
    sort = _sort(request)
    page_text = _one(request, "page") or "1"
    page = _id(page_text, "page") or 1
    with dash.store.read() as conn:
        inv = inventory_q.inventory(conn, dash.digests, f, sort)
    pages = max(1, -(-len(inv.rows) // PAGE_SIZE))
    page = min(page, pages)
    shown = inv.rows[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    return dash.render(
        request,
        "inventory.html.j2",
        page="inventory",
        filters=f,
        params=_filter_query(f, sort),
        sort=sort,
        inventory=inv,
        rows=shown,
        page_number=page,
        pages=pages,
        page_size=PAGE_SIZE,
    )


def _lineage_text(row: InventoryRow) -> str:
    return " > ".join(f"{e.relation}:{e.base}" for e in row.lineage)


def _cell(value: str) -> str:
    """A CSV cell a spreadsheet will not run: a leading = + - @ or control starts with '."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _export_rows(
    conn: sa.Connection, rows: Sequence[InventoryRow]
) -> list[tuple[InventoryRow, list[str]]]:
    where = inventory_q.places(conn, [r.model_id for r in rows])
    return [(r, where.get(r.model_id, [])) for r in rows]


def _export_record(row: InventoryRow, files: list[str]) -> dict[str, Any]:
    ident = row.identity
    return {
        "kind": row.kind,
        "name": row.name,
        "canonical_id": ident.canonical_id if ident else None,
        "publisher_id": None if row.publisher_id == UNKNOWN else row.publisher_id,
        "publisher": None if row.publisher_id == UNKNOWN else row.publisher,
        "country": row.country,
        "licenses": list(row.licenses),
        "open_weights": row.open_weights,
        "lineage": [
            {"relation": e.relation, "base": e.base, "country": e.country} for e in row.lineage
        ],
        "repositories": [name for _, name in row.repositories],
        "files": files,
        "references": row.references,
    }


def inventory_export(request: Request) -> Response:
    dash = _dash(request)
    fmt = request.path_params["fmt"]
    f = inventory_filter(request)
    sort = _sort(request)
    with dash.store.read() as conn:
        inv = inventory_q.inventory(conn, dash.digests, f, sort)
        rows = _export_rows(conn, inv.rows)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    disposition = f'attachment; filename="modeldeps-inventory-{stamp}.{fmt}"'
    if fmt == "json":
        body = {
            "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "tool_version": __version__,
            "filters": {k: v for k, v in _filter_query(f, sort).items() if v},
            "models": [_export_record(r, files) for r, files in rows],
        }
        return JSONResponse(
            body,
            headers={"content-disposition": disposition, "cache-control": "no-store"},
        )
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(
        [
            "kind",
            "name",
            "canonical_id",
            "publisher_id",
            "publisher",
            "country",
            "licenses",
            "open_weights",
            "lineage",
            "repositories",
            "files",
            "references",
        ]
    )
    for row, files in rows:
        rec = _export_record(row, files)
        writer.writerow(
            [
                _cell(str(v))
                for v in (
                    rec["kind"],
                    rec["name"],
                    rec["canonical_id"] or "",
                    rec["publisher_id"] or "",
                    rec["publisher"] or "",
                    rec["country"],
                    ";".join(rec["licenses"]),
                    {True: "yes", False: "no", None: ""}[rec["open_weights"]],
                    _lineage_text(row),
                    ";".join(rec["repositories"]),
                    ";".join(files),
                    rec["references"],
                )
            ]
        )
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": disposition, "cache-control": "no-store"},
    )


# ---------------------------------------------------------------- one model


def _usage_for(dash: Dashboard, name: str, ident: Identity | None) -> ModelUsage | None:
    wanted = {name.lower()}
    if ident is not None and ident.canonical_id:
        wanted.add(ident.canonical_id.lower())
    return next((u for u in dash.usages if u.model.lower() in wanted), None)


def model(request: Request) -> Response:
    dash = _dash(request)
    model_id = _path_id(request, "model_id")
    with dash.store.read() as conn:
        detail = modelpage.model_detail(conn, model_id)
    if detail is None:
        raise HTTPException(status_code=404, detail=f"no model #{model_id} in this store")
    peers: tuple[Any, ...] = ()
    comparison = None
    cost_error = None
    usage = None
    if detail.kind == RefKind.API_MODEL.value:
        from modeldeps.cost import alternatives

        peers = alternatives.peers_for(detail.name)
        usage = _usage_for(dash, detail.name, detail.identity)
        if usage is not None:
            from modeldeps.cost import compare, prices
            from modeldeps.errors import ModeldepsError

            try:
                comparison = compare.compare_one(usage, compare.Settings(at=prices.now()))
            except ModeldepsError as exc:
                cost_error = str(exc)
    by_repo: dict[int, list[modelpage.Use]] = {}
    for use in detail.uses:
        by_repo.setdefault(use.repository_id, []).append(use)
    return dash.render(
        request,
        "model.html.j2",
        page="inventory",
        m=detail,
        ident=detail.identity,
        by_repo=by_repo,
        peers=peers,
        usage=usage,
        usage_source=dash.usage_source,
        comparison=comparison,
        cost_error=cost_error,
        titles=dash.titles(),
    )


# ---------------------------------------------------------------- repositories


def repositories(request: Request) -> Response:
    dash = _dash(request)
    with dash.store.read() as conn:
        rows = repos.repository_summaries(conn)
    return dash.render(request, "repositories.html.j2", page="repositories", repos=rows)


def repository(request: Request) -> Response:
    dash = _dash(request)
    repo_id = _path_id(request, "repo_id")
    a, b, chosen = _opt_id(request, "a"), _opt_id(request, "b"), _opt_id(request, "scan")
    with dash.store.read() as conn:
        repo = next((r for r in sq.list_repositories(conn) if r.id == repo_id), None)
        if repo is None:
            raise HTTPException(status_code=404, detail=f"no repository #{repo_id} in this store")
        scans = sq.list_scans(conn, repo_id)
        ids = {s.id for s in scans}
        for value, name in ((a, "a"), (b, "b"), (chosen, "scan")):
            if value is not None and value not in ids:
                raise bad_request(f"scan #{value} ({name}) is not a scan of {repo.name}")
        if b is None:
            b = scans[0].id if scans else None
        if a is None and b is not None:
            older = [s for s in scans if (s.started_at, s.id) < _key(scans, b)]
            a = older[0].id if older else None
        diff = None
        if a is not None and b is not None and a != b:
            from modeldeps.store.diff import diff_scans

            diff = diff_scans(conn, a, b)
        shown = chosen or (scans[0].id if scans else None)
        findings = sq.findings_of(conn, [shown]) if shown is not None else []
        models = repos.scan_models(conn, shown) if shown is not None else []
        failure = sq.latest_failures(conn).get(repo_id)
    findings.sort(key=_finding_order)
    return dash.render(
        request,
        "repository.html.j2",
        page="repositories",
        repo=repo,
        scans=scans,
        a=a,
        b=b,
        diff=diff,
        shown=shown,
        findings=findings,
        models=models,
        failure=failure,
        titles=dash.titles(),
        charts={"scans": charts.scans_chart(scans)},
    )


def _finding_order(f: sq.FindingRow) -> tuple[int, str, str, int]:
    first = f.locations[0] if f.locations else None
    return (-f.severity.rank, f.rule_id, first.path if first else "", (first and first.line) or 0)


def _key(scans: Sequence[sq.ScanRow], scan_id: int) -> tuple[datetime, int]:
    row = next(s for s in scans if s.id == scan_id)
    return (row.started_at, row.id)


# ---------------------------------------------------------------- findings


def findings(request: Request) -> Response:
    dash = _dash(request)
    rule = _one(request, "rule").upper()
    if rule and not _RULE_ID.match(rule):
        raise bad_request("rule must look like MD201")
    severity = _one(request, "severity").lower()
    if severity and severity not in {s.value for s in Severity}:
        raise bad_request("unknown severity")
    repo = _opt_id(request, "repo")
    page = _id(_one(request, "page") or "1", "page") or 1
    with dash.store.read() as conn:
        counts = overview_q.rule_counts(conn, dash.titles(), repo)
        matrix = findings_q.rule_severity_matrix(conn, repo)
        listed = (
            findings_q.findings_list(
                conn,
                rule=rule or None,
                severity=severity or None,
                repo=repo,
                limit=FINDINGS_PAGE,
                offset=(page - 1) * FINDINGS_PAGE,
            )
            if rule or severity
            else None
        )
        names = queries.repository_names(conn)
    by_sev: dict[str, int] = {}
    for (_rule, sev), n in matrix.items():
        by_sev[sev] = by_sev.get(sev, 0) + n
    order = [s.value for s in SEVERITY_ORDER]
    sev_counts = [(s, by_sev[s]) for s in order if by_sev.get(s)]
    return dash.render(
        request,
        "findings.html.j2",
        page="findings",
        counts=counts,
        matrix=matrix,
        rule=rule,
        severity=severity,
        repo=repo,
        repo_names=names,
        listed=listed,
        rules=dash.rules,
        record=dash.rules.get(rule) if rule else None,
        reported_by=REPORTED_BY,
        charts={"severity": charts.severity_chart(sev_counts)},
        params={"rule": rule, "severity": severity, "repo": repo},
        page_number=page,
        page_size=FINDINGS_PAGE,
    )


# ---------------------------------------------------------------- errors and health


def health(request: Request) -> Response:
    dash = _dash(request)
    with dash.store.read() as conn:
        conn.execute(sa.select(sa.func.count()).select_from(t.repositories)).scalar()
    return JSONResponse({"status": "ok", "version": __version__})


def error_page(request: Request, status: int, message: str) -> Response:
    dash: Dashboard | None = getattr(request.app.state, "dashboard", None)
    if dash is None or request.url.path.startswith("/static/"):
        return Response(f"{status} {message}\n", status_code=status, media_type="text/plain")
    return dash.render(
        request, "error.html.j2", status=status, page="", code=status, message=message
    )
