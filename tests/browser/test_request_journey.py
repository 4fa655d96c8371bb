"""A family asks for an assessment in a real browser with JavaScript off (and on): the whole request,
with a mistake on a page and the browser's back button, then the link from the email, confirmed
with the button; a second click on the link shows the same confirmation and changes nothing."""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from portal.conversations.reply_by import today_in_england
from portal.ehcp import timeline
from portal.ehcp.milestones import long_date
from portal.extensions import db
from portal.intake.models import AssessmentRequest, RequestStatus
from portal.outbox import OutboxEmail

pytestmark = pytest.mark.browser


def continue_(page) -> None:
    page.get_by_role("button", name="Continue").click()


@pytest.mark.parametrize("javascript", [False, True], ids=["no-js", "js"])
def test_a_family_asks_for_an_assessment(new_context, live_server, javascript):
    marker = uuid.uuid4().hex[:8]
    email = f"browser.parent.{marker}@example.org"
    school = f"Browser Test Primary School {marker}"
    page = new_context(javascript=javascript).new_page()

    page.goto("/")
    page.get_by_role("link", name="Ask for an EHC needs assessment").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Ask for an education, health and care (EHC) needs assessment"
    )
    page.get_by_role("button", name="Start now").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Who is asking for the assessment?")
    page.get_by_label("I am the child’s parent").check()
    continue_(page)
    page.get_by_label("First name").fill("Sam")
    page.get_by_label("Last name").fill(f"Browsertest{marker}")
    continue_(page)

    # A mistake: 31 February. The error summary and the boxes keep what was typed.
    page.get_by_label("Day").fill("31")
    page.get_by_label("Month").fill("2")
    page.get_by_label("Year").fill("2016")
    continue_(page)
    expect(page.locator(".govuk-error-summary")).to_contain_text("Date of birth must be a real date")
    expect(page).to_have_title(re.compile("^Error: "))
    expect(page.get_by_label("Day")).to_have_value("31")
    page.get_by_label("Day").fill("4")
    page.get_by_label("Month").fill("5")
    continue_(page)

    expect(page.get_by_role("heading", level=1)).to_have_text("Which school, college or setting does your child go to?")
    page.locator("input[name=school]").fill(school)
    continue_(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Tell us about your child’s needs")

    # The browser's back button: the page before shows the saved answer.
    page.go_back()
    expect(page.locator("input[name=school]")).to_have_value(school)
    continue_(page)
    page.locator("textarea[name=needs]").fill("Sam finds reading hard.\nSam gets upset at lunchtime.")
    continue_(page)
    page.locator("textarea[name=support]").fill("A teaching assistant two mornings a week.")
    continue_(page)
    page.locator("textarea[name=reasons]").fill("The support is not enough.")
    continue_(page)
    page.locator("textarea[name=professionals]").fill("Dr Example at Example Health Centre")
    continue_(page)
    page.get_by_label("Full name").fill("Pat Browsertest")
    page.get_by_label("Email address").fill(email)
    continue_(page)
    page.get_by_label("Yes, the council can contact them").check()
    continue_(page)

    expect(page.get_by_role("heading", level=1)).to_have_text("Check your answers before sending your request")
    main = page.locator("main")
    expect(main).to_contain_text(school)
    expect(main).to_contain_text("4 May 2016")
    page.get_by_role("button", name="Send request").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    expect(page.locator("main")).to_contain_text(f"We have sent a link to {email}")
    with live_server.app.app_context():
        request = db.session.scalar(select(AssessmentRequest).where(AssessmentRequest.requester_email == email))
        assert request.status is RequestStatus.AWAITING_EMAIL  # nothing for the team yet
        row = db.session.scalar(
            select(OutboxEmail).where(OutboxEmail.to_email == email, OutboxEmail.template == "request_confirm_email")
        )
        link = urlsplit(row.context["link"]).path

    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm your request")
    page.get_by_role("button", name="Confirm and send my request").click()
    expect(page.locator(".govuk-panel")).to_contain_text("Request received")
    due = long_date(timeline.decision_to_assess_due(today_in_england()))
    expect(page.locator("main")).to_contain_text(f"The council must decide whether to assess by {due}.")
    with live_server.app.app_context():
        request = db.session.scalar(select(AssessmentRequest).where(AssessmentRequest.requester_email == email))
        reference, received_on = request.reference, request.received_on
    expect(page.locator(".govuk-panel")).to_contain_text(reference)
    first = page.locator("main").inner_text()

    # A second click on the link: the same confirmation, nothing new.
    page.goto(link)
    assert page.locator("main").inner_text() == first
    with live_server.app.app_context():
        request = db.session.scalar(select(AssessmentRequest).where(AssessmentRequest.requester_email == email))
        assert (request.reference, request.received_on, request.status) == (reference, received_on,
                                                                              RequestStatus.RECEIVED)
        received_emails = db.session.scalar(
            select(func.count()).select_from(OutboxEmail).where(
                OutboxEmail.to_email == email, OutboxEmail.template == "request_received"
            )
        )
        assert received_emails == 1


def test_every_request_page_passes_axe_and_the_nu_html_checker(new_context, live_server, tmp_path):
    """The pages the crawl cannot reach by links (after the first question, check your answers,
    check your email, the link's page, the confirmation, an error) pass the same checks."""
    from tests.browser.conftest import VnuRun
    from tests.browser.support import PageChecker, skip_unless_ci

    checker = PageChecker(tmp_path)
    context = new_context()
    checker.prepare(context)
    page = context.new_page()
    email = f"checked.parent.{uuid.uuid4().hex[:8]}@example.org"
    answers = [
        ("/request-an-assessment/who-is-asking", lambda: page.get_by_label("I am the child’s parent").check()),
        ("/request-an-assessment/name", lambda: (page.get_by_label("First name").fill("Sam"),
                                                 page.get_by_label("Last name").fill("Checked"))),
        ("/request-an-assessment/date-of-birth", lambda: (page.get_by_label("Day").fill("4"),
                                                          page.get_by_label("Month").fill("5"),
                                                          page.get_by_label("Year").fill("2016"))),
        ("/request-an-assessment/school-or-setting", lambda: page.locator("input[name=school]").fill("A school")),
        ("/request-an-assessment/needs", lambda: page.locator("textarea").fill("Reading")),
        ("/request-an-assessment/support", lambda: page.locator("textarea").fill("None")),
        ("/request-an-assessment/reasons", lambda: page.locator("textarea").fill("Not enough")),
        ("/request-an-assessment/professionals", lambda: page.locator("textarea").fill("None")),
        ("/request-an-assessment/contact-details", lambda: (page.get_by_label("Full name").fill("Pat Checked"),
                                                            page.get_by_label("Email address").fill(email))),
        ("/request-an-assessment/consent", lambda: page.get_by_label("No", exact=True).check()),
    ]
    for path, answer in answers:
        checker.check(page, "anonymous", path, page.goto(path))
        if path.endswith("/date-of-birth"):  # a page with an error, too
            page.get_by_label("Day").fill("31")
            page.get_by_label("Month").fill("2")
            page.get_by_label("Year").fill("2016")
            with page.expect_navigation() as navigation:
                continue_(page)
            checker.check(page, "anonymous", f"{path} with an error", navigation.value, kind="form")
        answer()
        continue_(page)
    checker.check(page, "anonymous", "check your answers", page.goto("/request-an-assessment/check-your-answers"))
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Send request").click()
    checker.check(page, "anonymous", "check your email", navigation.value)
    with live_server.app.app_context():
        row = db.session.scalar(
            select(OutboxEmail).where(OutboxEmail.to_email == email, OutboxEmail.template == "request_confirm_email")
        )
        link = urlsplit(row.context["link"]).path
    checker.check(page, "anonymous", "the email's link", page.goto(link))
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Confirm and send my request").click()
    checker.check(page, "anonymous", "confirmation", navigation.value)
    checker.check(page, "anonymous", "expired link", page.goto("/request-an-assessment/confirm/expired-token"))

    violations = [f"{p.label}: {v['id']} {v['help']}" for p in checker.pages for v in p.axe]
    assert not violations, "\n".join(violations)
    wide = [p.label for p in checker.pages if p.scroll_width_320 > 320]
    assert not wide, wide
    run = VnuRun.start([file for p in checker.pages for file in p.html_files], tmp_path)
    try:
        if run.skipped:
            skip_unless_ci(run.skipped)
        errors = [
            f"{Path(m.get('url', '')).name} line {m.get('lastLine')}: {m['message']}"
            for m in run.messages() if m.get("type") in ("error", "non-document-error")
        ]
    finally:
        run.stop()
    assert not errors, "\n".join(errors)


def test_a_signed_in_family_member_whose_childs_assessment_is_under_way_is_told_to_message(new_context, live_server):
    """Without JavaScript: the dashboard's "Ask for an assessment", and the journey's child, whose
    assessment is already under way, refused with what to do instead (the rest of the family's
    request is tested over HTTP in tests/intake/test_family_request.py)."""
    journey = live_server.journey_case
    page = new_context(javascript=False).new_page()
    live_server.sign_in(page, journey.family_email)
    page.get_by_role("link", name="Ask for an assessment", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Who is the assessment for?")
    continue_(page)  # a mistake: nothing chosen
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select who the assessment is for")
    page.get_by_label(journey.child_full_name).check()
    continue_(page)
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        f"{journey.child_first_name}’s assessment is already under way")
    expect(page.get_by_role("heading", level=1)).to_have_text("Who is the assessment for?")
