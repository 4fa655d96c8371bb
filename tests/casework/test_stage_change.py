"""Moving a case to its next stage: the change, the case, the audit event and an email to each
family member in one transaction; refused changes (a stage not offered, dates in the future or
before the last change, bad dates and text, a form someone else's change has overtaken) save
nothing and say why."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from portal.casework.queries import today
from portal.ehcp import family_emails
from portal.ehcp.models import StageChange
from portal.ehcp.stages import Stage
from portal.extensions import db
from portal.models import AuditEvent
from portal.outbox import OutboxEmail
from tests.casework.conftest import build_teams
from tests.casework.helpers import Teams, case_row, date_fields, snapshot, typed_date
from tests.helpers import Factory, check_page, get_page, sign_in_fast


def stage_form(teams: Teams, **changes) -> dict:
    data = {
        "stage-version": str(teams.case.version),
        "stage-to_stage": "deciding_to_assess",
        **date_fields("stage-effective_on", today()),
        "stage-family_note": "We are now deciding whether to assess.",
        "stage-staff_note": "Panel on Thursday.",
    }
    data.update(changes)
    return data


def post_stage(client: FlaskClient, teams: Teams, **changes):
    return client.post(f"/casework/cases/{teams.case.id}/stage", data=stage_form(teams, **changes))


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def actions() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).where(AuditEvent.action != "case-viewed")))


@pytest.fixture
def signed_in(client: FlaskClient, teams: Teams) -> FlaskClient:
    sign_in_fast(client, teams.caseworker)
    return client


def test_moving_to_the_next_stage_saves_everything_and_emails_each_family_member(
    signed_in: FlaskClient, teams: Teams
) -> None:
    before_changes = count(StageChange)
    version = teams.case.version
    response = post_stage(signed_in, teams)
    assert response.status_code == 302
    assert response.location == f"/casework/cases/{teams.case.id}"

    case = teams.case
    db.session.refresh(case)
    assert case.stage is Stage.DECIDING_TO_ASSESS
    assert case.stage_since == today()
    assert case.version == version + 1
    change = db.session.scalar(select(StageChange).order_by(StageChange.id.desc()))
    assert count(StageChange) == before_changes + 1
    assert (change.from_stage, change.to_stage, change.effective_on) == (
        Stage.REQUEST_RECEIVED, Stage.DECIDING_TO_ASSESS, today()
    )
    assert change.changed_by_id == teams.caseworker.id
    assert change.family_note == "We are now deciding whether to assess."
    assert change.staff_note == "Panel on Thursday."
    assert db.session.execute(
        select(AuditEvent.action, AuditEvent.actor_id, AuditEvent.target).where(AuditEvent.action == "stage-changed")
    ).all() == [("stage-changed", teams.caseworker.id, f"case:{case.id}")]

    emails = db.session.scalars(select(OutboxEmail).order_by(OutboxEmail.to_email)).all()
    assert [email.to_email for email in emails] == ["cam.carer@example.org", "pat.parent@example.org"]
    for email in emails:
        assert email.subject == "Ourchild’s EHC needs assessment or plan has moved to a new stage"
        assert email.context["child_first_name"] == "Ourchild"
        assert email.context["stage"] == "Deciding whether to assess"
        everything = email.subject + repr(email.context)
        for secret in (teams.child.last_name, "2015", "1 January", "Panel on Thursday", "deciding whether to assess."):
            assert secret not in everything

    page = get_page(signed_in, response.location)
    assert "Stage updated to ‘Deciding whether to assess’" in page.soup.select_one(".govuk-notification-banner").text
    page = get_page(signed_in, f"/casework/cases/{case.id}/stage")
    assert [radio["value"] for radio in page.soup.select("input[name=stage-to_stage]")] == [
        "assessing", "not_assessing", "withdrawn", "moved_away",
    ]


def test_notes_are_optional(signed_in: FlaskClient, teams: Teams) -> None:
    response = post_stage(signed_in, teams, **{"stage-family_note": "", "stage-staff_note": "   "})
    assert response.status_code == 302
    change = db.session.scalar(select(StageChange).order_by(StageChange.id.desc()))
    assert (change.family_note, change.staff_note) == (None, None)


@pytest.mark.parametrize("fail_on", [1, 2])
def test_if_an_email_cannot_be_queued_nothing_is_saved(
    signed_in: FlaskClient, teams: Teams, monkeypatch: pytest.MonkeyPatch, fail_on: int
) -> None:
    """The outbox insert is part of the transaction: failing on the first or the second family
    member's email leaves no stage change, no case change, no email and no audit event."""
    real_queue_email = family_emails.queue_email
    calls = []

    def failing(*args, **kwargs):
        calls.append(args)
        if len(calls) == fail_on:
            raise RuntimeError("outbox unavailable")
        return real_queue_email(*args, **kwargs)

    monkeypatch.setattr(family_emails, "queue_email", failing)
    before, row = snapshot(), case_row(teams.case.id)
    response = post_stage(signed_in, teams)
    assert check_page(response, 500).h1 == "Sorry, there is a problem with the service"
    assert len(calls) == fail_on
    assert snapshot() == before
    assert case_row(teams.case.id) == row
    assert count(OutboxEmail) == 0
    assert "stage-changed" not in actions()


