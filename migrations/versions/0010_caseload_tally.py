"""the caseload's team counts kept up to date by a trigger (PostgreSQL)

Revision ID: 0010_caseload_tally
Revises: 0009_stage_position
Create Date: 2026-12-01 15:30:00

`caseload_tally` holds, for each team, how many open cases share a next deadline, a "told until"
date (the expected date, when the family was also given a reason) and the unassigned, exception
and not-reached flags. On PostgreSQL a trigger on ehc_case changes it in the same transaction as
every insert, update and delete of a case, and it is filled here from the cases. The caseload's
counts then sum a few hundred rows a team, whatever its size (portal/casework/tally.py). SQLite
gets the table (so that the schema is the same) but no trigger: there the counts come from the
cases. See docs/benchmarks.md (growth).
"""
import sqlalchemy as sa
from alembic import op

revision = '0010_caseload_tally'
down_revision = '0009_stage_position'
branch_labels = None
depends_on = None

# The characters Python's str.isspace() accepts below U+3001, as portal.casework.queries'
# WHITESPACE: a reason of only these is no reason. Written as chr() calls (no control characters
# in the SQL text).
WHITESPACE = 'concat(' + ', '.join(f'chr({ord(c)})' for c in map(chr, range(0x3001)) if c.isspace()) + ')'


def _told_until(row):
    return (f"CASE WHEN {row}.expected_on IS NOT NULL "
            f"AND rtrim(coalesce({row}.delay_reason, ''), {WHITESPACE}) <> '' THEN {row}.expected_on END")


def _key(row):
    return (f"{row}.team_id, {row}.next_deadline_on, {_told_until(row)}, {row}.caseworker_id IS NULL, "
            f"{row}.has_exception, {row}.family_not_reached_since IS NOT NULL")


def upgrade():
    op.create_table(
        'caseload_tally',
        sa.Column('team_id', sa.Integer(), sa.ForeignKey('team.id', name='fk_caseload_tally_team_id_team'),
                  nullable=False),
        sa.Column('next_deadline_on', sa.Date()),
        sa.Column('told_until', sa.Date()),
        sa.Column('unassigned', sa.Boolean(), nullable=False),
        sa.Column('excepted', sa.Boolean(), nullable=False),
        sa.Column('not_reached', sa.Boolean(), nullable=False),
        sa.Column('cases', sa.Integer(), nullable=False),
        sa.UniqueConstraint('team_id', 'next_deadline_on', 'told_until', 'unassigned', 'excepted', 'not_reached',
                            name='uq_caseload_tally_key', postgresql_nulls_not_distinct=True),
    )
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.execute(f"""
CREATE FUNCTION caseload_tally_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.closed IS false THEN
    UPDATE caseload_tally SET cases = cases - 1
    WHERE (team_id, next_deadline_on, told_until, unassigned, excepted, not_reached)
          IS NOT DISTINCT FROM ({_key('OLD')});
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.closed IS false THEN
    INSERT INTO caseload_tally (team_id, next_deadline_on, told_until, unassigned, excepted, not_reached, cases)
    VALUES ({_key('NEW')}, 1)
    ON CONFLICT ON CONSTRAINT uq_caseload_tally_key DO UPDATE SET cases = caseload_tally.cases + 1;
  END IF;
  RETURN NULL;
END $$
""")
    op.execute("""
CREATE TRIGGER ehc_case_caseload_tally
AFTER INSERT OR DELETE OR UPDATE OF team_id, next_deadline_on, expected_on, delay_reason, caseworker_id,
  has_exception, family_not_reached_since, closed
ON ehc_case FOR EACH ROW EXECUTE FUNCTION caseload_tally_change()
""")
    op.execute(f"""
INSERT INTO caseload_tally (team_id, next_deadline_on, told_until, unassigned, excepted, not_reached, cases)
SELECT {_key('ehc_case')}, count(*) FROM ehc_case WHERE closed IS false
GROUP BY 1, 2, 3, 4, 5, 6
""")


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP TRIGGER ehc_case_caseload_tally ON ehc_case')
        op.execute('DROP FUNCTION caseload_tally_change()')
    op.drop_table('caseload_tally')
