"""event date sort indexes

Events sort by date with undated events last in both directions, i.e. by
coalesce(date_start, <sentinel>); these expression indexes let a keyset page walk that
order (also within one country, probing event_country per row) instead of sorting every
matching event. The expressions must match app.query.DATE_KEY exactly.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 23:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = {
    "ix_event_sort_date_asc": "9999-12-31",
    "ix_event_sort_date_desc": "0001-01-01",
}


def upgrade() -> None:
    for name, sentinel in INDEXES.items():
        op.create_index(name, "event", [sa.text(f"coalesce(date_start, '{sentinel}')"), "id"])


def downgrade() -> None:
    for name in INDEXES:
        op.drop_index(name, table_name="event")
