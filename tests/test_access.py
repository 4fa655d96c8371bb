"""Who may reach what: every endpoint declares an access rule, and the rule is what happens.

The matrix walks `app.url_map`, so a new route is covered as soon as it exists. Endpoints whose
answer to a permitted visitor is not a plain 200 page are listed in DOCUMENTED, with the reason.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask, url_for
from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.test import TestResponse

from portal.access import PUBLIC, access_rule
from portal.conversations import services as conversations
from portal.conversations.attachments import CheckedFile
from portal.conversations.models import Attachment, Conversation, StaffAbsence
from portal.ehcp.models import AdviceProvider, AdviceRequest, Case, PhaseTransfer
from portal.extensions import db
from portal.feedback.models import Action, ActionFeedback, Feedback, FeedbackSource, Theme
from portal.intake.models import AssessmentRequest, RequestChannel, Requester, RequestStatus
from portal.models import Child, FamilyLink, Invitation, PasswordReset, Relationship, Role, User
from portal.outbox import OutboxEmail, OutboxStatus, queue_email
from portal.tokens import new_token
from tests.helpers import PASSWORD, Factory, check_page, current_code, get_page, sign_in_fast

ANONYMOUS = None
VISITORS = (ANONYMOUS, *Role)
MADE_UP_TOKEN = "made-up-token-that-matches-nothing"

# Each role's home page, written out here rather than taken from the code under test.
HOME = {
    Role.FAMILY: "/family/",
    Role.CASEWORKER: "/casework/",
    Role.MANAGER: "/casework/",
    Role.COPRODUCTION: "/coproduction/",
    Role.ADMIN: "/admin/accounts",
    Role.BOARD: "/reports/",
}


@dataclass(frozen=True)
class Expect:
    """The answer a visitor the rule lets in should get, when it is not a plain 200 page.

    `location` is an endpoint name, or HOME for the signed-in role's home page."""

    status: int
    location: str | None = None


TO_HOME = Expect(302, "HOME")
TO_SIGN_IN = Expect(302, "auth.sign_in")
LINK_INVALID = Expect(404)
# Public endpoints whose access check is a signature on the request, not a session or a CSRF
# token: SendGrid's Event Webhook. Unsigned (as here), they are refused with 403 whoever asks;
# correctly signed requests are tested in tests/notifications/test_webhook.py.
SIGNED_REQUESTS = {"webhooks.sendgrid_events": Expect(403)}

# endpoint -> {"anonymous" | "signed-in" | a role's value: the expected answer}; a role's own entry
# comes before "signed-in". Anything not listed is a 200 page.
DOCUMENTED: dict[str, dict[str, Expect]] = {
    # The start page and the sign-in page send someone already signed in to their home page.
    "main.start": {"signed-in": TO_HOME},
    "auth.sign_in": {"signed-in": TO_HOME},
    # The second sign-in steps need a sign-in in progress; without one they go back to the start.
    "auth.security_code": {"anonymous": TO_SIGN_IN, "signed-in": TO_SIGN_IN},
    "auth.set_up_two_factor": {"anonymous": TO_SIGN_IN, "signed-in": TO_SIGN_IN},
    # Signing out (POST only) goes to the signed-out page.
    "auth.sign_out": {"signed-in": Expect(302, "auth.signed_out")},
    # A made-up token is the "link not valid" page, a 404.
    "auth.reset_password": {"anonymous": LINK_INVALID, "signed-in": LINK_INVALID},
    "auth.accept_invitation": {"anonymous": LINK_INVALID, "signed-in": LINK_INVALID},
    # The case's task pages (casework.change_stage and the rest) are GET (the form, a plain 200
    # page) and POST (the save, checked by the CSRF walk below), so they need no entry here.
    # Answering a request to link a child (POST only) goes back to the dashboard; the second
    # answer finds the request no longer open, and says so there.
    "family.accept_request": {"signed-in": TO_HOME},
    "family.decline_request": {"signed-in": TO_HOME},
    # Resending and withdrawing an invitation (POST only) go back to the child's page.
    "casework.resend_invitation": {"signed-in": Expect(302, "casework.child")},
    "casework.withdraw_invitation": {"signed-in": Expect(302, "casework.child")},
    # Reactivating an account that is already active goes back to the accounts list.
    "admin.reactivate_account": {"signed-in": Expect(302, "admin.users")},
    # Sending a failed email again (POST only) goes back to the list of failed emails.
    "admin.send_email_again": {"signed-in": Expect(302, "admin.failed_emails")},
    # Closing and reopening a conversation (POST only) go back to the conversation.
    "conversations.close_conversation": {"signed-in": Expect(302, "conversations.staff_conversation")},
    "conversations.reopen_conversation": {"signed-in": Expect(302, "conversations.staff_conversation")},
    # Cancelling an absence (POST only) goes back to the absences page. The absence is the
    # caseworker's, which their own manager may cancel too (tests/conversations/test_absence.py).
    "conversations.cancel_absence": {"signed-in": Expect(302, "conversations.absence")},
    # Removing a closure day (POST only) needs the day in the form: without it, a bad request.
    # The CSRF walk below sends one; tests/conversations/test_closure_days.py removes days.
    "admin.remove_closure_day": {"signed-in": Expect(400)},
    # The request pages after the first question need a draft in the session (none here): they go
    # back to the start. The email link with a made-up token is the "link has expired" page (404).
    # A signed-in family member's confirmation needs a request just sent: otherwise the dashboard.
    "intake.question": {"anonymous": Expect(302, "intake.start"), "signed-in": Expect(302, "intake.start")},
    "intake.check_answers": {"anonymous": Expect(302, "intake.start"), "signed-in": Expect(302, "intake.start")},
    "intake.check_email": {"anonymous": Expect(302, "intake.start"), "signed-in": Expect(302, "intake.start")},
    "intake.confirm_email": {"anonymous": LINK_INVALID, "signed-in": LINK_INVALID},
    "intake.family_question": {"signed-in": Expect(302, "intake.family_start")},
    "intake.family_check_answers": {"signed-in": Expect(302, "intake.family_start")},
    "intake.family_sent": {"signed-in": TO_HOME},
    # Opening a case from a request (POST only) needs the team chosen: without it, the request's
    # page with the error (400). tests/intake/test_decide.py opens cases.
    "intake.open_case": {"signed-in": Expect(400)},
    # Importing a checked file (POST only) needs the checked file's name in the form: without it, a
    # bad request. tests/case_import/test_upload_page.py checks and imports files.
    "admin.confirm_case_import": {"signed-in": Expect(400)},
    # Linking feedback to an action, publishing it and taking it off the public page (POST only) go
    # back to the action's page.
    "coproduction.action_feedback": {"signed-in": Expect(302, "coproduction.action")},
    "coproduction.publish_action": {"signed-in": Expect(302, "coproduction.action")},
    "coproduction.unpublish_action": {"signed-in": Expect(302, "coproduction.action")},
}


