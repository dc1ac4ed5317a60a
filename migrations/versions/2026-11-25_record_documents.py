"""record documents, search names

Each record's public JSON, rendered when the store is seeded, so a page is served by
concatenating documents instead of querying every relation of every record; and each search
document's own names, so a search for a name ranks that record first. The data version is
dropped so that the next `seed` (which `serve` runs when it is missing) fills both.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "record_document",
        sa.Column("type", sa.String(length=32), nullable=False),
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("type", "id", name=op.f("pk_record_document")),
    )
    with op.batch_alter_table("search_document") as batch:
        batch.add_column(sa.Column("names", sa.Text(), nullable=False, server_default=""))
    op.execute("DELETE FROM store_meta WHERE key = 'data_version'")


def downgrade() -> None:
    with op.batch_alter_table("search_document") as batch:
        batch.drop_column("names")
    op.drop_table("record_document")
