"""Deciding a request through its pages: opening a case (the child matched or registered, the team
and caseworker chosen, the requester invited), closing it with a reason, mistakes shown with a
GOV.UK error summary and nothing saved, and two people deciding at once."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from portal.ehcp.models import Case
from portal.extensions import db
from portal.intake.models import AssessmentRequest, ClosureReason, Requester, RequestStatus
from portal.models import Child, Invitation, Role
from tests.helpers import Factory, get_page, post_page, sign_in_fast
from tests.intake.conftest import add_received_request


@pytest.fixture
def teams(make: Factory):
    north = make.team("North SEND team")
    south = make.team("South SEND team")
    caseworker = make.user(Role.CASEWORKER, team=north, name="Casey Worker")
    south_caseworker = make.user(Role.CASEWORKER, team=south, name="Sol South")
    return north, south, caseworker, south_caseworker


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def banner(page) -> str:
    return " ".join(page.soup.select_one(".govuk-notification-banner").get_text(" ").split())


def test_opening_a_case_goes_to_the_case_and_says_the_requester_was_invited(client, teams) -> None:
    north, _, caseworker, _ = teams
    received = date.today() - timedelta(days=12)
    request = add_received_request(received_on=received, requester_email="robin.parent@example.org")
    sign_in_fast(client, caseworker)
    form = get_page(client, f"/casework/requests/{request.id}")
    assert form.soup.select("input[name=team][checked]") == []  # nothing chosen in advance
    options = [option.get_text() for option in form.soup.select("select[name=caseworker] option")]
    assert options == ["Assign later", "Casey Worker (North SEND team)", "Sol South (South SEND team)"]

    response = client.post(f"/casework/requests/{request.id}/open-case",
                           data={"team": str(north.id), "caseworker": str(caseworker.id)})

    case = db.session.scalars(select(Case)).one()
    assert response.status_code == 302 and response.location == f"/casework/cases/{case.id}"
    assert case.request_received_on == received and case.caseworker_id == caseworker.id
    page = get_page(client, response.location)
    text = banner(page)
    # The case page links back to the request's answers, by the reference the requester was given.
    link = page.soup.select_one(f"main a[href='/casework/requests/{request.id}']")
    assert link is not None and request.reference and request.reference in link.get_text()
    assert f"Case {case.reference} opened from {received.day} {received:%B %Y}" in text
    assert "We have emailed robin.parent@example.org an invitation to the portal" in text
    assert db.session.scalars(select(Invitation.email)).all() == ["robin.parent@example.org"]
    # The request's page now says what was decided, with nothing to do.
    decided = get_page(client, f"/casework/requests/{request.id}")
    assert "Casey Worker opened case" in decided.text and case.reference in decided.text
    assert decided.soup.select("form[action$='/open-case']") == []
    assert "0 requests waiting" in get_page(client, "/casework/requests").text


def test_matching_a_known_child(client, teams, make) -> None:
    north, _, caseworker, _ = teams
    child = make.child(team=north, first_name="Robin")
    child.last_name, child.date_of_birth = "Requestson", date(2016, 5, 4)
    db.session.commit()
    request = add_received_request(requester=Requester.SCHOOL, requester_email=None)
    sign_in_fast(client, caseworker)

    # The question must be answered when there is someone to match.
    page = post_page(client, f"/casework/requests/{request.id}/open-case", {"team": str(north.id)}, status=400)
    assert page.error_messages() == ["Select the child the request is about, or Register a new child"]
    page = post_page(client, f"/casework/requests/{request.id}/open-case",
                     {"team": str(north.id), "child": "999999"}, status=400)
    assert page.error_messages() == ["Select one of the children shown, or Register a new child"]

    response = client.post(f"/casework/requests/{request.id}/open-case",
                           data={"team": str(north.id), "child": str(child.id), "caseworker": ""})
    assert response.status_code == 302
    case = db.session.scalars(select(Case)).one()
    assert case.child_id == child.id and case.caseworker_id is None
    assert count(Child) == 1
    assert "Nobody was invited to the portal" in banner(get_page(client, response.location))


def test_registering_a_new_child_despite_a_match(client, teams, make) -> None:
    north, _, caseworker, _ = teams
    child = make.child(team=north, first_name="Robin")
    child.last_name, child.date_of_birth = "Requestson", date(2016, 5, 4)
    db.session.commit()
    request = add_received_request()
    sign_in_fast(client, caseworker)
    response = client.post(f"/casework/requests/{request.id}/open-case", data={"team": str(north.id), "child": "new"})
    assert response.status_code == 302
    assert count(Child) == 2
    assert db.session.scalars(select(Case)).one().child_id != child.id


@pytest.mark.parametrize(("data", "errors"), [
    ({}, ["Select the team the case will be with"]),
    ({"team": "999999"}, ["Select one of the teams shown"]),
    ({"team": "<script>"}, ["Select one of the teams shown"]),
    ({"team": "north", "caseworker": "x" * 5000},
     ["Select one of the teams shown", "Select a caseworker from the list"]),
])
def test_mistakes_are_shown_and_nothing_is_saved(client, teams, data, errors) -> None:
    request = add_received_request()
    sign_in_fast(client, teams[2])
    page = post_page(client, f"/casework/requests/{request.id}/open-case", data, status=400)
    assert page.error_messages() == errors
    assert page.title.startswith("Error: ")
    assert count(Case) == 0
    db.session.refresh(request)
    assert request.status is RequestStatus.RECEIVED


def test_a_caseworker_in_another_team_is_refused(client, teams) -> None:
    north, _, caseworker, south_caseworker = teams
    request = add_received_request()
    sign_in_fast(client, caseworker)
    page = post_page(client, f"/casework/requests/{request.id}/open-case",
                     {"team": str(north.id), "caseworker": str(south_caseworker.id)}, status=400)
    assert page.error_messages() == ["Choose a caseworker in the North SEND team, or assign one later"]
    assert page.soup.select_one(f"input[name=team][value='{north.id}']").has_attr("checked")
    assert count(Case) == 0 and count(Child) == 0


def test_a_case_for_another_team_goes_back_to_the_inbox(client, teams) -> None:
    _, south, caseworker, south_caseworker = teams
    request = add_received_request()
    sign_in_fast(client, caseworker)
    response = client.post(f"/casework/requests/{request.id}/open-case",
                           data={"team": str(south.id), "caseworker": str(south_caseworker.id)})
    assert response.status_code == 302 and response.location == "/casework/requests"
    case = db.session.scalars(select(Case)).one()
    assert case.team_id == south.id
    assert case.reference in banner(get_page(client, response.location))
    # The case is South's: its request's page is South's alone now.
    get_page(client, f"/casework/requests/{request.id}", status=404)


def test_the_second_person_is_told_someone_already_decided(client, app, teams) -> None:
    north, south, caseworker, south_caseworker = teams
    request = add_received_request()
    first, second = client, app.test_client()
    sign_in_fast(first, caseworker)
    sign_in_fast(second, south_caseworker)
    get_page(first, f"/casework/requests/{request.id}")
    get_page(second, f"/casework/requests/{request.id}/close")

    assert first.post(f"/casework/requests/{request.id}/open-case", data={"team": str(north.id)}).status_code == 302
    response = second.post(f"/casework/requests/{request.id}/close",
                           data={"reason": "duplicate", "explanation": "It is a duplicate."})
    assert response.status_code == 302 and response.location == "/casework/requests"
    page = get_page(second, response.location)
    assert "Someone else has already decided this request. Nothing you entered was saved." in banner(page)
    response = second.post(f"/casework/requests/{request.id}/open-case", data={"team": str(south.id)})
    assert "Someone else has already decided" in banner(get_page(second, response.location))
    assert count(Case) == 1
    db.session.refresh(request)
    assert request.status is RequestStatus.CASE_OPENED and request.closure_reason is None


def test_closing_a_request(client, teams) -> None:
    request = add_received_request()
    sign_in_fast(client, teams[2])
    page = get_page(client, f"/casework/requests/{request.id}/close")
    assert page.h1 == f"Close request {request.reference}"
    labels = [label.get_text(strip=True) for label in page.soup.select("input[name=reason] + label")]
    assert labels == [reason.label for reason in ClosureReason]

    response = client.post(f"/casework/requests/{request.id}/close",
                           data={"reason": "not_genuine",
                                 "explanation": "  No such child at the school.\r\nChecked.  "})
    assert response.status_code == 302 and response.location == "/casework/requests"
    inbox = get_page(client, "/casework/requests")
    assert f"Request {request.reference} closed. Nothing has been deleted" in banner(inbox)
    db.session.refresh(request)
    assert request.status is RequestStatus.CLOSED and request.closure_reason is ClosureReason.NOT_GENUINE
    assert request.closure_note == "No such child at the school.\nChecked."
    assert count(Case) == 0
    shown = get_page(client, f"/casework/requests/{request.id}")
    assert "closed this request" in shown.text and "Close this request" not in shown.text
    # Closing again, or opening a case now, is refused plainly.
    again = client.get(f"/casework/requests/{request.id}/close")
    assert again.status_code == 302
    assert "Someone else has already decided" in banner(get_page(client, again.location))


@pytest.mark.parametrize(("data", "errors"), [
    ({}, ["Select why you are closing this request", "Enter an explanation"]),
    ({"reason": "deleted", "explanation": "x"}, ["Select one of the reasons shown"]),
    ({"reason": "duplicate", "explanation": "   "}, ["Enter an explanation"]),
    ({"reason": "duplicate", "explanation": "x" * 2001}, ["Explanation must be 2,000 characters or fewer"]),
    ({"reason": "duplicate", "explanation": "<script>alert(1)</script>"}, ["Explanation must not include HTML"]),
    ({"reason": "duplicate", "explanation": "bad \u202e text"},
     ["Explanation must only include letters, numbers and punctuation"]),
])
def test_closing_mistakes(client, teams, data, errors) -> None:
    request = add_received_request()
    sign_in_fast(client, teams[2])
    page = post_page(client, f"/casework/requests/{request.id}/close", data, status=400)
    assert page.error_messages() == errors
    assert "<script>alert(1)</script>" not in page.response.get_data(as_text=True)
    db.session.refresh(request)
    assert request.status is RequestStatus.RECEIVED


def test_odd_unicode_and_the_longest_explanation_are_kept(client, teams) -> None:
    request = add_received_request()
    sign_in_fast(client, teams[2])
    explanation = ("Zoë’s 👩‍👧 request, שלום. " * 100)[:2000]
    response = client.post(f"/casework/requests/{request.id}/close",
                           data={"reason": "duplicate", "explanation": explanation})
    assert response.status_code == 302
    assert db.session.get(AssessmentRequest, request.id).closure_note == explanation.strip()


def test_the_requester_follows_the_case_after_accepting_the_invitation(client, app, teams, mail) -> None:
    """The whole path after the team confirms: the email names the child by first name only, and
    the requester, once their account exists, sees the case from the day received."""
    north, _, caseworker, _ = teams
    request = add_received_request(requester_email="robin.parent@example.org")
    sign_in_fast(client, caseworker)
    assert client.post(f"/casework/requests/{request.id}/open-case", data={"team": str(north.id)}).status_code == 302
    case = db.session.scalars(select(Case)).one()

    [email] = mail.to("robin.parent@example.org")
    text = mail.text(email)
    assert "Robin" in text and "Requestson" not in text and "2016" not in text
    family = app.test_client()
    password = "purple elephant marmalade lighthouse"
    response = family.post(mail.link(email), data={"name": "Sam Requestson", "password": password,
                                                   "confirm": password})
    assert response.status_code == 302 and response.location == "/family/"
    dashboard = get_page(family, "/family/")
    assert "Robin Requestson" in dashboard.text
    assert get_page(family, f"/family/cases/{case.id}").response.status_code == 200
