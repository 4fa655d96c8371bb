"""Administrators deactivate and reactivate accounts (registered on the admin blueprint).

Deactivating ends every session of the account at once (its session version moves on) and stops
it signing in or resetting its password. A caseworker's or manager's open cases become
unassigned, so that they show in the team's "unassigned" filter for a manager to reassign, rather
than waiting on someone who has left. Nobody deactivates their own account."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import func, select, update

from portal import audit
from portal.access import refuse_record, roles
from portal.admin.forms import DeactivateForm, ReactivateForm
from portal.admin.routes import bp
from portal.ehcp.models import Case
from portal.extensions import db
from portal.models import Role, User


def _other_account_or_404(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None or user.id == current_user.id:
        refuse_record(f"user:{user_id}")
    return user


def open_cases(user: User) -> int:
    return db.session.scalar(
        select(func.count()).select_from(Case).where(Case.caseworker_id == user.id, Case.closed.is_(False))
    ) or 0


def deactivate(actor: User, user: User) -> int:
    """Deactivate the account and unassign its open cases, in one transaction. Returns how many
    cases were unassigned. Each case's version moves on, so a form open on one is refused."""
    user.active = False
    user.deactivated_at = datetime.now(UTC)
    user.session_version += 1
    unassigned = db.session.execute(
        update(Case)
        .where(Case.caseworker_id == user.id, Case.closed.is_(False))
        .values(caseworker_id=None, version=Case.version + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    audit.record("account-deactivated", actor=actor, target=f"user:{user.id}",
                 detail=f"{unassigned} open cases unassigned" if unassigned else None)
    db.session.commit()
    return unassigned


def reactivate(actor: User, user: User) -> None:
    user.active = True
    user.deactivated_at = None
    audit.record("account-reactivated", actor=actor, target=f"user:{user.id}")
    db.session.commit()


@bp.route("/accounts/<int:user_id>/deactivate", methods=["GET", "POST"])
@roles(Role.ADMIN)
def deactivate_account(user_id: int):
    user = _other_account_or_404(user_id)
    if not user.active:
        flash(f"{user.name}’s account is already deactivated.", "info")
        return redirect(url_for("admin.users"))
    form = DeactivateForm()
    if form.validate_on_submit():
        unassigned = deactivate(current_user, user)
        message = f"{user.name}’s account has been deactivated. They have been signed out."
        if unassigned:
            cases = "case is" if unassigned == 1 else "cases are"
            message += f" Their {unassigned} open {cases} now unassigned, for a manager to reassign."
        flash(message, "success")
        return redirect(url_for("admin.users"))
    return render_template("admin/deactivate_account.html", form=form, account=user, open_cases=open_cases(user))


@bp.route("/accounts/<int:user_id>/reactivate", methods=["GET", "POST"])
@roles(Role.ADMIN)
def reactivate_account(user_id: int):
    user = _other_account_or_404(user_id)
    if user.active:
        flash(f"{user.name}’s account is already active.", "info")
        return redirect(url_for("admin.users"))
    form = ReactivateForm()
    if form.validate_on_submit():
        reactivate(current_user, user)
        flash(f"{user.name}’s account has been reactivated. They can sign in again.", "success")
        return redirect(url_for("admin.users"))
    return render_template("admin/reactivate_account.html", form=form, account=user)
