"""the caseload sorted by the date a request was received

Revision ID: 0004_caseload
Revises: 0003_security
Create Date: 2026-12-01 08:30:00

A team's open cases, oldest request first, read from an index rather than sorted each time.
"""
from alembic import op

revision = '0004_caseload'
down_revision = '0003_security'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        'ix_ehc_case_team_open_received', 'ehc_case', ['team_id', 'closed', 'request_received_on'], unique=False
    )


def downgrade():
    op.drop_index('ix_ehc_case_team_open_received', table_name='ehc_case')
