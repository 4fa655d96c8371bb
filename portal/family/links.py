"""Links between family members and children: a family member accepts or declines a request to
link a child to their account, and staff remove a link. Each use case is one transaction.

A request is an `Invitation` (role family, with a child) whose email is the family member's own.
Accepting and declining are conditional updates: of two clicks at once, only one wins.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from portal import audit
from portal.claims import claim
from portal.extensions import db
from portal.models import Child, FamilyLink, Invitation, Role, User


def _for_user(user: User):
    """The conditions that make an invitation this family member's own."""
    return (
        func.lower(Invitation.email) == user.email.strip().lower(),
        Invitation.role == Role.FAMILY,
        Invitation.child_id.is_not(None),
        Invitation.relationship_to_child.is_not(None),
    )


def _open(now: datetime):
    return (
        Invitation.used_at.is_(None),
        Invitation.declined_at.is_(None),
        Invitation.revoked_at.is_(None),
        Invitation.expires_at > now,
    )


def pending_requests(user: User) -> list[Invitation]:
    """Requests waiting for this family member's answer, oldest first, with child and team."""
    return list(
        db.session.scalars(
            select(Invitation)
            .options(joinedload(Invitation.child).joinedload(Child.team))
            .where(*_for_user(user), *_open(datetime.now(UTC)))
            .order_by(Invitation.created_at, Invitation.id)
        )
    )


def request_for(user: User, invitation_id: int) -> Invitation | None:
    """The invitation if it is addressed to this family member, whatever its state; else None."""
    return db.session.scalar(select(Invitation).where(Invitation.id == invitation_id, *_for_user(user)))


def accept(user: User, invitation: Invitation) -> FamilyLink | None:
    """Link the child with the relationship the team gave. None if the request is no longer open
    (already answered, withdrawn or expired)."""
    now = datetime.now(UTC)
    if not claim(Invitation, Invitation.id == invitation.id, *_for_user(user), *_open(now), used_at=now):
        return None
    link = db.session.scalar(
        select(FamilyLink).where(FamilyLink.user_id == user.id, FamilyLink.child_id == invitation.child_id)
    )
    if link is None:
        assert invitation.child_id is not None and invitation.relationship_to_child is not None
        link = FamilyLink(
            user_id=user.id, child_id=invitation.child_id, relationship_to_child=invitation.relationship_to_child
        )
        db.session.add(link)
    audit.record("family-link-accepted", actor=user, target=f"invitation:{invitation.id}")
    db.session.commit()
    return link


def decline(user: User, invitation: Invitation) -> bool:
    """The family member says the child is not theirs. False if the request is no longer open."""
    now = datetime.now(UTC)
    if not claim(Invitation, Invitation.id == invitation.id, *_for_user(user), *_open(now), declined_at=now):
        return False
    audit.record("family-link-declined", actor=user, target=f"invitation:{invitation.id}")
    db.session.commit()
    return True


def remove(actor: User, link: FamilyLink, reason: str) -> None:
    """Staff end a family member's access to a child, with the reason in the audit log. Their
    next request for the child's pages is a 404: every family page reads through a link."""
    target = f"child:{link.child_id} user:{link.user_id}"
    db.session.delete(link)
    audit.record("family-link-removed", actor=actor, target=target, detail=reason)
    db.session.commit()
