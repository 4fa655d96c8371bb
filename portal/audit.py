"""The audit log: one row per security event or staff action, added to the current transaction."""

from flask import has_request_context, request
from sqlalchemy import text

from portal.extensions import db
from portal.models import AuditEvent, User


def record(
    action: str, actor: User | None = None, target: str | None = None, detail: str | None = None
) -> AuditEvent:
    """Add an audit event to the session. The caller's use case commits it with its own change.

    `target` names what was acted on ("user:12", "child:4"); `detail` is a short reason or search
    text given by staff (cut to 500 characters): never a password, token or message.
    """
    ip_address = request.remote_addr if has_request_context() else None
    event = AuditEvent(
        actor_id=actor.id if actor is not None else None,
        action=action,
        target=target,
        detail=detail[:500] if detail else None,
        ip_address=ip_address,
    )
    db.session.add(event)
    return event


def commit_without_waiting_for_disk() -> None:
    """Commit a transaction whose only write is the audit record of a read (a staff member
    viewed a case or searched): on PostgreSQL it does not wait for the disk (synchronous_commit
    off, for this transaction only). The page does not wait on a disk flush for a record of
    reading it; only a crash of the database server itself could lose the last fraction of a
    second of such records. Changes to cases and accounts always wait for the disk."""
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        connection.execute(text("SET LOCAL synchronous_commit TO OFF"))
    db.session.commit()
