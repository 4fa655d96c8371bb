"""Registering a request that came by letter, email, phone or from a school
(/casework/requests/new): the case opens from the day received, the child's page follows with a
banner to invite the family; a child already known with the same name and date of birth is offered;
the dates' rules; mistakes shown with a GOV.UK error summary and nothing saved."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from portal.ehcp.milestones import long_date
from portal.ehcp.models import Case
from portal.extensions import db
from portal.intake.models import AssessmentRequest, RequestChannel, Requester, RequestStatus
from portal.models import AuditEvent, Child, Invitation, Role
from tests.helpers import Factory, get_page, post_page, sign_in_fast

URL = "/casework/requests/new"


@pytest.fixture
def north(make: Factory, client):
    team = make.team("North SEND team")
    caseworker = make.user(Role.CASEWORKER, team=team, name="Casey Worker")
    sign_in_fast(client, caseworker)
    return team, caseworker


def day_fields(name: str, value: date) -> dict[str, list[str]]:
    return {name: [str(value.day), str(value.month), str(value.year)]}


def answers(to_team, **changes) -> dict:
    received = date.today() - timedelta(days=9)
    data = {
        "channel": "letter", "requester": "parent", "requester_name": "Lee Letterwriter",
        "requester_email": "lee.letter@example.org", "requester_phone": "01632 960 001",
        **day_fields("received_on", received),
        "child_first_name": "Morgan", "child_last_name": "Postbox",
        **day_fields("child_date_of_birth", date(2015, 2, 3)),
        "is_reassessment": "no", "team": str(to_team.id), "caseworker": "",
    }
    data.update(changes)
    return {name: value for name, value in data.items() if value is not None}


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def test_the_form(client, north) -> None:
    page = get_page(client, URL)
    channels = [label.get_text(strip=True) for label in page.soup.select("input[name=channel] + label")]
    assert channels == [channel.label for channel in RequestChannel if channel is not RequestChannel.ONLINE]
    requesters = [label.get_text(strip=True) for label in page.soup.select("input[name=requester] + label")]
    assert requesters == [requester.label for requester in Requester]
    assert page.soup.select("input[checked]") == []  # nothing chosen in advance
    assert page.soup.select("input[name=child]") == []


def test_registering_opens_the_case_and_goes_to_the_childs_page(client, north) -> None:
    team, caseworker = north
    received = date.today() - timedelta(days=9)
    response = client.post(URL, data=answers(team, caseworker=str(caseworker.id), is_reassessment="yes"))

    case = db.session.scalars(select(Case)).one()
    assert response.status_code == 302 and response.location == f"/casework/children/{case.child_id}"
    assert case.request_received_on == received and case.is_reassessment and case.caseworker_id == caseworker.id
    request = db.session.scalars(select(AssessmentRequest)).one()
    assert request.status is RequestStatus.CASE_OPENED and request.channel is RequestChannel.LETTER
    assert (request.requester_name, request.requester_email, request.requester_phone) == (
        "Lee Letterwriter", "lee.letter@example.org", "01632 960 001")
    assert request.registered_by_id == caseworker.id
    page = get_page(client, response.location)
    banner = " ".join(page.soup.select_one(".govuk-notification-banner").get_text(" ").split())
    assert f"Case {case.reference} opened from {long_date(received)}. Invite the family" in banner
    assert page.soup.select_one(f"a[href='/casework/children/{case.child_id}/invite']") is not None
    assert count(Invitation) == 0
    assert db.session.scalar(select(AuditEvent.id).where(AuditEvent.action == "request-registered"))


def test_a_school_with_no_email_or_phone(client, north) -> None:
    response = client.post(URL, data=answers(
        north[0], channel="school", requester="school", requester_name="Example Primary School",
        requester_email="", requester_phone="",
    ))
    assert response.status_code == 302
    request = db.session.scalars(select(AssessmentRequest)).one()
    assert request.requester is Requester.SCHOOL and request.requester_email is None and request.requester_phone is None


def test_a_known_child_is_offered_before_a_new_one_is_registered(client, north, make) -> None:
    team, _ = north
    known = make.child(team=team, first_name="Morgan")
    known.last_name, known.date_of_birth = "Postbox", date(2015, 2, 3)
    db.session.commit()

    page = post_page(client, URL, answers(team, child_first_name="morgan"), status=400)
    assert page.error_messages() == ["Check whether the request is about one of the children already known"]
    assert "Children already known have the same name and date of birth" in page.text
    labels = [label.get_text(strip=True) for label in page.soup.select("input[name=child] + label")]
    assert labels == ["Morgan Postbox, born 3 February 2015, North SEND team (no open case)", "Register a new child"]
    offered = page.soup.select_one("input[name=offered]")["value"]
    assert offered == str(known.id)
    # Everything typed is kept.
    assert page.soup.select_one("input[name=requester_name]")["value"] == "Lee Letterwriter"
    assert count(AssessmentRequest) == 0

    again = post_page(client, URL, answers(team, offered=offered), status=400)
    assert again.error_messages() == ["Select the child the request is about, or Register a new child"]

    response = client.post(URL, data=answers(team, offered=offered, child=str(known.id)))
    assert response.status_code == 302 and response.location == f"/casework/children/{known.id}"
    assert count(Child) == 1 and db.session.scalars(select(Case)).one().child_id == known.id


def test_a_new_child_despite_a_match(client, north, make) -> None:
    team, _ = north
    known = make.child(team=team, first_name="Morgan")
    known.last_name, known.date_of_birth = "Postbox", date(2015, 2, 3)
    db.session.commit()
    response = client.post(URL, data=answers(team, offered=str(known.id), child="new"))
    assert response.status_code == 302
    assert count(Child) == 2


def test_a_child_not_offered_cannot_be_chosen(client, north, make) -> None:
    team, _ = north
    someone = make.child(team=team, first_name="Someone")
    response = client.post(URL, data=answers(team, child=str(someone.id)))
    assert response.status_code == 302  # no match for these names: the child is registered
    assert db.session.scalars(select(Case)).one().child_id != someone.id


TODAY = date.today()


@pytest.mark.parametrize(("changes", "errors"), [
    ({"received_on": ["", "", ""]}, ["Enter the date the council received the request"]),
    (day_fields("received_on", TODAY + timedelta(days=1)), ["Date received must be today or in the past"]),
    ({"received_on": ["31", "2", "2026"]}, ["Date received must be a real date"]),
    ({"received_on": ["1", "13", "2026"]}, ["Date received must be a real date"]),
    ({"received_on": ["x", "1", "2026"]}, ["Date received must be a real date"]),
    ({"received_on": ["1", "", "2026"]}, ["Date received must include a month"]),
    ({"received_on": ["1", "1", "0"]}, ["Date received must be a real date"]),
    ({"received_on": ["1", "1", "99999999999999999999"]}, ["Date received must be a real date"]),
    (day_fields("child_date_of_birth", TODAY + timedelta(days=3)), ["Date of birth must be in the past"]),
    (day_fields("received_on", date(2015, 2, 1)), ["Date received must be after the child’s date of birth"]),
    ({"channel": "online"}, ["Select one of the ways shown"]),
    ({"channel": None, "requester": None},
     ["Select how the request arrived", "Select who asked for the assessment"]),
    ({"requester": "grandparent"}, ["Select one of the options shown"]),
    ({"requester_name": "   "}, ["Enter the name of the person or school who asked"]),
    ({"requester_name": "x" * 101}, ["Name must be 100 characters or fewer"]),
    ({"child_first_name": "<script>alert(1)</script>"},
     ["Name must only include letters, spaces, hyphens and apostrophes"]),
    ({"child_last_name": "Post\u200bbox"},
     ["Name must not include invisible characters, such as zero-width spaces or joiners"]),
    ({"child_first_name": "", "child_last_name": ""}, ["Enter the child’s first name", "Enter the child’s last name"]),
    ({"requester_email": "not an email"}, ["Enter an email address in the correct format, like name@example.com"]),
    ({"requester_email": "x" * 250 + "@example.org"}, ["Email address must be 254 characters or fewer"]),
    ({"requester_phone": "call me"}, ["Enter a phone number, like 01632 960 001 or +44 808 157 0192"]),
    ({"requester_phone": "0" * 31}, ["Phone number must be 30 characters or fewer"]),
    ({"is_reassessment": None}, ["Select whether it is a request for a re-assessment"]),
    ({"team": ""}, ["Select the team the case will be with"]),
    ({"caseworker": "123456789"}, ["Select a caseworker from the list"]),
    # In the page's order: the team is chosen last.
    ({"team": "", "channel": None, "child_first_name": ""},
     ["Select how the request arrived", "Enter the child’s first name", "Select the team the case will be with"]),
])
def test_mistakes(client, north, changes, errors) -> None:
    page = post_page(client, URL, answers(north[0], **changes), status=400)
    assert page.error_messages() == errors
    assert page.title.startswith("Error: Register a request")
    assert "<script>alert(1)</script>" not in page.response.get_data(as_text=True)
    assert count(AssessmentRequest) == 0 and count(Case) == 0 and count(Child) == 0


def test_a_caseworker_from_another_team_is_refused(client, north, make) -> None:
    south_caseworker = make.user(Role.CASEWORKER, name="Sol South")
    page = post_page(client, URL, answers(north[0], caseworker=str(south_caseworker.id)), status=400)
    assert page.error_messages() == ["Choose a caseworker in the North SEND team, or assign one later"]
    assert count(AssessmentRequest) == 0 and count(Case) == 0 and count(Child) == 0


def test_today_is_allowed_and_odd_unicode_names_are_kept(client, north) -> None:
    response = client.post(URL, data=answers(
        north[0], **day_fields("received_on", TODAY), child_first_name="Zoë", child_last_name="Ó Séaghdha-Nguyễn",
    ))
    assert response.status_code == 302
    child = db.session.scalars(select(Child)).one()
    assert (child.first_name, child.last_name) == ("Zoë", "Ó Séaghdha-Nguyễn")
    assert db.session.scalars(select(Case)).one().request_received_on == TODAY


def test_registering_for_another_team_goes_back_to_the_inbox(client, north, make) -> None:
    south = make.team("South SEND team")
    response = client.post(URL, data=answers(south))
    assert response.status_code == 302 and response.location == "/casework/requests"


@pytest.mark.parametrize("role", [Role.FAMILY, Role.COPRODUCTION, Role.ADMIN])
def test_other_roles_are_refused(client, make, role) -> None:
    sign_in_fast(client, make.user(role))
    get_page(client, URL, status=403)
    assert client.post(URL, data={}).status_code == 403


@pytest.mark.parametrize("size", [10, 500])
def test_at_most_10_statements(client, north, make, count_queries, size) -> None:
    from portal.models import Team, User

    teams = [Team(name=f"Bulk team {size}-{number}") for number in range(size // 10)]
    db.session.add_all(teams)
    db.session.add_all(
        User(email=f"bulk{size}-{number}@example.org", name=f"Bulk Worker {number}", role=Role.CASEWORKER,
             team=teams[number % len(teams)])
        for number in range(size)
    )
    db.session.commit()
    get_page(client, URL)
    with count_queries() as shown:
        page = get_page(client, URL)
    assert len(page.soup.select("select[name=caseworker] option")) == size + 2
    with count_queries() as refused:
        post_page(client, URL, answers(north[0], requester_name=""), status=400)
    assert shown.count <= 10 and refused.count <= 10, (shown.statements, refused.statements)
