"""Staff see who was reached: each email to the family about a case, with its recipient, what it
was about and where it got to in London time; a case whose family could not be emailed is flagged
"Family not reached" (banner, caseload filter and tag) until the caseworker corrects the address
(which sends the email again to it) or says how they reached the family instead."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from portal.ehcp.models import Case, CaseNote
from portal.extensions import db
from portal.models import AuditEvent, User
from portal.notifications import reach
from portal.outbox import OutboxEmail, OutboxStatus, queue_email
from tests.casework.helpers import Teams, many_cases, snapshot
from tests.helpers import check_page, get_page, post_page, sign_in_fast

SECRET_LINK = "http://localhost/family/cases/1?secret-link-token"
THIS_YEAR = datetime.now(UTC).year


def email_to(user: User, case: Case, status: OutboxStatus, at: datetime, stage: str = "Draft plan",
             error: str | None = None, key: str | None = None) -> OutboxEmail:
    email = queue_email(
        user.email, "Ourchild’s EHC needs assessment or plan has moved to a new stage", "stage_changed",
        event_key=key or f"test:{user.id}:{status}:{at.isoformat()}", user_id=user.id, case_id=case.id,
        child_first_name="Ourchild", stage=stage, link=SECRET_LINK,
    )
    email.status = status
    email.status_changed_at = at
    email.created_at = at - timedelta(minutes=2)
    if status in (OutboxStatus.SENT, OutboxStatus.DELIVERED):
        email.sent_at = at if status is OutboxStatus.SENT else at - timedelta(minutes=2)
    email.last_error = error
    db.session.commit()
    return email


def bounced(teams: Teams, at: datetime | None = None) -> OutboxEmail:
    """Pat's email bounced and the case is flagged, as the webhook leaves it."""
    at = at or datetime(THIS_YEAR, 1, 14, 9, 5, tzinfo=UTC)
    email = email_to(teams.parent, teams.case, OutboxStatus.PERMANENT_FAILURE, at,
                     error="bounce: 550 5.1.1 mailbox does not exist")
    reach.flag_not_reached(email.id, at)
    db.session.commit()
    db.session.expire_all()
    return email


@pytest.fixture
def signed_in(client: FlaskClient, teams: Teams) -> FlaskClient:
    sign_in_fast(client, teams.caseworker)
    return client


def case_url(teams: Teams, path: str = "") -> str:
    return f"/casework/cases/{teams.case.id}{path}"


def flagged(case: Case) -> bool:
    db.session.expire_all()
    return db.session.get(Case, case.id).family_not_reached_since is not None


# --- The emails on the case page --------------------------------------------------------------


def test_the_case_page_shows_each_email_with_its_recipient_status_and_london_time(
    signed_in: FlaskClient, teams: Teams
) -> None:
    # Summer: London is an hour ahead of UTC. Winter: the same.
    email_to(teams.parent, teams.case, OutboxStatus.DELIVERED, datetime(THIS_YEAR, 7, 1, 9, 42, tzinfo=UTC))
    email_to(teams.carer, teams.case, OutboxStatus.SENT, datetime(THIS_YEAR, 12, 1, 10, 40, tzinfo=UTC))
    email_to(teams.parent, teams.case, OutboxStatus.PENDING, datetime(THIS_YEAR, 12, 2, 8, 0, tzinfo=UTC),
             stage="Final plan")
    email_to(teams.carer, teams.case, OutboxStatus.PERMANENT_FAILURE, datetime(THIS_YEAR - 1, 3, 3, 12, 0, tzinfo=UTC),
             error="bounce: 550 5.1.1 mailbox does not exist")
    # Another case's email is not this case's.
    email_to(teams.parent, teams.south_case, OutboxStatus.DELIVERED, datetime(THIS_YEAR, 5, 5, 5, 5, tzinfo=UTC),
             stage="Assessing")

    page = get_page(signed_in, case_url(teams))
    section = page.soup.find(id="emails").find_next("table")
    rows = [" ".join(row.get_text(" ").split()) for row in section.select("tbody tr")]
    assert len(rows) == 4
    # Newest first.
    assert rows[0].startswith("Pat Parent pat.parent@example.org Stage change: Final plan")
    assert "Waiting to be sent" in rows[0]
    assert "Sent to the email provider 1 December, 10:40" in rows[1]
    assert "Cam Carer cam.carer@example.org" in rows[1]
    assert "Delivered 1 July, 10:42" in rows[2]
    assert "Stage change: Draft plan" in rows[2]
    assert "Not delivered: the address does not exist or refuses mail" in rows[3]
    assert f"3 March {THIS_YEAR - 1}, 12:00" in rows[3]
    assert "Reason given: bounce: 550 5.1.1 mailbox does not exist" in rows[3]
    assert "Correct the address" in rows[3]
    html = page.response.get_data(as_text=True)
    assert "secret-link-token" not in html
    assert "has moved to a new stage" not in html  # the subject is the email's content, not shown
    assert "Assessing" not in section.get_text()


