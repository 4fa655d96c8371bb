"""Helpers for the browser tests: Debian's chromium driven by Playwright, signing in through the
real pages, and the checks made on every page (axe-core, saved HTML for the Nu Html Checker,
reflow at 320 CSS pixels, the footer link to the accessibility statement)."""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
INSTALL_HINT = "install Debian's chromium with `apt-get install chromium` (.ci/run does this in CI)"
# Flags for a closed network: without them chromium keeps trying to reach Google's hosts.
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
DESKTOP = {"width": 1000, "height": 800}
NARROW = {"width": 320, "height": 800}
# The demo account each role is crawled as. None: not signed in.
ROLE_ACCOUNTS: dict[str, str | None] = {
    "anonymous": None,
    "family": "parent.two.children@example.org",
    "caseworker": "caseworker.north@example.org",
    "manager": "manager.north@example.org",
    "coproduction": "coproduction@example.org",
    "admin": "admin@example.org",
    "board": "board@example.org",
}
# Left without two-factor sign-in, so that the set-up page can be checked.
STAFF_WITHOUT_TOTP = "caseworker.south@example.org"
DATE_PATTERN = re.compile(
    r"\b\d{1,2} (January|February|March|April|May|June|July|August|September|October|November|December) \d{4}\b"
)


def chromium_missing() -> str | None:
    """Why the browser tests cannot run here, or None."""
    if not (Path(CHROMIUM).is_file() and os.access(CHROMIUM, os.X_OK)):
        return f"no chromium at {CHROMIUM}: {INSTALL_HINT}"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright for Python is not installed: run `make setup` (it is a dev dependency)"
    return None


def skip_unless_ci(reason: str) -> None:
    """Skip on a developer's machine without the tool; fail in CI, where .ci/run installs it."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI must run the browser tests)")
    pytest.skip(reason)


def vnu_missing() -> str | None:
    if shutil.which("java") is None:
        return "no java for the Nu Html Checker: install it with `apt-get install default-jre-headless`"
    if not VNU_JAR.is_file():
        return f"no {VNU_JAR.relative_to(ROOT)}: run `make setup` (npm ci installs vnu-jar)"
    return None


# ---------------------------------------------------------------------------------------------
# Checks on one page
# ---------------------------------------------------------------------------------------------

_RUN_AXE = """async (tags) => {
  const results = await axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
  return results.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    nodes: v.nodes.map((n) => ({target: n.target.join(" "), html: n.html.slice(0, 200), summary: n.failureSummary})),
  }));
}"""

# The outermost elements that stick out past the right edge: what to fix when a page is too wide.
_OVERFLOWING = """(width) => {
  const describe = (e) => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "")
    + Array.from(e.classList, (c) => "." + c).join("");
  const found = [];
  for (const e of document.querySelectorAll("body *")) {
    const parent = e.parentElement;
    if (e.getBoundingClientRect().right > width + 0.5 && parent.getBoundingClientRect().right <= width + 0.5) {
      found.push(describe(parent) + " > " + describe(e) + " " + JSON.stringify(e.textContent.trim().slice(0, 40)));
    }
  }
  return found.slice(0, 5);
}"""
_FOOTER_LINKS = """() => Array.from(document.querySelectorAll("footer a[href]"), (a) => new URL(a.href).pathname)"""
_LINKS = """() => Array.from(document.querySelectorAll("a[href]"), (a) => a.href)"""


@dataclass
class CheckedPage:
    role: str
    label: str  # how the page was reached: its address, or what was done on it
    kind: str  # "link" (followed from the start page), "form" (submitted empty) or "other"
    url: str  # where the browser ended up
    status: int | None
    title: str
    axe: list[dict] = field(default_factory=list)
    html_files: list[Path] = field(default_factory=list)  # as sent, and the DOM after scripts ran
    scroll_width_320: int = 0
    overflowing: list[str] = field(default_factory=list)
    footer_links: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return f"{self.role}: {self.label} -> {urlsplit(self.url).path} ({self.status})"


class PageChecker:
    """Runs every check on the page the browser is showing, and keeps what it found."""

    def __init__(self, html_dir: Path):
        self.axe_source = AXE_JS.read_text(encoding="utf-8")
        self.html_dir = html_dir
        self.pages: list[CheckedPage] = []

    def prepare(self, context) -> None:
        """Load axe-core into every page of the context before the page's own scripts. Scripts
        sent over the DevTools protocol are not subject to the page's CSP: no bypass is needed."""
        context.add_init_script(script=self.axe_source)

    def check(self, page, role: str, label: str, response, kind: str = "other") -> CheckedPage:
        """Check the page the browser shows; `response` is the one that brought it, `kind` how it
        was reached: "link", "form" (submitted empty) or "other"."""
        if page.evaluate("typeof axe") == "undefined":
            page.evaluate(self.axe_source)
        violations = page.evaluate(_RUN_AXE, WCAG_TAGS)
        # For the Nu Html Checker: the HTML as sent (the browser's parser hides mistakes such as
        # stray end tags), and page.content(), the DOM after GOV.UK Frontend's scripts ran.
        stem = self.html_dir / f"{len(self.pages):03d}-{role}"
        html_files = [stem.with_name(stem.name + "-dom.html")]
        html_files[0].write_text(page.content(), encoding="utf-8")
        if response is not None and "text/html" in response.headers.get("content-type", ""):
            html_files.append(stem.with_name(stem.name + "-sent.html"))
            html_files[1].write_bytes(response.body())
        footer_links = page.evaluate(_FOOTER_LINKS)
        viewport = page.viewport_size
        page.set_viewport_size(NARROW)
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        overflowing = page.evaluate(_OVERFLOWING, NARROW["width"]) if scroll_width > NARROW["width"] else []
        page.set_viewport_size(viewport)
        checked = CheckedPage(
            role=role,
            label=label,
            kind=kind,
            url=page.url,
            status=response.status if response is not None else None,
            title=page.title(),
            axe=violations,
            html_files=html_files,
            scroll_width_320=scroll_width,
            overflowing=overflowing,
            footer_links=footer_links,
        )
        self.pages.append(checked)
        return checked


def links_on(page) -> list[str]:
    return page.evaluate(_LINKS)


def same_site_path(href: str, base_url: str) -> str | None:
    """The path and query of a link on this site, without its fragment; None for anything else."""
    href, _ = urldefrag(href)
    parts, base = urlsplit(href), urlsplit(base_url)
    if parts.scheme not in ("http", "https") or parts.netloc != base.netloc:
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


# ---------------------------------------------------------------------------------------------
# Signing in through the real pages
# ---------------------------------------------------------------------------------------------


def sign_in(page, base_url: str, email: str, password: str, code: str | None = None, next_path: str = ""):
    """Sign in with the form, and the security code for staff. Leaves the browser on the page
    the service sends the person to."""
    page.goto(base_url + "/sign-in" + next_path)
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    if code is not None:
        page.wait_for_url("**/sign-in/security-code")
        page.get_by_label("Security code").fill(code)
        page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state()
    assert "/sign-in" not in page.url, f"sign-in as {email} failed: {page.url}"


def main_text(page) -> str:
    return " ".join(page.locator("main").inner_text().split())