@pytest.mark.parametrize("stage", ["final_plan", "assessing", "request_received", "<script>", "x" * 10_000])
def test_a_stage_not_offered_is_refused(signed_in: FlaskClient, teams: Teams, stage: str) -> None:
    before = snapshot()
    page = check_page(post_stage(signed_in, teams, **{"stage-to_stage": stage}), 400)
    assert page.error_messages() == ["Select one of the stages shown"]
    assert page.soup.select_one(".govuk-error-summary a")["href"] == "#stage-to_stage"
    assert page.soup.find(id="stage-to_stage") is not None
    assert snapshot() == before
    assert "<script>" not in page.response.get_data(as_text=True)


def test_no_stage_chosen(signed_in: FlaskClient, teams: Teams) -> None:
    data = stage_form(teams)
    del data["stage-to_stage"]
    page = check_page(signed_in.post(f"/casework/cases/{teams.case.id}/stage", data=data), 400)
    assert page.error_messages() == ["Select the stage the case has moved to"]


def test_a_date_in_the_future_is_refused(signed_in: FlaskClient, teams: Teams) -> None:
    before = snapshot()
    data = date_fields("stage-effective_on", today() + timedelta(days=1))
    page = check_page(post_stage(signed_in, teams, **data), 400)
    assert page.error_messages() == ["The date of the change must be today or in the past"]
    assert page.soup.select_one(".govuk-error-summary a")["href"] == "#stage-effective_on-day"
    assert "The date of the change must be today or in the past" in page.field_errors()[0]
    assert snapshot() == before


def test_a_date_before_the_last_change_is_refused(signed_in: FlaskClient, teams: Teams) -> None:
    before = snapshot()
    since = teams.case.stage_since
    page = check_page(post_stage(signed_in, teams, **date_fields("stage-effective_on", since - timedelta(days=1))), 400)
    assert page.error_messages() == [
        f"The date of the change must be on or after {since:%-d %B %Y}, the date of the last change"
    ]
    assert snapshot() == before
    # The day of the last change itself is fine.
    assert post_stage(signed_in, teams, **date_fields("stage-effective_on", since)).status_code == 302


@pytest.mark.parametrize(
    ("day", "month", "year", "message"),
    [
        ("31", "2", "2025", "Date of the change must be a real date"),
        ("29", "2", "2023", "Date of the change must be a real date"),
        ("0", "1", "2025", "Date of the change must be a real date"),
        ("1", "13", "2025", "Date of the change must be a real date"),
        ("1", "1", "25", "Date of the change must be a real date"),
        ("one", "1", "2025", "Date of the change must be a real date"),
        ("1", "1", "9" * 10_000, "Date of the change must be a real date"),
        ("1", "<b>", "2025", "Date of the change must be a real date"),
        ("1", "", "2025", "Date of the change must include a month"),
        ("", "", "2025", "Date of the change must include a day and month"),
        ("", "", "", "Enter the date of the change"),
        ("  ", " ", "", "Enter the date of the change"),
    ],
)
def test_dates_that_are_not_real_or_complete_are_refused(
    signed_in: FlaskClient, teams: Teams, day: str, month: str, year: str, message: str
) -> None:
    before = snapshot()
    typed = typed_date("stage-effective_on", day, month, year)
    page = check_page(post_stage(signed_in, teams, **typed, **{"stage-effective_on_when": "another"}), 400)
    assert page.error_messages() == [message]
    assert page.title.startswith("Error: ")
    assert snapshot() == before
    # What was typed is shown again, escaped, so that it can be corrected.
    boxes = [box.get("value", "") for box in page.soup.select("input[name=stage-effective_on]")]
    assert boxes == [day.strip(), month.strip(), year.strip()]


