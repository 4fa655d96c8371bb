"""The case's task pages, one task a page: each is a form (GET) for the case's team and not found
for another team; a stage change carries the expected date and reason in the same submit; dates
make sense ("today" answers, no expected date in the past, error links to the wrong part); and the
summary asks for the expected date and reason when the family has not been told why it is late."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from portal.casework.queries import today
from portal.ehcp import family_emails
from portal.ehcp.models import AdviceProvider, AdviceRequest, StageChange
from portal.ehcp.stages import Stage
from portal.extensions import db
from portal.models import AuditEvent, Role
from portal.outbox import OutboxEmail
from tests.casework.helpers import Teams, case_row, date_fields, set_case, snapshot, typed_date
from tests.helpers import Page, check_page, get_page, sign_in_fast

TASKS = ["stage", "expected-date", "review-dates", "exceptions", "advice", "advice/{advice}/received", "notes"]


def add_advice(case) -> AdviceRequest:
    advice = AdviceRequest(case_id=case.id, provider=AdviceProvider.HEALTH, requested_on=case.request_received_on,
                           due_on=case.request_received_on + timedelta(weeks=6))
    db.session.add(advice)
    db.session.commit()
    return advice


def actions() -> list[str]:
    """What was done to the case, not counting views and its opening (test set-up)."""
    return list(db.session.scalars(
        select(AuditEvent.action)
        .where(AuditEvent.action.not_in(("case-viewed", "case-opened")))
        .order_by(AuditEvent.id)
    ))


def stage_form(teams: Teams, **changes) -> dict:
    return {
        "stage-version": str(teams.case.version),
        "stage-to_stage": "deciding_to_assess",
        "stage-effective_on_when": "today",
        "stage-family_note": "We are now deciding whether to assess.",
        **changes,
    }


@pytest.fixture
def signed_in(client: FlaskClient, teams: Teams) -> FlaskClient:
    sign_in_fast(client, teams.caseworker)
    return client


# --- Each task on its own page ----------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.MANAGER])
def test_each_task_page_is_a_form_for_the_cases_team_and_not_found_for_another_team(
    client: FlaskClient, teams: Teams, role: Role
) -> None:
    own, other = add_advice(teams.case), add_advice(teams.south_case)
    set_case(teams.case, stage=Stage.ANNUAL_REVIEW, final_plan_on=today() - timedelta(days=300))
    sign_in_fast(client, teams.manager if role is Role.MANAGER else teams.caseworker)
    summary = get_page(client, f"/casework/cases/{teams.case.id}")
    linked = {a["href"] for a in summary.soup.select("main a[href]")}
    for task in [*TASKS, *(["caseworker"] if role is Role.MANAGER else [])]:
        url = f"/casework/cases/{teams.case.id}/{task.format(advice=own.id)}"
        page = get_page(client, url)
        assert url in linked, f"the summary does not link to {url}"
        forms = page.soup.select("main form")
        assert [form["action"] for form in forms] == [url], url
        assert page.soup.select_one("a.govuk-back-link")["href"] == f"/casework/cases/{teams.case.id}"
        assert page.title.startswith(page.h1)
        assert page.soup.find(id="case-details") is not None
        refused = get_page(client, f"/casework/cases/{teams.south_case.id}/{task.format(advice=other.id)}", 404)
        assert "Southchild" not in refused.text
    # Advice of another of the team's cases is not found either.
    get_page(client, f"/casework/cases/{teams.case.id}/advice/{other.id}/received", 404)


def test_the_assign_page_is_for_managers_only(signed_in: FlaskClient, teams: Teams) -> None:
    page = get_page(signed_in, f"/casework/cases/{teams.case.id}/caseworker", 403)
    assert page.h1 == "You do not have permission to see this page"


def test_advice_already_received_has_no_form(signed_in: FlaskClient, teams: Teams) -> None:
    advice = add_advice(teams.case)
    advice.received_on = today()
    db.session.commit()
    page = get_page(signed_in, f"/casework/cases/{teams.case.id}/advice/{advice.id}/received")
    assert not page.soup.select("main form")
    assert f"This advice was received on {today():%-d %B %Y}." in page.text


def test_a_saved_task_goes_back_to_the_summary_with_a_banner(signed_in: FlaskClient, teams: Teams) -> None:
    response = signed_in.post(f"/casework/cases/{teams.case.id}/notes", data={"note-text": "Rang the school."})
    assert response.location == f"/casework/cases/{teams.case.id}"
    page = get_page(signed_in, response.location)
    assert "Note added" in page.soup.select_one(".govuk-notification-banner--success").get_text()


# --- A stage change with its expected date and reason ----------------------------------------


def test_a_stage_change_saves_its_expected_date_and_reason_in_one_submit(signed_in: FlaskClient, teams: Teams) -> None:
    """One submit, one use case: the stage, the expected date past the new deadline with its
    reason, one audit event and the family's emails, committed together."""
    case = teams.case
    new_deadline = case.request_received_on + timedelta(weeks=6)  # still deciding whether to assess
    expected = new_deadline + timedelta(days=14)
    data = stage_form(teams, **date_fields("stage-expected_on", expected),
                      **{"stage-delay_reason": "The panel meets after the deadline."})
    response = signed_in.post(f"/casework/cases/{case.id}/stage", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:1000]
    db.session.refresh(case)
    assert (case.stage, case.stage_since) == (Stage.DECIDING_TO_ASSESS, today())
    assert (case.expected_on, case.delay_reason) == (expected, "The panel meets after the deadline.")
    assert actions() == ["stage-changed"]
    assert db.session.scalar(select(func.count()).select_from(OutboxEmail)) == 2
    banner = get_page(signed_in, response.location).soup.select_one(".govuk-notification-banner").get_text()
    assert f"Expected date: {expected:%-d %B %Y}" in banner


