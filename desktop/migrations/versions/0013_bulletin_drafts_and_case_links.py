"""通报 drafts kept in the ledger (the clerk's text survives a restart; a leader issues it, 签发), who drafted
and who issued each bulletin, the period a bulletin covers (its month, or none for the year so far), and a
typical case's optional link to the bulletin that carried it (四(一)).

An existing bulletin was issued already: its month is taken from the figures it keeps.

Revision ID: 0013
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("bulletin") as batch:
        batch.add_column(sa.Column("month", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("drafted_by", sa.String(), server_default="", nullable=False))
        batch.add_column(sa.Column("issued_by", sa.String(), server_default="", nullable=False))
        batch.create_index(batch.f("ix_bulletin_year_id"), ["year_id"])
    with op.batch_alter_table("case") as batch:
        batch.add_column(sa.Column("bulletin_id", sa.Integer(), nullable=True))
        batch.create_index(batch.f("ix_case_bulletin_id"), ["bulletin_id"])
        batch.create_foreign_key(batch.f("fk_case_bulletin_id_bulletin"), "bulletin", ["bulletin_id"], ["id"],
                                 ondelete="SET NULL")
    bulletin = sa.table("bulletin", sa.column("id", sa.Integer()), sa.column("month", sa.Integer()),
                        sa.column("rankings", sa.JSON()))
    conn = op.get_bind()
    for row_id, rankings in conn.execute(sa.select(bulletin.c.id, bulletin.c.rankings)).all():
        month = (rankings or {}).get("month")
        if month is not None:
            conn.execute(bulletin.update().where(bulletin.c.id == row_id).values(month=int(month)))


def downgrade() -> None:
    with op.batch_alter_table("case") as batch:
        batch.drop_constraint(batch.f("fk_case_bulletin_id_bulletin"), type_="foreignkey")
        batch.drop_index(batch.f("ix_case_bulletin_id"))
        batch.drop_column("bulletin_id")
    with op.batch_alter_table("bulletin") as batch:
        batch.drop_index(batch.f("ix_bulletin_year_id"))
        batch.drop_column("issued_by")
        batch.drop_column("drafted_by")
        batch.drop_column("month")
