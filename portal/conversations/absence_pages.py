"""Caseworkers and managers record the days they will be away, and cancel them; a manager also
records and cancels those of anyone in their team (who may have phoned in ill).

While someone is away, the conversations on their cases show in the team inbox as needing cover,
families are told the team will reply, and emails about new family messages go to the team's
managers (see absence.py and notify.py).
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from wtforms import SelectChoice

from portal.access import CASE_STAFF, refuse_record, roles
from portal.conversations import absence as absences
from portal.conversations import bp
from portal.conversations.forms import AbsenceForm, ButtonForm
from portal.conversations.reply_by import local_date, long_date
from portal.models import Role, User


def _today():
    return local_date(datetime.now(UTC))


def _manager() -> bool:
    return current_user.role is Role.MANAGER and current_user.team_id is not None


def _page(form: AbsenceForm, status: int = 200):
    today = _today()
    manager = _manager()
    listed = absences.team_upcoming(current_user.team_id, today) if manager else absences.upcoming(
        current_user.id, today)
    return render_template(
        "conversations/absence.html", form=form, absences=listed, today=today, manager=manager,
        cancel_form=ButtonForm(), long_date=long_date,
    ), status


def _form() -> tuple[AbsenceForm, dict[str, User]]:
    """The form; for a manager, with the people of their team to choose from (themself first)."""
    form = AbsenceForm()
    if not _manager():
        return form, {}
    staff = {str(person.id): person for person in absences.team_staff(current_user.team_id)}
    staff.setdefault(str(current_user.id), current_user)
    form.person.choices = [SelectChoice(str(current_user.id), f"You ({current_user.name})")] + [
        SelectChoice(key, person.name) for key, person in staff.items() if person.id != current_user.id
    ]
    if not form.person.data:
        form.person.data = str(current_user.id)
    return form, staff


@bp.route("/casework/absence", methods=["GET", "POST"], endpoint="absence")
@roles(*CASE_STAFF)
def absence():
    form, staff = _form()
    if form.validate_on_submit():
        person = staff.get(form.person.data, current_user) if staff else current_user
        try:
            if staff and form.person.data not in staff:
                raise absences.AbsenceProblem("Select someone in your team", "person")
            absences.record(person, form.starts_on.data, form.ends_on.data, _today(), actor=current_user)
        except absences.AbsenceProblem as problem:
            field = getattr(form, problem.field or "starts_on", form.starts_on)
            field.errors = [*field.errors, str(problem)]
        else:
            who = "" if person.id == current_user.id else f"{person.name} is "
            flash(f"Absence saved: {who}away from {long_date(form.starts_on.data)} "
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
