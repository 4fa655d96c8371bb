"""the caseload read from indexes: partial indexes over open cases, trigram search

Revision ID: 0007_caseload_indexes
Revises: 0006_delivery
Create Date: 2026-12-01 13:40:00

The team counts and the count of matches become index-only scans, a page of cases is read in
order from an index, and search by part of a name or reference uses trigram (pg_trgm) indexes
on PostgreSQL. SQLite gets the same partial indexes (without INCLUDE) and no trigram indexes: its
search scans, as before. Plain CREATE INDEX (no batch), so SQLite rebuilds no table.
See docs/benchmarks.md (the caseload's query plans).
"""
import sqlalchemy as sa
from alembic import op

revision = '0007_caseload_indexes'
down_revision = '0006_delivery'
branch_labels = None
depends_on = None

COVERED = ['id', 'reference', 'stage', 'caseworker_id', 'request_received_on', 'next_deadline_on', 'expected_on',
           'has_exception', 'family_not_reached_since', 'closed', 'child_id']
TRIGRAM = (
    ('ix_child_first_name_trgm', 'child', 'first_name'),
    ('ix_child_last_name_trgm', 'child', 'last_name'),
    ('ix_ehc_case_reference_trgm', 'ehc_case', 'reference'),
)


def _open(extra=''):
    """Over open cases only, with the very condition the queries use (closed IS false)."""
    return {
        'postgresql_where': sa.text('closed IS false' + extra),
        'sqlite_where': sa.text('closed IS 0' + extra),
    }


def upgrade():
    postgresql = op.get_bind().dialect.name == 'postgresql'
    op.drop_index('ix_ehc_case_team_open_deadline', table_name='ehc_case')
    op.drop_index('ix_ehc_case_team_open_received', table_name='ehc_case')
    op.create_index('ix_ehc_case_team_open_by_deadline', 'ehc_case',
                    ['team_id', 'next_deadline_on', 'reference', 'id'], **_open())
    op.create_index('ix_ehc_case_team_open_by_received', 'ehc_case',
                    ['team_id', 'request_received_on', 'next_deadline_on', 'reference', 'id'], **_open())
    op.create_index('ix_ehc_case_team_open_covering', 'ehc_case', ['team_id'], postgresql_include=COVERED,
                    **_open())
    op.create_index('ix_ehc_case_team_open_expected', 'ehc_case', ['team_id', 'expected_on'],
                    postgresql_include=['next_deadline_on'], **_open(' AND expected_on IS NOT NULL'))
    if postgresql:
        op.execute('CREATE EXTENSION IF NOT EXISTS pg_trgm')
        for name, table, column in TRIGRAM:
            op.create_index(name, table, [sa.text(f'lower({column}) gin_trgm_ops')], postgresql_using='gin')


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        for name, table, _ in TRIGRAM:
            op.drop_index(name, table_name=table)
        # Without CASCADE: kept (an error) if anything else in the database still uses it.
        op.execute('DROP EXTENSION IF EXISTS pg_trgm')
    for name in ('expected', 'covering', 'by_received', 'by_deadline'):
        op.drop_index(f'ix_ehc_case_team_open_{name}', table_name='ehc_case')
    op.create_index('ix_ehc_case_team_open_received', 'ehc_case', ['team_id', 'closed', 'request_received_on'],
                    unique=False)
    op.create_index('ix_ehc_case_team_open_deadline', 'ehc_case', ['team_id', 'closed', 'next_deadline_on'],
                    unique=False)
