"""Caseworkers and managers record the days they will be away, and cancel them.

While someone is away, the conversations on their cases show in the team inbox as needing cover,
families are told the team will reply, and emails about new family messages go to the team's
managers (see absence.py and notify.py).
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from portal.access import CASE_STAFF, refuse_record, roles
from portal.conversations import absence as absences
from portal.conversations import bp
from portal.conversations.forms import AbsenceForm, ButtonForm
from portal.conversations.reply_by import local_date, long_date


def _today():
    return local_date(datetime.now(UTC))


def _page(form: AbsenceForm, status: int = 200):
    today = _today()
    listed = absences.upcoming(current_user.id, today)
    return render_template(
        "conversations/absence.html", form=form, absences=listed, today=today,
        cancel_form=ButtonForm(), long_date=long_date,
    ), status


@bp.route("/casework/absence", methods=["GET", "POST"], endpoint="absence")
@roles(*CASE_STAFF)
def absence():
    form = AbsenceForm()
    if form.validate_on_submit():
        try:
            absences.record(current_user, form.starts_on.data, form.ends_on.data, _today())
        except absences.AbsenceProblem as problem:
            field = getattr(form, problem.field or "starts_on", form.starts_on)
            field.errors = [*field.errors, str(problem)]
        else:
            flash(f"Absence saved: away from {long_date(form.starts_on.data)} "
                  f"to {long_date(form.ends_on.data)}.", "success")
            return redirect(url_for("conversations.absence"))
    return _page(form, 400 if form.errors else 200)


@bp.route("/casework/absence/<int:absence_id>/cancel", methods=["POST"], endpoint="cancel_absence")
@roles(*CASE_STAFF)
def cancel_absence(absence_id: int):
    if not ButtonForm().validate_on_submit():
        abort(400)
    if not absences.cancel(current_user, absence_id):
        refuse_record(f"absence:{absence_id}")
    flash("Absence cancelled.", "success")
    return redirect(url_for("conversations.absence"))
