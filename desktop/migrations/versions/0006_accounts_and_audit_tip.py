"""Accounts, the ledger's own settings, the audit chain tip, and who submitted what

- app_user gains must_change_password, last_login and password_changed_at; the roles become the
  five of 等保 (系统管理员, 安全管理员, 审计管理员, 经办, 领导); an old 管理员 becomes 系统管理员.
- ledger_meta keeps this ledger's settings and secrets (security rules, the packet secret).
- audit_tip holds the chain's newest record, rewritten with every append.
- governance_list.submitted_by, agreement.filed_by / filing_approved_by / filing_approved_on,
  verification.recorded_by and monthly_report.verification_confirmed_by / _at say who submitted a
  thing, so that the same person cannot approve it.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("app_user") as batch:
        batch.add_column(sa.Column("must_change_password", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("last_login", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("password_changed_at", sa.DateTime(), nullable=True))
    op.execute("UPDATE app_user SET role = 'SYSADMIN' WHERE role = 'ADMIN'")

    op.create_table(
        "ledger_meta",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.Text(), nullable=False, server_default=""),
    )
    op.create_table(
        "audit_tip",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("last_id", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("last_hash", sa.String(64), nullable=False, server_default=""),
        sa.Column("count", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("mac", sa.String(64), nullable=False, server_default=""),
    )
    with op.batch_alter_table("governance_list") as batch:
        batch.add_column(sa.Column("submitted_by", sa.String(64), nullable=False, server_default=""))
    with op.batch_alter_table("agreement") as batch:
        batch.add_column(sa.Column("filed_by", sa.String(64), nullable=False, server_default=""))
        batch.add_column(sa.Column("filing_approved_by", sa.String(64), nullable=False, server_default=""))
        batch.add_column(sa.Column("filing_approved_on", sa.Date(), nullable=True))
    with op.batch_alter_table("verification") as batch:
        batch.add_column(sa.Column("recorded_by", sa.String(64), nullable=False, server_default=""))
    with op.batch_alter_table("monthly_report") as batch:
        batch.add_column(sa.Column("verification_confirmed_by", sa.String(64), nullable=False, server_default=""))
        batch.add_column(sa.Column("verification_confirmed_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("monthly_report") as batch:
        batch.drop_column("verification_confirmed_at")
        batch.drop_column("verification_confirmed_by")
    with op.batch_alter_table("verification") as batch:
        batch.drop_column("recorded_by")
    with op.batch_alter_table("agreement") as batch:
        batch.drop_column("filing_approved_on")
        batch.drop_column("filing_approved_by")
        batch.drop_column("filed_by")
    with op.batch_alter_table("governance_list") as batch:
        batch.drop_column("submitted_by")
    op.drop_table("audit_tip")
    op.drop_table("ledger_meta")
    op.execute("UPDATE app_user SET role = 'ADMIN' WHERE role = 'SYSADMIN'")
    with op.batch_alter_table("app_user") as batch:
        batch.drop_column("password_changed_at")
        batch.drop_column("last_login")
        batch.drop_column("must_change_password")