def visitor_name(visitor: Role | None) -> str:
    return "anonymous" if visitor is None else visitor.value


def endpoints(app: Flask) -> list[str]:
    return sorted({rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint != "static"})


def rule_for(app: Flask, endpoint: str):
    rules = [rule for rule in app.url_map.iter_rules() if rule.endpoint == endpoint]
    assert len(rules) == 1, f"{endpoint} has {len(rules)} URL rules; give each its own values below"
    return rules[0]


@dataclass
class World:
    """One of everything, arranged so that every role can reach what its rule allows."""

    users: dict[Role, User]
    child: Child
    other_team_child: Child
    other_family: User
    other_family_child: Child
    case: Case  # the EHC case of `child`, in the North team and linked to the family user
    advice: AdviceRequest  # a request for advice on `case`, not yet received
    invitation: Invitation  # an open request to the family user to link `child`
    link: FamilyLink  # the family user's link to `child`
    failed_email: OutboxEmail  # a stage-change email about `case` to the family user that bounced
    conversation: Conversation  # the family user's conversation about `case`, waiting for the council
    attachment: Attachment  # a PDF the family user sent in `conversation`
    absence: StaffAbsence  # the caseworker's leave, next month
    request: AssessmentRequest  # a request for an assessment received, waiting for the team
    opened_request: AssessmentRequest  # the request `case` was opened from
    # The family user's feedback (they agreed to be contacted), tagged with `theme`.
    feedback: Feedback | None = field(default=None, kw_only=True)
    theme: Theme | None = field(default=None, kw_only=True)
    # A "You said, we did" action answering `feedback`, not published yet.
    action: Action | None = field(default=None, kw_only=True)
    # A phase transfer on `case`, its plan not yet amended (so it can be removed).
    transfer: PhaseTransfer | None = field(default=None, kw_only=True)

    def url_values(self) -> dict[str, object]:
        return {
            "child_id": self.child.id,
            "case_id": self.case.id,
            "advice_id": self.advice.id,
            "user_id": self.users[Role.CASEWORKER].id,
            "invitation_id": self.invitation.id,
            "link_id": self.link.id,
            "email_id": self.failed_email.id,
            "conversation_id": self.conversation.id,
            "attachment_id": self.attachment.id,
            "absence_id": self.absence.id,
            "request_id": self.request.id,
            "feedback_id": self.feedback.id,
            "theme_id": self.theme.id,
            "action_id": self.action.id,
            "transfer_id": self.transfer.id,
            "token": MADE_UP_TOKEN,
            "question": "name",  # a request page after the first: without a draft, back to the start
        }


