"""Screenshots of the key pages for each role, for the README: `make screenshots` writes them to
docs/screenshots/ (SCREENSHOTS_DIR). Skipped in the ordinary test run, whose crawl and journeys
already visit these pages."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.support import ROOT

pytestmark = pytest.mark.browser
WIDTH = 1000


def _start(page, server):
    page.goto("/")


def _sign_in(page, server):
    page.goto("/sign-in")


def _sign_in_error(page, server):
    page.goto("/sign-in")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()


def _home(page, server):
    page.goto("/")


def _family_case(page, server):
    page.goto("/")
    page.locator(f"main a[href$='/family/cases/{server.journey_case.id}']").first.click()


def _caseworker_case(page, server):
    page.goto("/")
    page.get_by_label(re.compile("search", re.IGNORECASE)).fill(server.journey_case.child_full_name)
    page.get_by_role("button", name=re.compile("filter", re.IGNORECASE)).click()
    page.get_by_role("link", name=server.journey_case.child_full_name).first.click()
    summary = page.locator("summary", has_text=re.compile("stage", re.IGNORECASE))
    if summary.count():  # show the stage-change form
        summary.first.click()


def _invite_staff(page, server):
    page.goto("/admin/staff/invite")


# (file name, role, how to get there)
SHOTS = [
    ("01-start.png", None, _start),
    ("02-sign-in.png", None, _sign_in),
    ("03-sign-in-error.png", None, _sign_in_error),
    ("04-family-dashboard.png", "family", _home),
    ("05-family-case.png", "family", _family_case),
    ("06-caseload.png", "caseworker", _home),
    ("07-caseworker-case.png", "caseworker", _caseworker_case),
    ("08-manager-invite-staff.png", "manager", _invite_staff),
    ("09-coproduction-account.png", "coproduction", _home),
    ("10-admin-accounts.png", "admin", _home),
]


def test_screenshots_of_the_key_pages(new_context, live_server):
    if not os.environ.get("SCREENSHOTS_DIR"):
        pytest.skip("screenshots are taken by `make screenshots` (SCREENSHOTS_DIR=docs/screenshots)")
    folder = Path(os.environ["SCREENSHOTS_DIR"])
    if not folder.is_absolute():
        folder = ROOT / folder
    folder.mkdir(parents=True, exist_ok=True)
    contexts = {}
    for name, role, how in SHOTS:
        if role not in contexts:
            viewport = {"width": WIDTH, "height": 800}
            if role == "family":  # the family in the journeys, whose child's case is known
                contexts[role] = new_context(viewport=viewport)
                live_server.sign_in(contexts[role].new_page(), live_server.journey_case.family_email)
            else:
                contexts[role] = new_context(role, viewport=viewport)
        page = contexts[role].new_page()
        how(page, live_server)
        page.wait_for_load_state()
        assert page.locator("h1").count() == 1, (name, page.url)
        page.screenshot(path=folder / name, full_page=True, animations="disabled", caret="hide")
        page.close()
    assert {name for name, _, _ in SHOTS} <= {path.name for path in folder.glob("*.png")}
