"""The store's read API: repositories, scans, whole results, and what the latest scans hold.

Every function takes an open connection (``Store.read()``), so a caller — the CLI, the
organization report, the dashboard — can put several questions in one consistent snapshot.
Returned rows are frozen dataclasses; nothing here writes.
"""

from modeldeps.store.queries.results import identities_by_id, load_result
from modeldeps.store.queries.rows import (
    FindingRow,
    ModelUse,
    RepositoryRow,
    RunItemRow,
    RunRow,
    ScanRow,
    chunks,
)
from modeldeps.store.queries.runs import latest_failures, list_runs, run_items
from modeldeps.store.queries.scans import (
    find_repositories,
    get_scan,
    get_scans,
    last_durations,
    latest_ids_select,
    latest_scan_ids,
    list_repositories,
    list_scans,
    stored_at_commit,
    stored_with_tree,
)
from modeldeps.store.queries.usage import (
    finding_keys,
    findings_by_rule,
    findings_of,
    model_uses,
    worst_severities,
)

__all__ = [
    "FindingRow",
    "ModelUse",
    "RepositoryRow",
    "RunItemRow",
    "RunRow",
    "ScanRow",
    "chunks",
    "find_repositories",
    "finding_keys",
    "findings_by_rule",
    "findings_of",
    "get_scan",
    "get_scans",
    "identities_by_id",
    "last_durations",
    "latest_failures",
    "latest_ids_select",
    "latest_scan_ids",
    "list_repositories",
    "list_runs",
    "list_scans",
    "load_result",
    "model_uses",
    "run_items",
    "stored_at_commit",
    "stored_with_tree",
    "worst_severities",
]
