"""The signed-in person's own account: changing their password (on the auth blueprint)."""

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from portal.access import ANY_SIGNED_IN, roles
from portal.auth.forms import ChangePasswordForm
from portal.auth.password_change import Outcome, change_password
from portal.auth.routes import LOCKED_MESSAGE, account_limit, bp, credentials_limit

WRONG_CURRENT = "Your current password is not correct"
LOCKED_SIGNED_IN = (
    "Your account is locked because of too many failed attempts to sign in. "
    "Wait 15 minutes and try again."
)


@bp.route("/account/password", methods=["GET", "POST"], endpoint="change_password")
@credentials_limit
@account_limit
@roles(*ANY_SIGNED_IN)
def change_password_view():
    user = current_user._get_current_object()
    form = ChangePasswordForm(user_hints=(user.email, user.name))
    if form.validate_on_submit():
        outcome = change_password(user, form.current.data, form.password.data)
        if outcome is Outcome.CHANGED:
            flash("Your password has been changed. You have been signed out on any other devices.", "success")
            return redirect(url_for("auth.account"))
        if outcome is Outcome.LOCKED_NOW:
            flash(LOCKED_MESSAGE, "info")
            return redirect(url_for("auth.sign_in"))
        field, message = {
            Outcome.WRONG: (form.current, WRONG_CURRENT),
            Outcome.LOCKED: (form.current, LOCKED_SIGNED_IN),
            Outcome.SAME: (form.password, "Your new password must be different from your current password"),
        }[outcome]
        field.errors.append(message)
    return render_template("auth/change_password.html", form=form), 400 if form.errors else 200
