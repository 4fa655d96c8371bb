"""When the service could not email a family about their case ("Family not reached"): the
caseworker corrects the family member's address, which sends the failed email again to it, or
says how they reached the family instead. Either clears the flag. Each is a task page (see
case_pages.py) calling one use case in portal.notifications.reach."""

from flask import flash, redirect, request, url_for
from flask_login import current_user

from portal.access import CASE_STAFF, refuse_record, roles
from portal.casework.case_pages import save, task_page, team_case_or_404
from portal.casework.reach_forms import CorrectEmailForm, FamilyReachedForm
from portal.casework.routes import bp
from portal.notifications import reach
from portal.notifications.status_words import about, london_date, london_time

GET_AND_POST = ["GET", "POST"]


@bp.route("/cases/<int:case_id>/emails/<int:email_id>/correct-address", methods=GET_AND_POST)
@roles(*CASE_STAFF)
def correct_family_email(case_id: int, email_id: int):
    """Only for an email about this case that failed for good, to a family member of the child."""
    case = team_case_or_404(case_id)
    found = reach.failed_family_email(case, email_id)
    if found is None:
        refuse_record(f"outbox-email:{email_id}")
    failed, member = found
    template = "casework/correct_email.html"
    context = {"failed": failed, "member": member, "about": about(failed),
               "failed_at": london_time(failed.status_changed_at)}
    if request.method == "GET":
        return task_page(case, template, CorrectEmailForm(formdata=None), **context)
    form = CorrectEmailForm()
    return save(
        case, template, form,
        lambda: reach.correct_family_email(current_user, case, failed, member, form.email.data),
        lambda: f"{member.name}’s email address has been changed to {form.email.data}. "
                "The email that failed will be sent to it again.",
        **context,
    )


@bp.route("/cases/<int:case_id>/family-not-reached", methods=GET_AND_POST)
@roles(*CASE_STAFF)
def family_reached(case_id: int):
    case = team_case_or_404(case_id)
    if case.family_not_reached_since is None:
        flash("This case is not flagged ‘Family not reached’, so there is nothing to mark as handled.", "info")
        return redirect(url_for("casework.case", case_id=case.id))
    template = "casework/family_reached.html"
    context = {"not_reached_on": london_date(case.family_not_reached_since)}
    if request.method == "GET":
        return task_page(case, template, FamilyReachedForm(formdata=None), **context)
    form = FamilyReachedForm()
    outcome: dict[str, bool] = {}

    def mark() -> None:
        outcome["cleared"] = reach.mark_family_reached(current_user, case, form.note.data)

    return save(
        case, template, form, mark,
        lambda: "Family not reached: marked as handled. Your note is with the staff notes."
        if outcome.get("cleared") else "Someone else had already marked this as handled. Nothing was saved.",
        **context,
    )
