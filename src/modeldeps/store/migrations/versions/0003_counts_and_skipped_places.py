"""What 0002 lost of a scan: the unmatched, inspected and skipped file counts, and the line
and column of a ``Skipped`` entry (a lock that cannot be read names its line)."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

#: ``ScanStats`` counters a scan saved at 0002 did not keep. They stay NULL on those rows
#: (not recorded, which zero would misstate); every scan saved from now on fills them.
COUNTS = ("files_unmatched", "files_inspected", "files_skipped")


def upgrade() -> None:
    with op.batch_alter_table("scans") as batch:
        for name in COUNTS:
            batch.add_column(sa.Column(name, sa.Integer))
    with op.batch_alter_table("skipped") as batch:
        batch.add_column(sa.Column("line", sa.Integer))
        batch.add_column(sa.Column("col", sa.Integer))


def downgrade() -> None:
    with op.batch_alter_table("skipped") as batch:
        batch.drop_column("col")
        batch.drop_column("line")
    with op.batch_alter_table("scans") as batch:
        for name in reversed(COUNTS):
            batch.drop_column(name)
