"""Every page each role can reach (see crawl.py; this file runs first, so the Nu Html Checker
runs in the background while the journeys do): no axe-core violations for WCAG 2.2 AA, no
sideways scrolling at 320 CSS pixels, the accessibility statement in every footer, and the error
pages answering as they should."""

from __future__ import annotations

import pytest

from tests.browser.known_problems import KNOWN_PROBLEMS, known, report
from tests.browser.support import NARROW, ROLE_ACCOUNTS, WCAG_TAGS

pytestmark = pytest.mark.browser


def test_every_role_reaches_its_pages(crawl):
    for role in ROLE_ACCOUNTS:
        assert len(crawl.visited[role]) >= 5, (role, crawl.visited[role])
    print("\nPages reached by links, per role:")
    for role, paths in crawl.visited.items():
        print(f"  {role} ({len(paths)}): {' '.join(paths)}")
    print(f"Pages checked, with forms submitted empty and error pages: {len(crawl.checker.pages)}")


def axe_problems(crawl, role: str) -> list:
    return [
        (page, f"{violation['id']} ({violation['impact']}): {violation['help']}\n    {node['target']}: {node['html']}")
        for page in crawl.checker.pages
        if page.role == role
        for violation in page.axe
        for node in violation["nodes"]
    ]


@pytest.mark.parametrize("role", list(ROLE_ACCOUNTS))
def test_no_axe_violations(crawl, role):
    report("axe", axe_problems(crawl, role), f"axe-core ({', '.join(WCAG_TAGS)}) found violations")


def reflow_problems(crawl) -> list:
    return [
        (page, f"{page.scroll_width_320}px wide because of: {'; '.join(page.overflowing)}")
        for page in crawl.checker.pages
        if page.scroll_width_320 > NARROW["width"]
    ]


def test_no_page_scrolls_sideways_at_320_css_pixels(crawl):
    report("reflow", reflow_problems(crawl), "Pages wider than a 320px viewport (WCAG 1.4.10 Reflow)")


def test_every_known_problem_still_happens(crawl):
    """An entry in known_problems.py that matches nothing any more: the page was fixed."""
    found = [known("reflow", page, detail) for page, detail in reflow_problems(crawl)]
    found += [known("axe", page, detail) for role in ROLE_ACCOUNTS for page, detail in axe_problems(crawl, role)]
    found += [known("console", url, text) for url, text in crawl.console_errors]
    stale = [problem for problem in KNOWN_PROBLEMS if problem.check != "vnu" and problem not in found]
    assert not stale, "Fixed: take these entries out of tests/browser/known_problems.py:\n" + "\n".join(map(str, stale))


def test_no_broken_links_or_server_errors(crawl):
    broken = [str(page) for page in crawl.checker.pages if page.kind == "link" and page.status != 200]
    assert not broken, "Links to pages that do not answer 200 OK:\n" + "\n".join(broken)
    errors = [str(page) for page in crawl.checker.pages if page.status is not None and page.status >= 500]
    assert not errors, "Server errors:\n" + "\n".join(errors)
    bad_forms = [str(page) for page in crawl.checker.pages if page.kind == "form" and page.status not in (200, 400)]
    assert not bad_forms, "Forms sent empty that answered neither 400 nor a page:\n" + "\n".join(bad_forms)


def test_no_javascript_errors_or_csp_violations(crawl):
    report("console", crawl.console_errors, "Errors in the browser console")


def test_every_page_links_to_the_accessibility_statement(crawl):
    missing = [str(page) for page in crawl.checker.pages if "/accessibility" not in page.footer_links]
    assert not missing, "No accessibility statement link in the footer:\n" + "\n".join(missing)
    assert "/accessibility" in crawl.visited["anonymous"]


def test_error_pages(crawl):
    statuses = {page.status for page, _ in crawl.error_pages}
    assert {403, 404} <= statuses
    wrong = [f"{page}: expected {expected}" for page, expected in crawl.error_pages if page.status != expected]
    assert not wrong, "\n".join(wrong)


def test_the_checks_find_problems(browser, tmp_path):
    """The checks themselves work: a page with known faults fails them."""
    from tests.browser.support import PageChecker

    checker = PageChecker(tmp_path)
    page = browser.new_page(viewport={"width": 1000, "height": 800})
    page.set_content(
        '<!DOCTYPE html><html lang="en"><head><title>Faults</title></head><body><main>'
        '<h1>Faults</h1><img src="data:,"><div style="width: 500px">Too wide</div></main></body></html>'
    )
    checked = checker.check(page, "test", "a page with faults", None)
    page.close()
    assert "image-alt" in {violation["id"] for violation in checked.axe}
    assert checked.scroll_width_320 > NARROW["width"]
    assert checked.overflowing and "Too wide" in checked.overflowing[0]
    assert "/accessibility" not in checked.footer_links
