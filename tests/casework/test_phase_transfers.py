"""Phase transfers (reg 18): the day the plan must be amended by, recording a transfer on the case's
own page (for the case's team only, with GOV.UK errors and nothing saved when a date is wrong),
the transfers on the case page, and an amended plan marking them amended."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from portal.casework.queries import today
from portal.ehcp.models import PhaseTransfer
from portal.ehcp.phase_transfer import amend_by, amended_by_plan_of, moves_on_problem, years_after
from portal.ehcp.services import CaseProblem
from portal.ehcp.stages import Stage
from portal.ehcp.transfer_services import record_phase_transfer, remove_phase_transfer
from portal.extensions import db
from portal.models import AuditEvent
from tests.casework.helpers import Teams, date_fields, set_case, snapshot, typed_date
from tests.helpers import check_page, get_page, sign_in_fast

NEXT_YEAR = today().year + 1
SEPTEMBER = date(NEXT_YEAR, 9, 1)


def url(teams: Teams) -> str:
    return f"/casework/cases/{teams.case.id}/phase-transfers"


def with_plan(teams: Teams, stage: Stage = Stage.FINAL_PLAN, **fields):
    issued = today() - timedelta(days=200)
    return set_case(teams.case, stage=stage, stage_since=issued, final_plan_on=issued, first_final_plan_on=issued,
                    **fields)


def form(teams: Teams, moves_on: date = SEPTEMBER, to_post_16: str = "no", **changes) -> dict:
    return {
        "transfer-version": str(teams.case.version),
        **date_fields("transfer-moves_on", moves_on),
        "transfer-to_post_16": to_post_16,
        **changes,
    }


def transfers(case_id: int) -> list[tuple]:
    db.session.expire_all()
    return [tuple(row) for row in db.session.execute(
        select(PhaseTransfer.moves_on, PhaseTransfer.to_post_16, PhaseTransfer.amend_by, PhaseTransfer.amended_on)
        .where(PhaseTransfer.case_id == case_id).order_by(PhaseTransfer.moves_on)
    )]


def add_transfer(case, moves_on: date, to_post_16: bool = False, amended_on: date | None = None) -> PhaseTransfer:
    transfer = PhaseTransfer(case_id=case.id, moves_on=moves_on, to_post_16=to_post_16,
                             amend_by=amend_by(moves_on, to_post_16), amended_on=amended_on)
    db.session.add(transfer)
    db.session.commit()
    return transfer


@pytest.fixture
def signed_in(client: FlaskClient, teams: Teams) -> FlaskClient:
    sign_in_fast(client, teams.caseworker)
    return client


# --- The rule ---------------------------------------------------------------------------------


def test_the_plan_must_be_amended_by_15_february_or_31_march_for_a_move_to_post_16() -> None:
    assert amend_by(date(2027, 9, 1), to_post_16=False) == date(2027, 2, 15)
    assert amend_by(date(2027, 9, 1), to_post_16=True) == date(2027, 3, 31)
    assert amend_by(date(2028, 1, 4), to_post_16=False) == date(2028, 2, 15)  # a move in January: the same year
    assert amended_by_plan_of(date(2027, 2, 15), date(2026, 11, 30))
    assert amended_by_plan_of(date(2027, 2, 15), date(2027, 6, 1))  # late, but still the plan for that move
    assert not amended_by_plan_of(date(2027, 2, 15), date(2028, 1, 10))


def test_a_move_is_at_most_3_years_ahead_and_not_before_the_plan() -> None:
    on = date(2026, 12, 2)
    assert years_after(date(2028, 2, 29), 3) == date(2031, 2, 28)
    assert moves_on_problem(date(2029, 12, 2), date(2025, 1, 1), on) is None
    assert moves_on_problem(date(2029, 12, 3), date(2025, 1, 1), on) == (
        "The date the child moves must be on or before 2 December 2029, no more than 3 years ahead"
    )
    assert moves_on_problem(date(2024, 9, 1), date(2025, 1, 1), on) == (
        "The date the child moves must be on or after 1 January 2025, the date of the plan"
    )


# --- Recording one ----------------------------------------------------------------------------


def test_a_caseworker_records_a_transfer_and_sees_it_on_the_case_page(signed_in: FlaskClient, teams: Teams) -> None:
    with_plan(teams)
    summary = get_page(signed_in, f"/casework/cases/{teams.case.id}")
    assert "No phase transfer recorded." in summary.text
    assert url(teams) in {a["href"] for a in summary.soup.select("main a")}
    page = get_page(signed_in, url(teams))
    assert page.h1 == "Record a phase transfer"
    assert [f["action"] for f in page.soup.select("main form")] == [url(teams)]
    assert page.soup.select("input[name=transfer-moves_on]")
    assert {r["value"] for r in page.soup.select("input[name=transfer-to_post_16]")} == {"yes", "no"}

    response = signed_in.post(url(teams), data=form(teams, to_post_16="yes"))
    assert response.status_code == 302
    assert response.location == f"/casework/cases/{teams.case.id}"
    assert transfers(teams.case.id) == [(SEPTEMBER, True, date(NEXT_YEAR, 3, 31), None)]
    page = get_page(signed_in, response.location)
    banner = " ".join(page.soup.select_one(".govuk-notification-banner--success").get_text().split())
    assert f"Phase transfer recorded. The council must amend the plan by 31 March {NEXT_YEAR}" in banner
    section = " ".join(page.soup.select_one("dl[id^=phase-transfer-]").get_text(" ").split())
    assert f"Moves to the next phase on 1 September {NEXT_YEAR}, from secondary school to further education" in section
    assert f"The council must amend the plan by 31 March {NEXT_YEAR} (regulation 18)" in section
    assert "Plan amended Not amended yet" in section
    assert "Due in" in section


def test_the_transfer_is_audited_and_moves_the_case_version_on(signed_in: FlaskClient, teams: Teams) -> None:
    with_plan(teams)
    version = teams.case.version
    signed_in.post(url(teams), data=form(teams))
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "phase-transfer-recorded")).one()
    assert (event.actor_id, event.target, event.detail) == (
        teams.caseworker.id, f"case:{teams.case.id}", f"moves on {SEPTEMBER.isoformat()}"
    )
    [transfer] = db.session.scalars(select(PhaseTransfer)).all()
    assert transfer.recorded_by_id == teams.caseworker.id
    db.session.refresh(teams.case)
    assert teams.case.version == version + 1
    # A form loaded before it is refused, with who changed the case.
    response = signed_in.post(url(teams), data=form(teams, date(NEXT_YEAR, 1, 5), **{"transfer-version": str(version)}))
    page = check_page(response, 409)
    assert page.error_messages()[0].startswith("Casey Worker changed this case at")
    assert len(transfers(teams.case.id)) == 1


def test_another_teams_caseworker_gets_404_and_saves_nothing(client: FlaskClient, teams: Teams) -> None:
    with_plan(teams)
    sign_in_fast(client, teams.south_caseworker)
    before = snapshot()
    assert get_page(client, url(teams), status=404).h1 == "Page not found"
    check_page(client.post(url(teams), data=form(teams)), 404)
    assert snapshot() == before


def test_a_family_member_is_refused(client: FlaskClient, teams: Teams) -> None:
    with_plan(teams)
    sign_in_fast(client, teams.parent)
    before = snapshot()
    page = get_page(client, url(teams), status=403)
    assert "You do not have permission to see this page" in page.text
    check_page(client.post(url(teams), data=form(teams)), 403)
    assert snapshot() == before


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        ({"transfer-moves_on": ["", "", ""]}, ["Enter the date the child moves to the next phase of education"]),
        (typed_date("transfer-moves_on", "31", "2", str(NEXT_YEAR)), ["Date the child moves must be a real date"]),
        (typed_date("transfer-moves_on", "1", "", str(NEXT_YEAR)), ["Date the child moves must include a month"]),
        (typed_date("transfer-moves_on", "1", "9", "27"), ["Date the child moves must be a real date"]),
        ({"transfer-to_post_16": ""},
         ["Select yes if the child is moving from secondary school to further education or training"]),
        ({"transfer-to_post_16": "maybe"}, ["Select yes or no"]),
        (date_fields("transfer-moves_on", date(NEXT_YEAR + 3, 12, 31)),
         [f"The date the child moves must be on or before {years_after(today(), 3):%-d %B %Y}, "
          "no more than 3 years ahead"]),
        (date_fields("transfer-moves_on", today() - timedelta(days=400)),
         [f"The date the child moves must be on or after {today() - timedelta(days=200):%-d %B %Y}, "
          "the date of the plan"]),
    ],
)
def test_a_wrong_answer_is_a_gov_uk_error_and_nothing_is_saved(
    signed_in: FlaskClient, teams: Teams, changes: dict, errors: list[str]
) -> None:
    with_plan(teams)
    before = snapshot()
    page = check_page(signed_in.post(url(teams), data=form(teams) | changes), 400)
    assert page.title.startswith("Error: ")
    assert page.error_messages() == errors
    assert [message.removeprefix("Error: ") for message in page.field_errors()] == errors
    assert snapshot() == before


def test_the_error_links_to_the_wrong_part_of_the_date(signed_in: FlaskClient, teams: Teams) -> None:
    with_plan(teams)
    page = check_page(signed_in.post(url(teams), data=form(teams) | typed_date("transfer-moves_on", "1", "13", "2027")),
                      400)
    assert page.soup.select_one(".govuk-error-summary__list a")["href"] == "#transfer-moves_on-month"


def test_one_transfer_a_move_date_and_only_for_a_case_with_a_plan(signed_in: FlaskClient, teams: Teams) -> None:
    page = get_page(signed_in, url(teams))
    assert not page.soup.select("main form")
    assert "A phase transfer can only be recorded for a case with a plan." in page.text
    summary = get_page(signed_in, f"/casework/cases/{teams.case.id}")
    assert url(teams) not in {a["href"] for a in summary.soup.select("a")}
    assert summary.soup.find(id="phase-transfer") is None
    before = snapshot()
    page = check_page(signed_in.post(url(teams), data=form(teams)), 400)
    assert page.error_messages() == ["A phase transfer can only be recorded for a case with a plan"]
    assert snapshot() == before

    with_plan(teams, stage=Stage.ANNUAL_REVIEW)
    assert signed_in.post(url(teams), data=form(teams)).status_code == 302
    db.session.refresh(teams.case)
    before = snapshot()
    page = check_page(signed_in.post(url(teams), data=form(teams, to_post_16="yes")), 400)
    assert page.error_messages() == [f"A phase transfer on 1 September {NEXT_YEAR} is already recorded for this case"]
    assert snapshot() == before
    assert f"Moves on 1 September {NEXT_YEAR}. The plan must be amended by 15 February {NEXT_YEAR}." in page.text


def test_a_transfer_recorded_by_mistake_is_removed_from_the_case_page(signed_in: FlaskClient, teams: Teams) -> None:
    with_plan(teams)
    transfer = record_phase_transfer(teams.case, teams.caseworker, SEPTEMBER, False, today(), teams.case.version)
    remove_url = f"{url(teams)}/{transfer.id}/remove"
    summary = get_page(signed_in, f"/casework/cases/{teams.case.id}")
    assert remove_url in {a["href"] for a in summary.soup.select("dl[id^=phase-transfer-] a")}
    page = get_page(signed_in, remove_url)
    assert page.h1 == f"Remove the phase transfer on 1 September {NEXT_YEAR}"
    assert [f["action"] for f in page.soup.select("main form")] == [remove_url]
    db.session.refresh(teams.case)
    response = signed_in.post(remove_url, data={"remove-version": str(teams.case.version)})
    assert response.status_code == 302
    banner = get_page(signed_in, response.location).soup.select_one(".govuk-notification-banner--success").get_text()
    assert f"Phase transfer on 1 September {NEXT_YEAR} removed" in banner
    assert transfers(teams.case.id) == []
    assert db.session.scalar(select(AuditEvent.actor_id).where(AuditEvent.action == "phase-transfer-removed")) == (
        teams.caseworker.id
    )
    get_page(signed_in, remove_url, status=404)


def test_a_transfer_is_removed_only_from_its_own_case_and_not_once_amended(
    client: FlaskClient, teams: Teams
) -> None:
    with_plan(teams)
    amended = add_transfer(teams.case, SEPTEMBER, amended_on=today())
    south = add_transfer(teams.south_case, SEPTEMBER)
    sign_in_fast(client, teams.caseworker)
    page = get_page(client, f"{url(teams)}/{amended.id}/remove")
    assert not page.soup.select("main form")
    db.session.refresh(teams.case)
    before = snapshot()
    page = check_page(client.post(f"{url(teams)}/{amended.id}/remove",
                                  data={"remove-version": str(teams.case.version)}), 400)
    assert page.error_messages() == ["A phase transfer whose plan has been amended cannot be removed"]
    get_page(client, f"{url(teams)}/{south.id}/remove", status=404)  # another case's, on this case's URL
    sign_in_fast(client, teams.south_caseworker)
    check_page(client.post(f"{url(teams)}/{amended.id}/remove", data={"remove-version": str(teams.case.version)}), 404)
    assert snapshot() == before
    with pytest.raises(CaseProblem, match="cannot be removed"):
        remove_phase_transfer(teams.case, teams.caseworker, amended, teams.case.version)


# --- An amended plan --------------------------------------------------------------------------


def issue_amended_plan(client: FlaskClient, teams: Teams) -> None:
    """The annual review ends with the plan issued again, today, as a caseworker does it."""
    sign_in_fast(client, teams.caseworker)
    response = client.post(f"/casework/cases/{teams.case.id}/stage", data={
        "stage-version": str(teams.case.version), "stage-to_stage": "final_plan", "stage-effective_on_when": "today",
    })
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]


def test_an_amended_plan_marks_the_transfers_it_was_amended_for(client: FlaskClient, teams: Teams) -> None:
    on = today()
    with_plan(teams, stage=Stage.ANNUAL_REVIEW, review_meeting_on=on - timedelta(days=20),
              amendments_proposed_on=on - timedelta(days=10))
    this_year = add_transfer(teams.case, date(on.year, 9, 1), to_post_16=True)  # due 31 March this year: late
    next_year = add_transfer(teams.case, date(on.year + 1, 9, 1))
    last_year = add_transfer(teams.case, date(on.year - 1, 9, 1))  # an earlier move: another plan's
    done = add_transfer(teams.case, date(on.year + 2, 9, 1), amended_on=on - timedelta(days=5))
    issue_amended_plan(client, teams)
    db.session.expire_all()
    assert [db.session.get(PhaseTransfer, t.id).amended_on for t in (this_year, next_year, last_year, done)] == [
        on, on, None, on - timedelta(days=5)
    ]


def test_a_plan_issued_without_proposed_amendments_marks_nothing(client: FlaskClient, teams: Teams) -> None:
    on = today()
    with_plan(teams, stage=Stage.ANNUAL_REVIEW, review_meeting_on=on - timedelta(days=20))
    transfer = add_transfer(teams.case, date(on.year + 1, 9, 1))
    issue_amended_plan(client, teams)
    db.session.expire_all()
    assert db.session.get(PhaseTransfer, transfer.id).amended_on is None


def test_the_case_page_shows_an_amended_transfer_within_its_query_budget(
    signed_in: FlaskClient, teams: Teams, count_queries
) -> None:
    with_plan(teams)
    case_url = f"/casework/cases/{teams.case.id}"
    signed_in.get(case_url)  # warm up
    with count_queries() as without:
        signed_in.get(case_url)
    add_transfer(teams.case, date(NEXT_YEAR, 9, 1), amended_on=date(NEXT_YEAR, 2, 1))
    add_transfer(teams.case, date(NEXT_YEAR + 1, 9, 1))
    with count_queries() as queries:
        response = signed_in.get(case_url)
    # Read with the case itself: not one statement more than with no transfers.
    assert queries.count == without.count <= 10, (queries.count, queries.statements)
    page = check_page(response)
    lists = [" ".join(dl.get_text(" ").split()) for dl in page.soup.select("dl[id^=phase-transfer-]")]
    assert len(lists) == 2
    assert f"Plan amended on 1 February {NEXT_YEAR}: Done on time" in lists[0]
    assert "Not amended yet" in lists[1]
