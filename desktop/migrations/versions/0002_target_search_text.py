"""target.search_text: one lower-cased column for search-as-you-type, backfilled

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("target") as batch:
        batch.add_column(sa.Column("search_text", sa.Text(), nullable=False, server_default=""))
    # Same shape as desktop.services.target_service.search_text_for (kept literal here so the
    # migration does not change when that code does).
    op.execute(
        "UPDATE target SET search_text = lower(coalesce(name, '') || ' ' || coalesce(credit_code, '')"
        " || ' ' || coalesce(address, ''))"
    )


def downgrade() -> None:
    with op.batch_alter_table("target") as batch:
        batch.drop_column("search_text")
