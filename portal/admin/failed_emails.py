"""Administrators see the emails that were not delivered, newest first, and can send one again
(registered on the admin blueprint). Whom each went to, what it was about, its status and the
reason given; never its content."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from portal import audit
from portal.access import refuse_record, roles
from portal.admin.forms import SendAgainForm
from portal.admin.routes import bp
from portal.extensions import db
from portal.models import Role, User
from portal.notifications.resend import CannotSendAgain, send_again
from portal.notifications.status_words import FAILED, london_time, seen
from portal.outbox import OutboxEmail
from portal.pagination import page_number

PAGE_SIZE = 50


def _failed_page(page: int) -> tuple[list[tuple], int]:
    """One page of failed emails with each recipient's name and its newest copy sent again, if
    any, and how many failed emails there are: three queries."""
    failed = OutboxEmail.status.in_(FAILED)
    total = db.session.scalar(select(func.count()).select_from(OutboxEmail).where(failed)) or 0
    rows = db.session.execute(
        select(OutboxEmail, User.name)
        .outerjoin(User, User.id == OutboxEmail.user_id)
        .where(failed)
        .order_by(OutboxEmail.status_changed_at.desc(), OutboxEmail.id.desc())
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    ).all()
    copy = aliased(OutboxEmail)
    copies: dict[int, OutboxEmail] = {}
    if rows:
        for resend in db.session.scalars(
            select(copy).where(copy.resend_of_id.in_([email.id for email, _ in rows])).order_by(copy.id)
        ):
            copies[resend.resend_of_id] = resend  # the newest copy wins
    listed = [(seen(email, name, resent=email.id in copies), copies.get(email.id)) for email, name in rows]
    return listed, total


@bp.route("/emails/failed")
@roles(Role.ADMIN)
def failed_emails():
    page = page_number()
    listed, total = _failed_page(page)
    pages = max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    if page > pages:
        abort(404)
    html = render_template(
        "admin/failed_emails.html", listed=listed, total=total, page=page, pages=pages,
        london_time=london_time,
    )
    audit.record("failed-emails-viewed", actor=current_user)
    db.session.commit()
    return html


@bp.route("/emails/failed/<int:email_id>/send-again", methods=["POST"])
@roles(Role.ADMIN)
def send_email_again(email_id: int):
    email = db.session.get(OutboxEmail, email_id)
    if email is None or email.status not in FAILED:
        refuse_record(f"outbox-email:{email_id}")
    if not SendAgainForm().validate_on_submit():
        abort(400)
    try:
        send_again(current_user, email)
    except CannotSendAgain as refused:
        flash(str(refused), "info")
    else:
        flash(f"The email to {email.to_email} will be sent again in the next few seconds.", "success")
    return redirect(url_for("admin.failed_emails"))
