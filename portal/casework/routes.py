"""Caseworker pages: the team's children and inviting family members. Other teams' are 404."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from portal import audit
from portal.access import CASE_STAFF, roles
from portal.casework.forms import InviteFamilyMemberForm
from portal.extensions import db
from portal.invitations import InvitationProblem, invite_family_member
from portal.models import Child, FamilyLink, Relationship

bp = Blueprint("casework", __name__)
PAGE_SIZE = 25


def team_child_or_404(child_id: int) -> Child:
    child = db.session.scalar(
        select(Child)
        .options(selectinload(Child.family_links).joinedload(FamilyLink.user))
        .where(Child.id == child_id, Child.team_id == current_user.team_id)
    )
    if child is None:
        abort(404)
    return child


@bp.route("/children")
@roles(*CASE_STAFF)
def children():
    page = request.args.get("page", 1, type=int)
    page = max(page, 1)
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
    return render_template("casework/child.html", child=child)


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
            if outcome == "linked":
                flash(f"{form.email.data} can now see {child.first_name}’s information.", "success")
            else:
                flash(f"Invitation sent to {form.email.data}. The link works for 7 days.", "success")
            return redirect(url_for("casework.child", child_id=child.id))
    return render_template("casework/invite_family_member.html", form=form, child=child), 400 if form.errors else 200
