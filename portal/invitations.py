"""Inviting people: a caseworker invites a family member to a child; a manager or admin invites staff.

Each invitation is one transaction (invitation row and audit event) followed by its email. A family
invitation never links a child by itself: someone who already has an account accepts it on their
own page (portal.family.links), anyone else by creating their account from the link.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import current_app, url_for
from sqlalchemy import func, select

from portal import audit
from portal.auth.services import find_user_by_email
from portal.claims import claim
from portal.extensions import db
from portal.models import Child, Invitation, Relationship, Role, Team, User
from portal.outbox import queue_email
from portal.tokens import new_token


class InvitationProblem(ValueError):
    """A reason the invitation cannot be sent, worded for the person sending it."""


def _link(endpoint: str, **values: object) -> str:
    return current_app.config["PORTAL_BASE_URL"].rstrip("/") + url_for(endpoint, **values)


def _create(inviter: User, email: str, name: str, role: Role, **fields: object) -> tuple[Invitation, str]:
    token, token_hash = new_token()
    invitation = Invitation(
        email=email,
        name=name,
        role=role,
        token_hash=token_hash,
        invited_by=inviter,
        expires_at=datetime.now(UTC) + current_app.config["INVITATION_LIFETIME"],
        **fields,
    )
    db.session.add(invitation)
    db.session.flush()
    return invitation, token


def _pending_invitation(email: str, child: Child) -> Invitation | None:
    """A usable invitation for this email address and child, if one is waiting."""
    now = datetime.now(UTC)
    return db.session.scalar(
        select(Invitation).where(
            func.lower(Invitation.email) == email.strip().lower(),
            Invitation.child_id == child.id,
            Invitation.used_at.is_(None),
            Invitation.declined_at.is_(None),
            Invitation.revoked_at.is_(None),
            Invitation.expires_at > now,
        )
    )


def _has_family_account(email: str) -> bool:
    existing = find_user_by_email(email)
    return existing is not None and existing.role is Role.FAMILY


def _event_key(kind: str, invitation: Invitation, sent_at: datetime) -> str:
    """One email for each time an invitation is sent (its first sending, then each resend)."""
    return f"{kind}:{invitation.id}:{sent_at.isoformat()}"


def _send_family_invitation(invitation: Invitation, token: str, has_account: bool, sent_at: datetime) -> None:
    """Queue the email, in the caller's transaction. Someone with an account is asked to sign in
    and accept; anyone else gets a link to create an account. Either way the email names only the
    child's first name and the team."""
    child = invitation.child
    assert child is not None
    if has_account:
        queue_email(
            invitation.email,
            "A SEND team has asked to link a child to your account",
            "link_request",
            event_key=_event_key("link-request", invitation, sent_at),
            inviter_team=child.team.name,
            child_first_name=child.first_name,
            link=_link("auth.sign_in"),
        )
        return
    queue_email(
        invitation.email,
        "You have been invited to the SEND Family Portal",
        "invitation",
        event_key=_event_key("invitation", invitation, sent_at),
        inviter_team=child.team.name,
        child_first_name=child.first_name,
        # A young person invited to their own account reads "your", not their name.
        young_person=invitation.relationship_to_child is Relationship.YOUNG_PERSON,
        role_label=Role.FAMILY.label,
        link=_link("auth.accept_invitation", token=token),
    )


def invite_family_member(
    inviter: User, child: Child, email: str, name: str, relationship: Relationship
) -> str:
    """Invite someone to see a child. Returns "invited" (a link to create an account), or "asked"
    when they already have a family account: nothing is linked until they accept on their page."""
    outcome = add_family_invitation(inviter, child, email, name, relationship)
    db.session.commit()
    return outcome


def add_family_invitation(
    inviter: User, child: Child, email: str, name: str, relationship: Relationship
) -> str:
    """invite_family_member's work, in the caller's transaction (which commits it)."""
    existing = find_user_by_email(email)
    if existing is not None and existing.role is not Role.FAMILY:
        raise InvitationProblem("This email address belongs to a staff account. Use a different email address")
    if existing is not None and any(link.child_id == child.id for link in existing.child_links):
        raise InvitationProblem(f"This person can already see {child.first_name}’s information")
    if _pending_invitation(email, child) is not None:
        raise InvitationProblem(
            f"You have already invited this person to see {child.first_name}’s information. "
            f"Resend or withdraw that invitation on {child.first_name}’s page"
        )
    sent_at = datetime.now(UTC)
    invitation, token = _create(
        inviter, email, name, Role.FAMILY, child=child, relationship_to_child=relationship, last_sent_at=sent_at,
    )
    audit.record("invitation-sent", actor=inviter, target=f"invitation:{invitation.id}")
    _send_family_invitation(invitation, token, has_account=existing is not None, sent_at=sent_at)
    return "asked" if existing is not None else "invited"


_STILL_OPEN = (Invitation.used_at.is_(None), Invitation.declined_at.is_(None), Invitation.revoked_at.is_(None))


def resend_family_invitation(actor: User, invitation: Invitation) -> bool:
    """A new link (the old one stops working) for another full lifetime, emailed again.
    False if the invitation was used, declined or withdrawn meanwhile."""
    token, token_hash = new_token()
    now = datetime.now(UTC)
    expires_at = now + current_app.config["INVITATION_LIFETIME"]
    if not claim(
        Invitation, Invitation.id == invitation.id, *_STILL_OPEN,
        token_hash=token_hash, expires_at=expires_at, last_sent_at=now,
    ):
        return False
    audit.record("invitation-resent", actor=actor, target=f"invitation:{invitation.id}")
    _send_family_invitation(invitation, token, has_account=_has_family_account(invitation.email), sent_at=now)
    db.session.commit()
    db.session.refresh(invitation)
    return True


def withdraw_invitation(actor: User, invitation: Invitation) -> bool:
    """Withdraw an invitation so that it can no longer be used. False if it was already used,
    declined or withdrawn."""
    if not claim(Invitation, Invitation.id == invitation.id, *_STILL_OPEN, revoked_at=datetime.now(UTC)):
        return False
    audit.record("invitation-revoked", actor=actor, target=f"invitation:{invitation.id}")
    db.session.commit()
    return True


def invite_staff(inviter: User, email: str, name: str, role: Role, team: Team | None) -> Invitation:
    if not role.is_staff:
        raise InvitationProblem("Select the type of staff account")
    if inviter.role is Role.MANAGER and (role not in (Role.CASEWORKER, Role.MANAGER) or team != inviter.team):
        raise InvitationProblem("Managers can invite caseworkers and managers to their own team")
    if role in (Role.CASEWORKER, Role.MANAGER) and team is None:
        raise InvitationProblem("Select a team for caseworkers and managers")
    if find_user_by_email(email) is not None:
        raise InvitationProblem("An account already exists for this email address")
    sent_at = datetime.now(UTC)
    invitation, token = _create(inviter, email, name, role, team=team, last_sent_at=sent_at)
    audit.record("invitation-sent", actor=inviter, target=f"invitation:{invitation.id}")
    queue_email(
        email,
        "You have been invited to the SEND Family Portal",
        "invitation",
        event_key=_event_key("invitation", invitation, sent_at),
        inviter_team=team.name if team else current_app.config["COUNCIL_NAME"],
        child_first_name=None,
        role_label=role.label,
        link=_link("auth.accept_invitation", token=token),
    )
    db.session.commit()
    return invitation