def build_world(make: Factory) -> World:
    team = make.team("North SEND team")
    family = make.user(Role.FAMILY, name="Fiona Family")
    users = {
        Role.FAMILY: family,
        Role.CASEWORKER: make.user(Role.CASEWORKER, team=team, name="Casey Worker"),
        Role.MANAGER: make.user(Role.MANAGER, team=team, name="Morgan Manager"),
        Role.COPRODUCTION: make.user(Role.COPRODUCTION, name="Corey Coproduction"),
        Role.ADMIN: make.user(Role.ADMIN, name="Addy Admin"),
        Role.BOARD: make.user(Role.BOARD, name="Bo Board"),
    }
    child = make.child(team=team, family=[family], first_name="Ourchild")
    other_team = make.team("South SEND team")
    other_family = make.user(Role.FAMILY, name="Other Family")
    other_team_child = make.child(team=other_team, family=[other_family], first_name="Southchild")
    other_family_child = make.child(team=team, family=[other_family], first_name="Neighbourchild")
    case = make.case(child=child, caseworker=users[Role.CASEWORKER])
    advice = AdviceRequest(
        case_id=case.id,
        provider=AdviceProvider.HEALTH,
        requested_on=case.request_received_on,
        due_on=case.request_received_on + timedelta(weeks=6),
    )
    db.session.add(advice)
    # An open request to the family user about `child`, so that every role reaches the pages for
    # it with the same child_id (accepting it keeps the one link they already have).
    invitation = Invitation(
        email=family.email,
        name=family.name,
        role=Role.FAMILY,
        child=child,
        relationship_to_child=Relationship.PARENT,
        token_hash=new_token()[1],
        invited_by=users[Role.CASEWORKER],
        expires_at=datetime.now(UTC) + timedelta(days=7),
    )
    db.session.add(invitation)
    # The stage-change email to the family bounced, so the case is flagged "Family not reached":
    # the pages for correcting the address, marking it handled and sending it again all answer.
    failed_email = queue_email(
        family.email, "Ourchild’s EHC needs assessment or plan has moved to a new stage", "stage_changed",
        event_key="access-test:bounced", user_id=family.id, case_id=case.id, stage="Request received",
    )
    failed_email.status = OutboxStatus.PERMANENT_FAILURE
    failed_email.last_error = "bounce: 550 5.1.1 mailbox does not exist"
    case.family_not_reached_since = datetime.now(UTC)
    db.session.commit()
    link = db.session.scalars(select(FamilyLink).where(FamilyLink.child_id == child.id)).one()
    pdf = CheckedFile("letter.pdf", "application/pdf", b"%PDF-1.4\n% a letter from the school\n%%EOF\n")
    conversation = conversations.start(
        family, case, "When will the school's advice arrive?",
        conversations.Draft("Has the school sent its advice yet?", "access-test-conversation", (pdf,)),
    )
    attachment = db.session.scalars(select(Attachment)).one()
    absence = StaffAbsence(
        user_id=users[Role.CASEWORKER].id,
        starts_on=date.today() + timedelta(days=30), ends_on=date.today() + timedelta(days=34),
    )
    db.session.add(absence)
    request, opened_request = (
        AssessmentRequest(
            status=status, channel=RequestChannel.ONLINE, requester=Requester.PARENT, requester_name="Rae Requester",
            requester_email="rae.requester@example.org", child_first_name=first_name, child_last_name="Requestson",
            child_date_of_birth=date(2016, 5, 4), needs="Reading and writing.", received_on=case.request_received_on,
            reference=reference, case_id=case_id,
        )
        for status, first_name, reference, case_id in (
            (RequestStatus.RECEIVED, "Newchild", "R2026-90001", None),
            (RequestStatus.CASE_OPENED, "Ourchild", "R2026-90002", case.id),
        )
    )
    db.session.add_all([request, opened_request])
    theme = Theme(name="Communication")
    feedback = Feedback(rating=2, source=FeedbackSource.ANY_TIME, month=date.today().replace(day=1), anonymous=False,
                        contact_ok=True, user_id=family.id, could_be_better="No one rang back.", has_comment=True,
                        themes=[theme])
    db.session.add(feedback)
    action = Action(you_said="Families said no one rang back.", we_did="We ring back within two days.",
                    themes=[theme])
    db.session.add(action)
    db.session.flush()
    db.session.add(ActionFeedback(action_id=action.id, feedback_id=feedback.id))
    next_year = date.today().year + 1
    transfer = PhaseTransfer(case_id=case.id, moves_on=date(next_year, 9, 1), amend_by=date(next_year, 2, 15))
    db.session.add(transfer)
    db.session.commit()
    return World(
        users, child, other_team_child, other_family, other_family_child, case, advice, invitation, link, failed_email,
        conversation, attachment, absence, request, opened_request,
        feedback=feedback, theme=theme, action=action, transfer=transfer,
    )


