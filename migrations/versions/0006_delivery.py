"""delivery status from SendGrid's Event Webhook, the "family not reached" flag, email choices

Revision ID: 0006_delivery
Revises: 0005_outbox
Create Date: 2026-12-01 10:40:00
"""
import warnings

from alembic import op
import sqlalchemy as sa


revision = '0006_delivery'
down_revision = '0005_outbox'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'provider_event',
        sa.Column('sg_event_id', sa.String(length=100), nullable=False),
        sa.Column('outbox_id', sa.Integer(), nullable=True),
        sa.Column('event', sa.String(length=30), nullable=False),
        sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['outbox_id'], ['outbox_email.id'], name=op.f('fk_provider_event_outbox_id_outbox_email')),
        sa.PrimaryKeyConstraint('sg_event_id', name=op.f('pk_provider_event')),
    )
    with op.batch_alter_table('provider_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_provider_event_outbox_id'), ['outbox_id'], unique=False)
    # SQLite rebuilds outbox_email to add the foreign key; reflecting it touches user_account,
    # whose expression index (kept: that table is not rebuilt) SQLAlchemy cannot reflect.
    with warnings.catch_warnings(), op.batch_alter_table('outbox_email', schema=None) as batch_op:
        warnings.filterwarnings('ignore', message='.*expression-based index.*')
        batch_op.add_column(sa.Column('provider_event_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('resend_of_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_outbox_email_resend_of_id_outbox_email'), 'outbox_email',
                                    ['resend_of_id'], ['id'])
    # Plain ADD COLUMN (no batch): SQLite would otherwise rebuild user_account and lose its
    # expression index on lower(email).
    op.add_column('ehc_case', sa.Column('family_not_reached_since', sa.DateTime(timezone=True), nullable=True))
    op.create_index(op.f('ix_ehc_case_family_not_reached_since'), 'ehc_case', ['family_not_reached_since'],
                    unique=False)
    op.add_column('user_account', sa.Column('message_emails', sa.Boolean(), nullable=False, server_default=sa.true()))
    op.add_column('user_account', sa.Column('digest_emails', sa.Boolean(), nullable=False, server_default=sa.true()))
    op.add_column('user_account', sa.Column('updates_seen_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    # SQLite 3.35+ drops a plain column without rebuilding the table.
    for column in ('updates_seen_at', 'digest_emails', 'message_emails'):
        op.drop_column('user_account', column)
    op.drop_index(op.f('ix_ehc_case_family_not_reached_since'), table_name='ehc_case')
    op.drop_column('ehc_case', 'family_not_reached_since')
    with warnings.catch_warnings(), op.batch_alter_table('outbox_email', schema=None) as batch_op:
        warnings.filterwarnings('ignore', message='.*expression-based index.*')
        batch_op.drop_constraint(batch_op.f('fk_outbox_email_resend_of_id_outbox_email'), type_='foreignkey')
        batch_op.drop_column('resend_of_id')
        batch_op.drop_column('provider_event_at')
    op.drop_table('provider_event')
