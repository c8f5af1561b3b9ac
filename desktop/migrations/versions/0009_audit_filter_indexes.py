"""audit_log: indexes on user and action for the 操作日志 page's filter lists

The page fills its 用户/操作 drop-downs with the distinct values of the log; over a million records a
DISTINCT scans them all (about half a second on the five-year city, bench/pages.py). With these indexes
(object_type already leads ix_audit_object) each distinct value is one index seek.

Revision ID: 0009
Revises: 0008
"""

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_audit_user", "audit_log", ["user"])
    op.create_index("ix_audit_action", "audit_log", ["action"])


def downgrade() -> None:
    op.drop_index("ix_audit_action", table_name="audit_log")
    op.drop_index("ix_audit_user", table_name="audit_log")
