"""Reports over the store: the organization report, ``history`` listings and diffs.

Each format is a module with pure functions from store views (``store.org.OrgReport``,
``store.diff.Diff``, query rows) to text; a format is imported only when used.
"""

from __future__ import annotations

#: ``org-report --format`` values, each a module of this package with ``render_org``.
ORG_FORMATS: tuple[str, ...] = ("table", "json", "markdown", "html", "cyclonedx")
#: ``history diff --format`` and ``history list --format`` values.
HISTORY_FORMATS: tuple[str, ...] = ("table", "json")

#: Version of the JSON layout of ``org-report`` and ``history`` (docs/store.md).
ORG_SCHEMA_VERSION = "1.0"
