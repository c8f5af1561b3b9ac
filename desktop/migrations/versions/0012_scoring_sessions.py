"""考核评分 sessions (四(五)): when a session opened (its criteria and weights frozen) and by whom, who
confirmed it and when, the last unlock's reason; a criterion computed from the ledger names its source.

Every new column has a server default or is nullable, so existing rows stay valid on SQLite and PostgreSQL.

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def _text(name: str, *, long: bool = False) -> sa.Column:
    return sa.Column(name, sa.Text() if long else sa.String(), nullable=False, server_default="")


def upgrade() -> None:
    with op.batch_alter_table("scoring_session") as batch:
        batch.add_column(sa.Column("opened_at", sa.DateTime(), nullable=True))
        batch.add_column(_text("opened_by"))
        batch.add_column(sa.Column("confirmed_at", sa.DateTime(), nullable=True))
        batch.add_column(_text("confirmed_by"))
        batch.add_column(_text("unlock_reason", long=True))
    with op.batch_alter_table("criterion") as batch:
        batch.add_column(_text("source"))


def downgrade() -> None:
    with op.batch_alter_table("criterion") as batch:
        batch.drop_column("source")
    with op.batch_alter_table("scoring_session") as batch:
        for name in ("unlock_reason", "confirmed_by", "confirmed_at", "opened_by", "opened_at"):
            batch.drop_column(name)
