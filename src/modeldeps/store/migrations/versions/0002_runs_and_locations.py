"""scan-many runs and their items; every location of a finding in its own table."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "runs",
        sa.Column("id", sa.Integer),
        sa.Column("started_at", sa.DateTime, nullable=False),
        sa.Column("finished_at", sa.DateTime),
        sa.Column("executor", sa.String(32), nullable=False),
        sa.Column("targets", sa.Integer, nullable=False),
        sa.Column("tool_version", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_runs"),
    )
    op.create_table(
        "run_items",
        sa.Column("id", sa.Integer),
        sa.Column("run_id", sa.Integer, nullable=False),
        sa.Column("target", sa.Text, nullable=False),
        sa.Column("repository_id", sa.Integer),
        sa.Column("scan_id", sa.Integer),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_run_items"),
        sa.ForeignKeyConstraint(
            ["run_id"], ["runs.id"], name="fk_run_items_run_id_runs", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["repository_id"],
            ["repositories.id"],
            name="fk_run_items_repository_id_repositories",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["scan_id"], ["scans.id"], name="fk_run_items_scan_id_scans", ondelete="SET NULL"
        ),
    )
    op.create_index("ix_run_items_run", "run_items", ["run_id"])
    op.create_index("ix_run_items_repository", "run_items", ["repository_id"])

    # A finding may carry several locations (one per place its (rule, model) pair occurs).
    op.create_table(
        "finding_locations",
        sa.Column("finding_id", sa.Integer),
        sa.Column("seq", sa.Integer),
        sa.Column("path", sa.Text, nullable=False),
        sa.Column("line", sa.Integer),
        sa.Column("col", sa.Integer),
        sa.PrimaryKeyConstraint("finding_id", "seq", name="pk_finding_locations"),
        sa.ForeignKeyConstraint(
            ["finding_id"],
            ["findings.id"],
            name="fk_finding_locations_finding_id_findings",
            ondelete="CASCADE",
        ),
    )
    op.execute(
        "INSERT INTO finding_locations (finding_id, seq, path, line, col) "
        "SELECT id, 0, path, line, col FROM findings"
    )
    with op.batch_alter_table("findings") as batch:
        batch.drop_column("path")
        batch.drop_column("line")
        batch.drop_column("col")


def downgrade() -> None:
    with op.batch_alter_table("findings") as batch:
        batch.add_column(sa.Column("path", sa.Text, nullable=False, server_default=""))
        batch.add_column(sa.Column("line", sa.Integer))
        batch.add_column(sa.Column("col", sa.Integer))
    op.execute(
        "UPDATE findings SET path = (SELECT path FROM finding_locations l "
        "WHERE l.finding_id = findings.id AND l.seq = 0), "
        "line = (SELECT line FROM finding_locations l "
        "WHERE l.finding_id = findings.id AND l.seq = 0), "
        "col = (SELECT col FROM finding_locations l "
        "WHERE l.finding_id = findings.id AND l.seq = 0)"
    )
    op.drop_table("finding_locations")
    op.drop_table("run_items")
    op.drop_table("runs")
