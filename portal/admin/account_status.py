"""Administrators deactivate and reactivate accounts (registered on the admin blueprint).

Deactivating ends every session of the account at once (its session version moves on) and stops
it signing in or resetting its password. Nobody deactivates their own account."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from portal import audit
from portal.access import refuse_record, roles
from portal.admin.forms import DeactivateForm, ReactivateForm
from portal.admin.routes import bp
from portal.extensions import db
from portal.models import Role, User


def _other_account_or_404(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None or user.id == current_user.id:
        refuse_record(f"user:{user_id}")
    return user


def deactivate(actor: User, user: User) -> None:
    user.active = False
    user.deactivated_at = datetime.now(UTC)
    user.session_version += 1
    audit.record("account-deactivated", actor=actor, target=f"user:{user.id}")
    db.session.commit()


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
        deactivate(current_user, user)
        flash(f"{user.name}’s account has been deactivated. They have been signed out.", "success")
        return redirect(url_for("admin.users"))
    return render_template("admin/deactivate_account.html", form=form, account=user)


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