def test_a_case_with_no_emails_says_so(signed_in: FlaskClient, teams: Teams) -> None:
    page = get_page(signed_in, case_url(teams))
    assert "No emails about this case’s stages or messages have been sent to the family yet." in page.text
    assert page.soup.find(id="family-not-reached") is None


# --- The flag ---------------------------------------------------------------------------------


def test_a_flagged_case_shows_the_banner_and_is_in_the_caseload_filter(signed_in: FlaskClient, teams: Teams) -> None:
    many_cases(teams.north, 3, caseworker=teams.caseworker)
    email = bounced(teams)

    page = get_page(signed_in, case_url(teams))
    banner = page.soup.find(id="family-not-reached")
    text = " ".join(banner.get_text(" ").split())
    assert f"We could not email the family on 14 January {THIS_YEAR}. Phone or write to them instead." in text
    links = {a.get_text(" ", strip=True): a["href"] for a in banner.find_all("a")}
    assert links["Correct Pat Parent’s email address and send the email again"] == case_url(
        teams, f"/emails/{email.id}/correct-address"
    )
    assert links["I have phoned or written to the family"] == case_url(teams, "/family-not-reached")

    caseload = get_page(signed_in, "/casework/")
    assert "1 where we could not email the family" in caseload.text
    tags = [tag.get_text(strip=True) for tag in caseload.soup.select("table .govuk-tag")]
    assert tags.count("Family not reached") == 1  # on the flagged row
    filtered = get_page(signed_in, "/casework/?not_reached=y")
    assert filtered.soup.find(id="results").get_text(strip=True) == "1 case"
    assert teams.case.reference in filtered.text
    assert "Family not reached" in filtered.text
    assert get_page(signed_in, "/casework/?not_reached=y").soup.find(id="not_reached").has_attr("checked")


def test_the_worker_giving_up_flags_the_case(signed_in: FlaskClient, teams: Teams) -> None:
    email = email_to(teams.parent, teams.case, OutboxStatus.TECHNICAL_FAILURE, datetime.now(UTC),
                     error="Gave up after 72 hours")
    reach.flag_not_reached(email.id, datetime.now(UTC))
    db.session.commit()
    page = get_page(signed_in, case_url(teams))
    assert page.soup.find(id="family-not-reached") is not None
    assert "Not sent: a problem on our side" in page.text


def test_an_alert_to_staff_about_the_case_is_not_the_familys_and_never_flags_it(
    signed_in: FlaskClient, teams: Teams
) -> None:
    alert = email_to(teams.manager, teams.case, OutboxStatus.PERMANENT_FAILURE, datetime.now(UTC),
                     error="bounce: 550 5.1.1 mailbox does not exist")
    reach.flag_not_reached(alert.id, datetime.now(UTC))
    db.session.commit()
    assert db.session.get(Case, teams.case.id).family_not_reached_since is None
    page = get_page(signed_in, case_url(teams))
    assert page.soup.find(id="family-not-reached") is None
    assert teams.manager.email not in page.text and teams.manager.name not in page.text


# --- Correcting the address -------------------------------------------------------------------


