"""record CSV rows

Each record's CSV row, rendered with its JSON document when the store is seeded, so a CSV
export of whole records concatenates stored rows as an NDJSON export concatenates stored
documents (instead of parsing and flattening every record per request). The data version is
dropped, as 0003 did, so that nothing serves or exports the empty rows: the next `seed` (which
`serve` runs when it is missing) fills them.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 16:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("record_document") as batch:
        batch.add_column(sa.Column("csv", sa.Text(), nullable=False, server_default=""))
    op.execute("DELETE FROM store_meta WHERE key = 'data_version'")


def downgrade() -> None:
    with op.batch_alter_table("record_document") as batch:
        batch.drop_column("csv")
