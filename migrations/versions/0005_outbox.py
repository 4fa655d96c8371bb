"""the outbox as the one way out for every email: GOV.UK Notify statuses, unique event keys,
leases for the worker, the recipient, the case and the provider's message id

Revision ID: 0005_outbox
Revises: 0004_caseload
Create Date: 2026-12-01 09:10:00

Old 'failed' rows become 'technical-failure'. SQLite rebuilds the table to change the status
CHECK constraint: the column becomes a plain string first, the values are mapped, then the new
constraint is made.
"""
from alembic import op
import sqlalchemy as sa


revision = '0005_outbox'
down_revision = '0004_caseload'
branch_labels = None
depends_on = None

OLD = ('pending', 'sent', 'failed')
NEW = ('pending', 'sending', 'sent', 'delivered', 'temporary-failure', 'permanent-failure', 'technical-failure')
CHECK = 'ck_outbox_email_outboxstatus'


def _status(values):
    return sa.Enum(*values, name='outboxstatus', native_enum=False, create_constraint=True, length=20)


def _change_status(old, new, mapping):
    """Swap the status CHECK constraint, mapping values that the new one refuses."""
    updates = [
        sa.text(f"UPDATE outbox_email SET status = '{after}' WHERE status = '{before}'")
        for before, after in mapping.items()
    ]
    if op.get_bind().dialect.name == 'sqlite':
        with op.batch_alter_table('outbox_email', recreate='always') as batch_op:
            batch_op.alter_column('status', existing_type=_status(old), type_=sa.String(length=20),
                                  existing_nullable=False)
        for statement in updates:
            op.execute(statement)
        with op.batch_alter_table('outbox_email', recreate='always') as batch_op:
            batch_op.alter_column('status', existing_type=sa.String(length=20), type_=_status(new),
                                  existing_nullable=False)
        return
    op.drop_constraint(op.f(CHECK), 'outbox_email', type_='check')
    for statement in updates:
        op.execute(statement)
    quoted = ', '.join(f"'{value}'" for value in new)
    op.create_check_constraint('outboxstatus', 'outbox_email', sa.text(f'status IN ({quoted})'))


def upgrade():
    _change_status(OLD, NEW, {'failed': 'technical-failure'})
    with op.batch_alter_table('outbox_email', schema=None) as batch_op:
        batch_op.add_column(sa.Column('event_key', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('user_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('case_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('status_changed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('lease_until', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('provider_message_id', sa.String(length=100), nullable=True))
    op.execute("UPDATE outbox_email SET event_key = 'legacy:' || id, status_changed_at = created_at")
    with op.batch_alter_table('outbox_email', schema=None) as batch_op:
        batch_op.alter_column('event_key', existing_type=sa.String(length=200), nullable=False)
        batch_op.alter_column('status_changed_at', existing_type=sa.DateTime(timezone=True), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_outbox_email_event_key'), ['event_key'])
        batch_op.create_foreign_key(batch_op.f('fk_outbox_email_user_id_user_account'), 'user_account',
                                    ['user_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_outbox_email_case_id_ehc_case'), 'ehc_case', ['case_id'], ['id'])
        batch_op.create_index(batch_op.f('ix_outbox_email_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_email_provider_message_id'), ['provider_message_id'], unique=False)


def downgrade():
    with op.batch_alter_table('outbox_email', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_email_provider_message_id'))
        batch_op.drop_index(batch_op.f('ix_outbox_email_case_id'))
        batch_op.drop_constraint(batch_op.f('fk_outbox_email_case_id_ehc_case'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_outbox_email_user_id_user_account'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_outbox_email_event_key'), type_='unique')
        batch_op.drop_column('provider_message_id')
        batch_op.drop_column('lease_until')
        batch_op.drop_column('status_changed_at')
        batch_op.drop_column('case_id')
        batch_op.drop_column('user_id')
        batch_op.drop_column('event_key')
    _change_status(NEW, OLD, {
        'sending': 'pending', 'delivered': 'sent', 'temporary-failure': 'pending',
        'permanent-failure': 'failed', 'technical-failure': 'failed',
    })