def test_correcting_the_address_changes_it_clears_the_flag_and_sends_the_email_again(
    signed_in: FlaskClient, teams: Teams
) -> None:
    email = bounced(teams)
    url = case_url(teams, f"/emails/{email.id}/correct-address")
    form = get_page(signed_in, url)
    assert form.h1 == "Correct Pat Parent’s email address"
    assert "pat.parent@example.org" in form.text

    response = signed_in.post(url, data={"correct-email": "  Pat.New@Example.org "})  # kept in lower case
    assert response.status_code == 302
    assert response.location == case_url(teams)
    db.session.expire_all()
    assert db.session.get(User, teams.parent.id).email == "pat.new@example.org"
    assert not flagged(teams.case)
    copies = db.session.scalars(select(OutboxEmail).where(OutboxEmail.resend_of_id == email.id)).all()
    assert len(copies) == 1
    copy = copies[0]
    assert (copy.to_email, copy.status, copy.event_key) == ("pat.new@example.org", OutboxStatus.PENDING,
                                                             f"resend:{email.id}:1")
    assert (copy.template, copy.subject, copy.context, copy.user_id, copy.case_id) == (
        email.template, email.subject, email.context, email.user_id, email.case_id
    )
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "family-email-corrected"))
    assert (event.actor_id, event.target) == (teams.caseworker.id, f"user:{teams.parent.id}")

    page = get_page(signed_in, case_url(teams))
    assert "Pat Parent’s email address has been changed to pat.new@example.org" in page.text
    assert page.soup.find(id="family-not-reached") is None
    assert "Sent again: see the newer email above." in page.text


def test_correcting_the_address_also_sends_what_went_to_the_old_one_since(signed_in: FlaskClient, teams: Teams) -> None:
    """The case moved on while the address was wrong: the family gets that email too (after the
    first, so the newest stage comes last), and an email not sent yet goes to the new address."""
    email = bounced(teams)
    later = datetime(THIS_YEAR, 1, 20, 10, 0, tzinfo=UTC)
    final = email_to(teams.parent, teams.case, OutboxStatus.SENT, later, stage="Final plan")  # bounce not known yet
    waiting = email_to(teams.parent, teams.case, OutboxStatus.PENDING, later + timedelta(hours=1), stage="Review")
    delivered_to_carer = email_to(teams.carer, teams.case, OutboxStatus.DELIVERED, later)
    response = signed_in.post(case_url(teams, f"/emails/{email.id}/correct-address"),
                              data={"correct-email": "pat.new@example.org"})
    assert response.status_code == 302
    db.session.expire_all()
    copies = db.session.scalars(
        select(OutboxEmail).where(OutboxEmail.resend_of_id.is_not(None)).order_by(OutboxEmail.id)
    ).all()
    assert [(copy.resend_of_id, copy.to_email) for copy in copies] == [
        (email.id, "pat.new@example.org"), (final.id, "pat.new@example.org"),
    ]
    assert db.session.get(OutboxEmail, waiting.id).to_email == "pat.new@example.org"
    assert db.session.get(OutboxEmail, delivered_to_carer.id).to_email == teams.carer.email


@pytest.mark.parametrize(
    ("typed", "error"),
    [
        ("", "Enter the new email address"),
        ("not an address", "Enter an email address in the correct format, like name@example.com"),
        ("CAM.CARER@example.org", "This email address belongs to another account. Check it with the family"),
        ("pat.parent@example.org", "Enter a different email address. The email to this address could not be delivered"),
    ],
)
def test_a_new_address_that_will_not_do_is_refused_and_nothing_changes(
    signed_in: FlaskClient, teams: Teams, typed: str, error: str
) -> None:
    email = bounced(teams)
    before = snapshot()
    page = post_page(signed_in, case_url(teams, f"/emails/{email.id}/correct-address"), {"correct-email": typed}, 400)
    assert page.title.startswith("Error: ")
    assert page.error_messages() == [error]
    assert page.soup.select_one(".govuk-error-summary a")["href"] == "#correct-email"
    assert page.soup.find(id="correct-email") is not None
    assert snapshot() == before


def test_only_an_email_that_failed_for_good_has_an_address_to_correct(signed_in: FlaskClient, teams: Teams) -> None:
    delivered = email_to(teams.parent, teams.case, OutboxStatus.DELIVERED, datetime.now(UTC))
    get_page(signed_in, case_url(teams, f"/emails/{delivered.id}/correct-address"), status=404)
    other_case = email_to(teams.parent, teams.south_case, OutboxStatus.PERMANENT_FAILURE, datetime.now(UTC))
    get_page(signed_in, case_url(teams, f"/emails/{other_case.id}/correct-address"), status=404)


# --- Marking it handled -----------------------------------------------------------------------


