"""The store's tables (SQLAlchemy Core): the schema at the newest migration.

Scans are normalized so that questions over many scans are answered by the database: a model
name or an identity is stored once and referenced by id, every reference, artifact, finding
and finding location is a row. ``docs/design.md`` draws the tables; the migrations in
``migrations/versions`` build exactly this (a test compares them).

Times are naive UTC (``DateTime`` without time zone) on every backend, so that comparisons
and ``max()`` behave the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

import hashlib

import sqlalchemy as sa

#: Constraint names follow one convention, so migrations can name what they alter.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = sa.MetaData(naming_convention=NAMING)

DIGEST = sa.String(64)  # sha256, hex


class Text(sa.types.TypeDecorator[str]):
    """Unbounded text that any scanned string fits, NUL included.

    PostgreSQL refuses U+0000 in text; a NUL read from a scanned file is stored there as
    U+FFFD (the replacement character) rather than failing the whole save.
    """

    impl = sa.Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: sa.Dialect) -> str | None:
        if value is not None and dialect.name == "postgresql" and "\0" in value:
            return value.replace("\0", "\ufffd")
        return value


#: Text written by scanned content (paths, names, specifiers) is unbounded: a value of any
#: length must be stored, never make a save fail. Unique lookups go through a digest column.
TEXT = Text


def digest_of(*parts: str) -> str:
    """The digest column of a row keyed by ``parts`` (a repository key; a model's kind, name)."""
    joined = "\0".join(parts)
    return hashlib.sha256(joined.encode("utf-8", "surrogateescape")).hexdigest()


repositories = sa.Table(
    "repositories",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    # the remote URL without credentials when there is one, else "path:" + absolute path;
    # a sub-directory of a checkout adds "#" + its path inside the checkout
    sa.Column("key", TEXT, nullable=False),
    sa.Column("key_digest", DIGEST, nullable=False, unique=True),
    sa.Column("name", TEXT, nullable=False),
    sa.Column("path", TEXT, nullable=False),  # where it was last scanned
    sa.Column("remote_url", TEXT),
    sa.Column("first_seen_at", sa.DateTime, nullable=False),
)

runs = sa.Table(
    "runs",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("started_at", sa.DateTime, nullable=False),
    sa.Column("finished_at", sa.DateTime),  # NULL: still running, or killed
    sa.Column("executor", sa.String(32), nullable=False),
    sa.Column("targets", sa.Integer, nullable=False),
    sa.Column("tool_version", sa.String(64), nullable=False),
)

scans = sa.Table(
    "scans",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column(
        "repository_id",
        sa.Integer,
        sa.ForeignKey("repositories.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("started_at", sa.DateTime, nullable=False),  # when the scan started
    sa.Column("saved_at", sa.DateTime, nullable=False),
    sa.Column("last_seen_at", sa.DateTime, nullable=False),  # a duplicate save moves it
    sa.Column("commit_sha", sa.String(64)),  # HEAD of a git checkout
    sa.Column("branch", TEXT),
    sa.Column("tree_digest", DIGEST),  # stat digest of a tree without git (for --resume)
    sa.Column("tool_version", sa.String(64), nullable=False),
    sa.Column("kb_version", sa.String(64)),
    sa.Column("result_digest", DIGEST, nullable=False),  # what was found, times aside
    # one scan per (repository, dedup_key): commit, versions and result digest hashed
    sa.Column("dedup_key", DIGEST, nullable=False),
    sa.Column("roots", sa.JSON, nullable=False),
    sa.Column("reference_count", sa.Integer, nullable=False),
    sa.Column("model_count", sa.Integer, nullable=False),
    sa.Column("finding_count", sa.Integer, nullable=False),
    sa.Column("skipped_count", sa.Integer, nullable=False),
    sa.Column("files_seen", sa.Integer, nullable=False),
    sa.Column("files_parsed", sa.Integer, nullable=False),
    sa.Column("files_cached", sa.Integer, nullable=False),
    sa.Column("bytes_read", sa.BigInteger, nullable=False),
    sa.Column("duration_s", sa.Float, nullable=False),
    # NULL on scans saved before schema 0003, which did not record them
    sa.Column("files_unmatched", sa.Integer),
    sa.Column("files_inspected", sa.Integer),
    sa.Column("files_skipped", sa.Integer),
    sa.UniqueConstraint("repository_id", "dedup_key", name="uq_scans_repository_dedup"),
    # "the latest scan of each repository (at a date)" walks this index
    sa.Index("ix_scans_repository_started", "repository_id", "started_at", "id"),
    sa.Index("ix_scans_repository_commit", "repository_id", "commit_sha"),
)

#: What a ``scan-many`` run did with each target: stored, duplicate, failed or skipped.
run_items = sa.Table(
    "run_items",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id", ondelete="CASCADE"), nullable=False),
    sa.Column("target", TEXT, nullable=False),  # the path as given
    sa.Column("repository_id", sa.Integer, sa.ForeignKey("repositories.id", ondelete="CASCADE")),
    sa.Column("scan_id", sa.Integer, sa.ForeignKey("scans.id", ondelete="SET NULL")),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("reason", TEXT, nullable=False),
    sa.Column("at", sa.DateTime, nullable=False),
    sa.Index("ix_run_items_run", "run_id"),
    sa.Index("ix_run_items_repository", "repository_id"),
)

models = sa.Table(
    "models",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("kind", sa.String(32), nullable=False),  # a RefKind value, or "artifact"
    sa.Column("name", TEXT, nullable=False),
    sa.Column("digest", DIGEST, nullable=False, unique=True),  # of kind and name
)

identities = sa.Table(
    "identities",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("digest", DIGEST, nullable=False, unique=True),  # of the whole identity
    sa.Column("canonical_id", TEXT),
    sa.Column("family", TEXT),
    sa.Column("publisher_id", TEXT),
    sa.Column("publisher_name", TEXT),
    sa.Column("country", sa.String(16), nullable=False),  # ISO alpha-2, INTL or unknown
    sa.Column("licenses", sa.JSON, nullable=False),
    sa.Column("open_weights", sa.Boolean),
    sa.Column("lineage", sa.JSON, nullable=False),
    sa.Column("lineage_countries", sa.JSON, nullable=False),
    sa.Column("uploader", TEXT),
    sa.Column("evidence", sa.JSON, nullable=False),
    sa.Column("confidence", sa.String(16), nullable=False),
    sa.Column("decided_by", sa.String(64), nullable=False),
    sa.Index("ix_identities_country", "country"),
    sa.Index("ix_identities_publisher", "publisher_id"),
)


def _scan_fk() -> sa.Column[int]:
    return sa.Column(
        "scan_id", sa.Integer, sa.ForeignKey("scans.id", ondelete="CASCADE"), nullable=False
    )


def _identity_fk() -> sa.Column[int]:
    return sa.Column("identity_id", sa.Integer, sa.ForeignKey("identities.id"))


model_refs = sa.Table(
    "model_refs",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    _scan_fk(),
    sa.Column("model_id", sa.Integer, sa.ForeignKey("models.id"), nullable=False),
    _identity_fk(),
    sa.Column("path", TEXT, nullable=False),
    sa.Column("line", sa.Integer),
    sa.Column("col", sa.Integer),
    sa.Column("detector", sa.String(64), nullable=False),
    sa.Column("context", sa.JSON, nullable=False),
    sa.Index("ix_model_refs_scan_model", "scan_id", "model_id"),
    sa.Index("ix_model_refs_model", "model_id"),
)

artifacts = sa.Table(
    "artifacts",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    _scan_fk(),
    sa.Column("model_id", sa.Integer, sa.ForeignKey("models.id"), nullable=False),
    _identity_fk(),
    sa.Column("path", TEXT, nullable=False),
    sa.Column("format", TEXT, nullable=False),
    sa.Column("size_bytes", sa.BigInteger, nullable=False),
    sa.Column("sha256", DIGEST),
    sa.Column("tensors", sa.Integer),
    sa.Column("params", sa.BigInteger),
    sa.Column("dtype", TEXT),
    sa.Column("meta", sa.JSON, nullable=False),
    sa.Column("bytes_read", sa.BigInteger),
    sa.Index("ix_artifacts_scan", "scan_id"),
)

dependencies = sa.Table(
    "dependencies",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    _scan_fk(),
    sa.Column("ecosystem", sa.String(32), nullable=False),
    sa.Column("name", TEXT, nullable=False),
    sa.Column("specifier", TEXT, nullable=False),
    sa.Column("category", sa.String(32), nullable=False),
    sa.Column("path", TEXT, nullable=False),
    sa.Column("line", sa.Integer),
    sa.Column("col", sa.Integer),
    sa.Index("ix_dependencies_scan", "scan_id"),
)

findings = sa.Table(
    "findings",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    _scan_fk(),
    # set when the finding came with an artifact (an inspector's), NULL for the scan's own
    sa.Column("artifact_id", sa.Integer, sa.ForeignKey("artifacts.id", ondelete="CASCADE")),
    sa.Column("rule_id", sa.String(16), nullable=False),
    sa.Column("severity", sa.String(16), nullable=False),
    sa.Column("confidence", sa.String(16), nullable=False),
    sa.Column("title", TEXT, nullable=False),
    sa.Column("message", TEXT, nullable=False),
    sa.Column("fingerprint", sa.String(64), nullable=False),
    sa.Column("remediation", TEXT, nullable=False),
    sa.Column("subject", TEXT, nullable=False),
    sa.Index("ix_findings_scan_rule", "scan_id", "rule_id"),
    sa.Index("ix_findings_fingerprint", "fingerprint"),
)

#: Every location of a finding, in order; ``seq`` 0 is the one the finding is reported at.
finding_locations = sa.Table(
    "finding_locations",
    metadata,
    sa.Column(
        "finding_id",
        sa.Integer,
        sa.ForeignKey("findings.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("seq", sa.Integer, primary_key=True),
    sa.Column("path", TEXT, nullable=False),
    sa.Column("line", sa.Integer),
    sa.Column("col", sa.Integer),
)

skipped = sa.Table(
    "skipped",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    _scan_fk(),
    sa.Column("path", TEXT, nullable=False),
    sa.Column("line", sa.Integer),
    sa.Column("col", sa.Integer),
    sa.Column("stage", sa.String(16), nullable=False),
    sa.Column("reason", TEXT, nullable=False),
    sa.Index("ix_skipped_scan", "scan_id"),
)
