"""综合体检 in full (附件2): related parties, findings per check area, accountability, the year's scoring
criteria and each unit's scores; 文号 and issuing unit of a sanction, 验收人, who attended a 会诊, a member
unit's 分管领导, who scored a unit and when.

Every new column has a server default, so existing rows stay valid on SQLite and PostgreSQL alike.

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_NOW = sa.text("(CURRENT_TIMESTAMP)")


def _stamps() -> list[sa.Column]:
    return [
        sa.Column("created_at", sa.DateTime(), server_default=_NOW, nullable=False),
        sa.Column("updated_at", sa.DateTime(), server_default=_NOW, nullable=False),
        sa.Column("revision", sa.Integer(), server_default="1", nullable=False),
    ]


def _text(name: str, *, long: bool = False) -> sa.Column:
    return sa.Column(name, sa.Text() if long else sa.String(), nullable=False, server_default="")


def upgrade() -> None:
    op.create_table(
        "examination_party",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("examination_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        _text("credit_code"), _text("relation"), _text("note", long=True),
        *_stamps(),
        sa.ForeignKeyConstraint(["examination_id"], ["examination.id"],
                                name=op.f("fk_examination_party_examination_id_examination"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_examination_party")),
    )
    op.create_index(op.f("ix_examination_party_examination_id"), "examination_party", ["examination_id"])

    op.create_table(
        "examination_finding",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("examination_unit_id", sa.Integer(), nullable=False),
        sa.Column("area", sa.String(length=24), nullable=False),
        _text("text", long=True),
        *_stamps(),
        sa.ForeignKeyConstraint(["examination_unit_id"], ["examination_unit.id"],
                                name=op.f("fk_examination_finding_examination_unit_id_examination_unit"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_examination_finding")),
        sa.UniqueConstraint("examination_unit_id", "area", name=op.f("uq_examination_finding_examination_unit_id")),
    )

    op.create_table(
        "exam_accountability",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("examination_id", sa.Integer(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=True),
        _text("person"), _text("description", long=True),
        sa.Column("decided_on", sa.Date(), nullable=True),
        _text("doc_number"),
        *_stamps(),
        sa.ForeignKeyConstraint(["examination_id"], ["examination.id"],
                                name=op.f("fk_exam_accountability_examination_id_examination"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["department_id"], ["department.id"],
                                name=op.f("fk_exam_accountability_department_id_department")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exam_accountability")),
    )
    op.create_index(op.f("ix_exam_accountability_examination_id"), "exam_accountability", ["examination_id"])

    op.create_table(
        "exam_criterion",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("year_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("weight", sa.BigInteger(), nullable=False),
        sa.Column("max_points", sa.BigInteger(), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        *_stamps(),
        sa.ForeignKeyConstraint(["year_id"], ["year.id"], name=op.f("fk_exam_criterion_year_id_year"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exam_criterion")),
        sa.UniqueConstraint("year_id", "name", name=op.f("uq_exam_criterion_year_id")),
    )

    op.create_table(
        "exam_unit_score",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("examination_unit_id", sa.Integer(), nullable=False),
        sa.Column("criterion", sa.String(), nullable=False),
        sa.Column("weight", sa.BigInteger(), nullable=False),
        sa.Column("max_points", sa.BigInteger(), nullable=False),
        sa.Column("points", sa.BigInteger(), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        *_stamps(),
        sa.ForeignKeyConstraint(["examination_unit_id"], ["examination_unit.id"],
                                name=op.f("fk_exam_unit_score_examination_unit_id_examination_unit"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exam_unit_score")),
        sa.UniqueConstraint("examination_unit_id", "criterion", name=op.f("uq_exam_unit_score_examination_unit_id")),
    )

    with op.batch_alter_table("sanction") as batch:
        batch.add_column(_text("doc_number"))
        batch.add_column(_text("issuer"))
    with op.batch_alter_table("treatment") as batch:
        batch.add_column(_text("accepted_by"))
    with op.batch_alter_table("consultation") as batch:
        batch.add_column(sa.Column("units_present", sa.JSON(), nullable=False, server_default="[]"))
        batch.add_column(sa.Column("towns_present", sa.JSON(), nullable=False, server_default="[]"))
    with op.batch_alter_table("department") as batch:
        batch.add_column(_text("leader"))
    with op.batch_alter_table("examination_unit") as batch:
        batch.add_column(_text("scored_by"))
        batch.add_column(sa.Column("scored_on", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("examination_unit") as batch:
        batch.drop_column("scored_on")
        batch.drop_column("scored_by")
    with op.batch_alter_table("department") as batch:
        batch.drop_column("leader")
    with op.batch_alter_table("consultation") as batch:
        batch.drop_column("towns_present")
        batch.drop_column("units_present")
    with op.batch_alter_table("treatment") as batch:
        batch.drop_column("accepted_by")
    with op.batch_alter_table("sanction") as batch:
        batch.drop_column("issuer")
        batch.drop_column("doc_number")
    for table in ("exam_unit_score", "exam_criterion", "exam_accountability", "examination_finding",
                  "examination_party"):
        op.drop_table(table)
