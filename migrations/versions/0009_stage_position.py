"""the caseload sorted by stage read from an index: each case's position in the law's order

Revision ID: 0009_stage_position
Revises: 0008_search_full_name
Create Date: 2026-12-01 15:20:00

`ehc_case.stage_position` is where the case's stage comes in the law's order (Stage.position), set
with the stage by the models. With the partial index over open cases (team, position, deadline,
reference, id), "sorted by stage" reads one page from the index in order instead of sorting every
open case of the team. See docs/benchmarks.md (growth).
"""
import sqlalchemy as sa
from alembic import op

revision = '0009_stage_position'
down_revision = '0008_search_full_name'
branch_labels = None
depends_on = None

# Stage values in the law's order, as portal.ehcp.stages.Stage declares them (fixed here, so
# that this migration means the same whatever the code becomes).
STAGES = (
    'request_received', 'deciding_to_assess', 'not_assessing', 'assessing', 'deciding_to_issue',
    'not_issuing', 'draft_plan', 'final_plan', 'annual_review', 'ceased', 'moved_away', 'withdrawn',
)


def upgrade():
    op.add_column('ehc_case', sa.Column('stage_position', sa.SmallInteger(), server_default='0', nullable=False))
    whens = ' '.join(f"WHEN '{stage}' THEN {position}" for position, stage in enumerate(STAGES))
    op.execute(f'UPDATE ehc_case SET stage_position = CASE stage {whens} ELSE 0 END')
    op.create_index('ix_ehc_case_team_open_by_stage', 'ehc_case',
                    ['team_id', 'stage_position', 'next_deadline_on', 'reference', 'id'],
                    postgresql_where=sa.text('closed IS false'), sqlite_where=sa.text('closed IS 0'))


def downgrade():
    op.drop_index('ix_ehc_case_team_open_by_stage', table_name='ehc_case')
    # Plain ALTER TABLE on both (SQLite 3.35 and later drops a column that no index uses): a
    # batch copy of the table would have to rebuild its partial indexes.
    op.execute('ALTER TABLE ehc_case DROP COLUMN stage_position')
