"""versions of data that pages keep rendered parts of: the feedback's

Revision ID: 0016_data_versions
Revises: 0015_feedback_stage_index
Create Date: 2026-12-02 07:00:00

The co-production comments keep each page's list rendered under the version of the feedback it
shows (portal/data_versions.py). Triggers add one to the version in the same transaction as every
change to feedback, its themes, the themes, and the name or email of an account; on PostgreSQL
once a statement, on SQLite (which has only row triggers) once a row.
"""

import sqlalchemy as sa
from alembic import op

revision = "0016_data_versions"
down_revision = "0015_feedback_stage_index"
branch_labels = None
depends_on = None

BUMP = ("INSERT INTO data_version (name, version) VALUES ('feedback', 1) "
        "ON CONFLICT (name) DO UPDATE SET version = data_version.version + 1")
# Each table, and the change to it that the feedback's pages show.
WATCHED = (
    ("feedback", ("INSERT", "UPDATE", "DELETE")),
    ("feedback_theme", ("INSERT", "UPDATE", "DELETE")),
    ("theme", ("INSERT", "UPDATE", "DELETE")),
    ("user_account", ("UPDATE OF name, email",)),
)


def upgrade() -> None:
    op.create_table(
        "data_version",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_data_version")),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"CREATE FUNCTION feedback_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$\n"
                   f"BEGIN\n  {BUMP};\n  RETURN NULL;\nEND $$")
        for table, events in WATCHED:
            op.execute(f"CREATE TRIGGER {table}_feedback_version AFTER {' OR '.join(events)} ON {table} "
                       "FOR EACH STATEMENT EXECUTE FUNCTION feedback_version_bump()")
    else:
        for table, events in WATCHED:
            for event in events:
                name = f"{table}_feedback_version_{event.split()[0].lower()}"
                op.execute(f"CREATE TRIGGER {name} AFTER {event} ON {table} BEGIN {BUMP}; END")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table, _events in WATCHED:
            op.execute(f"DROP TRIGGER {table}_feedback_version ON {table}")
        op.execute("DROP FUNCTION feedback_version_bump()")
    else:
        for table, events in WATCHED:
            for event in events:
                op.execute(f"DROP TRIGGER {table}_feedback_version_{event.split()[0].lower()}")
    op.drop_table("data_version")
