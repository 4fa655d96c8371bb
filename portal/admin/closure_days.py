"""Administrators add and remove council closure days (registered on the admin blueprint).

A closure day is not a working day: reply-by dates skip it, like weekends and bank holidays.
Adding or removing one is one transaction: the day, the audit event, and the reply-by date of
every conversation waiting for the council that it moves, counted again.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextInput
from sqlalchemy import select
from wtforms import HiddenField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, ValidationError

from portal import audit
from portal.access import refuse_record, roles
from portal.admin.routes import bp
from portal.casework.forms import GovDateField, PlainText, Required
from portal.conversations.models import ClosureDay
from portal.conversations.reply_by import local_date, long_date
from portal.conversations.services import recount_due_dates
from portal.extensions import db
from portal.models import Role
from portal.working_days import is_working_day

DESCRIPTION_LENGTH = 100


def _today() -> date:
    return local_date(datetime.now(UTC))


class ClosureDayForm(FlaskForm):
    day = GovDateField("Date", "Date", description="For example, 24 12 2026",
                       validators=[Required("Enter the date the council is closed")])
    description = StringField(
        "Description", widget=GovTextInput(),
        description="For example, Christmas closure. Staff see this; families do not.",
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
        validators=[
            DataRequired(message="Enter a description"),
            Length(max=DESCRIPTION_LENGTH, message=f"Description must be {DESCRIPTION_LENGTH} characters or fewer"),
            PlainText("Description"),
        ],
    )
    submit = SubmitField("Add closure day", widget=GovSubmitInput())

    def validate_day(self, field) -> None:
        day = field.data
        if day is None or field.errors:
            return
        if day < _today():
            raise ValidationError("The date must be today or in the future")
        if day.weekday() >= 5:
            raise ValidationError("The date must be a weekday: weekends already do not count as working days")
        if not is_working_day(day):
            raise ValidationError("The date is a bank holiday, which already does not count as a working day")
        if db.session.get(ClosureDay, day) is not None:
            raise ValidationError(f"{long_date(day)} is already a closure day")


class RemoveClosureDayForm(FlaskForm):
    day = HiddenField(validators=[DataRequired()])


def _page(form: ClosureDayForm, status: int = 200):
    days = db.session.scalars(
        select(ClosureDay).where(ClosureDay.day >= _today()).order_by(ClosureDay.day)
    ).all()
    return render_template(
        "admin/closure_days.html", form=form, days=days, long_date=long_date,
    ), status


@bp.route("/closure-days", methods=["GET", "POST"], endpoint="closure_days")
@roles(Role.ADMIN)
def closure_days():
    form = ClosureDayForm()
    if form.validate_on_submit():
        day = form.day.data
        db.session.add(ClosureDay(day=day, description=form.description.data, added_by_id=current_user.id))
        db.session.flush()
        audit.record("closure-day-added", actor=current_user, target=f"closure-day:{day.isoformat()}",
                     detail=form.description.data)
        moved = recount_due_dates(day)
        db.session.commit()
        flash(f"{long_date(day)} added as a closure day. {_moved(moved)}", "success")
        return redirect(url_for("admin.closure_days"))
    return _page(form, 400 if form.errors else 200)


@bp.route("/closure-days/remove", methods=["POST"], endpoint="remove_closure_day")
@roles(Role.ADMIN)
def remove_closure_day():
    form = RemoveClosureDayForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        day = date.fromisoformat(form.day.data)
    except ValueError:
        abort(400)
    closure = db.session.get(ClosureDay, day)
    if closure is None or day < _today():
        refuse_record(f"closure-day:{form.day.data}")
    description = closure.description
    db.session.delete(closure)
    db.session.flush()
    audit.record("closure-day-removed", actor=current_user, target=f"closure-day:{day.isoformat()}",
                 detail=description)
    moved = recount_due_dates(day)
    db.session.commit()
    flash(f"{long_date(day)} is no longer a closure day. {_moved(moved)}", "success")
    return redirect(url_for("admin.closure_days"))


def _moved(count: int) -> str:
    if count == 0:
        return "No reply-by dates changed."
    return f"{count} reply-by {'date' if count == 1 else 'dates'} changed."