@pytest.fixture
def world(make: Factory) -> World:
    return build_world(make)


def build_url(app: Flask, endpoint: str, values: dict[str, object]) -> str:
    rule = rule_for(app, endpoint)
    missing = sorted(rule.arguments - values.keys())
    assert not missing, f"{endpoint}: no test value for URL argument(s) {missing}; add them to World.url_values"
    with app.test_request_context():
        return url_for(endpoint, **{name: values[name] for name in rule.arguments})


def method_for(app: Flask, endpoint: str) -> str:
    methods = rule_for(app, endpoint).methods or set()
    if "GET" in methods:
        return "GET"
    if "POST" in methods:
        return "POST"
    raise AssertionError(f"{endpoint} answers neither GET nor POST: {sorted(methods)}")


def is_sign_in_redirect(response: TestResponse, path: str) -> bool:
    if response.status_code != 302:
        return False
    location = urlsplit(response.location)
    return location.path == "/sign-in" and parse_qs(location.query).get("next") == [path]


def problem(
    response: TestResponse, visitor: Role | None, expected: Expect, app: Flask, values: dict[str, object] | None = None
) -> str | None:
    """None if the response is the expected one, otherwise what went wrong. `values` fill in the
    expected location's URL arguments."""
    if response.status_code != expected.status:
        return f"status {response.status_code} (Location {response.location!r}), expected {expected.status}"
    if expected.location is not None:
        if expected.location == "HOME":
            assert visitor is not None
            target = HOME[visitor]
        else:
            target = build_url(app, expected.location, values or {})
        if response.location != target:
            return f"redirects to {response.location!r}, expected {target!r}"
    elif response.mimetype == "text/html":
        check_page(response, expected.status)
    return None


def request_as(app: Flask, world: World, visitor: Role | None, endpoint: str) -> tuple[str, TestResponse]:
    client = app.test_client()
    if visitor is not None:
        sign_in_fast(client, world.users[visitor])
    url = build_url(app, endpoint, world.url_values())
    response = client.open(url, method=method_for(app, endpoint))
    return url, response


def test_every_endpoint_declares_an_access_rule(app: Flask) -> None:
    undeclared = [
        endpoint for endpoint in endpoints(app) if access_rule(app.view_functions[endpoint]) is None
    ]
    assert not undeclared, f"endpoints with no access rule (use @public or @roles): {undeclared}"


def test_documented_exceptions_name_real_endpoints(app: Flask) -> None:
    stale = sorted(set(DOCUMENTED) - set(endpoints(app)))
    assert not stale, f"DOCUMENTED lists endpoints that no longer exist: {stale}"


def test_there_are_both_public_and_role_restricted_endpoints(app: Flask) -> None:
    rules = [access_rule(app.view_functions[endpoint]) for endpoint in endpoints(app)]
    assert PUBLIC in rules
    assert any(isinstance(rule, frozenset) for rule in rules)


@pytest.mark.parametrize("visitor", VISITORS, ids=visitor_name)
def test_access_matrix(app: Flask, world: World, visitor: Role | None) -> None:
    failures = []
    checked = 0
    for endpoint in endpoints(app):
        rule = access_rule(app.view_functions[endpoint])
        assert rule is not None, f"{endpoint} has no access rule"
        url, response = request_as(app, world, visitor, endpoint)
        checked += 1
        answers = DOCUMENTED.get(endpoint, {})
        documented = (
            answers.get("anonymous") if visitor is None else answers.get(visitor.value, answers.get("signed-in"))
        )
        if rule == PUBLIC and endpoint in SIGNED_REQUESTS:
            failure = problem(response, visitor, SIGNED_REQUESTS[endpoint], app)
        elif rule == PUBLIC:
            if response.status_code in (401, 403) or is_sign_in_redirect(response, url):
                failures.append(f"{endpoint} ({url}) is public but refused: {response.status_code} {response.location}")
                continue
            failure = problem(response, visitor, documented or Expect(200), app, world.url_values())
        elif visitor is None:
            failure = None if is_sign_in_redirect(response, url) else (
                f"expected a redirect to /sign-in?next={url}, got {response.status_code} {response.location!r}"
            )
        elif visitor not in rule:
            failure = problem(response, visitor, Expect(403), app, world.url_values())
            if failure is None:
                assert "You do not have permission to see this page" in response.get_data(as_text=True)
        else:
            failure = problem(response, visitor, documented or Expect(200), app, world.url_values())
        if failure:
            failures.append(f"{endpoint} ({url}): {failure}")
    assert checked == len(endpoints(app)) > 0
    assert not failures, f"as {visitor_name(visitor)}:\n" + "\n".join(failures)


