"""Each hand-in of a month's report kept with its own date and lateness (三(四), 四(五)): a town that hands
in a second packet for the same month is dated and flagged by that hand-in, not by the first one.

Every existing report with a date becomes one hand-in on that date with the report's late flag, and its
items point at it, so nothing already recorded changes meaning.

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

_NOW = sa.text("(CURRENT_TIMESTAMP)")


def upgrade() -> None:
    op.create_table(
        "monthly_report_hand_in",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("handed_in_on", sa.Date(), nullable=False),
        sa.Column("is_late", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), server_default=_NOW, nullable=False),
        sa.Column("updated_at", sa.DateTime(), server_default=_NOW, nullable=False),
        sa.Column("revision", sa.Integer(), server_default="1", nullable=False),
        sa.ForeignKeyConstraint(["report_id"], ["monthly_report.id"],
                                name=op.f("fk_monthly_report_hand_in_report_id_monthly_report"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_monthly_report_hand_in")),
        sa.UniqueConstraint("report_id", "handed_in_on", name=op.f("uq_monthly_report_hand_in_report_id")),
    )
    op.create_index(op.f("ix_monthly_report_hand_in_report_id"), "monthly_report_hand_in", ["report_id"])
    with op.batch_alter_table("monthly_report_item") as batch:
        batch.add_column(sa.Column("hand_in_id", sa.Integer(), nullable=True))
        batch.create_index(batch.f("ix_monthly_report_item_hand_in_id"), ["hand_in_id"])
        batch.create_foreign_key(batch.f("fk_monthly_report_item_hand_in_id_monthly_report_hand_in"),
                                 "monthly_report_hand_in", ["hand_in_id"], ["id"], ondelete="SET NULL")
    op.execute("INSERT INTO monthly_report_hand_in (report_id, handed_in_on, is_late) "
               "SELECT id, reported_on, is_late FROM monthly_report WHERE reported_on IS NOT NULL")
    op.execute("UPDATE monthly_report_item SET hand_in_id = (SELECT h.id FROM monthly_report_hand_in h "
               "WHERE h.report_id = monthly_report_item.report_id)")


def downgrade() -> None:
    with op.batch_alter_table("monthly_report_item") as batch:
        batch.drop_constraint(batch.f("fk_monthly_report_item_hand_in_id_monthly_report_hand_in"), type_="foreignkey")
        batch.drop_index(batch.f("ix_monthly_report_item_hand_in_id"))
        batch.drop_column("hand_in_id")
    op.drop_index(op.f("ix_monthly_report_hand_in_report_id"), table_name="monthly_report_hand_in")
    op.drop_table("monthly_report_hand_in")