def test_a_late_expected_date_on_a_stage_change_needs_a_reason(signed_in: FlaskClient, teams: Teams) -> None:
    expected = teams.case.request_received_on + timedelta(weeks=8)  # after the new deadline
    before = snapshot()
    data = stage_form(teams, **date_fields("stage-expected_on", expected))
    page = check_page(signed_in.post(f"/casework/cases/{teams.case.id}/stage", data=data), 400)
    assert page.error_messages() == ["Enter the reason for the delay. The family will see it"]
    assert page.soup.select_one(".govuk-error-summary a")["href"] == "#stage-delay_reason"
    assert snapshot() == before


def test_if_an_email_cannot_be_queued_the_expected_date_is_not_saved_either(
    signed_in: FlaskClient, teams: Teams, monkeypatch: pytest.MonkeyPatch
) -> None:
    def failing(*args, **kwargs):
        raise RuntimeError("outbox unavailable")

    monkeypatch.setattr(family_emails, "queue_email", failing)
    before, row = snapshot(), case_row(teams.case.id)
    data = stage_form(teams, **date_fields("stage-expected_on", today() + timedelta(days=3)))
    check_page(signed_in.post(f"/casework/cases/{teams.case.id}/stage", data=data), 500)
    assert snapshot() == before
    assert case_row(teams.case.id) == row


def test_the_stage_change_asks_for_the_next_steps_expected_date_afresh(signed_in: FlaskClient, teams: Teams) -> None:
    """The expected date and reason on the case were for the step now ending: the form starts empty,
    so an old reason is never shown to the family against the next step. Left empty, they are
    removed, as the form says; given, they are the next step's."""
    expected = teams.case.next_deadline_on + timedelta(days=10)
    set_case(teams.case, expected_on=expected, delay_reason="The school is closed.")
    page = get_page(signed_in, f"/casework/cases/{teams.case.id}/stage")
    boxes = [box.get("value") for box in page.soup.select("input[name=stage-expected_on]")]
    assert boxes == [None, None, None]
    assert page.soup.find("textarea", {"name": "stage-delay_reason"}).get_text() == ""
    assert "Leave it empty to remove the expected date" in page.text
    response = signed_in.post(f"/casework/cases/{teams.case.id}/stage", data=stage_form(
        teams, **typed_date("stage-expected_on", "", "", "")
    ))
    assert "No expected date" in get_page(signed_in, response.location).text
    db.session.refresh(teams.case)
    assert (teams.case.stage, teams.case.expected_on, teams.case.delay_reason) == (
        Stage.DECIDING_TO_ASSESS, None, None
    )


