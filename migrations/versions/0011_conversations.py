"""conversations between families and the case team, files, closure days and staff absences

Revision ID: 0011_conversations
Revises: 0010_caseload_tally
Create Date: 2026-12-01 16:31:11

The team inbox reads one team's conversations waiting for the council from a partial index, urgent
first and nearest reply-by date first (ix_conversation_team_waiting), and its other views from
(team_id, status, last_message_at); a conversation's messages are read in order from
(conversation_id, id). A conversation carries its case's team (team_id) for that; a trigger moves
it with the case if a case's team ever changes (the service never does that today).
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0011_conversations"
down_revision = "0010_caseload_tally"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "closure_day",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("description", sa.String(length=100), nullable=False),
        sa.Column("added_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["added_by_id"], ["user_account.id"], name=op.f("fk_closure_day_added_by_id_user_account")
        ),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_closure_day")),
    )
    op.create_table(
        "staff_absence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], name=op.f("fk_staff_absence_user_id_user_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_absence")),
    )
    with op.batch_alter_table("staff_absence", schema=None) as batch_op:
        batch_op.create_index("ix_staff_absence_user_ends", ["user_id", "ends_on"], unique=False)

    op.create_table(
        "conversation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=120), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "waiting_for_council",
                "waiting_for_family",
                "closed",
                name="conversationstatus",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column(
            "urgent_reason",
            sa.Enum(
                "out_of_education",
                "appeal_deadline",
                "safety",
                "other",
                name="urgentreason",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=True,
        ),
        sa.Column("started_by_id", sa.Integer(), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("waiting_since", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reply_due_on", sa.Date(), nullable=True),
        sa.Column("last_message_id", sa.Integer(), nullable=True),
        sa.Column("last_message_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("message_count", sa.Integer(), nullable=False),
        sa.Column("first_reply_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("first_reply_working_days", sa.Integer(), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_by_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["ehc_case.id"], name=op.f("fk_conversation_case_id_ehc_case")),
        sa.ForeignKeyConstraint(["team_id"], ["team.id"], name=op.f("fk_conversation_team_id_team")),
        sa.ForeignKeyConstraint(
            ["closed_by_id"], ["user_account.id"], name=op.f("fk_conversation_closed_by_id_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["started_by_id"], ["user_account.id"], name=op.f("fk_conversation_started_by_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversation")),
    )
    with op.batch_alter_table("conversation", schema=None) as batch_op:
        batch_op.create_index("ix_conversation_case_updated", ["case_id", "last_message_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_conversation_started_by_id"), ["started_by_id"], unique=False)
        if op.get_bind().dialect.name == "postgresql":
            batch_op.create_index(
                "ix_conversation_team_waiting",
                ["team_id", sa.text("urgent DESC"), "reply_due_on", "id"],
                unique=False,
                postgresql_include=["case_id"],
                postgresql_where=sa.text("status = 'waiting_for_council'"),
            )
        else:
            batch_op.create_index(
                "ix_conversation_team_waiting_sqlite",
                ["team_id", "urgent", "reply_due_on", "id"],
                unique=False,
                sqlite_where=sa.text("status = 'waiting_for_council'"),
            )
        batch_op.create_index(
            "ix_conversation_team_status_latest",
            ["team_id", "status", "last_message_at", "id"],
            unique=False,
        )
    # Should a case ever move to another team, its conversations go with it.
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION conversation_follows_case_team() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN UPDATE conversation SET team_id = NEW.team_id WHERE case_id = NEW.id; RETURN NULL; END $$"
        )
        op.execute(
            "CREATE TRIGGER conversation_follows_case_team AFTER UPDATE OF team_id ON ehc_case FOR EACH ROW "
            "WHEN (OLD.team_id IS DISTINCT FROM NEW.team_id) EXECUTE FUNCTION conversation_follows_case_team()"
        )
    else:
        op.execute(
            "CREATE TRIGGER conversation_follows_case_team AFTER UPDATE OF team_id ON ehc_case FOR EACH ROW "
            "WHEN OLD.team_id IS NOT NEW.team_id "
            "BEGIN UPDATE conversation SET team_id = NEW.team_id WHERE case_id = NEW.id; END"
        )

    op.create_table(
        "conversation_read",
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("last_read_message_id", sa.Integer(), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["conversation_id"], ["conversation.id"], name=op.f("fk_conversation_read_conversation_id_conversation")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_conversation_read_user_id_user_account")
        ),
        sa.PrimaryKeyConstraint("conversation_id", "user_id", name=op.f("pk_conversation_read")),
    )
    with op.batch_alter_table("conversation_read", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_conversation_read_user_id"), ["user_id"], unique=False)

    op.create_table(
        "message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("author_title", sa.String(length=60), nullable=False),
        sa.Column("from_council", sa.Boolean(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submission_key", sa.String(length=64), nullable=False),
        sa.Column("answered_due_on", sa.Date(), nullable=True),
        sa.Column("working_days_late", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["author_id"], ["user_account.id"], name=op.f("fk_message_author_id_user_account")),
        sa.ForeignKeyConstraint(
            ["conversation_id"], ["conversation.id"], name=op.f("fk_message_conversation_id_conversation")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_message")),
        sa.UniqueConstraint("author_id", "submission_key", name="uq_message_author_submission"),
    )
    with op.batch_alter_table("message", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_message_author_id"), ["author_id"], unique=False)
        batch_op.create_index("ix_message_conversation_id", ["conversation_id", "id"], unique=False)

    op.create_table(
        "attachment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("stored_name", sa.String(length=64), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["message_id"], ["message.id"], name=op.f("fk_attachment_message_id_message")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attachment")),
        sa.UniqueConstraint("stored_name", name=op.f("uq_attachment_stored_name")),
    )
    with op.batch_alter_table("attachment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_attachment_message_id"), ["message_id"], unique=False)


def downgrade():
    with op.batch_alter_table("attachment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_attachment_message_id"))

    op.drop_table("attachment")
    with op.batch_alter_table("message", schema=None) as batch_op:
        batch_op.drop_index("ix_message_conversation_id")
        batch_op.drop_index(batch_op.f("ix_message_author_id"))

    op.drop_table("message")
    with op.batch_alter_table("conversation_read", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_conversation_read_user_id"))

    op.drop_table("conversation_read")
    op.execute("DROP TRIGGER conversation_follows_case_team" + (
        " ON ehc_case" if op.get_bind().dialect.name == "postgresql" else ""
    ))
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION conversation_follows_case_team()")
    with op.batch_alter_table("conversation", schema=None) as batch_op:
        batch_op.drop_index("ix_conversation_team_status_latest")
        if op.get_bind().dialect.name == "postgresql":
            batch_op.drop_index("ix_conversation_team_waiting")
        else:
            batch_op.drop_index("ix_conversation_team_waiting_sqlite")
        batch_op.drop_index(batch_op.f("ix_conversation_started_by_id"))
        batch_op.drop_index("ix_conversation_case_updated")

    op.drop_table("conversation")
    with op.batch_alter_table("staff_absence", schema=None) as batch_op:
        batch_op.drop_index("ix_staff_absence_user_ends")

    op.drop_table("staff_absence")
    op.drop_table("closure_day")