def test_a_date_sent_as_one_value_is_refused(signed_in: FlaskClient, teams: Teams) -> None:
    page = check_page(post_stage(signed_in, teams, **{"stage-effective_on": "2025-02-01"}), 400)
    assert page.error_messages() == ["Date of the change must include a month and year"]


NOT_PLAIN = "Note for the family must only include letters, numbers and punctuation"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("stage-family_note", "<script>alert(1)</script>", "Note for the family must not include HTML"),
        ("stage-family_note", "Hello <a href='x'>there</a>", "Note for the family must not include HTML"),
        ("stage-family_note", "x" * 2001, "Note for the family must be 2,000 characters or fewer"),
        ("stage-family_note", "x" * 100_000, "Note for the family must be 2,000 characters or fewer"),
        ("stage-family_note", "Hello\x00there", NOT_PLAIN),
        ("stage-family_note", "Hello \u202eereht", NOT_PLAIN),
        ("stage-staff_note", "x" * 5001, "Note for staff must be 5,000 characters or fewer"),
        ("stage-staff_note", "<img src=x onerror=alert(1)>", "Note for staff must not include HTML"),
    ],
)
def test_bad_notes_are_refused(signed_in: FlaskClient, teams: Teams, field: str, value: str, message: str) -> None:
    before = snapshot()
    page = check_page(post_stage(signed_in, teams, **{field: value}), 400)
    assert page.error_messages() == [message]
    assert snapshot() == before
    html = page.response.get_data(as_text=True)
    assert "<script>alert" not in html and "<img src=x" not in html and "<a href='x'>" not in html


def test_text_that_only_mentions_angle_brackets_is_fine(signed_in: FlaskClient, teams: Teams) -> None:
    note = "Reading age < 7 and > 5.\r\nSecond line."
    assert post_stage(signed_in, teams, **{"stage-family_note": note}).status_code == 302
    change = db.session.scalar(select(StageChange).order_by(StageChange.id.desc()))
    assert change.family_note == "Reading age < 7 and > 5.\nSecond line."


def test_a_note_of_exactly_2000_characters_with_new_lines_is_accepted(signed_in: FlaskClient, teams: Teams) -> None:
    note = ("x" * 99 + "\r\n") * 20  # 2,000 characters as the browser counts them
    assert post_stage(signed_in, teams, **{"stage-family_note": note}).status_code == 302


@pytest.mark.parametrize("version", [None, "", "abc", "1.5", "9" * 50])
def test_a_missing_or_made_up_version_is_a_bad_request(
    signed_in: FlaskClient, teams: Teams, version: str | None
) -> None:
    before = snapshot()
    data = stage_form(teams)
    if version is None:
        del data["stage-version"]
    else:
        data["stage-version"] = version
    response = signed_in.post(f"/casework/cases/{teams.case.id}/stage", data=data)
    assert check_page(response, 400).h1 == "Sorry, there is a problem with the page you asked for"
    assert snapshot() == before