def test_closing_the_case_removes_the_expected_date(signed_in: FlaskClient, teams: Teams) -> None:
    set_case(teams.case, expected_on=today() + timedelta(days=5))
    data = stage_form(teams, **{"stage-to_stage": "withdrawn"}, **date_fields("stage-expected_on", today()))
    assert signed_in.post(f"/casework/cases/{teams.case.id}/stage", data=data).status_code == 302
    db.session.refresh(teams.case)
    assert (teams.case.closed, teams.case.expected_on) == (True, None)


# --- Dates that make sense --------------------------------------------------------------------


@pytest.mark.parametrize("task", ["expected-date", "stage"])
def test_an_expected_date_in_the_past_is_refused(signed_in: FlaskClient, teams: Teams, task: str) -> None:
    yesterday = today() - timedelta(days=1)
    prefix = "expected" if task == "expected-date" else "stage"
    data = {f"{prefix}-version": str(teams.case.version), **date_fields(f"{prefix}-expected_on", yesterday)}
    if task == "stage":
        data = stage_form(teams, **data)
    before = snapshot()
    page = check_page(signed_in.post(f"/casework/cases/{teams.case.id}/{task}", data=data), 400)
    assert page.error_messages() == ["The expected date must be today or in the future"]
    assert page.soup.select_one(".govuk-error-summary a")["href"] == f"#{prefix}-expected_on-day"
    assert snapshot() == before


def test_today_is_today_whatever_the_hidden_boxes_hold(signed_in: FlaskClient, teams: Teams) -> None:
    data = stage_form(teams, **typed_date("stage-effective_on", "31", "2", "nonsense"))
    assert signed_in.post(f"/casework/cases/{teams.case.id}/stage", data=data).status_code == 302
    change = db.session.scalar(select(StageChange).order_by(StageChange.id.desc()))
    assert change.effective_on == today()


def test_the_date_boxes_are_under_another_date(signed_in: FlaskClient, teams: Teams) -> None:
    page = get_page(signed_in, f"/casework/cases/{teams.case.id}/stage")
    radios = page.soup.select("input[name=stage-effective_on_when]")
    assert [radio["value"] for radio in radios] == ["today", "another"]
    assert not any(radio.has_attr("checked") for radio in radios)  # nothing chosen for them
    # In the radios' group, after "Another date", and never hidden (works without JavaScript).
    boxes = radios[1].find_parent(class_="govuk-radios").select_one(".govuk-radios__conditional")
    assert boxes.select("input[name=stage-effective_on]")
    assert "govuk-radios__conditional--hidden" not in boxes["class"]
    assert not radios[1].has_attr("data-aria-controls")
    # Sent with "Another date" and a mistake, it stays chosen so the boxes show.
    data = stage_form(teams, **{"stage-effective_on_when": "another"}, **typed_date("stage-effective_on", "", "", ""))
    page = check_page(signed_in.post(f"/casework/cases/{teams.case.id}/stage", data=data), 400)
    assert page.error_messages() == ["Enter the date of the change"]
    assert page.soup.select_one("input[name=stage-effective_on_when][value=another]").has_attr("checked")


def error_links(page: Page) -> list[str]:
    """Each error summary link's target, checked to be a field on the page (for a date, one of
    its boxes)."""
    targets = []
    for link in page.soup.select(".govuk-error-summary__list a[href]"):
        target = page.soup.find(id=link["href"].removeprefix("#"))
        assert target is not None and target.name in ("input", "textarea", "select"), link["href"]
        if link["href"].endswith(("-day", "-month", "-year")):
            assert target.name == "input" and target.get("type") == "text", link["href"]
        targets.append(link["href"])
    return targets


def another(name: str, day: str, month: str, year: str) -> dict:
    """A date typed under "Another date"."""
    return {f"{name}_when": "another", **typed_date(name, day, month, year)}


