"""fidelity: article enrichment, where figures count

An article gets enrichment marks (its title and publisher are not the text's words), and a
figure the country and place it counts in, so that a summary never adds figures that count
different places. The data version is dropped, as 0005 did, so that nothing serves the empty
columns: the next `seed` (which `serve` runs when it is missing) fills them.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 18:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("article") as batch:
        batch.add_column(sa.Column("enrichment", sa.JSON(), nullable=False, server_default="{}"))
    with op.batch_alter_table("figure") as batch:
        batch.add_column(sa.Column("country", sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch.add_column(sa.Column("place", sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch.create_foreign_key(
            batch.f("fk_figure_country_country"), "country", ["country"], ["code"]
        )
        batch.create_foreign_key(batch.f("fk_figure_place_place"), "place", ["place"], ["id"])
        batch.create_index(batch.f("ix_figure_country"), ["country"], unique=False)
        batch.create_index(batch.f("ix_figure_place"), ["place"], unique=False)
    op.execute("DELETE FROM store_meta WHERE key = 'data_version'")


def downgrade() -> None:
    with op.batch_alter_table("figure") as batch:
        batch.drop_index(batch.f("ix_figure_place"))
        batch.drop_index(batch.f("ix_figure_country"))
        batch.drop_constraint(batch.f("fk_figure_place_place"), type_="foreignkey")
        batch.drop_constraint(batch.f("fk_figure_country_country"), type_="foreignkey")
        batch.drop_column("place")
        batch.drop_column("country")
    with op.batch_alter_table("article") as batch:
        batch.drop_column("enrichment")
