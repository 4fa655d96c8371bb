"""The crawl: for each role, every page reachable by following links from the start page, each of
their forms submitted empty, the error pages, the sign-in steps and the pages people reach from an
email. Every page is checked once (see support.PageChecker); the tests read the results."""

from __future__ import annotations

import re
from collections import Counter, deque
from pathlib import Path

from portal.demo import DEMO_PASSWORD
from tests.browser.support import (
    DESKTOP,
    ROLE_ACCOUNTS,
    STAFF_WITHOUT_TOTP,
    CheckedPage,
    PageChecker,
    links_on,
    same_site_path,
)

# Never followed: signing out (a form, but a link must not do it either), files, downloads (the
# co-production team's CSV: tests/coproduction/test_export.py), health checks.
NOT_FOLLOWED = re.compile(r"^/(static/|healthz|readyz)|sign-?out|log-?out|\.csv(\?|$)", re.IGNORECASE)
# A page for another role, which this role must be refused (403).
FORBIDDEN = {
    "family": "/admin/accounts",
    "caseworker": "/admin/accounts",
    "manager": "/admin/accounts",
    "coproduction": "/admin/audit-log",
    "admin": "/family/",
    "board": "/casework/",
}
MISSING = "/no-such-page"
# Pages that differ only in the numbers in their path or in their query (one template, different
# records or filters): the first few found are checked, and each form on them is submitted empty
# once (by the first role that finds it).
SAME_TEMPLATE_LIMIT = 2
_NUMBER = re.compile(r"(?<=/)\d+(?=/|$)")


def template_of(path: str) -> str:
    return _NUMBER.sub("<n>", path.partition("?")[0])


# Forms worth submitting empty: ones with something to fill in. A form with only a button (a
# confirmation such as resetting someone's two-factor sign-in) would change something.
_FILLABLE = """(form) => Array.from(form.elements).some((e) =>
  (e.tagName === "INPUT" && !["hidden", "submit", "button", "image", "reset"].includes(e.type))
  || e.tagName === "TEXTAREA" || e.tagName === "SELECT")"""
_SUBMIT = "button[type=submit], button:not([type]), input[type=submit]"


