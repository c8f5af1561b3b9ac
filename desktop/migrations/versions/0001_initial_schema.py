"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-26 19:14:26.175984
"""

from alembic import op
import sqlalchemy as sa



revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('app_user',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('display_name', sa.String(), nullable=False),
    sa.Column('role', sa.String(length=24), nullable=False),
    sa.Column('password_hash', sa.String(), nullable=False),
    sa.Column('failed_logins', sa.Integer(), nullable=False),
    sa.Column('locked_until', sa.DateTime(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('revision', sa.Integer(), server_default='1', nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_app_user')),
    sa.UniqueConstraint('username', name=op.f('uq_app_user_username'))
    )
    op.create_table('attachment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('file_name', sa.String(), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('object_type', sa.String(length=40), nullable=False),
    sa.Column('object_id', sa.Integer(), nullable=False),
    sa.Column('description', sa.String(), nullable=False),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('revision', sa.Integer(), server_default='1', nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attachment'))
    )
    with op.batch_alter_table('attachment', schema=None) as batch_op:
        batch_op.create_index('ix_attachment_object', ['object_type', 'object_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_attachment_sha256'), ['sha256'], unique=False)

    op.create_table('audit_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('user', sa.String(length=64), nullable=False),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('object_type', sa.String(length=40), nullable=False),
    sa.Column('object_id', sa.Integer(), nullable=True),
    sa.Column('object_label', sa.String(), nullable=False),
    sa.Column('before', sa.JSON(), nullable=True),
    sa.Column('after', sa.JSON(), nullable=True),
    sa.Column('result', sa.String(length=16), nullable=False),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log'))
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_log_at'), ['at'], unique=False)
        batch_op.create_index('ix_audit_object', ['object_type', 'object_id'], unique=False)

    op.create_table('calendar_year',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('source', sa.String(), nullable=False),
    sa.Column('loaded_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('year', name=op.f('pk_calendar_year'))
    )
    op.create_table('column_mapping',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('mapping', sa.JSON(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('revision', sa.Integer(), server_default='1', nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_column_mapping')),
    sa.UniqueConstraint('name', name=op.f('uq_column_mapping_name'))
    )
    op.create_table('department',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(), nullable=False),
    sa.Column('short_name', sa.String(), nullable=False),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.Column('contact', sa.String(), nullable=False),
    sa.Column('phone', sa.String(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('revision', sa.Integer(), server_default='1', nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_department')),
    sa.UniqueConstraint('name', name=op.f('uq_department_name'))
    )
    op.create_table('holiday',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('is_workday', sa.Boolean(), nullable=False),
    sa.Column('name', sa.String(), nullable=False),
    sa.Column('source', sa.String(), nullable=False),
    sa.PrimaryKeyConstraint('day', name=op.f('pk_holiday'))
    )
    op.create_table('soe',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(), nullable=False),
    sa.Column('credit_code', sa.String(), nullable=True),
    sa.Column('contact', sa.String(), nullable=False),
    sa.Column('phone', sa.String(), nullable=False),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('revision', sa.Integer(), server_default='1', nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_soe')),
    sa.UniqueConstraint('name', name=op.f('uq_soe_name'))
    )
    op.create_table('town',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(), nullable=False),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.Column('liaison_name', sa.String(), nullable=False),
    sa.Column('liaison_phone', sa.String(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('revision', sa.Integer(), server_default='1', nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_town')),
    sa.UniqueConstraint('name', name=op.f('uq_town_name'))
    )
    op.create_table('year',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(), nullable=False),
    sa.Column('is_current', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('revision', sa.Integer(), server_default='1', nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_year')),
    sa.UniqueConstraint('year', name=op.f('uq_year_year'))
    )
    op.create_table('bulletin',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(), nullable=False),
    sa.Column('title', sa.String(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=True),
    sa.Column('issued_on', sa.Date(), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('rankings', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('revision', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['year_id'], ['year.id'], name=op.f('fk_bulletin_year_id_year')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bulletin'))
    )
    op.create_table('contiguous_area',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(), nullable=False),
    sa.Column('town_id', sa.Integer(), nullable=False),
    sa.Column('area_mu', sa.BigInteger(), nullable=True),
    sa.Column('start_date', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=24), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('revision', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['town_id'], ['town.id'], name=op.f('fk_contiguous_area_town_id_town')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contiguous_area')),
    sa.UniqueConstraint('name', name=op.f('uq_contiguous_area_name'))
    )
    with op.batch_alter_table('contiguous_area', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contiguous_area_town_id'), ['town_id'], unique=False)

    op.create_table('governance_list',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('town_id', sa.Integer(), nullable=False),
    sa.Column('year_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=24), nullable=False),
    sa.Column('submitted_at', sa.DateTime(), nullable=True),
    sa.Column('reviewed_at', sa.DateTime(), nullable=True),
    sa.Column('reviewer', sa.String(), nullable=False),
    sa.Column('return_reason', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('revision', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['town_id'], ['town.id'], name=op.f('fk_governance_list_town_id_town')),
    sa.ForeignKeyConstraint(['year_id'], ['year.id'], name=op.f('fk_governance_list_year_id_year')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_governance_list')),
    sa.UniqueConstraint('town_id', 'year_id', name=op.f('uq_governance_list_town_id'))
    )
    op.create_table('monthly_report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('town_id', sa.Integer(), nullable=False),
    sa.Column('year_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.Integer(), nullable=False),
    sa.Column('reported_on', sa.Date(), nullable=True),
    sa.Column('is_late', sa.Boolean(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('revision', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['town_id'], ['town.id'], name=op.f('fk_monthly_report_town_id_town')),
    sa.ForeignKeyConstraint(['year_id'], ['year.id'], name=op.f('fk_monthly_report_year_id_year')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_monthly_report')),
    sa.UniqueConstraint('town_id', 'year_id', 'month', name=op.f('uq_monthly_report_town_id'))
    )
    op.create_table('packet_import',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('packet_id', sa.String(length=40), nullable=False),
    sa.Column('direction', sa.String(length=8), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('town_id', sa.Integer(), nullable=True),
    sa.Column('year', sa.Integer(), nullable=True),
    sa.Column('month', sa.Integer(), nullable=True),
    sa.Column('file_name', sa.String(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=True),
    sa.Column('user', sa.String(length=64), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('counts', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['town_id'], ['town.id'], name=op.f('fk_packet_import_town_id_town')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_packet_import')),
    sa.UniqueConstraint('sha256', name=op.f('uq_packet_import_sha256'))
    )
    with op.batch_alter_table('packet_import', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_packet_import_packet_id'), ['packet_id'], unique=False)

    op.create_table('quota_pool',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year_id', sa.Integer(), nullable=False),
    sa.Column('capacity_mu', sa.BigInteger(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('revision', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['year_id'], ['year.id'], name=op.f('fk_quota_pool_year_id_year')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quota_pool')),
    sa.UniqueConstraint('year_id', name=op.f('uq_quota_pool_year_id'))
    )
    op.create_table('scoring_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year_id', sa.Integer(), nullable=False),
    sa.Column('subject', sa.String(length=24), nullable=False),
    sa.Column('title', sa.String(), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=True),
    sa.Column('closed', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('revision', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['year_id'], ['year.id'], name=op.f('fk_scoring_session_year_id_year')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scoring_session'))
    )
    op.create_table('subsidy_proposal',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('town_id', sa.Integer(), nullable=False),
    sa.Column('year_id', sa.Integer(), nullable=False),
    sa.Column('computed_wan', sa.BigInteger(), nullable=True),
    sa.Column('override_wan', sa.BigInteger(), nullable=True),
    sa.Column('override_reason', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('revision', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['town_id'], ['town.id'], name=op.f('fk_subsidy_proposal_town_id_town')),
    sa.ForeignKeyConstraint(['year_id'], ['year.id'], name=op.f('fk_subsidy_proposal_year_id_year')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_subsidy_proposal')),
    sa.UniqueConstraint('town_id', 'year_id', name=op.f('uq_subsidy_proposal_town_id'))
    )
    op.create_table('town_target',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('town_id', sa.Integer(), nullable=False),
    sa.Column('year_id', sa.Integer(), nullable=False),
    sa.Column('target_area_mu', sa.BigInteger(), nullable=False),
    sa.Column('target_parks', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('revision', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['town_id'], ['town.id'], name=op.f('fk_town_target_town_id_town'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['year_id'], ['year.id'], name=op.f('fk_town_target_year_id_year'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_town_target')),
    sa.UniqueConstraint('town_id', 'year_id', name=op.f('uq_town_target_town_id'))
    )
    op.create_table('year_params',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year_id', sa.Integer(), nullable=False),
    sa.Column('target_area_mu', sa.BigInteger(), nullable=False),
    sa.Column('parks_target', sa.Integer(), nullable=False),
    sa.Column('contiguous_share_min_pct', sa.BigInteger(), nullable=False),
    sa.Column('landbank_cost_cap_wan_per_mu', sa.BigInteger(), nullable=False),
    sa.Column('quota_borrow_ratio_pct', sa.BigInteger(), nullable=False),
    sa.Column('quota_return_years', sa.Integer(), nullable=False),
    sa.Column('quota_overdue_fee_wan_per_mu', sa.BigInteger(), nullable=False),
    sa.Column('report_due_day', sa.Integer(), nullable=False),
    sa.Column('verify_due_day', sa.Integer(), nullable=False),
    sa.Column('issue_list_workdays', sa.Integer(), nullable=False),
    sa.Column('progress_report_workdays', sa.Integer(), nullable=False),
    sa.Column('evaluation_year_offset', sa.Integer(), nullable=False),
    sa.Column('verifying_departments', sa.JSON(), nullable=False),
    sa.Column('subsidy_rate_wan_per_mu', sa.BigInteger(), nullable=True),
    sa.Column('subsidy_park_bonus_wan', sa.BigInteger(), nullable=True),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('revision', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['year_id'], ['year.id'], name=op.f('fk_year_params_year_id_year'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_year_params')),
    sa.UniqueConstraint('year_id', name=op.f('uq_year_params_year_id'))
    )
    op.create_table('criterion',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(), nullable=False),
    sa.Column('weight', sa.BigInteger(), nullable=False),
    sa.Column('max_points', sa.BigInteger(), nullable=False),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('revision', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['session_id'], ['scoring_session.id'], name=op.f('fk_criterion_session_id_scoring_session'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_criterion'))
    )
    op.create_table('target',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('name', sa.String(), nullable=False),
    sa.Column('town_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=24), nullable=False),
    sa.Column('contiguous_area_id', sa.Integer(), nullable=True),
    sa.Column('address', sa.String(), nullable=False),
    sa.Column('land_area_mu', sa.BigInteger(), nullable=True),
    sa.Column('state', sa.String(length=24), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('credit_code', sa.String(length=18), nullable=True),
    sa.Column('credit_code_override', sa.Boolean(), nullable=False),
    sa.Column('legal_rep', sa.String(), nullable=False),
    sa.Column('building_area_m2', sa.BigInteger(), nullable=True),
    sa.Column('industry', sa.String(), nullable=False),
    sa.Column('land_cert_no', sa.String(), nullable=False),
    sa.Column('owner', sa.String(), nullable=False),
    sa.Column('revision', sa.Integer(), server_default='1', nullable=False),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['contiguous_area_id'], ['contiguous_area.id'], name=op.f('fk_target_contiguous_area_id_contiguous_area'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['town_id'], ['town.id'], name=op.f('fk_target_town_id_town')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_target')),
    sa.UniqueConstraint('credit_code', name=op.f('uq_target_credit_code'))
    )
    with op.batch_alter_table('target', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_target_contiguous_area_id'), ['contiguous_area_id'], unique=False)
        batch_op.create_index('ix_target_name', ['name'], unique=False)
        batch_op.create_index(batch_op.f('ix_target_state'), ['state'], unique=False)
        batch_op.create_index('ix_target_town_category', ['town_id', 'category'], unique=False)
        batch_op.create_index(batch_op.f('ix_target_town_id'), ['town_id'], unique=False)

    op.create_table('case',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('medium', sa.String(), nullable=False),
    sa.Column('published_on', sa.Date(), nullable=True),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('revision', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['target_id'], ['target.id'], name=op.f('fk_case_target_id_target'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case'))
    )
    op.create_table('evaluation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('grade', sa.String(length=24), nullable=False),
    sa.Column('source', sa.String(), nullable=False),
    sa.ForeignKeyConstraint(['target_id'], ['target.id'], name=op.f('fk_evaluation_target_id_target'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation')),
    sa.UniqueConstraint('target_id', 'year', name=op.f('uq_evaluation_target_id'))
    )
    op.create_table('examination',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=False),
    sa.Column('town_id', sa.Integer(), nullable=False),
    sa.Column('proposed_on', sa.Date(), nullable=True),
    sa.Column('proposal_reason', sa.Text(), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=True),
    sa.Column('stage', sa.String(length=24), nullable=False),
    sa.Column('plan_procedure', sa.Text(), nullable=False),
    sa.Column('plan_methods', sa.Text(), nullable=False),
    sa.Column('plan_content', sa.Text(), nullable=False),
    sa.Column('closed_on', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('revision', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['target_id'], ['target.id'], name=op.f('fk_examination_target_id_target')),
    sa.ForeignKeyConstraint(['town_id'], ['town.id'], name=op.f('fk_examination_town_id_town')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_examination'))
    )
    with op.batch_alter_table('examination', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_examination_target_id'), ['target_id'], unique=False)

    op.create_table('list_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('list_id', sa.Integer(), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=False),
    sa.Column('planned_method', sa.String(length=24), nullable=False),
    sa.Column('planned_area_mu', sa.BigInteger(), nullable=False),
    sa.Column('contiguous_area_id', sa.Integer(), nullable=True),
    sa.Column('state', sa.String(length=24), nullable=False),
    sa.Column('state_reason', sa.Text(), nullable=False),
    sa.Column('completed_on', sa.Date(), nullable=True),
    sa.Column('verified_on', sa.Date(), nullable=True),
    sa.Column('verified_area_mu', sa.BigInteger(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('revision', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['contiguous_area_id'], ['contiguous_area.id'], name=op.f('fk_list_entry_contiguous_area_id_contiguous_area'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['list_id'], ['governance_list.id'], name=op.f('fk_list_entry_list_id_governance_list'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['target_id'], ['target.id'], name=op.f('fk_list_entry_target_id_target')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_list_entry')),
    sa.UniqueConstraint('list_id', 'target_id', name=op.f('uq_list_entry_list_id'))
    )
    with op.batch_alter_table('list_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_list_entry_list_id'), ['list_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_list_entry_state'), ['state'], unique=False)
        batch_op.create_index(batch_op.f('ix_list_entry_target_id'), ['target_id'], unique=False)

    op.create_table('score',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('criterion_id', sa.Integer(), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('points', sa.BigInteger(), nullable=True),
    sa.Column('scorer', sa.String(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('revision', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['criterion_id'], ['criterion.id'], name=op.f('fk_score_criterion_id_criterion'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_score')),
    sa.UniqueConstraint('criterion_id', 'subject_id', name=op.f('uq_score_criterion_id'))
    )
    op.create_table('acquisition',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('investor', sa.String(), nullable=False),
    sa.Column('new_project', sa.String(), nullable=False),
    sa.Column('stage', sa.String(length=24), nullable=False),
    sa.Column('town_reviewed_on', sa.Date(), nullable=True),
    sa.Column('negotiated_on', sa.Date(), nullable=True),
    sa.Column('joint_review_on', sa.Date(), nullable=True),
    sa.Column('joint_review_passed', sa.Boolean(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('revision', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['entry_id'], ['list_entry.id'], name=op.f('fk_acquisition_entry_id_list_entry'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_acquisition')),
    sa.UniqueConstraint('entry_id', name=op.f('uq_acquisition_entry_id'))
    )
    op.create_table('agreement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=True),
    sa.Column('town_id', sa.Integer(), nullable=False),
    sa.Column('soe_id', sa.Integer(), nullable=True),
    sa.Column('year_id', sa.Integer(), nullable=False),
    sa.Column('party_a', sa.String(), nullable=False),
    sa.Column('party_b', sa.String(), nullable=False),
    sa.Column('signed_on', sa.Date(), nullable=True),
    sa.Column('amount_wan', sa.BigInteger(), nullable=True),
    sa.Column('area_mu', sa.BigInteger(), nullable=True),
    sa.Column('filed_on', sa.Date(), nullable=True),
    sa.Column('over_cap_confirmed', sa.Boolean(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('revision', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['entry_id'], ['list_entry.id'], name=op.f('fk_agreement_entry_id_list_entry'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['soe_id'], ['soe.id'], name=op.f('fk_agreement_soe_id_soe')),
    sa.ForeignKeyConstraint(['town_id'], ['town.id'], name=op.f('fk_agreement_town_id_town')),
    sa.ForeignKeyConstraint(['year_id'], ['year.id'], name=op.f('fk_agreement_year_id_year')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agreement'))
    )
    with op.batch_alter_table('agreement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agreement_entry_id'), ['entry_id'], unique=False)

    op.create_table('consultation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('examination_id', sa.Integer(), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=True),
    sa.Column('participants', sa.Text(), nullable=False),
    sa.Column('opinion', sa.Text(), nullable=False),
    sa.Column('approved_by', sa.String(), nullable=False),
    sa.Column('approved_on', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('revision', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['examination_id'], ['examination.id'], name=op.f('fk_consultation_examination_id_examination'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consultation'))
    )
    op.create_table('examination_unit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('examination_id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('report_submitted_on', sa.Date(), nullable=True),
    sa.Column('preliminary_opinion', sa.Text(), nullable=False),
    sa.Column('progress_reported_on', sa.Date(), nullable=True),
    sa.Column('final_result', sa.Text(), nullable=False),
    sa.Column('final_reported_on', sa.Date(), nullable=True),
    sa.Column('town_score', sa.BigInteger(), nullable=True),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('revision', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['department_id'], ['department.id'], name=op.f('fk_examination_unit_department_id_department')),
    sa.ForeignKeyConstraint(['examination_id'], ['examination.id'], name=op.f('fk_examination_unit_examination_id_examination'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_examination_unit')),
    sa.UniqueConstraint('examination_id', 'department_id', name=op.f('uq_examination_unit_examination_id'))
    )
    op.create_table('land_banking',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('soe_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('revision', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['entry_id'], ['list_entry.id'], name=op.f('fk_land_banking_entry_id_list_entry'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['soe_id'], ['soe.id'], name=op.f('fk_land_banking_soe_id_soe')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_land_banking')),
    sa.UniqueConstraint('entry_id', name=op.f('uq_land_banking_entry_id'))
    )
    op.create_table('monthly_report_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('completed_area_mu', sa.BigInteger(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('revision', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['entry_id'], ['list_entry.id'], name=op.f('fk_monthly_report_item_entry_id_list_entry')),
    sa.ForeignKeyConstraint(['report_id'], ['monthly_report.id'], name=op.f('fk_monthly_report_item_report_id_monthly_report'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_monthly_report_item')),
    sa.UniqueConstraint('report_id', 'entry_id', name=op.f('uq_monthly_report_item_report_id'))
    )
    op.create_table('plan',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('batch_no', sa.String(), nullable=False),
    sa.Column('method', sa.String(length=24), nullable=False),
    sa.Column('planned_area_mu', sa.BigInteger(), nullable=False),
    sa.Column('planned_cost_wan', sa.BigInteger(), nullable=True),
    sa.Column('soe_id', sa.Integer(), nullable=True),
    sa.Column('filed_on', sa.Date(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('revision', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['entry_id'], ['list_entry.id'], name=op.f('fk_plan_entry_id_list_entry'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['soe_id'], ['soe.id'], name=op.f('fk_plan_soe_id_soe')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan'))
    )
    with op.batch_alter_table('plan', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_entry_id'), ['entry_id'], unique=False)

    op.create_table('sanction',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('examination_id', sa.Integer(), nullable=True),
    sa.Column('target_id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('applied_on', sa.Date(), nullable=True),
    sa.Column('lifted_on', sa.Date(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('revision', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['department_id'], ['department.id'], name=op.f('fk_sanction_department_id_department')),
    sa.ForeignKeyConstraint(['examination_id'], ['examination.id'], name=op.f('fk_sanction_examination_id_examination'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['target_id'], ['target.id'], name=op.f('fk_sanction_target_id_target')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sanction'))
    )
    with op.batch_alter_table('sanction', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sanction_target_id'), ['target_id'], unique=False)

    op.create_table('supervision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('examination_id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('listed_on', sa.Date(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('resolved_on', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('revision', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['department_id'], ['department.id'], name=op.f('fk_supervision_department_id_department')),
    sa.ForeignKeyConstraint(['examination_id'], ['examination.id'], name=op.f('fk_supervision_examination_id_examination'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_supervision'))
    )
    op.create_table('treatment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('examination_id', sa.Integer(), nullable=False),
    sa.Column('accepted', sa.Boolean(), nullable=True),
    sa.Column('accepted_on', sa.Date(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('revision', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['examination_id'], ['examination.id'], name=op.f('fk_treatment_examination_id_examination'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_treatment'))
    )
    op.create_table('groundwork_record',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('land_banking_id', sa.Integer(), nullable=False),
    sa.Column('step', sa.String(length=24), nullable=False),
    sa.Column('done_on', sa.Date(), nullable=True),
    sa.Column('result', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('revision', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['land_banking_id'], ['land_banking.id'], name=op.f('fk_groundwork_record_land_banking_id_land_banking'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_groundwork_record')),
    sa.UniqueConstraint('land_banking_id', 'step', name=op.f('uq_groundwork_record_land_banking_id'))
    )
    op.create_table('issue_list',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('examination_unit_id', sa.Integer(), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=True),
    sa.Column('contact_name', sa.String(), nullable=False),
    sa.Column('contact_phone', sa.String(), nullable=False),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('revision', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['examination_unit_id'], ['examination_unit.id'], name=op.f('fk_issue_list_examination_unit_id_examination_unit'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_issue_list'))
    )
    op.create_table('quota_loan',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pool_id', sa.Integer(), nullable=True),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('soe_id', sa.Integer(), nullable=False),
    sa.Column('town_id', sa.Integer(), nullable=False),
    sa.Column('loan_date', sa.Date(), nullable=False),
    sa.Column('area_mu', sa.BigInteger(), nullable=False),
    sa.Column('purpose', sa.String(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('revision', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['plan_id'], ['plan.id'], name=op.f('fk_quota_loan_plan_id_plan')),
    sa.ForeignKeyConstraint(['pool_id'], ['quota_pool.id'], name=op.f('fk_quota_loan_pool_id_quota_pool')),
    sa.ForeignKeyConstraint(['soe_id'], ['soe.id'], name=op.f('fk_quota_loan_soe_id_soe')),
    sa.ForeignKeyConstraint(['town_id'], ['town.id'], name=op.f('fk_quota_loan_town_id_town')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quota_loan'))
    )
    with op.batch_alter_table('quota_loan', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_quota_loan_plan_id'), ['plan_id'], unique=False)

    op.create_table('tax_record',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('acquisition_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('due_wan', sa.BigInteger(), nullable=True),
    sa.Column('paid_wan', sa.BigInteger(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('revision', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['acquisition_id'], ['acquisition.id'], name=op.f('fk_tax_record_acquisition_id_acquisition'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tax_record')),
    sa.UniqueConstraint('acquisition_id', 'month', name=op.f('uq_tax_record_acquisition_id'))
    )
    op.create_table('verification',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('result', sa.String(length=24), nullable=False),
    sa.Column('verified_on', sa.Date(), nullable=True),
    sa.Column('is_late', sa.Boolean(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('revision', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['department_id'], ['department.id'], name=op.f('fk_verification_department_id_department')),
    sa.ForeignKeyConstraint(['item_id'], ['monthly_report_item.id'], name=op.f('fk_verification_item_id_monthly_report_item'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_verification')),
    sa.UniqueConstraint('item_id', 'department_id', name=op.f('uq_verification_item_id'))
    )
    op.create_table('issue',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('issue_list_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('area', sa.String(length=24), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('basis', sa.Text(), nullable=False),
    sa.Column('requirement', sa.Text(), nullable=False),
    sa.Column('deadline', sa.Date(), nullable=True),
    sa.Column('rectified_on', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('revision', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['issue_list_id'], ['issue_list.id'], name=op.f('fk_issue_issue_list_id_issue_list'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_issue'))
    )
    op.create_table('quota_return',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('loan_id', sa.Integer(), nullable=False),
    sa.Column('return_date', sa.Date(), nullable=False),
    sa.Column('area_mu', sa.BigInteger(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('revision', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['loan_id'], ['quota_loan.id'], name=op.f('fk_quota_return_loan_id_quota_loan'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quota_return'))
    )
    with op.batch_alter_table('quota_return', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_quota_return_loan_id'), ['loan_id'], unique=False)




def downgrade() -> None:

    with op.batch_alter_table('quota_return', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_quota_return_loan_id'))

    op.drop_table('quota_return')
    op.drop_table('issue')
    op.drop_table('verification')
    op.drop_table('tax_record')
    with op.batch_alter_table('quota_loan', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_quota_loan_plan_id'))

    op.drop_table('quota_loan')
    op.drop_table('issue_list')
    op.drop_table('groundwork_record')
    op.drop_table('treatment')
    op.drop_table('supervision')
    with op.batch_alter_table('sanction', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sanction_target_id'))

    op.drop_table('sanction')
    with op.batch_alter_table('plan', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_entry_id'))

    op.drop_table('plan')
    op.drop_table('monthly_report_item')
    op.drop_table('land_banking')
    op.drop_table('examination_unit')
    op.drop_table('consultation')
    with op.batch_alter_table('agreement', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agreement_entry_id'))

    op.drop_table('agreement')
    op.drop_table('acquisition')
    op.drop_table('score')
    with op.batch_alter_table('list_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_list_entry_target_id'))
        batch_op.drop_index(batch_op.f('ix_list_entry_state'))
        batch_op.drop_index(batch_op.f('ix_list_entry_list_id'))

    op.drop_table('list_entry')
    with op.batch_alter_table('examination', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_examination_target_id'))

    op.drop_table('examination')
    op.drop_table('evaluation')
    op.drop_table('case')
    with op.batch_alter_table('target', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_target_town_id'))
        batch_op.drop_index('ix_target_town_category')
        batch_op.drop_index(batch_op.f('ix_target_state'))
        batch_op.drop_index('ix_target_name')
        batch_op.drop_index(batch_op.f('ix_target_contiguous_area_id'))

    op.drop_table('target')
    op.drop_table('criterion')
    op.drop_table('year_params')
    op.drop_table('town_target')
    op.drop_table('subsidy_proposal')
    op.drop_table('scoring_session')
    op.drop_table('quota_pool')
    with op.batch_alter_table('packet_import', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_packet_import_packet_id'))

    op.drop_table('packet_import')
    op.drop_table('monthly_report')
    op.drop_table('governance_list')
    with op.batch_alter_table('contiguous_area', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contiguous_area_town_id'))

    op.drop_table('contiguous_area')
    op.drop_table('bulletin')
    op.drop_table('year')
    op.drop_table('town')
    op.drop_table('soe')
    op.drop_table('holiday')
    op.drop_table('department')
    op.drop_table('column_mapping')
    op.drop_table('calendar_year')
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_object')
        batch_op.drop_index(batch_op.f('ix_audit_log_at'))

    op.drop_table('audit_log')
    with op.batch_alter_table('attachment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attachment_sha256'))
        batch_op.drop_index('ix_attachment_object')

    op.drop_table('attachment')
    op.drop_table('app_user')

