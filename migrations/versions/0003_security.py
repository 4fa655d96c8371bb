"""security hardening: encrypted TOTP secrets, sign-in failure windows, invitation states,
audit details, exception staff notes

Revision ID: 0003_security
Revises: 0002_cases
Create Date: 2026-12-01 07:40:00

Existing TOTP secrets are encrypted with the first of ENCRYPTION_KEYS, so this migration runs
inside the app (`flask db upgrade`), as every migration here does.
"""
import warnings

from alembic import op
import sqlalchemy as sa


revision = '0003_security'
down_revision = '0002_cases'
branch_labels = None
depends_on = None


def _alter_user_account(change):
    """SQLite rebuilds the table to alter it and cannot reflect the expression index on
    lower(email): drop it first and make it again afterwards."""
    op.drop_index('uq_user_account_email_lower', table_name='user_account')
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*expression-based index.*")
        with op.batch_alter_table('user_account', schema=None) as batch_op:
            change(batch_op)
    op.create_index('uq_user_account_email_lower', 'user_account', [sa.text('lower(email)')], unique=True)


def _secrets(transform):
    from portal import crypto

    connection = op.get_bind()
    rows = connection.execute(sa.text("SELECT id, totp_secret FROM user_account WHERE totp_secret IS NOT NULL")).all()
    for user_id, secret in rows:
        connection.execute(
            sa.text("UPDATE user_account SET totp_secret = :secret WHERE id = :id"),
            {"secret": transform(crypto, secret), "id": user_id},
        )


def upgrade():
    op.create_table('unknown_sign_in',
    sa.Column('email_hash', sa.String(length=64), nullable=False),
    sa.Column('failed_sign_ins', sa.Integer(), nullable=False),
    sa.Column('failures_started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('email_hash', name=op.f('pk_unknown_sign_in'))
    )
    with op.batch_alter_table('unknown_sign_in', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_unknown_sign_in_failures_started_at'), ['failures_started_at'], unique=False)

    def change(batch_op):
        batch_op.add_column(sa.Column('deactivated_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('failures_started_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('totp_pending_secret', sa.Text(), nullable=True))
        batch_op.alter_column('totp_secret', existing_type=sa.String(length=64), type_=sa.Text(), existing_nullable=True)

    _alter_user_account(change)
    _secrets(lambda crypto, secret: crypto.encrypt(secret))

    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('declined_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('last_sent_at', sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('detail', sa.String(length=500), nullable=True))

    with op.batch_alter_table('timeline_exception', schema=None) as batch_op:
        batch_op.add_column(sa.Column('staff_note', sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table('timeline_exception', schema=None) as batch_op:
        batch_op.drop_column('staff_note')

    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_column('detail')

    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.drop_column('last_sent_at')
        batch_op.drop_column('revoked_at')
        batch_op.drop_column('declined_at')

    _secrets(lambda crypto, secret: crypto.decrypt(secret))
    def change(batch_op):
        batch_op.alter_column('totp_secret', existing_type=sa.Text(), type_=sa.String(length=64), existing_nullable=True)
        batch_op.drop_column('totp_pending_secret')
        batch_op.drop_column('failures_started_at')
        batch_op.drop_column('deactivated_at')

    _alter_user_account(change)

    with op.batch_alter_table('unknown_sign_in', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_unknown_sign_in_failures_started_at'))

    op.drop_table('unknown_sign_in')
