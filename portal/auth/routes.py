"""Signing in and out, staff two-factor sign-in, password reset and accepting invitations."""

import time
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user

from portal.access import ANY_SIGNED_IN, public, roles
from portal.auth import links, services, two_factor
from portal.auth.forms import AcceptInvitationForm, ForgotPasswordForm, ResetPasswordForm, SecurityCodeForm, SignInForm
from portal.auth.services import Outcome
from portal.extensions import db, limiter
from portal.forms import normalise_email
from portal.models import Role, User

bp = Blueprint("auth", __name__)

PENDING = "pending_sign_in"
PENDING_SECONDS = 600
LOCKED_MESSAGE = (
    "Your account is locked because of too many failed attempts to sign in. "
    "Wait 15 minutes and try again, or reset your password."
)
WRONG_MESSAGE = "Enter a correct email address and password"


def _ip_limit() -> str:
    return current_app.config["SIGN_IN_LIMIT_PER_IP"]


# One budget per IP address for every page that takes a password, a security code or a link
# token, so that attempts cannot be spread across them to get more tries.
credentials_limit = limiter.shared_limit(_ip_limit, scope="credentials", methods=["POST"])


def _account_limit() -> str:
    return current_app.config["SIGN_IN_LIMIT_PER_ACCOUNT"]


def _account_key() -> str:
    email = normalise_email(request.form.get("email", "")) or ""
    return "account:" + email[:254]


def _failed(response) -> bool:
    """A sign-in that did not go on to the next step (which is a redirect)."""
    return response.status_code != 302


def _signed_in_key() -> str:
    """Changing one's own password has a per-account limit too, like signing in."""
    email = normalise_email(current_user.email) if current_user.is_authenticated else ""
    return "account:" + (email or "")[:254]


account_limit = limiter.limit(_account_limit, key_func=_signed_in_key, methods=["POST"])


def _pending_key() -> str:
    return f"pending:{session.get(PENDING, {}).get('user', '')}"


