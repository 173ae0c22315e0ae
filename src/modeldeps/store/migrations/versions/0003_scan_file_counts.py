"""The scan's file counts added since 0002: unmatched, inspected and skipped files."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

#: ``ScanStats`` counters a scan saved at 0002 did not keep. They stay NULL on those rows
#: (not recorded, which zero would misstate); every scan saved from now on fills them.
COLUMNS = ("files_unmatched", "files_inspected", "files_skipped")


def upgrade() -> None:
    with op.batch_alter_table("scans") as batch:
        for name in COLUMNS:
            batch.add_column(sa.Column(name, sa.Integer))


def downgrade() -> None:
    with op.batch_alter_table("scans") as batch:
        for name in reversed(COLUMNS):
            batch.drop_column(name)