def test_post_only_endpoints_are_tested_with_post(app: Flask) -> None:
    assert method_for(app, "auth.sign_out") == "POST"
    assert method_for(app, "auth.account") == "GET"


# Object-level checks: another family's or another team's child is simply not found.


def test_family_member_gets_404_for_another_familys_child(client: FlaskClient, world: World) -> None:
    sign_in_fast(client, world.users[Role.FAMILY])
    own = get_page(client, f"/family/children/{world.child.id}")
    assert "Ourchild" in own.text

    other = get_page(client, f"/family/children/{world.other_family_child.id}", status=404)
    assert other.h1 == "Page not found"
    assert "Neighbourchild" not in other.text

    missing_id = (db.session.scalar(select(func.max(Child.id))) or 0) + 1000
    missing = get_page(client, f"/family/children/{missing_id}", status=404)
    assert missing.text == other.text


def test_family_dashboard_lists_only_their_own_children(client: FlaskClient, world: World) -> None:
    sign_in_fast(client, world.users[Role.FAMILY])
    page = get_page(client, "/family/")
    assert "Ourchild" in page.text
    assert "Neighbourchild" not in page.text
    assert "Southchild" not in page.text


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.MANAGER])
def test_case_staff_get_404_for_another_teams_child(client: FlaskClient, world: World, role: Role) -> None:
    sign_in_fast(client, world.users[role])
    other_id = world.other_team_child.id
    missing_id = (db.session.scalar(select(func.max(Child.id))) or 0) + 1000

    own = get_page(client, f"/casework/children/{world.child.id}")
    assert "Ourchild" in own.text

    for path in (f"/casework/children/{other_id}", f"/casework/children/{other_id}/invite"):
        page = get_page(client, path, status=404)
        assert page.h1 == "Page not found"
        assert "Southchild" not in page.text
        missing = get_page(client, path.replace(str(other_id), str(missing_id)), status=404)
        assert missing.text == page.text

    response = client.post(
        f"/casework/children/{other_id}/invite",
        data={"name": "Sam Stranger", "email": "sam.stranger@example.org", "relationship": Relationship.PARENT.value},
    )
    page = check_page(response, 404)
    assert page.h1 == "Page not found"
    assert db.session.scalar(
        select(func.count()).select_from(Invitation).where(Invitation.email == "sam.stranger@example.org")
    ) == 0


def test_a_request_whose_case_is_open_is_only_for_the_cases_team(
    client: FlaskClient, world: World, make: Factory
) -> None:
    """Any team's staff read a received request; once its case is open, only the case's team."""
    south = make.user(Role.CASEWORKER, team=world.other_team_child.team, name="Sol South")
    for user, status in ((world.users[Role.CASEWORKER], 200), (south, 404)):
        sign_in_fast(client, user)
        get_page(client, f"/casework/requests/{world.request.id}")
        page = get_page(client, f"/casework/requests/{world.opened_request.id}", status=status)
        assert ("Ourchild" in page.text) is (status == 200)


def test_caseworker_sees_only_their_teams_children(client: FlaskClient, world: World) -> None:
    sign_in_fast(client, world.users[Role.CASEWORKER])
    page = get_page(client, "/casework/children")
    assert "Ourchild" in page.text
    assert "Neighbourchild" in page.text  # same team, another family
    assert "Southchild" not in page.text
    assert f"/casework/children/{world.other_team_child.id}" not in page.response.get_data(as_text=True)


# CSRF: a POST without a token is refused everywhere, and changes nothing.

NEW_PASSWORD = "purple elephant marmalade lighthouse"


@dataclass
class CsrfSetUp:
    world: World
    reset_token: str
    invitation_token: str
    staff_without_two_factor: User
    deactivated: User  # for reactivating


@pytest.fixture
def csrf_world(csrf_app: Flask) -> CsrfSetUp:
    make = Factory()
    world = build_world(make)
    admin = world.users[Role.ADMIN]
    reset_token, reset_hash = new_token()
    db.session.add(
        PasswordReset(
            user=world.users[Role.FAMILY],
            token_hash=reset_hash,
            expires_at=datetime.now(UTC) + timedelta(hours=1),
        )
    )
    invitation_token, invitation_hash = new_token()
    db.session.add(
        Invitation(
            email="invited.parent@example.org",
            name="Invited Parent",
            role=Role.FAMILY,
            child=world.child,
            relationship_to_child=Relationship.PARENT,
            token_hash=invitation_hash,
            invited_by=admin,
            expires_at=datetime.now(UTC) + timedelta(days=7),
        )
    )
    db.session.commit()
    staff = make.user(Role.COPRODUCTION, no_totp=True, name="New Staff")
    deactivated = make.user(Role.FAMILY, name="Dee Activated", active=False, deactivated_at=datetime.now(UTC))
    return CsrfSetUp(world, reset_token, invitation_token, staff, deactivated)


