"""Keyboard use: the skip link comes first and moves focus to the main content, every tab stop
shows where focus is, and signing in needs nothing but the keyboard."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from portal.demo import DEMO_PASSWORD

pytestmark = pytest.mark.browser

# The parts of the computed style that show focus. Radios and checkboxes show it on their label's
# ::before box (the input itself is transparent), so that box counts too.
_FOCUS_STYLE = """(element) => {
  const parts = (style) => [style.outlineStyle, style.outlineWidth, style.outlineColor, style.boxShadow].join(" ");
  let style = parts(getComputedStyle(element));
  if (element.matches("input[type=radio], input[type=checkbox]") && element.labels.length) {
    style += " | " + parts(getComputedStyle(element.labels[0], "::before"));
  }
  return style;
}"""
_ACTIVE = """() => {
  const e = document.activeElement;
  if (!e || e === document.body) return null;
  return e.outerHTML.split(">")[0].slice(0, 150) + ">";
}"""


def tab_stops(page, limit: int = 80) -> list[dict]:
    """Press Tab through the page; for each stop, its style when focused and when not."""
    stops = []
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    for number in range(limit):
        page.keyboard.press("Tab")
        element = page.evaluate_handle("() => document.activeElement")
        if page.evaluate("(e) => e === document.body || e.hasAttribute('data-tab-stop')", element):
            break  # round the page and back to the start
        element.evaluate("(e, n) => e.setAttribute('data-tab-stop', n)", number)
        stops.append({"element": page.evaluate(_ACTIVE), "focused": element.evaluate(_FOCUS_STYLE), "handle": element})
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    for stop in stops:
        stop["unfocused"] = stop.pop("handle").evaluate(_FOCUS_STYLE)
    return stops


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
@pytest.mark.parametrize(("role", "path"), [(None, "/"), (None, "/sign-in"), ("family", "/family/")])
def test_skip_link_is_the_first_tab_stop_and_goes_to_the_main_content(new_context, role, path, javascript):
    page = new_context(role, javascript=javascript).new_page()
    page.goto(path)
    page.keyboard.press("Tab")
    skip_link = page.get_by_role("link", name="Skip to main content")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_visible()
    assert skip_link.get_attribute("href") == "#main-content"
    page.keyboard.press("Enter")
    if javascript:  # GOV.UK Frontend's skip link script focuses the main element itself
        expect(page.locator("#main-content")).to_be_focused()
    # Either way the next Tab lands inside the main content, not back in the header.
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.closest('main') !== null"), page.evaluate(_ACTIVE)


@pytest.mark.parametrize(
    ("role", "path"),
    [
        (None, "/"),
        (None, "/sign-in?problem"),  # with the error summary: see below
        ("family", "/family/"),
        ("caseworker", "/casework/"),
        ("admin", "/admin/accounts"),
    ],
)
def test_focus_is_visible_at_every_tab_stop(new_context, role, path):
    page = new_context(role).new_page()
    page.goto(path.removesuffix("?problem"))
    if path.endswith("?problem"):
        page.get_by_role("button", name="Sign in").click()
        expect(page.locator(".govuk-error-summary")).to_be_visible()
        # GOV.UK Frontend focuses the summary once its module script has run: wait for that, so the
        # walk below starts after it and never records the summary's programmatic focus as a stop.
        page.wait_for_function("() => document.activeElement.closest('.govuk-error-summary') !== null", timeout=5000)
    stops = tab_stops(page)
    assert len(stops) >= 5, stops
    invisible = [stop["element"] for stop in stops if stop["focused"] == stop["unfocused"]]
    assert not invisible, "No visible focus (outline and box-shadow unchanged) on:\n" + "\n".join(invisible)


def tab_to(page, selector: str, limit: int = 40) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(selector) => document.activeElement.matches(selector)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
@pytest.mark.parametrize("who", ["family", "caseworker"])
def test_sign_in_with_the_keyboard_alone(new_context, live_server, who, javascript):
    email = {"family": live_server.journey_case.family_email, "caseworker": live_server.journey_case.caseworker_email}
    page = new_context(javascript=javascript).new_page()
    page.goto("/sign-in")
    tab_to(page, "input[name=email]")
    page.keyboard.type(email[who])
    tab_to(page, "input[name=password]")
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    if who == "caseworker":
        expect(page).to_have_url(re.compile(r"/sign-in/security-code$"))
        tab_to(page, "input[name=code]")
        page.keyboard.type(live_server.code_for(email[who]))
        page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/family/$" if who == "family" else r"/casework/$"))
