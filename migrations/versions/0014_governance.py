"""the governance report: the board role, annual reviews' dates kept on the change that ends
them, and phase transfers

Revision ID: 0014_governance
Revises: 0013_feedback
Create Date: 2026-12-01 23:10:00

The role check constraints of user_account and invitation gain "board" (SQLite rebuilds the two
tables; PostgreSQL swaps the constraint).
"""

import warnings

from alembic import op
import sqlalchemy as sa

revision = "0014_governance"
down_revision = "0013_feedback"
branch_labels = None
depends_on = None

OLD_ROLES = ("family", "caseworker", "manager", "coproduction", "admin")
NEW_ROLES = (*OLD_ROLES, "board")


def _roles(table: str, roles: tuple[str, ...]) -> None:
    """SQLite rebuilds the table and cannot reflect user_account's expression index on
    lower(email) (0003): drop it first and make it again afterwards."""
    listed = ", ".join(f"'{role}'" for role in roles)
    if table == "user_account":
        op.drop_index("uq_user_account_email_lower", table_name="user_account")
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*expression-based index.*")
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_constraint("role", type_="check")
            batch_op.create_check_constraint("role", sa.text(f"role IN ({listed})"))
    if table == "user_account":
        op.create_index("uq_user_account_email_lower", "user_account", [sa.text("lower(email)")], unique=True)


def upgrade():
    for table in ("user_account", "invitation"):
        _roles(table, NEW_ROLES)
    with op.batch_alter_table("stage_change") as batch_op:
        batch_op.add_column(sa.Column("review_meeting_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("amendments_proposed_on", sa.Date(), nullable=True))
    op.create_table(
        "phase_transfer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("moves_on", sa.Date(), nullable=False),
        sa.Column("to_post_16", sa.Boolean(), nullable=False),
        sa.Column("amend_by", sa.Date(), nullable=False),
        sa.Column("amended_on", sa.Date(), nullable=True),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["ehc_case.id"], name=op.f("fk_phase_transfer_case_id_ehc_case")),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["user_account.id"], name=op.f("fk_phase_transfer_recorded_by_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_phase_transfer")),
    )
    with op.batch_alter_table("phase_transfer") as batch_op:
        batch_op.create_index(batch_op.f("ix_phase_transfer_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_phase_transfer_amend_by"), ["amend_by"], unique=False)
        batch_op.create_index(batch_op.f("ix_phase_transfer_recorded_by_id"), ["recorded_by_id"], unique=False)
    # The report's periods: messages sent, first replies and emails queued in a month.
    op.create_index(op.f("ix_message_sent_at"), "message", ["sent_at"], unique=False)
    op.create_index(op.f("ix_conversation_first_reply_at"), "conversation", ["first_reply_at"], unique=False)
    op.create_index(op.f("ix_outbox_email_created_at"), "outbox_email", ["created_at"], unique=False)
    # ... new plans, requests, decisions, reviews and exceptions in a period.
    op.create_index(op.f("ix_ehc_case_first_final_plan_on"), "ehc_case", ["first_final_plan_on"], unique=False)
    op.create_index(op.f("ix_ehc_case_request_received_on"), "ehc_case", ["request_received_on"], unique=False)
    op.create_index("ix_stage_change_to_stage_effective", "stage_change", ["to_stage", "effective_on"], unique=False)
    op.create_index(op.f("ix_stage_change_review_meeting_on"), "stage_change", ["review_meeting_on"], unique=False)
    op.create_index(op.f("ix_timeline_exception_applies_from"), "timeline_exception", ["applies_from"], unique=False)


def downgrade():
    op.drop_index(op.f("ix_timeline_exception_applies_from"), table_name="timeline_exception")
    op.drop_index(op.f("ix_stage_change_review_meeting_on"), table_name="stage_change")
    op.drop_index("ix_stage_change_to_stage_effective", table_name="stage_change")
    op.drop_index(op.f("ix_ehc_case_request_received_on"), table_name="ehc_case")
    op.drop_index(op.f("ix_ehc_case_first_final_plan_on"), table_name="ehc_case")
    op.drop_index(op.f("ix_outbox_email_created_at"), table_name="outbox_email")
    op.drop_index(op.f("ix_conversation_first_reply_at"), table_name="conversation")
    op.drop_index(op.f("ix_message_sent_at"), table_name="message")
    op.drop_table("phase_transfer")
    with op.batch_alter_table("stage_change") as batch_op:
        batch_op.drop_column("amendments_proposed_on")
        batch_op.drop_column("review_meeting_on")
    for table in ("user_account", "invitation"):
        _roles(table, OLD_ROLES)