def _date(value: date, name: str) -> dict[str, list[str]]:
    return {name: [str(value.day), str(value.month), str(value.year)]}


def post_data(endpoint: str, setup: CsrfSetUp) -> dict[str, str]:
    """What a real person would send: everything correct except the missing CSRF token."""
    world = setup.world
    family = world.users[Role.FAMILY]
    version = str(world.case.version)
    today = date.today()
    return {
        "auth.sign_in": {"email": family.email, "password": PASSWORD},
        "auth.security_code": {"code": current_code(world.users[Role.CASEWORKER])},
        "auth.set_up_two_factor": {"code": "123456"},
        "auth.forgot_password": {"email": family.email},
        "auth.reset_password": {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
        "auth.change_password": {"current": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
        "auth.email_settings": {"choice": "no"},
        "auth.accept_invitation": {"name": "Invited Parent", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
        "casework.invite_family_member": {
            "name": "Nina Newparent",
            "email": "nina.newparent@example.org",
            "relationship": Relationship.PARENT.value,
        },
        "admin.invite_staff": {
            "name": "Sid Staff",
            "email": "sid.staff@example.org",
            "role": Role.CASEWORKER.value,
            "team": str(world.child.team_id),
        },
        "casework.change_stage": {
            "stage-version": version,
            "stage-to_stage": "deciding_to_assess",
            **_date(today, "stage-effective_on"),
            "stage-family_note": "We are now deciding whether to assess.",
        },
        "casework.expected_date": {"expected-version": version, **_date(today, "expected-expected_on")},
        "casework.review_dates": {"review-version": version, **_date(today, "review-review_meeting_on")},
        "casework.record_exception": {
            "exception-version": version,
            "exception-exception_type": "personal_circumstances",
            "exception-reason": "The family were in hospital for five weeks.",
            **_date(today, "exception-applies_from"),
        },
        "casework.request_advice": {"advice-provider": "health", **_date(today, "advice-requested_on")},
        "casework.advice_received": {
            f"received-{world.advice.id}-version": version,
            **_date(today, f"received-{world.advice.id}-received_on"),
        },
        "casework.add_note": {"note-text": "Called the family about the assessment."},
        "casework.record_phase_transfer": {
            "transfer-version": version, **_date(date(today.year + 1, 9, 1), "transfer-moves_on"),
            "transfer-to_post_16": "no",
        },
        "casework.remove_phase_transfer": {"remove-version": version},
        "casework.reassign": {"reassign-version": version, "reassign-caseworker": str(world.users[Role.MANAGER].id)},
        # Buttons: nothing to send but the token.
        "family.accept_request": {},
        "family.decline_request": {},
        "casework.resend_invitation": {},
        "casework.withdraw_invitation": {},
        "casework.remove_family_member": {"reason": "They asked us to remove their access."},
        "admin.deactivate_account": {},
        "admin.reactivate_account": {},
        "admin.send_email_again": {},
        "casework.correct_family_email": {"correct-email": "fiona.new.address@example.org"},
        "casework.family_reached": {"reached-note": "Phoned the family and told them about the new stage."},
        "conversations.family_start": {
            "subject": "Transport to school", "body": "Who do I ask about transport?", "urgent": "no",
            "submission_key": "csrf-walk-family-start",
        },
        "conversations.family_conversation": {
            "body": "Thank you, that helps.", "submission_key": "csrf-walk-family-reply",
        },
        "conversations.staff_start": {
            "subject": "Your child's review", "body": "Can we arrange the review meeting?",
            "submission_key": "csrf-walk-staff-start",
        },
        "conversations.staff_conversation": {
            "body": "The school sent its advice on Monday.", "submission_key": "csrf-walk-staff-reply",
        },
        "conversations.close_conversation": {},
        "conversations.reopen_conversation": {},
        "conversations.absence": {**_date(today, "starts_on"), **_date(today + timedelta(days=2), "ends_on")},
        "conversations.cancel_absence": {},
        "admin.closure_days": {**_date(next_weekday(today + timedelta(days=60)), "day"),
                               "description": "Staff training day"},
        "admin.remove_closure_day": {"day": next_weekday(today + timedelta(days=60)).isoformat()},
        # The request pages: the question in World.url_values ("name"), the first family question.
        "intake.question": {"child_first_name": "Sam", "child_last_name": "Csrfwalk"},
        "intake.family_question": {"child_first_name": "Sam", "child_last_name": "Csrfwalk"},
        "intake.family_start": {"child": "another"},
        "feedback.give": {"rating": "4", "stage": "none", "anonymous": "yes", "contact_ok": "no"},
        "coproduction.new_action": {"you_said": "Letters came late.", "we_did": "We email them.", "status": "planned"},
        "coproduction.action": {"you_said": "Letters came late.", "we_did": "We email them.", "status": "planned"},
        "coproduction.action_feedback": {"feedback": str(world.feedback.id)},
        "coproduction.publish_action": {},
        "coproduction.unpublish_action": {},
        "coproduction.comment": {"themes": str(world.theme.id)},
        "coproduction.themes": {"name": "Keeping in touch"},
        "coproduction.theme": {"name": "Keeping in touch"},
        "coproduction.merge_theme": {"into": str(world.theme.id)},
        "intake.open_case": {"team": str(world.child.team_id), "child": "new"},
        "intake.close_request": {"reason": "duplicate", "explanation": "The same request came by letter."},
        "intake.register_request": {
            "channel": "letter", "requester": "parent", "requester_name": "Lee Letterwriter",
            **_date(today, "received_on"), "child_first_name": "Morgan", "child_last_name": "Postbox",
            **_date(date(2015, 2, 3), "child_date_of_birth"), "is_reassessment": "no",
            "team": str(world.child.team_id), "caseworker": "",
        },
        "admin.case_import": {"file": (io.BytesIO(CASE_IMPORT_CSV), "cases.csv")},
        "admin.confirm_case_import": {"upload": "A" * 43},
    }.get(endpoint, {})


# A file the case import would accept (tests/case_import/): one case in the world's team.
CASE_IMPORT_CSV = (
    "reference,child_first_name,child_last_name,child_date_of_birth,team,request_received_on,stage,stage_since\n"
    f"CSRF-1,Ada,Walker,14/03/2016,North SEND team,{date.today():%d/%m/%Y},Request received,{date.today():%d/%m/%Y}\n"
).encode()


def next_weekday(day: date) -> date:
    """The day itself, or the next Monday to Friday that is not a bank holiday."""
    from portal.working_days import is_working_day

    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def snapshot() -> dict[str, list[tuple]]:
    """Every row of every table, to show that a refused request changed nothing."""
    db.session.expire_all()
    return {
        table.name: sorted(tuple(row) for row in db.session.execute(table.select()).all())
        for table in db.metadata.sorted_tables
    }


def start_sign_in_with_token(client: FlaskClient, user: User) -> None:
    """The first sign-in step done properly (with a token), leaving the second step pending."""
    page = get_page(client, "/sign-in")
    response = client.post(
        "/sign-in", data={"email": user.email, "password": PASSWORD, "csrf_token": page.csrf_token()}
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:300]


def csrf_client(app: Flask, setup: CsrfSetUp, endpoint: str) -> FlaskClient:
    client = app.test_client()
    rule = access_rule(app.view_functions[endpoint])
    if endpoint == "auth.security_code":
        start_sign_in_with_token(client, setup.world.users[Role.CASEWORKER])
    elif endpoint == "auth.set_up_two_factor":
        start_sign_in_with_token(client, setup.staff_without_two_factor)
        get_page(client, "/sign-in/set-up-two-factor")
    elif rule != PUBLIC:
        allowed = [role for role in Role if role in rule]
        sign_in_fast(client, setup.world.users[allowed[0]])
    return client


def csrf_url(app: Flask, setup: CsrfSetUp, endpoint: str) -> str:
    values = setup.world.url_values()
    values["token"] = {"auth.reset_password": setup.reset_token}.get(endpoint, setup.invitation_token)
    if endpoint == "admin.reactivate_account":
        values["user_id"] = setup.deactivated.id
    return build_url(app, endpoint, values)


def post_endpoints(app: Flask) -> list[str]:
    return [e for e in endpoints(app) if "POST" in (rule_for(app, e).methods or set())]


def test_every_post_without_a_csrf_token_is_refused_and_changes_nothing(
    csrf_app: Flask, csrf_world: CsrfSetUp
) -> None:
    checked = post_endpoints(csrf_app)
    assert {"auth.sign_in", "auth.sign_out", "casework.invite_family_member", "admin.invite_staff"} <= set(checked)
    assert {"casework.change_stage", "casework.reassign", "casework.add_note"} <= set(checked)
    assert {"casework.correct_family_email", "casework.family_reached", "admin.send_email_again"} <= set(checked)
    failures = []
    for endpoint in checked:
        if endpoint in SIGNED_REQUESTS:
            continue  # exempt from CSRF by its signature: see the test below
        client = csrf_client(csrf_app, csrf_world, endpoint)
        before = snapshot()
        response = client.post(csrf_url(csrf_app, csrf_world, endpoint), data=post_data(endpoint, csrf_world))
        if response.status_code != 400:
            failures.append(f"{endpoint}: status {response.status_code} {response.location or ''}")
            continue
        page = check_page(response, 400)
        if page.h1 != "Sorry, we could not save your answers":
            failures.append(f"{endpoint}: h1 {page.h1!r}")
        if snapshot() != before:
            failures.append(f"{endpoint}: the database changed")
    assert not failures, "\n".join(failures)


def test_csrf_refused_invitation_creates_nothing(csrf_app: Flask, csrf_world: CsrfSetUp) -> None:
    client = csrf_client(csrf_app, csrf_world, "casework.invite_family_member")
    before = db.session.scalar(select(func.count()).select_from(Invitation))
    response = client.post(
        csrf_url(csrf_app, csrf_world, "casework.invite_family_member"),
        data=post_data("casework.invite_family_member", csrf_world),
    )
    assert check_page(response, 400).h1 == "Sorry, we could not save your answers"
    assert db.session.scalar(
        select(func.count()).select_from(Invitation).where(Invitation.email == "nina.newparent@example.org")
    ) == 0
    assert db.session.scalar(select(func.count()).select_from(Invitation)) == before


def test_csrf_refused_sign_out_leaves_the_user_signed_in(csrf_app: Flask, csrf_world: CsrfSetUp) -> None:
    family = csrf_world.world.users[Role.FAMILY]
    version = family.session_version
    client = csrf_client(csrf_app, csrf_world, "auth.sign_out")
    assert client.get("/account").status_code == 200
    response = client.post("/sign-out")
    assert check_page(response, 400).h1 == "Sorry, we could not save your answers"
    assert client.get("/account").status_code == 200
    db.session.refresh(family)
    assert family.session_version == version


def test_csrf_refused_sign_in_does_not_sign_in(csrf_app: Flask, csrf_world: CsrfSetUp) -> None:
    client = csrf_app.test_client()
    response = client.post("/sign-in", data=post_data("auth.sign_in", csrf_world))
    assert check_page(response, 400).h1 == "Sorry, we could not save your answers"
    assert is_sign_in_redirect(client.get("/account"), "/account")


def test_csrf_refused_security_code_does_not_finish_signing_in(csrf_app: Flask, csrf_world: CsrfSetUp) -> None:
    client = csrf_client(csrf_app, csrf_world, "auth.security_code")
    response = client.post("/sign-in/security-code", data=post_data("auth.security_code", csrf_world))
    assert check_page(response, 400).h1 == "Sorry, we could not save your answers"
    assert is_sign_in_redirect(client.get("/account"), "/account")


def test_csrf_refused_reset_two_factor_keeps_the_secret(csrf_app: Flask, csrf_world: CsrfSetUp) -> None:
    caseworker = csrf_world.world.users[Role.CASEWORKER]
    secret = caseworker.totp_secret
    client = csrf_client(csrf_app, csrf_world, "admin.reset_two_factor")
    response = client.post(f"/admin/accounts/{caseworker.id}/reset-two-factor")
    assert check_page(response, 400).h1 == "Sorry, we could not save your answers"
    db.session.refresh(caseworker)
    assert caseworker.totp_secret == secret


def test_the_signed_webhook_is_exempt_from_csrf_but_refuses_an_unsigned_post(
    csrf_app: Flask, csrf_world: CsrfSetUp
) -> None:
    """SendGrid's Event Webhook has no session and no CSRF token: its signature is the check
    (CSRF protects a session's cookies, and it has none). An unsigned POST, form or JSON, is
    refused with 403 and changes nothing."""
    assert set(SIGNED_REQUESTS) <= set(post_endpoints(csrf_app))
    for endpoint in SIGNED_REQUESTS:
        url = csrf_url(csrf_app, csrf_world, endpoint)
        before = snapshot()
        for client in (csrf_app.test_client(), csrf_client(csrf_app, csrf_world, "auth.sign_out")):
            for kwargs in ({"data": {}}, {"json": [{"event": "delivered", "sg_event_id": "x", "timestamp": 1}]}):
                response = client.post(url, **kwargs)
                assert response.status_code == 403, (endpoint, kwargs)
        assert snapshot() == before


def test_the_same_post_with_a_token_is_accepted(csrf_app: Flask, csrf_world: CsrfSetUp) -> None:
    """The control for the tests above: with its token the invitation goes through."""
    client = csrf_client(csrf_app, csrf_world, "casework.invite_family_member")
    url = csrf_url(csrf_app, csrf_world, "casework.invite_family_member")
    token = get_page(client, url).csrf_token()
    data = post_data("casework.invite_family_member", csrf_world) | {"csrf_token": token}
    response = client.post(url, data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    assert db.session.scalar(
        select(func.count()).select_from(Invitation).where(Invitation.email == "nina.newparent@example.org")
    ) == 1