def safe_next(target: str | None) -> str | None:
    """Only a path on this site: no scheme, no host, no '//' or backslash tricks."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def home_for(user: User) -> str:
    return {
        Role.FAMILY: url_for("family.dashboard"),
        Role.CASEWORKER: url_for("casework.caseload"),
        Role.MANAGER: url_for("casework.caseload"),
        Role.COPRODUCTION: url_for("coproduction.overview"),
        Role.ADMIN: url_for("admin.users"),
        Role.BOARD: url_for("reports.report_page"),
    }[user.role]


def _after_sign_in(next_url: str | None):
    return redirect(safe_next(next_url) or home_for(current_user))


def _pending_user() -> User | None:
    pending = session.get(PENDING)
    if not pending or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        return None
    user = db.session.get(User, pending.get("user"))
    if user is None or user.session_version != pending.get("version") or not user.active:
        return None
    return user


def _start_pending(user: User, next_url: str | None) -> None:
    session.clear()
    session[PENDING] = {"user": user.id, "version": user.session_version, "at": time.time(), "next": next_url}


@bp.route("/sign-in", methods=["GET", "POST"])
@credentials_limit
# Only attempts that fail count against the account: signing in again and again is no attack.
@limiter.limit(_account_limit, key_func=_account_key, methods=["POST"], deduct_when=_failed)
@public
def sign_in():
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    form = SignInForm()
    next_url = safe_next(request.args.get("next"))
    status = 200
    if form.validate_on_submit():
        result = services.check_password(form.email.data, form.password.data)
        if result.outcome is Outcome.SIGNED_IN:
            return _after_sign_in(next_url)
        if result.outcome in (Outcome.NEEDS_CODE, Outcome.NEEDS_SET_UP):
            _start_pending(result.user, next_url)
            endpoint = "auth.security_code" if result.outcome is Outcome.NEEDS_CODE else "auth.set_up_two_factor"
            return redirect(url_for(endpoint))
        message = LOCKED_MESSAGE if result.outcome is Outcome.LOCKED else WRONG_MESSAGE
        # Once, on the email address: the summary lists it once, and nothing says which was wrong.
        form.email.errors.append(message)
        form.password.data = ""
    elif form.errors:
        status = 400
    return render_template("auth/sign_in.html", form=form, next_url=next_url), status


@bp.route("/sign-in/security-code", methods=["GET", "POST"])
@credentials_limit
@limiter.limit(_account_limit, key_func=_pending_key, methods=["POST"])
@public
def security_code():
    user = _pending_user()
    if user is None or not user.has_two_factor:
        flash("Sign in again to continue.", "info")
        return redirect(url_for("auth.sign_in"))
    form = SecurityCodeForm()
    if form.validate_on_submit():
        next_url = session.get(PENDING, {}).get("next")
        result = services.check_security_code(user, form.code.data)
        if result.outcome is Outcome.SIGNED_IN:
            return _after_sign_in(next_url)
        if result.outcome is Outcome.LOCKED:
            session.clear()
            flash(LOCKED_MESSAGE, "info")
            return redirect(url_for("auth.sign_in"))
        form.code.errors.append("Enter a correct security code. Codes change every 30 seconds.")
    return render_template("auth/security_code.html", form=form), 400 if form.errors else 200


@bp.route("/sign-in/set-up-two-factor", methods=["GET", "POST"])
@credentials_limit
@limiter.limit(_account_limit, key_func=_pending_key, methods=["POST"])
@public
def set_up_two_factor():
    user = _pending_user()
    if user is None or user.has_two_factor:
        flash("Sign in again to continue.", "info")
        return redirect(url_for("auth.sign_in"))
    next_url = session[PENDING].get("next")
    secret = services.pending_secret(user)
    form = SecurityCodeForm()
    if form.validate_on_submit():
        if services.set_up_two_factor(user, form.code.data):
            flash("Two-factor sign-in is set up. You need your authenticator app each time you sign in.", "success")
            return _after_sign_in(next_url)
        form.code.errors.append("Enter a correct security code. Codes change every 30 seconds.")
    uri = two_factor.provisioning_uri(secret, user.email)
    return render_template(
        "auth/set_up_two_factor.html",
        form=form,
        qr_code=two_factor.qr_code_data_uri(uri),
        text_key=two_factor.grouped(secret),
    ), 400 if form.errors else 200


@bp.route("/sign-out", methods=["POST"])
@roles(*ANY_SIGNED_IN)
def sign_out():
    services.sign_out(current_user._get_current_object())
    return redirect(url_for("auth.signed_out"))


@bp.route("/signed-out")
@public
def signed_out():
    return render_template("auth/signed_out.html")


@bp.route("/account")
@roles(*ANY_SIGNED_IN)
def account():
    return render_template("auth/account.html")


@bp.route("/password/forgotten", methods=["GET", "POST"])
@credentials_limit
@limiter.limit(_account_limit, key_func=_account_key, methods=["POST"])
@public
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        links.request_password_reset(form.email.data)
        session["reset_email"] = form.email.data
        return redirect(url_for("auth.reset_link_sent"))
    return render_template("auth/forgot_password.html", form=form), 400 if form.errors else 200


@bp.route("/password/link-sent")
@public
def reset_link_sent():
    return render_template("auth/reset_link_sent.html", email=session.pop("reset_email", None))


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@credentials_limit
@public
def reset_password(token: str):
    reset = links.usable_password_reset(token)
    if reset is None:
        return _link_invalid("password reset")
    form = ResetPasswordForm()
    form._user_hint = reset.user.email
    if form.validate_on_submit():
        if not links.reset_password(reset, form.password.data):
            return _link_invalid("password reset")
        flash("Your password has been changed. Sign in with your new password.", "success")
        return redirect(url_for("auth.sign_in"))
    return render_template("auth/reset_password.html", form=form), 400 if form.errors else 200


def _link_invalid(kind: str):
    return render_template("auth/link_invalid.html", kind=kind), 404


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@credentials_limit
@public
def accept_invitation(token: str):
    invitation = links.usable_invitation(token)
    if invitation is None:
        return _link_invalid("invitation")
    form = AcceptInvitationForm(data={"name": invitation.name} if request.method == "GET" else None)
    form._user_hint = invitation.email
    if form.validate_on_submit():
        try:
            user = links.accept_invitation(invitation, form.name.data, form.password.data)
        except links.InvitationUsed:
            return _link_invalid("invitation")
        if user is None:
            flash("An account already exists for this email address. Sign in to continue.", "info")
            return redirect(url_for("auth.sign_in"))
        if current_user.is_authenticated:
            flash("Your account has been created.", "success")
            return redirect(home_for(user))
        _start_pending(user, None)
        return redirect(url_for("auth.set_up_two_factor"))
    return render_template("auth/accept_invitation.html", form=form, invitation=invitation), 400 if form.errors else 200


# Changing one's own password and email settings register themselves on `bp`.
from portal.auth import account_pages, email_settings  # noqa: E402, F401