@pytest.mark.parametrize(
    ("task", "data", "links"),
    [
        ("stage", {"stage-to_stage": "", "stage-effective_on_when": ""},
         ["#stage-to_stage", "#stage-effective_on_when"]),
        ("stage", {"stage-to_stage": "assessing", **another("stage-effective_on", "", "", "")},
         ["#stage-to_stage", "#stage-effective_on-day"]),
        ("stage", {"stage-to_stage": "withdrawn", **another("stage-effective_on", "1", "", "2026")},
         ["#stage-effective_on-month"]),
        ("stage", {"stage-to_stage": "withdrawn", **another("stage-effective_on", "1", "1", "26")},
         ["#stage-effective_on-year"]),
        ("stage", {"stage-to_stage": "withdrawn", "stage-effective_on_when": "today",
                   **typed_date("stage-expected_on", "40", "1", "2099")}, ["#stage-expected_on-day"]),
        ("expected-date", typed_date("expected-expected_on", "1", "13", "2099"), ["#expected-expected_on-month"]),
        ("exceptions", {}, ["#exception-exception_type", "#exception-reason", "#exception-applies_from_when"]),
        ("advice", another("advice-requested_on", "x", "y", "2026"), ["#advice-provider", "#advice-requested_on-day"]),
        ("review-dates", typed_date("review-review_meeting_on", "29", "2", "2023"), ["#review-review_meeting_on-day"]),
        ("notes", {}, ["#note-text"]),
    ],
)
def test_error_summary_links_go_to_an_input_on_the_page(
    signed_in: FlaskClient, teams: Teams, task: str, data: dict, links: list[str]
) -> None:
    if task == "review-dates":
        set_case(teams.case, stage=Stage.ANNUAL_REVIEW, final_plan_on=today() - timedelta(days=300))
    prefix = {"stage": "stage", "expected-date": "expected", "exceptions": "exception", "review-dates": "review"}
    version = {f"{prefix[task]}-version": str(teams.case.version)} if task in prefix else {}
    page = check_page(signed_in.post(f"/casework/cases/{teams.case.id}/{task}", data={**version, **data}), 400)
    assert error_links(page) == links


def test_only_the_wrong_part_of_a_date_is_marked(signed_in: FlaskClient, teams: Teams) -> None:
    data = stage_form(teams, **another("stage-effective_on", "3", "13", "2026"))
    page = check_page(signed_in.post(f"/casework/cases/{teams.case.id}/stage", data=data), 400)
    assert page.error_messages() == ["Date of the change must be a real date"]
    assert error_links(page) == ["#stage-effective_on-month"]
    marked = [box["id"] for box in page.soup.select("input[name=stage-effective_on].govuk-input--error")]
    assert marked == ["stage-effective_on-month"]
    # A date the service refuses is wrong as a whole: all three boxes, and the link to the day.
    data = stage_form(teams, **{"stage-effective_on_when": "another"},
                      **date_fields("stage-effective_on", today() + timedelta(days=2)))
    page = check_page(signed_in.post(f"/casework/cases/{teams.case.id}/stage", data=data), 400)
    assert error_links(page) == ["#stage-effective_on-day"]
    assert len(page.soup.select("input[name=stage-effective_on].govuk-input--error")) == 3


# --- Late, and the family not told why --------------------------------------------------------


def late_banner(page: Page):
    return page.soup.find(id="late-without-reason")


def test_a_late_case_without_a_reason_asks_for_the_expected_date_and_reason(
    signed_in: FlaskClient, teams: Teams
) -> None:
    set_case(teams.case, next_deadline_on=today() - timedelta(days=3))
    page = get_page(signed_in, f"/casework/cases/{teams.case.id}")
    banner = late_banner(page)
    assert banner is not None
    assert banner.find("a")["href"] == f"/casework/cases/{teams.case.id}/expected-date"
    assert "has not been told why" in " ".join(page.soup.find(id="family-sees").find_next("div").get_text().split())
    stage_page = get_page(signed_in, f"/casework/cases/{teams.case.id}/stage")
    assert "the family has not been told why" in stage_page.soup.select_one(".govuk-warning-text").get_text()


@pytest.mark.parametrize("state", ["on time", "late with a reason"])
def test_no_banner_when_the_family_knows(signed_in: FlaskClient, teams: Teams, state: str) -> None:
    if state == "late with a reason":
        set_case(teams.case, next_deadline_on=today() - timedelta(days=3), expected_on=today() + timedelta(days=7),
                 delay_reason="The panel meets next week.")
    page = get_page(signed_in, f"/casework/cases/{teams.case.id}")
    assert late_banner(page) is None
    assert not get_page(signed_in, f"/casework/cases/{teams.case.id}/stage").soup.select(".govuk-warning-text")
    if state == "late with a reason":
        sees = " ".join(page.soup.find(id="family-sees").find_next("div").get_text().split())
        assert "The panel meets next week." in sees
