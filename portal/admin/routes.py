"""Administration: staff invitations (managers and admins), accounts, the audit log and failed
emails (admins)."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload
from wtforms import SelectChoice

from portal import audit
from portal.access import roles
from portal.admin.forms import ConfirmForm, InviteStaffForm
from portal.extensions import db
from portal.invitations import InvitationProblem, invite_staff
from portal.models import AuditEvent, Role, Team, User
from portal.pagination import page_number

bp = Blueprint("admin", __name__)
PAGE_SIZE = 50


def _team_choices() -> list[SelectChoice]:
    """Managers invite to their own team; admins to any team, or none."""
    if current_user.role is Role.MANAGER:
        teams = [current_user.team] if current_user.team else []
        return [SelectChoice(str(team.id), team.name) for team in teams]
    teams = db.session.scalars(select(Team).order_by(Team.name))
    return [SelectChoice("", "No team (administrators and co-production)")] + [
        SelectChoice(str(t.id), t.name) for t in teams
    ]


@bp.route("/staff/invite", methods=["GET", "POST"], endpoint="invite_staff")
@roles(Role.MANAGER, Role.ADMIN)
def invite_staff_page():
    form = InviteStaffForm()
    form.team.choices = _team_choices()
    if current_user.role is Role.MANAGER:
        form.role.choices = [SelectChoice(r.value, r.label) for r in (Role.CASEWORKER, Role.MANAGER)]
    if form.validate_on_submit():
        team = db.session.get(Team, int(form.team.data)) if form.team.data else None
        try:
            invite_staff(current_user, form.email.data, form.name.data, Role(form.role.data), team)
        except InvitationProblem as problem:
            db.session.rollback()
            field = form.email if "account" in str(problem) else form.role
            field.errors.append(str(problem))
        else:
            flash(f"Invitation sent to {form.email.data}. The link works for 7 days.", "success")
            return redirect(url_for("admin.invite_staff"))
    return render_template("admin/invite_staff.html", form=form), 400 if form.errors else 200


@bp.route("/accounts")
@roles(Role.ADMIN)
def users():
    accounts = db.session.scalars(
        select(User).options(joinedload(User.team)).order_by(User.role, User.name, User.id)
    ).all()
    audit.record("accounts-viewed", actor=current_user)
    db.session.commit()
    return render_template("admin/users.html", accounts=accounts, form=None)


@bp.route("/accounts/<int:user_id>/reset-two-factor", methods=["GET", "POST"])
@roles(Role.ADMIN)
def reset_two_factor(user_id: int):
    user = db.session.get(User, user_id)
    if user is None or not user.is_staff:
        abort(404)
    form = ConfirmForm()
    if form.validate_on_submit():
        user.totp_secret = None
        user.totp_last_step = None
        user.session_version += 1
        audit.record("two-factor-reset", actor=current_user, target=f"user:{user.id}")
        db.session.commit()
        flash(f"Two-factor sign-in reset for {user.name}. They will set it up again when they next sign in.", "success")
        return redirect(url_for("admin.users"))
    return render_template("admin/reset_two_factor.html", form=form, account=user)


@bp.route("/audit-log")
@roles(Role.ADMIN)
def audit_log():
    page = page_number()
    total = db.session.scalar(select(func.count()).select_from(AuditEvent)) or 0
    events = db.session.scalars(
        select(AuditEvent)
        .options(joinedload(AuditEvent.actor))
        .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    ).all()
    pages = max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    if page > pages:
        abort(404)
    return render_template("admin/audit_log.html", events=events, page=page, pages=pages, total=total)


# Deactivating and reactivating accounts, the failed emails, the council's closure days and the
# case import register themselves on `bp`.
from portal.admin import account_status, case_import_pages, closure_days, failed_emails  # noqa: E402, F401
