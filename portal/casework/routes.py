"""Caseworker pages: the team's caseload, the team's children and inviting family members (the
case page and its updates are in case_pages.py, on the same blueprint). Another team's case or
child is a 404. Reads are in queries.py."""

from dataclasses import dataclass
from datetime import UTC, date, datetime

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from portal import audit
from portal.access import CASE_STAFF, refuse_record, roles
from portal.casework import queries
from portal.casework.forms import CaseloadFiltersForm, InviteFamilyMemberForm
from portal.ehcp.lateness import late_without_reason
from portal.ehcp.milestones import next_milestone
from portal.ehcp.models import Case
from portal.ehcp.stages import Stage
from portal.ehcp.timeline import DeadlineStatus, deadline_status
from portal.extensions import db
from portal.invitations import InvitationProblem, invite_family_member
from portal.models import Child, FamilyLink, Relationship
from portal.pagination import page_number

bp = Blueprint("casework", __name__)
PAGE_SIZE = 25


# --- The caseload -----------------------------------------------------------------------------


CHECKBOXES = ("mine", "unassigned", "overdue", "late_without_reason", "due_soon", "not_reached", "excepted", "closed")


def _filters(form: CaseloadFiltersForm) -> queries.CaseloadFilters:
    return queries.CaseloadFilters(
        stage=Stage(form.stage.data) if form.stage.data else None,
        mine=form.mine.data,
        unassigned=form.unassigned.data,
        overdue=form.overdue.data,
        late_without_reason=form.late_without_reason.data,
        due_soon=form.due_soon.data,
        excepted=form.excepted.data,
        not_reached=form.not_reached.data,
        include_closed=form.closed.data,
        search=form.q.data or "",
        sort=form.sort.data or queries.SORTS[0],
    )


def _filter_args(form: CaseloadFiltersForm) -> dict[str, str]:
    """The filters and sort as query string values, for the pagination links."""
    args = {name: "y" for name in CHECKBOXES if form[name].data}
    for name in ("q", "stage", "sort"):
        if form[name].data and form[name].data != form[name].default:
            args[name] = form[name].data
    return args


@dataclass(frozen=True)
class Deadline:
    """A case's next legal deadline as the caseload shows it."""

    label: str
    status: DeadlineStatus
    family_not_told_why: bool


def _deadline(case: Case, on: date) -> Deadline | None:
    """From the columns already loaded: no query per row."""
    if case.next_deadline_on is None:
        return None
    milestone = next_milestone(case.dates)
    return Deadline(
        label=milestone.label if milestone is not None and milestone.council_owns else "Legal deadline",
        status=deadline_status(case.next_deadline_on, on),
        family_not_told_why=late_without_reason(case.next_deadline_on, case.expected_on, case.delay_reason, on),
    )


def _pagination(page: int, pages: int, args: dict[str, str]) -> dict | None:
    """GOV.UK pagination: the first, last, current and neighbouring pages, with ellipses between."""
    if pages <= 1:
        return None

    def href(number: int) -> str:
        return url_for("casework.caseload", **args, page=number) if number > 1 else url_for("casework.caseload", **args)

    shown = sorted({1, pages, page - 1, page, page + 1} & set(range(1, pages + 1)))
    items: list[dict] = []
    for number in shown:
        if items and number > items[-1]["number"] + 1:
            items.append({"ellipsis": True, "number": number - 1})
        items.append({"number": number, "href": href(number), "current": number == page})
    pagination: dict = {
        "items": [item if not item.get("ellipsis") else {"ellipsis": True} for item in items],
        "landmarkLabel": "Pages of cases",
    }
    if page > 1:
        pagination["previous"] = {"href": href(page - 1)}
    if page < pages:
        pagination["next"] = {"href": href(page + 1)}
    return pagination


@bp.route("/")
@roles(*CASE_STAFF)
def caseload():
    form = CaseloadFiltersForm(request.args)
    page = page_number()
    on = queries.today()
    counts = queries.team_counts(current_user.team_id, on)
    if not form.validate():
        return render_template("casework/caseload.html", form=form, result=None, counts=counts), 400
    result = queries.caseload(current_user.team_id, current_user.id, _filters(form), on, page, PAGE_SIZE)
    if page > result.pages:
        abort(404)
    html = render_template(
        "casework/caseload.html",
        form=form,
        result=result,
        counts=counts,
        pagination=_pagination(result.page, result.pages, _filter_args(form)),
        deadlines={case.id: _deadline(case, on) for case in result.cases},
    )
    if form.q.data:
        # After the page is built: a commit expires what the page reads.
        audit.record("caseload-searched", actor=current_user, target=f"team:{current_user.team_id}", detail=form.q.data)
        db.session.commit()
    return html


# --- The team's children ----------------------------------------------------------------------


def team_child_or_404(child_id: int) -> Child:
    child = db.session.scalar(
        select(Child)
        .options(selectinload(Child.family_links).joinedload(FamilyLink.user))
        .where(Child.id == child_id, Child.team_id == current_user.team_id)
    )
    if child is None:
        refuse_record(f"child:{child_id}")
    return child


@bp.route("/children")
@roles(*CASE_STAFF)
def children():
    page = page_number()
    in_team = Child.team_id == current_user.team_id
    total = db.session.scalar(select(func.count()).select_from(Child).where(in_team)) or 0
    rows = db.session.scalars(
        select(Child).where(in_team).order_by(Child.last_name, Child.first_name, Child.id)
        .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)
    ).all()
    pages = max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    if page > pages:
        abort(404)
    return render_template("casework/children.html", children=rows, total=total, page=page, pages=pages)


@bp.route("/children/<int:child_id>")
@roles(*CASE_STAFF)
def child(child_id: int):
    child = team_child_or_404(child_id)
    audit.record("child-viewed", actor=current_user, target=f"child:{child.id}")
    db.session.commit()
    return render_template(
        "casework/child.html",
        child=child,
        cases=queries.child_cases(child.id),
        invitations=family_members.open_invitations(child.id),
        now=datetime.now(UTC),
    )


@bp.route("/children/<int:child_id>/invite", methods=["GET", "POST"], endpoint="invite_family_member")
@roles(*CASE_STAFF)
def invite_family_member_view(child_id: int):
    child = team_child_or_404(child_id)
    form = InviteFamilyMemberForm()
    if form.validate_on_submit():
        try:
            outcome = invite_family_member(
                current_user, child, form.email.data, form.name.data, Relationship(form.relationship.data)
            )
        except InvitationProblem as problem:
            db.session.rollback()
            form.email.errors.append(str(problem))
        else:
            if outcome == "asked":
                flash(
                    f"{form.email.data} already has an account. We have asked them to accept"
                    f" {child.first_name}’s information. Nothing is shared until they do.",
                    "success",
                )
            else:
                flash(f"Invitation sent to {form.email.data}. The link works for 7 days.", "success")
            return redirect(url_for("casework.child", child_id=child.id))
    return render_template("casework/invite_family_member.html", form=form, child=child), 400 if form.errors else 200


# The case page and its forms, and the family members' access pages, register themselves on `bp`.
from portal.casework import case_pages, family_members, reach_pages, stage_pages, task_pages  # noqa: E402, F401
