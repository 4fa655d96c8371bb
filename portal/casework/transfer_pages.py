"""Recording a phase transfer on a case: the day the child moves to the next phase of education
and whether it is from secondary school to further education or training, from which the day
the plan must be amended by follows (portal/ehcp/phase_transfer.py); and removing one recorded
by mistake. Each is a GET (the form) and a POST to the same URL; see case_pages.py."""

from flask import abort, request
from flask_login import current_user

from portal.access import CASE_STAFF, roles
from portal.casework import queries
from portal.casework.case_pages import save, task_page, team_case_or_404
from portal.casework.routes import bp
from portal.casework.transfer_forms import PhaseTransferForm, RemovePhaseTransferForm
from portal.ehcp import phase_transfer, transfer_services

TEMPLATE = "casework/phase_transfer.html"
REMOVE_TEMPLATE = "casework/remove_phase_transfer.html"


@bp.route("/cases/<int:case_id>/phase-transfers", methods=["GET", "POST"])
@roles(*CASE_STAFF)
def record_phase_transfer(case_id: int):
    case = team_case_or_404(case_id)
    on = queries.today()
    context = {
        "transfers": transfer_services.case_transfers(case.id),
        "has_plan": case.stage in phase_transfer.WITH_A_PLAN,
    }
    if request.method == "GET":
        return task_page(case, TEMPLATE, PhaseTransferForm(formdata=None, version=case.version, today=on), **context)
    form = PhaseTransferForm(today=on)

    def message() -> str:
        due = phase_transfer.amend_by(form.moves_on.data, form.is_post_16)
        return f"Phase transfer recorded. The council must amend the plan by {due:%-d %B %Y}"

    return save(
        case, TEMPLATE, form,
        lambda: transfer_services.record_phase_transfer(
            case, current_user, form.moves_on.data, form.is_post_16, on, form.expected_version
        ),
        message,
        **context,
    )


@bp.route("/cases/<int:case_id>/phase-transfers/<int:transfer_id>/remove", methods=["GET", "POST"])
@roles(*CASE_STAFF)
def remove_phase_transfer(case_id: int, transfer_id: int):
    case = team_case_or_404(case_id)
    transfer = next((item for item in transfer_services.case_transfers(case.id) if item.id == transfer_id), None)
    if transfer is None:
        abort(404)
    moves_on = transfer.moves_on
    if request.method == "GET":
        return task_page(case, REMOVE_TEMPLATE, RemovePhaseTransferForm(formdata=None, version=case.version),
                         transfer=transfer)
    form = RemovePhaseTransferForm()
    return save(
        case, REMOVE_TEMPLATE, form,
        lambda: transfer_services.remove_phase_transfer(case, current_user, transfer, form.expected_version),
        lambda: f"Phase transfer on {moves_on:%-d %B %Y} removed",
        transfer=transfer,
    )