def test_a_form_overtaken_by_someone_elses_change_saves_nothing_and_says_who(
    client: FlaskClient, teams: Teams, app
) -> None:
    old_version = teams.case.version
    # Robin saves an expected date while Casey has the page open.
    robin = app.test_client()
    sign_in_fast(robin, teams.other_caseworker)
    response = robin.post(
        f"/casework/cases/{teams.case.id}/expected-date",
        data={"expected-version": str(old_version), **date_fields("expected-expected_on", today())},
    )
    assert response.status_code == 302
    before, row = snapshot(), case_row(teams.case.id)

    sign_in_fast(client, teams.caseworker)
    response = post_stage(client, teams, **{"stage-version": str(old_version)})
    page = check_page(response, 409)
    [message] = page.error_messages()
    match = re.fullmatch(
        r"Robin Caseworker changed this case at (\d\d:\d\d) on (\d{1,2} \w+ \d{4})\. "
        r"Check the latest details and make your change again\.",
        message,
    )
    assert match, message
    saved_at = db.session.scalar(
        select(AuditEvent.created_at).where(AuditEvent.action == "expected-date-set")
    )
    local = (saved_at if saved_at.tzinfo else saved_at.replace(tzinfo=UTC)).astimezone(ZoneInfo("Europe/London"))
    assert match.groups() == (f"{local:%H:%M}", f"{local:%-d %B %Y}")
    assert page.soup.select_one(".govuk-error-summary a")["href"] == "#case-details"
    assert page.soup.find(id="case-details") is not None
    # Nothing was overwritten or added.
    assert snapshot() == before
    assert case_row(teams.case.id) == row
    assert count(OutboxEmail) == 0
    # What Casey typed is kept, with the latest version, to check and send again.
    assert page.soup.find("input", {"name": "stage-version"})["value"] == str(old_version + 1)
    assert page.soup.find("textarea", {"name": "stage-family_note"}).get_text() == (
        "We are now deciding whether to assess."
    )
    again = {
        field["name"]: field.get("value") for field in page.soup.select("form[action$='/stage'] input[type=hidden]")
    }
    response = post_stage(client, teams, **again)
    assert response.status_code == 302
    db.session.refresh(teams.case)
    assert teams.case.stage is Stage.DECIDING_TO_ASSESS


def test_a_stage_change_overtaken_by_another_stage_change(client: FlaskClient, teams: Teams, app) -> None:
    old_version = teams.case.version
    robin = app.test_client()
    sign_in_fast(robin, teams.other_caseworker)
    assert post_stage(robin, teams, **{"stage-to_stage": "withdrawn"}).status_code == 302
    before = snapshot()
    sign_in_fast(client, teams.caseworker)
    page = check_page(post_stage(client, teams, **{"stage-version": str(old_version)}), 409)
    assert page.error_messages()[0].startswith("Robin Caseworker changed this case at ")
    assert snapshot() == before
    # The case is closed now: no stage is offered any more.
    assert not page.soup.select("input[name=stage-to_stage]")


def test_when_is_london_time() -> None:
    from portal.casework.case_pages import _when

    assert _when(datetime(2026, 3, 3, 10, 42, tzinfo=UTC)) == "10:42 on 3 March 2026"
    assert _when(datetime(2026, 7, 3, 23, 30, tzinfo=UTC)) == "00:30 on 4 July 2026"
    assert _when(datetime(2026, 7, 3, 9, 5)) == "10:05 on 3 July 2026"  # naive (SQLite) is UTC


def test_moving_on_from_a_later_stage(signed_in: FlaskClient, teams: Teams) -> None:
    from tests.casework.helpers import set_case

    set_case(teams.case, stage=Stage.DRAFT_PLAN, stage_since=today() - timedelta(days=20),
             draft_served_on=today() - timedelta(days=20))
    response = post_stage(signed_in, teams, **{"stage-to_stage": "final_plan"})
    assert response.status_code == 302
    db.session.refresh(teams.case)
    assert (teams.case.stage, teams.case.final_plan_on, teams.case.first_final_plan_on) == (
        Stage.FINAL_PLAN, today(), today()
    )
    assert teams.case.next_deadline_on == date(today().year + 1, today().month, today().day) or (
        today().month == 2 and today().day == 29
    )


def test_with_csrf_each_task_page_carries_its_own_token(csrf_app) -> None:
    teams = build_teams(Factory())
    client = csrf_app.test_client()
    sign_in_fast(client, teams.caseworker)
    tokens = {}
    for task in ("stage", "expected-date", "exceptions", "advice", "notes"):
        page = get_page(client, f"/casework/cases/{teams.case.id}/{task}")
        tokens.update({field["name"]: field["value"] for field in page.soup.select("input[name$=csrf_token]")})
    assert {"stage-csrf_token", "expected-csrf_token", "exception-csrf_token", "advice-csrf_token",
            "note-csrf_token"} <= set(tokens)
    response = client.post(f"/casework/cases/{teams.case.id}/stage", data=stage_form(teams))
    assert check_page(response, 400).h1 == "Sorry, we could not save your answers"
    response = client.post(
        f"/casework/cases/{teams.case.id}/stage",
        data=stage_form(teams) | {"stage-csrf_token": tokens["stage-csrf_token"]},
    )
    assert response.status_code == 302
