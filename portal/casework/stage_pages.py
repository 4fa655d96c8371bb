"""Task pages about where the case goes next: changing the stage (with the expected date of the
next step and the reason for any delay, in one submit) and setting the expected date and reason
on their own. Each is a GET (the form) and a POST to the same URL; see case_pages.py."""

from flask import request
from flask_login import current_user

from portal.access import CASE_STAFF, roles
from portal.casework import queries
from portal.casework.case_forms import ChangeStageForm, ExpectedDateForm
from portal.casework.case_pages import save, task_page, team_case_or_404
from portal.casework.routes import bp
from portal.ehcp import services
from portal.ehcp.stages import Stage

STAGE_PAGE = "casework/change_stage.html"
EXPECTED_PAGE = "casework/expected_date.html"


@bp.route("/cases/<int:case_id>/stage", methods=["GET", "POST"])
@roles(*CASE_STAFF)
def change_stage(case_id: int):
    case = team_case_or_404(case_id)
    on = queries.today()
    if request.method == "GET":
        # Empty: the expected date and reason asked for are the next step's, not this one's (a reason
        # carried over would tell the family something about the wrong step).
        form = ChangeStageForm(formdata=None, version=case.version, today=on).offer(case)
        return task_page(case, STAGE_PAGE, form)
    form = ChangeStageForm(today=on).offer(case)

    def use_case():
        update = services.StageUpdate(
            Stage(form.to_stage.data),
            form.effective_on.data,
            family_note=form.family_note.data or None,
            staff_note=form.staff_note.data or None,
            expected_on=form.expected_on.data,
            delay_reason=form.delay_reason.data or None,
        )
        services.change_stage(case, current_user, update, form.expected_version, on)

    def message() -> str:
        expected = f" Expected date: {case.expected_on:%-d %B %Y}." if case.expected_on else " No expected date."
        return f"Stage updated to ‘{case.stage.label}’.{'' if case.closed else expected}"

    return save(case, STAGE_PAGE, form, use_case, message)


@bp.route("/cases/<int:case_id>/expected-date", methods=["GET", "POST"])
@roles(*CASE_STAFF)
def expected_date(case_id: int):
    case = team_case_or_404(case_id)
    on = queries.today()
    if request.method == "GET":
        keep = case.expected_on is not None and case.expected_on >= on  # not a date already passed
        form = ExpectedDateForm(
            formdata=None,
            version=case.version,
            expected_on=case.expected_on if keep else None,
            delay_reason=case.delay_reason if keep else None,
            today=on,
        )
        return task_page(case, EXPECTED_PAGE, form)
    form = ExpectedDateForm(today=on)
    return save(
        case, EXPECTED_PAGE, form,
        lambda: services.set_expected_date(
            case, current_user, form.expected_on.data, form.delay_reason.data, form.expected_version, on
        ),
        lambda: "Expected date saved" if case.expected_on else "Expected date removed",
    )
