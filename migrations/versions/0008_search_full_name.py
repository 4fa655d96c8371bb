"""search by a child's full name: one trigram index over first and last name together

Revision ID: 0008_search_full_name
Revises: 0007_caseload_indexes
Create Date: 2026-12-01 15:10:00

A search's words must all be in the child's name (first and last together) or all in the case
reference. One trigram index over the whole name lets PostgreSQL intersect every word's matches
in the index ("Jun Benchname13292" finds one child without first collecting every "Jun"), where
the two indexes over first and last name apart could not. SQLite has no trigram indexes.
See docs/benchmarks.md (growth).
"""
from alembic import op

revision = '0008_search_full_name'
down_revision = '0007_caseload_indexes'
branch_labels = None
depends_on = None

FULL_NAME = "lower((first_name || ' ') || last_name) gin_trgm_ops"


def upgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.drop_index('ix_child_first_name_trgm', table_name='child')
    op.drop_index('ix_child_last_name_trgm', table_name='child')
    op.execute(f'CREATE INDEX ix_child_full_name_trgm ON child USING gin ({FULL_NAME})')


def downgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.drop_index('ix_child_full_name_trgm', table_name='child')
    op.execute('CREATE INDEX ix_child_last_name_trgm ON child USING gin (lower(last_name) gin_trgm_ops)')
    op.execute('CREATE INDEX ix_child_first_name_trgm ON child USING gin (lower(first_name) gin_trgm_ops)')