def test_marking_it_handled_needs_a_note_then_clears_the_flag(signed_in: FlaskClient, teams: Teams) -> None:
    bounced(teams)
    url = case_url(teams, "/family-not-reached")
    form = get_page(signed_in, url)
    assert form.h1 == "Family not reached: phone or write to them"
    assert form.soup.select_one("#main-content button").get_text(strip=True) == "I have phoned or written to the family"

    page = post_page(signed_in, url, {"reached-note": "   "}, 400)
    assert page.error_messages() == ["Enter what you did to reach the family"]
    assert flagged(teams.case)
    assert db.session.scalar(select(func.count()).select_from(CaseNote)) == 0

    response = signed_in.post(url, data={"reached-note": "Phoned Pat. They will check their email address."})
    assert response.status_code == 302
    assert not flagged(teams.case)
    note = db.session.scalar(select(CaseNote))
    assert note.text.endswith("Phoned Pat. They will check their email address.")
    assert note.author_id == teams.caseworker.id
    assert db.session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "family-reached-another-way")
    ) == 1
    assert get_page(signed_in, case_url(teams)).soup.find(id="family-not-reached") is None

    # Again, once it is handled: nothing to do, and nothing saved.
    again = signed_in.post(url, data={"reached-note": "Phoned again."})
    assert again.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(CaseNote)) == 1
    assert "nothing to mark as handled" in get_page(signed_in, case_url(teams)).text


def test_the_flag_does_not_make_an_open_form_stale(signed_in: FlaskClient, teams: Teams) -> None:
    bounced(teams)
    version = db.session.get(Case, teams.case.id).version
    signed_in.post(case_url(teams, "/family-not-reached"), data={"reached-note": "Wrote to the family."})
    db.session.expire_all()
    assert db.session.get(Case, teams.case.id).version == version


# --- Who may ----------------------------------------------------------------------------------


def test_another_teams_caseworker_and_the_family_cannot(client: FlaskClient, teams: Teams) -> None:
    email = bounced(teams)
    paths = [f"/emails/{email.id}/correct-address", "/family-not-reached"]
    data = {"correct-email": "pat.new@example.org", "reached-note": "Phoned."}
    before = snapshot()
    sign_in_fast(client, teams.south_caseworker)
    for path in paths:
        assert get_page(client, case_url(teams, path), status=404).h1 == "Page not found"
        check_page(client.post(case_url(teams, path), data=data), 404)
    sign_in_fast(client, teams.parent)
    for path in paths:
        check_page(client.post(case_url(teams, path), data=data), 403)
    assert snapshot() == before
    assert flagged(teams.case)


def test_the_manager_can(client: FlaskClient, teams: Teams) -> None:
    bounced(teams)
    sign_in_fast(client, teams.manager)
    response = client.post(case_url(teams, "/family-not-reached"), data={"reached-note": "Wrote a letter."})
    assert response.status_code == 302
    assert not flagged(teams.case)


# --- Query budgets ----------------------------------------------------------------------------


def test_the_pages_keep_to_their_query_budget(signed_in: FlaskClient, teams: Teams, count_queries) -> None:
    many_cases(teams.north, 30, caseworker=teams.caseworker)
    start = datetime.now(UTC) - timedelta(days=10)
    for number in range(30):
        for member in (teams.parent, teams.carer):
            email_to(member, teams.case, list(OutboxStatus)[number % 7], start + timedelta(hours=number),
                     key=f"budget:{number}:{member.id}")
    email = bounced(teams)
    for path in ["", f"/emails/{email.id}/correct-address", "/family-not-reached"]:
        url = case_url(teams, path)  # outside the count: it may reload the test's expired case
        with count_queries() as queries:
            response = signed_in.get(url)
        assert response.status_code == 200, path
        assert queries.count <= 10, (path, queries.count, queries.statements)
    for path, data in [(f"/emails/{email.id}/correct-address", {"correct-email": ""}),
                       ("/family-not-reached", {"reached-note": ""})]:
        url = case_url(teams, path)
        with count_queries() as queries:
            response = signed_in.post(url, data=data)
        assert response.status_code == 400, path
        assert queries.count <= 10, (path, queries.count, queries.statements)
    for url in ["/casework/", "/casework/?not_reached=y"]:
        with count_queries() as queries:
            response = signed_in.get(url)
        assert response.status_code == 200
        assert queries.count <= 10, (url, queries.count, queries.statements)
    page = get_page(signed_in, case_url(teams))
    assert len(page.soup.find(id="emails").find_next("table").select("tbody tr")) == 20
