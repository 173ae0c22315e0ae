"""What the store commands share: the --store option, opening the store, dates and scan ids."""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import TYPE_CHECKING

from modeldeps.cli.extras import require
from modeldeps.errors import UsageError

if TYPE_CHECKING:
    from pathlib import Path

    from modeldeps.model import ScanResult
    from modeldeps.store.connect import Store

STORE_HELP = (
    "Store URL: sqlite:///FILE, a file path, or postgresql+psycopg://USER@HOST/DB "
    "(default: $MODELDEPS_STORE, else store.sqlite3 in the user data folder)."
)


def open_cli_store(url: str | None, *, create: bool, read_only: bool = False) -> Store:
    """Open the store for a command, after checking its extra is installed."""
    require("store")
    from modeldeps.store.connect import open_store, resolve_url

    text, _ = resolve_url(url)
    if text.startswith("postgresql"):
        require("postgres")
    return open_store(url, create=create, read_only=read_only)


def parse_when(text: str) -> datetime:
    """A date (its end: 2026-11-30 means up to 23:59:59 UTC), an ISO time, or ``now``."""
    value = text.strip()
    if value.lower() == "now":
        return datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    try:
        if len(value) == 10:
            day = datetime.strptime(value, "%Y-%m-%d")
            return datetime.combine(day.date(), time(23, 59, 59))
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise UsageError(
            f"not a scan id or a date: {text!r} (use 12, #12, 2026-11-30 or an ISO time)"
        ) from None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    return parsed


def scan_id(text: str) -> int | None:
    """``12`` or ``#12`` as a scan id; ``None`` when ``text`` is not one."""
    value = text.strip().lstrip("#")
    return int(value) if value.isdigit() and len(value) < 10 else None


def save_result(store: Store, result: ScanResult, path: Path) -> None:
    """Save the scan of ``path`` and say where it went, on stderr; closes the store."""
    import sys

    from modeldeps.store.identify import identify, tree_digest
    from modeldeps.store.save import save_scan

    repo = identify(path)
    digest = None if repo.commit else tree_digest(path)
    with store:
        with store.write() as conn:
            saved = save_scan(conn, result, repo, tree_digest=digest)
        verb = "saved as" if saved.created else "unchanged: already stored as"
        print(f"{verb} scan #{saved.scan_id} of {repo.name} in {store.display}", file=sys.stderr)
