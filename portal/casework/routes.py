"""Caseworker pages: the team's children and inviting family members (the caseload is in
caseload_pages.py, the case page and its updates in case_pages.py, on the same blueprint). Another team's case or
child is a 404. Reads are in queries.py."""

from datetime import UTC, datetime

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from portal import audit
from portal.access import CASE_STAFF, refuse_record, roles
from portal.casework import queries
from portal.casework.forms import InviteFamilyMemberForm
from portal.extensions import db
from portal.invitations import InvitationProblem, invite_family_member
from portal.models import Child, FamilyLink, Relationship
from portal.pagination import page_number

bp = Blueprint("casework", __name__)
PAGE_SIZE = 25


# --- The team's children ----------------------------------------------------------------------


def team_child_or_404(child_id: int) -> Child:
    child = db.session.scalar(
        select(Child)
        .options(selectinload(Child.family_links).joinedload(FamilyLink.user))
        .where(Child.id == child_id, Child.team_id == current_user.team_id)
    )
    if child is None:
        refuse_record(f"child:{child_id}")
    return child


@bp.route("/children")
@roles(*CASE_STAFF)
def children():
    page = page_number()
    in_team = Child.team_id == current_user.team_id
    total = db.session.scalar(select(func.count()).select_from(Child).where(in_team)) or 0
    rows = db.session.scalars(
        select(Child).where(in_team).order_by(Child.last_name, Child.first_name, Child.id)
        .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)
    ).all()
    pages = max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    if page > pages:
        abort(404)
    return render_template("casework/children.html", children=rows, total=total, page=page, pages=pages)


@bp.route("/children/<int:child_id>")
@roles(*CASE_STAFF)
def child(child_id: int):
    child = team_child_or_404(child_id)
    audit.record("child-viewed", actor=current_user, target=f"child:{child.id}")
    db.session.commit()
    return render_template(
        "casework/child.html",
        child=child,
        cases=queries.child_cases(child.id),
        invitations=family_members.open_invitations(child.id),
        now=datetime.now(UTC),
    )


@bp.route("/children/<int:child_id>/invite", methods=["GET", "POST"], endpoint="invite_family_member")
@roles(*CASE_STAFF)
def invite_family_member_view(child_id: int):
    child = team_child_or_404(child_id)
    form = InviteFamilyMemberForm()
    if form.validate_on_submit():
        try:
            outcome = invite_family_member(
                current_user, child, form.email.data, form.name.data, Relationship(form.relationship.data)
            )
        except InvitationProblem as problem:
            db.session.rollback()
            form.email.errors.append(str(problem))
        else:
            if outcome == "asked":
                flash(
                    f"{form.email.data} already has an account. We have asked them to accept"
                    f" {child.first_name}’s information. Nothing is shared until they do.",
                    "success",
                )
            else:
                flash(f"Invitation sent to {form.email.data}. The link works for 7 days.", "success")
            return redirect(url_for("casework.child", child_id=child.id))
    return render_template("casework/invite_family_member.html", form=form, child=child), 400 if form.errors else 200


# The caseload, the case page and its forms, and the family members' access pages register
# themselves on `bp`.
from portal.casework import (  # noqa: E402, F401
    case_pages,
    caseload_pages,
    family_members,
    reach_pages,
    stage_pages,
    task_pages,
    transfer_pages,
)
