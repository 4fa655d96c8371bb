"""Caseworker pages for who can see a child: the invitations waiting for an answer (resend or
withdraw them) and removing a family member's access. Registered on the casework blueprint.
Another team's child, invitation or link is a 404."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from portal.access import CASE_STAFF, refuse_record, roles
from portal.casework.link_forms import ButtonForm, RemoveAccessForm
from portal.casework.routes import bp, team_child_or_404
from portal.extensions import db
from portal.family import links
from portal.invitations import resend_family_invitation, withdraw_invitation
from portal.models import Child, Invitation, Role


def open_invitations(child_id: int) -> list[Invitation]:
    """The child's family invitations not yet used or withdrawn, newest first: waiting, expired
    or declined (the page shows which, and nothing more about a decline)."""
    return list(
        db.session.scalars(
            select(Invitation)
            .where(
                Invitation.child_id == child_id,
                Invitation.role == Role.FAMILY,
                Invitation.used_at.is_(None),
                Invitation.revoked_at.is_(None),
            )
            .order_by(Invitation.created_at.desc(), Invitation.id.desc())
        )
    )


def _team_invitation_or_404(child_id: int, invitation_id: int) -> Invitation:
    invitation = db.session.scalar(
        select(Invitation)
        .join(Child, Child.id == Invitation.child_id)
        .options(joinedload(Invitation.child).joinedload(Child.team))
        .where(
            Invitation.id == invitation_id,
            Invitation.child_id == child_id,
            Invitation.role == Role.FAMILY,
            Child.team_id == current_user.team_id,
        )
    )
    if invitation is None:
        refuse_record(f"invitation:{invitation_id}")
    if not ButtonForm().validate_on_submit():
        abort(400)
    return invitation


@bp.route("/children/<int:child_id>/invitations/<int:invitation_id>/resend", methods=["POST"])
@roles(*CASE_STAFF)
def resend_invitation(child_id: int, invitation_id: int):
    invitation = _team_invitation_or_404(child_id, invitation_id)
    if resend_family_invitation(current_user, invitation):
        flash(f"Invitation sent again to {invitation.email}. The new link works for 7 days.", "success")
    else:
        flash("This invitation has been answered or withdrawn, so it cannot be sent again.", "info")
    return redirect(url_for("casework.child", child_id=child_id))


@bp.route(
    "/children/<int:child_id>/invitations/<int:invitation_id>/withdraw",
    methods=["POST"],
    endpoint="withdraw_invitation",
)
@roles(*CASE_STAFF)
def withdraw_invitation_view(child_id: int, invitation_id: int):
    invitation = _team_invitation_or_404(child_id, invitation_id)
    if withdraw_invitation(current_user, invitation):
        flash(f"Invitation to {invitation.email} withdrawn. Its link no longer works.", "success")
    else:
        flash("This invitation has already been answered or withdrawn.", "info")
    return redirect(url_for("casework.child", child_id=child_id))


@bp.route("/children/<int:child_id>/family-members/<int:link_id>/remove", methods=["GET", "POST"])
@roles(*CASE_STAFF)
def remove_family_member(child_id: int, link_id: int):
    child = team_child_or_404(child_id)
    link = next((link for link in child.family_links if link.id == link_id), None)
    if link is None:
        refuse_record(f"family-link:{link_id}")
    form = RemoveAccessForm()
    if form.validate_on_submit():
        name = link.user.name
        links.remove(current_user, link, form.reason.data)
        flash(f"{name} can no longer see {child.first_name}’s information.", "success")
        return redirect(url_for("casework.child", child_id=child.id))
    return render_template(
        "casework/remove_family_member.html", form=form, child=child, link=link
    ), 400 if form.errors else 200
