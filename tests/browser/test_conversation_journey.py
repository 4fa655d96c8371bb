"""A family and a caseworker hold a conversation in a real browser, with JavaScript on and off:
the family writes from their child's case page and is told when to expect a reply; the
caseworker finds it in the team inbox and replies; the family reads the reply."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser
JAVASCRIPT = pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])


@JAVASCRIPT
def test_family_and_caseworker_hold_a_conversation(new_context, live_server, javascript):
    journey = live_server.journey_case
    marker = uuid.uuid4().hex[:8]
    subject = f"School transport from January ({marker})"
    question = f"Who do I ask about transport?\nIt starts after Christmas. <b>Thanks</b> ({marker})"
    answer = f"The transport team will call you this week ({marker})."

    family = new_context(javascript=javascript).new_page()
    live_server.sign_in(family, journey.family_email)
    family.locator(f"main a[href$='/family/cases/{journey.id}']").first.click()
    family.get_by_role("link", name=re.compile("send a message", re.IGNORECASE)).first.click()
    expect(family.locator("main")).to_contain_text("999")  # whom to call in an emergency instead
    family.get_by_label("Subject").fill(subject)
    family.get_by_label("Message", exact=True).fill(question)
    family.get_by_role("group", name=re.compile("urgent", re.IGNORECASE)).get_by_label("No", exact=True).check()
    family.get_by_role("button", name=re.compile("send", re.IGNORECASE)).click()

    expect(family.locator(".govuk-error-summary")).to_have_count(0)
    expect(family.get_by_role("heading", level=1)).to_contain_text(subject)
    expect(family.locator("main")).to_contain_text(re.compile(r"We aim to reply by \w+day \d{1,2} \w+ \d{4}"))
    expect(family.locator("main")).to_contain_text("<b>Thanks</b>")  # text, not markup

    staff = new_context(javascript=javascript).new_page()
    live_server.sign_in(staff, journey.caseworker_email)
    staff.get_by_role("link", name="Team inbox", exact=True).click()
    expect(staff).to_have_url(re.compile(r"/casework/inbox"))
    staff.get_by_role("link", name=subject).click()
    expect(staff.get_by_role("heading", level=1)).to_contain_text(subject)
    expect(staff.locator("main")).to_contain_text("Who do I ask about transport?")
    staff.get_by_label(re.compile("your reply", re.IGNORECASE)).fill(answer)
    staff.get_by_role("button", name=re.compile("^send", re.IGNORECASE)).click()
    expect(staff.locator(".govuk-error-summary")).to_have_count(0)
    expect(staff.locator("main")).to_contain_text(answer)

    family.reload()
    expect(family.locator("main")).to_contain_text(answer)
    expect(family.locator("main")).to_contain_text("SEND caseworker")
