"""Journeys in a real browser, each with JavaScript on and off: a family member follows their
child's case; a caseworker moves a case on with a note the family then sees; a form with a
mistake shows the GOV.UK error summary. Elements are found by their labels and roles."""

from __future__ import annotations

import re
import uuid
from datetime import date

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from portal.ehcp.models import Case
from portal.extensions import db
from tests.browser.support import DATE_PATTERN, main_text

pytestmark = pytest.mark.browser
JAVASCRIPT = pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])


def stage_label(live_server, case_id: int) -> str:
    with live_server.app.app_context():
        return db.session.scalar(select(Case).where(Case.id == case_id)).stage.label


def open_family_case(page, live_server) -> None:
    """From the family dashboard, follow the link to the journey's case."""
    journey = live_server.journey_case
    page.locator(f"main a[href$='/family/cases/{journey.id}']").first.click()
    expect(page).to_have_url(re.compile(rf"/family/cases/{journey.id}$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(journey.child_first_name)


@JAVASCRIPT
def test_family_member_sees_stage_dates_and_history(new_context, live_server, javascript):
    journey = live_server.journey_case
    page = new_context(javascript=javascript).new_page()
    live_server.sign_in(page, journey.family_email)

    expect(page).to_have_url(re.compile(r"/family/$"))
    main = page.locator("main")
    expect(main).to_contain_text(journey.child_full_name)
    expect(main).to_contain_text(stage_label(live_server, journey.id))
    assert DATE_PATTERN.search(main_text(page)), "no date on the dashboard"

    open_family_case(page, live_server)
    expect(main).to_contain_text(stage_label(live_server, journey.id))
    history = page.get_by_role("heading", name="History")
    expect(history).to_be_visible()
    expect(main).to_contain_text("Request received")
    assert DATE_PATTERN.search(main_text(page)), "no date on the case page"


@JAVASCRIPT
def test_caseworker_moves_a_case_on_and_the_family_sees_it(new_context, live_server, javascript):
    journey = live_server.journey_case
    note = f"We have your evidence and will write to you soon ({uuid.uuid4().hex[:8]})."
    page = new_context(javascript=javascript).new_page()
    live_server.sign_in(page, journey.caseworker_email)  # with a TOTP code

    expect(page).to_have_url(re.compile(r"/casework/$"))
    page.get_by_label(re.compile("search", re.IGNORECASE)).fill(journey.child_full_name)
    page.get_by_role("button", name=re.compile("filter", re.IGNORECASE)).click()
    page.get_by_role("link", name=journey.child_full_name).first.click()
    expect(page).to_have_url(re.compile(rf"/casework/cases/{journey.id}$"))

    page.get_by_role("link", name="Change the stage").click()  # each task has its own page
    expect(page).to_have_url(re.compile(rf"/casework/cases/{journey.id}/stage$"))
    stages = page.get_by_role("group", name=re.compile("what stage", re.IGNORECASE))
    next_stage = stages.get_by_role("radio").first
    new_stage = next_stage.evaluate("(radio) => radio.labels[0].textContent.trim()")
    next_stage.check()
    form = page.locator("form", has=stages)
    when = form.get_by_role("group", name=re.compile("when did", re.IGNORECASE))
    when.get_by_role("radio", name="Another date").check()  # the date boxes are under it
    today = date.today()
    when.get_by_label("Day", exact=True).fill(str(today.day))
    when.get_by_label("Month", exact=True).fill(str(today.month))
    when.get_by_label("Year", exact=True).fill(str(today.year))
    form.get_by_label(re.compile("note for the family", re.IGNORECASE)).fill(note)
    form.get_by_role("button").last.click()

    expect(page.locator(".govuk-error-summary")).to_have_count(0)
    expect(page.locator("main")).to_contain_text(new_stage)
    assert stage_label(live_server, journey.id) == new_stage

    family = new_context(javascript=javascript).new_page()
    live_server.sign_in(family, journey.family_email)
    expect(family.locator("main")).to_contain_text(new_stage)
    open_family_case(family, live_server)
    expect(family.locator("main")).to_contain_text(new_stage)
    expect(family.locator("main")).to_contain_text(note)


@JAVASCRIPT
def test_a_mistake_shows_the_error_summary(new_context, javascript):
    page = new_context(javascript=javascript).new_page()
    page.goto("/sign-in")
    page.get_by_role("button", name="Sign in").click()

    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary.get_by_role("link", name="Enter your email address")).to_be_visible()
    expect(page).to_have_title(re.compile("^Error: "))
    if javascript:  # GOV.UK Frontend moves focus to the summary, so screen readers announce it
        # The module script runs after the page has loaded: wait (up to 5 s) for it to move focus.
        page.wait_for_function("() => document.activeElement.closest('.govuk-error-summary') !== null", timeout=5000)
        summary.get_by_role("link", name="Enter your email address").click()
        expect(page.get_by_label("Email address")).to_be_focused()
