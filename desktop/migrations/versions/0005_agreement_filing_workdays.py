"""year_params.agreement_filing_workdays: the agreement-filing term becomes a year parameter

三(三) asks for agreements to be filed (备案) with the office but names no term; the office's
practice of 10 workdays after signing was a constant in the deadline code. Every year kept so far
gets that practice.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("year_params") as batch:
        batch.add_column(sa.Column("agreement_filing_workdays", sa.Integer(), nullable=False, server_default="10"))


def downgrade() -> None:
    with op.batch_alter_table("year_params") as batch:
        batch.drop_column("agreement_filing_workdays")
