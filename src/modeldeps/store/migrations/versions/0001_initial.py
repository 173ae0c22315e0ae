"""The first schema: repositories, scans and everything a scan found (one location per finding)."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

DIGEST = sa.String(64)
TEXT = sa.Text


def _scan_fk(table: str) -> sa.Column[int]:
    return sa.Column(
        "scan_id",
        sa.Integer,
        sa.ForeignKey("scans.id", name=f"fk_{table}_scan_id_scans", ondelete="CASCADE"),
        nullable=False,
    )


def upgrade() -> None:
    op.create_table(
        "repositories",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("key", TEXT, nullable=False),
        sa.Column("key_digest", DIGEST, nullable=False),
        sa.Column("name", TEXT, nullable=False),
        sa.Column("path", sa.Text, nullable=False),
        sa.Column("remote_url", sa.Text),
        sa.Column("first_seen_at", sa.DateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_repositories"),
        sa.UniqueConstraint("key_digest", name="uq_repositories_key_digest"),
    )
    op.create_table(
        "scans",
        sa.Column("id", sa.Integer),
        sa.Column("repository_id", sa.Integer, nullable=False),
        sa.Column("started_at", sa.DateTime, nullable=False),
        sa.Column("saved_at", sa.DateTime, nullable=False),
        sa.Column("last_seen_at", sa.DateTime, nullable=False),
        sa.Column("commit_sha", sa.String(64)),
        sa.Column("branch", TEXT),
        sa.Column("tree_digest", DIGEST),
        sa.Column("tool_version", sa.String(64), nullable=False),
        sa.Column("kb_version", sa.String(64)),
        sa.Column("result_digest", DIGEST, nullable=False),
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
        sa.PrimaryKeyConstraint("id", name="pk_scans"),
        sa.ForeignKeyConstraint(
            ["repository_id"],
            ["repositories.id"],
            name="fk_scans_repository_id_repositories",
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint("repository_id", "dedup_key", name="uq_scans_repository_dedup"),
    )
    op.create_index("ix_scans_repository_started", "scans", ["repository_id", "started_at", "id"])
    op.create_index("ix_scans_repository_commit", "scans", ["repository_id", "commit_sha"])
    op.create_table(
        "models",
        sa.Column("id", sa.Integer),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("name", TEXT, nullable=False),
        sa.Column("digest", DIGEST, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_models"),
        sa.UniqueConstraint("digest", name="uq_models_digest"),
    )
    op.create_table(
        "identities",
        sa.Column("id", sa.Integer),
        sa.Column("digest", DIGEST, nullable=False),
        sa.Column("canonical_id", TEXT),
        sa.Column("family", TEXT),
        sa.Column("publisher_id", TEXT),
        sa.Column("publisher_name", TEXT),
        sa.Column("country", sa.String(16), nullable=False),
        sa.Column("licenses", sa.JSON, nullable=False),
        sa.Column("open_weights", sa.Boolean),
        sa.Column("lineage", sa.JSON, nullable=False),
        sa.Column("lineage_countries", sa.JSON, nullable=False),
        sa.Column("uploader", TEXT),
        sa.Column("evidence", sa.JSON, nullable=False),
        sa.Column("confidence", sa.String(16), nullable=False),
        sa.Column("decided_by", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_identities"),
        sa.UniqueConstraint("digest", name="uq_identities_digest"),
    )
    op.create_index("ix_identities_country", "identities", ["country"])
    op.create_index("ix_identities_publisher", "identities", ["publisher_id"])
    op.create_table(
        "model_refs",
        sa.Column("id", sa.Integer),
        _scan_fk("model_refs"),
        sa.Column("model_id", sa.Integer, nullable=False),
        sa.Column("identity_id", sa.Integer),
        sa.Column("path", sa.Text, nullable=False),
        sa.Column("line", sa.Integer),
        sa.Column("col", sa.Integer),
        sa.Column("detector", sa.String(64), nullable=False),
        sa.Column("context", sa.JSON, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_model_refs"),
        sa.ForeignKeyConstraint(["model_id"], ["models.id"], name="fk_model_refs_model_id_models"),
        sa.ForeignKeyConstraint(
            ["identity_id"], ["identities.id"], name="fk_model_refs_identity_id_identities"
        ),
    )
    op.create_index("ix_model_refs_scan_model", "model_refs", ["scan_id", "model_id"])
    op.create_index("ix_model_refs_model", "model_refs", ["model_id"])
    op.create_table(
        "artifacts",
        sa.Column("id", sa.Integer),
        _scan_fk("artifacts"),
        sa.Column("model_id", sa.Integer, nullable=False),
        sa.Column("identity_id", sa.Integer),
        sa.Column("path", sa.Text, nullable=False),
        sa.Column("format", TEXT, nullable=False),
        sa.Column("size_bytes", sa.BigInteger, nullable=False),
        sa.Column("sha256", DIGEST),
        sa.Column("tensors", sa.Integer),
        sa.Column("params", sa.BigInteger),
        sa.Column("dtype", TEXT),
        sa.Column("meta", sa.JSON, nullable=False),
        sa.Column("bytes_read", sa.BigInteger),
        sa.PrimaryKeyConstraint("id", name="pk_artifacts"),
        sa.ForeignKeyConstraint(["model_id"], ["models.id"], name="fk_artifacts_model_id_models"),
        sa.ForeignKeyConstraint(
            ["identity_id"], ["identities.id"], name="fk_artifacts_identity_id_identities"
        ),
    )
    op.create_index("ix_artifacts_scan", "artifacts", ["scan_id"])
    op.create_table(
        "dependencies",
        sa.Column("id", sa.Integer),
        _scan_fk("dependencies"),
        sa.Column("ecosystem", sa.String(32), nullable=False),
        sa.Column("name", TEXT, nullable=False),
        sa.Column("specifier", TEXT, nullable=False),
        sa.Column("category", sa.String(32), nullable=False),
        sa.Column("path", sa.Text, nullable=False),
        sa.Column("line", sa.Integer),
        sa.Column("col", sa.Integer),
        sa.PrimaryKeyConstraint("id", name="pk_dependencies"),
    )
    op.create_index("ix_dependencies_scan", "dependencies", ["scan_id"])
    # A finding had exactly one location in this revision (path, line, col).
    op.create_table(
        "findings",
        sa.Column("id", sa.Integer),
        _scan_fk("findings"),
        sa.Column("artifact_id", sa.Integer),
        sa.Column("rule_id", sa.String(16), nullable=False),
        sa.Column("severity", sa.String(16), nullable=False),
        sa.Column("confidence", sa.String(16), nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("remediation", sa.Text, nullable=False),
        sa.Column("subject", TEXT, nullable=False),
        sa.Column("path", sa.Text, nullable=False),
        sa.Column("line", sa.Integer),
        sa.Column("col", sa.Integer),
        sa.PrimaryKeyConstraint("id", name="pk_findings"),
        sa.ForeignKeyConstraint(
            ["artifact_id"],
            ["artifacts.id"],
            name="fk_findings_artifact_id_artifacts",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_findings_scan_rule", "findings", ["scan_id", "rule_id"])
    op.create_index("ix_findings_fingerprint", "findings", ["fingerprint"])
    op.create_table(
        "skipped",
        sa.Column("id", sa.Integer),
        _scan_fk("skipped"),
        sa.Column("path", sa.Text, nullable=False),
        sa.Column("stage", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_skipped"),
    )
    op.create_index("ix_skipped_scan", "skipped", ["scan_id"])


def downgrade() -> None:
    for table in (
        "skipped",
        "findings",
        "dependencies",
        "artifacts",
        "model_refs",
        "identities",
        "models",
        "scans",
        "repositories",
    ):
        op.drop_table(table)