class Crawler:
    def __init__(self, browser, server, states, html_dir: Path):
        self.browser = browser
        self.server = server
        self.states = states
        self.checker = PageChecker(html_dir)
        self.visited: dict[str, list[str]] = {}
        self.error_pages: list[tuple[CheckedPage, int]] = []  # with the status each should have
        self.console_errors: list[tuple[str, str]] = []  # (page address, JavaScript error or CSP violation)
        self.vnu = None  # the Nu Html Checker's run over every page, started after the crawl
        self.forms_sent: set[tuple[str, int]] = set()  # (page template, form number), for all roles

    def run(self, roles: dict[str, str | None]) -> None:
        for role in roles:
            context = self._context(role)
            page = context.new_page()
            self._crawl(page, role)
            self._error_pages(page, role)
            context.close()
        self._anonymous_extras()

    def _context(self, role: str):
        context = self.browser.new_context(
            base_url=self.server.url, viewport=DESKTOP, storage_state=self.states.get(role)
        )
        context.set_default_timeout(10_000)
        self.checker.prepare(context)
        context.on("console", self._console)
        context.on("weberror", self._web_error)
        return context

    def _web_error(self, error) -> None:
        self.console_errors.append((error.page.url if error.page else "", str(error.error)))

    def _console(self, message) -> None:
        if message.type != "error":
            return
        url = message.page.url if message.page else ""
        # Chrome reports an error page's own status (404, 403, 400) as a failed load: not a fault.
        if message.text.startswith("Failed to load resource") and message.location.get("url") == url:
            return
        self.console_errors.append((url, message.text))

    def _goto_and_check(self, page, role: str, path: str, label: str) -> CheckedPage:
        return self.checker.check(page, role, label, page.goto(path), kind="other")

    def _crawl(self, page, role: str) -> None:
        base = self.server.url
        queue, queued, seen = deque(["/"]), {"/"}, set()
        templates: Counter[str] = Counter()
        forms: dict[tuple[str, int], str] = {}  # (template, form number) -> a page with it
        while queue:
            path = queue.popleft()
            response = page.goto(path)
            landed = same_site_path(page.url, base)
            if landed in seen:  # a redirect to a page already checked
                continue
            seen.add(landed)
            queued.add(landed)
            self.checker.check(page, role, path, response, kind="link")
            for href in links_on(page):
                target = same_site_path(href, base)
                if not target or target in queued or NOT_FOLLOWED.search(target):
                    continue
                queued.add(target)
                templates[template_of(target)] += 1
                if templates[template_of(target)] <= SAME_TEMPLATE_LIMIT:
                    queue.append(target)
            main_forms = page.locator("main form")
            for index in range(main_forms.count()):
                if main_forms.nth(index).evaluate(_FILLABLE):
                    forms.setdefault((template_of(landed), index), landed)
        self.visited[role] = sorted(seen)
        for key, path in forms.items():
            if key in self.forms_sent:  # the same form's errors, already seen by another role
                continue
            self.forms_sent.add(key)
            index = key[1]
            page.goto(path)
            form = page.locator("main form").nth(index)
            self._submit_empty(page, role, form, f"{path} form {index + 1} submitted empty")

    def _submit_empty(self, page, role: str, form, label: str) -> CheckedPage:
        button = form.locator(_SUBMIT).first
        if not button.is_visible():  # a form folded away in a <details>: open it as a person would
            summary = form.locator("xpath=ancestor::details[1]/summary")
            if summary.count():
                summary.click()
        with page.expect_navigation() as navigation:
            button.click()
        return self.checker.check(page, role, label, navigation.value, kind="form")

    def _error_pages(self, page, role: str) -> None:
        checked = self._goto_and_check(page, role, MISSING, f"{MISSING} (not found)")
        self.error_pages.append((checked, 404))
        if role in FORBIDDEN:
            checked = self._goto_and_check(page, role, FORBIDDEN[role], f"{FORBIDDEN[role]} (another role's page)")
            self.error_pages.append((checked, 403))

    def _anonymous_extras(self) -> None:
        """Pages reached other than by a link: the sign-in steps for staff, pages reached from an
        email or after a form, a protected page when signed out, and the CSRF and 405 errors."""
        role = "anonymous"
        context = self._context(role)
        page = context.new_page()
        server = self.server

        for email, step in ((ROLE_ACCOUNTS["caseworker"], "security code"), (STAFF_WITHOUT_TOTP, "two-factor set-up")):
            context.clear_cookies()
            page.goto("/sign-in")
            page.get_by_label("Email address").fill(email)
            page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
            with page.expect_navigation() as navigation:
                page.get_by_role("button", name="Sign in").click()
            self.checker.check(page, role, f"sign-in: {step}", navigation.value, kind="other")
            self._submit_empty(page, role, page.locator("main form").first, f"sign-in: {step} submitted empty")
        context.clear_cookies()

        for name, path in server.email_links.items():
            self._goto_and_check(page, role, path, f"email link: {name}")
            if page.locator("main form").count():
                self._submit_empty(page, role, page.locator("main form").first, f"email link: {name} submitted empty")
        # A request's email link that has expired (or never existed): "This link has expired".
        checked = self._goto_and_check(
            page, role, "/request-an-assessment/confirm/not-a-real-token", "email link: a request's, expired"
        )
        self.error_pages.append((checked, 404))
        for path, label in (
            ("/signed-out", "after signing out"),
            ("/password/link-sent", "after asking for a reset link"),
            ("/family/", "a signed-in page when signed out"),
        ):
            self._goto_and_check(page, role, path, f"{path} ({label})")

        checked = self._goto_and_check(page, role, "/sign-out", "/sign-out (asked for as a page, not sent as a form)")
        self.error_pages.append((checked, 405))

        # The session ends while the form is open (cookies gone): the CSRF failure page.
        page.goto("/sign-in")
        context.clear_cookies()
        checked = self._submit_empty(
            page, role, page.locator("main form").first, "/sign-in sent after the session ended (CSRF)"
        )
        self.error_pages.append((checked, 400))
        context.close()
