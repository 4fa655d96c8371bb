"""Inviting people: a caseworker invites a family member to a child; a manager or admin invites staff.

Each invitation is one transaction (invitation row and audit event) followed by its email.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import current_app, url_for

from portal import audit
from portal.auth.services import find_user_by_email
from portal.email import send_email
from portal.extensions import db
from portal.models import Child, FamilyLink, Invitation, Relationship, Role, Team, User
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


def invite_family_member(
    inviter: User, child: Child, email: str, name: str, relationship: Relationship
) -> str:
    """Invite someone to see a child. Returns "invited", or "linked" when they already had an
    account and now see the child too."""
    existing = find_user_by_email(email)
    if existing is not None and existing.role is not Role.FAMILY:
        raise InvitationProblem("This email address belongs to a staff account. Use a different email address")
    if existing is not None:
        if any(link.child_id == child.id for link in existing.child_links):
            raise InvitationProblem(f"This person can already see {child.first_name}’s information")
        db.session.add(FamilyLink(user=existing, child=child, relationship_to_child=relationship))
        audit.record("family-member-linked", actor=inviter, target=f"child:{child.id}")
        db.session.commit()
        send_email(
            existing.email,
            "You can now see more information in the SEND Family Portal",
            "child_linked",
            child_first_name=child.first_name,
            link=_link("auth.sign_in"),
        )
        return "linked"
    invitation, token = _create(
        inviter, email, name, Role.FAMILY, child=child, relationship_to_child=relationship
    )
    audit.record("invitation-sent", actor=inviter, target=f"invitation:{invitation.id}")
    db.session.commit()
    send_email(
        email,
        "You have been invited to the SEND Family Portal",
        "invitation",
        inviter_team=child.team.name,
        child_first_name=child.first_name,
        role_label=Role.FAMILY.label,
        link=_link("auth.accept_invitation", token=token),
    )
    return "invited"


def invite_staff(inviter: User, email: str, name: str, role: Role, team: Team | None) -> Invitation:
    if not role.is_staff:
        raise InvitationProblem("Select the type of staff account")
    if inviter.role is Role.MANAGER and (role not in (Role.CASEWORKER, Role.MANAGER) or team != inviter.team):
        raise InvitationProblem("Managers can invite caseworkers and managers to their own team")
    if role in (Role.CASEWORKER, Role.MANAGER) and team is None:
        raise InvitationProblem("Select a team for caseworkers and managers")
    if find_user_by_email(email) is not None:
        raise InvitationProblem("An account already exists for this email address")
    invitation, token = _create(inviter, email, name, role, team=team)
    audit.record("invitation-sent", actor=inviter, target=f"invitation:{invitation.id}")
    db.session.commit()
    send_email(
        email,
        "You have been invited to the SEND Family Portal",
        "invitation",
        inviter_team=team.name if team else current_app.config["COUNCIL_NAME"],
        child_first_name=None,
        role_label=role.label,
        link=_link("auth.accept_invitation", token=token),
    )
    return invitation
