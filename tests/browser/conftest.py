"""Browser test fixtures: the app served on 127.0.0.1 from a background thread with its own SQLite
database (migrated, then the demo data), one headless Debian chromium for the whole package,
signed-in browser state per role, and the crawl that every page check reads from.

Without chromium every test here is skipped with a message saying how to install it."""

from __future__ import annotations

import json
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pyotp
import pytest
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import select
from werkzeug.serving import WSGIRequestHandler, make_server

from config import TestConfig
from portal import create_app, demo
from portal.ehcp.models import Case
from portal.ehcp.services import open_case
from portal.extensions import db
from portal.models import Child, FamilyLink, Invitation, PasswordReset, Role, Team, User
from portal.tokens import new_token
from tests.browser.crawl import Crawler
from tests.browser.support import (
    CHROMIUM,
    DESKTOP,
    LAUNCH_ARGS,
    ROLE_ACCOUNTS,
    STAFF_WITHOUT_TOTP,
    VNU_JAR,
    chromium_missing,
    sign_in,
    skip_unless_ci,
    vnu_missing,
)


@dataclass
class JourneyCase:
    id: int
    child_first_name: str
    child_full_name: str
    family_email: str
    caseworker_email: str


@dataclass
class LiveServer:
    app: Flask
    url: str
    totp_secrets: dict[str, str]
    journey_case: JourneyCase
    email_links: dict[str, str] = field(default_factory=dict)

    def code_for(self, email: str) -> str:
        """A security code the service will take now. A code works once per 30-second step, and
        the tests sign the same staff in several times a minute, so the step used last is
        forgotten first (in this test database only)."""
        with self.app.app_context():
            user = db.session.scalar(select(User).where(User.email == email))
            user.totp_last_step = None
            db.session.commit()
            return pyotp.TOTP(self.totp_secrets[email]).now()

    def sign_in(self, page, email: str, next_path: str = "") -> None:
        code = self.code_for(email) if email in self.totp_secrets else None
        sign_in(page, self.url, email, demo.DEMO_PASSWORD, code, next_path)


class QuietRequestHandler(WSGIRequestHandler):
    def log_request(self, *args: object) -> None:
        """No line per request: the crawl makes hundreds."""


class BrowserConfig(TestConfig):
    WTF_CSRF_ENABLED = True
    PASSWORD_HASH_FAST = True
    RATELIMIT_ENABLED = False  # the crawl and the journeys sign in many times a minute
    DEV_SKIP_TWO_FACTOR = False


@pytest.fixture(scope="package")
def chromium() -> str:
    reason = chromium_missing()
    if reason:
        skip_unless_ci(reason)
    return CHROMIUM


def _prepare_data() -> tuple[dict[str, str], JourneyCase, dict[str, str]]:
    """Demo data, known TOTP secrets for the demo staff, an open case for the journeys, and the
    links people get by email (an invitation and a password reset)."""
    demo.seed()
    secrets = {}
    for user in db.session.scalars(select(User).where(User.role != Role.FAMILY)):
        if user.email == STAFF_WITHOUT_TOTP:
            user.totp_secret = None
        else:
            user.totp_secret = secrets[user.email] = pyotp.random_base32()
    caseworker = db.session.scalar(select(User).where(User.email == ROLE_ACCOUNTS["caseworker"]))
    with_family = select(FamilyLink.child_id)
    case = db.session.scalar(
        select(Case)
        .join(Child, Case.child_id == Child.id)
        .where(Case.team_id == caseworker.team_id, Case.closed.is_(False), Case.child_id.in_(with_family))
        .order_by((Child.first_name == "Cleo").desc(), Case.id)
        .limit(1)
    )
    if case is None:
        child = db.session.scalar(select(Child).where(Child.first_name == "Cleo"))
        case = open_case(child.id, child.team_id, date.today() - timedelta(weeks=3), actor=None, caseworker=caseworker)
    family = db.session.scalar(
        select(User)
        .join(FamilyLink, FamilyLink.user_id == User.id)
        .where(FamilyLink.child_id == case.child_id)
        .order_by(User.id)
        .limit(1)
    )
    journey = JourneyCase(case.id, case.child.first_name, case.child.full_name, family.email, caseworker.email)

    admin = db.session.scalar(select(User).where(User.role == Role.ADMIN).limit(1))
    invite_token, invite_hash = new_token()
    reset_token, reset_hash = new_token()
    expires = datetime.now(UTC) + timedelta(days=1)
    db.session.add(
        Invitation(
            email="invited.caseworker@example.org",
            name="Ivy Invited",
            role=Role.CASEWORKER,
            team=db.session.scalar(select(Team).limit(1)),
            token_hash=invite_hash,
            invited_by=admin,
            expires_at=expires,
        )
    )
    db.session.add(PasswordReset(user=family, token_hash=reset_hash, expires_at=expires))
    db.session.commit()
    links = {
        "invitation": f"/invitation/{invite_token}",
        "password reset": f"/password/reset/{reset_token}",
        "used or wrong link": "/password/reset/not-a-real-token",
    }
    return secrets, journey, links


@pytest.fixture(scope="package")
def live_server(chromium: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    folder = tmp_path_factory.mktemp("browser-app")

    class Config(BrowserConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{folder / 'portal.sqlite3'}"
        EMAIL_FILE_DIR = str(folder / "mail")

    app = create_app(Config)
    with app.app_context():
        upgrade()
        secrets, journey, links = _prepare_data()
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietRequestHandler)
    thread = threading.Thread(target=server.serve_forever, name="browser-test-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(app, f"http://127.0.0.1:{server.server_port}", secrets, journey, links)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture(scope="package")
def browser(chromium: str):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        try:
            yield browser
        finally:
            browser.close()


class SignedInStates:
    """Each role signed in once, through the real pages (with TOTP for staff), when first asked
    for; the crawl and other tests reuse the cookies (Playwright's storage state)."""

    def __init__(self, browser, live_server: LiveServer):
        self.browser = browser
        self.live_server = live_server
        self.states: dict[str, dict] = {}

    def get(self, role: str) -> dict | None:
        email = ROLE_ACCOUNTS[role]
        if email is None:
            return None
        if role not in self.states:
            context = self.browser.new_context(base_url=self.live_server.url, viewport=DESKTOP)
            self.live_server.sign_in(context.new_page(), email)
            self.states[role] = context.storage_state()
            context.close()
        return self.states[role]


@pytest.fixture(scope="package")
def storage_states(browser, live_server: LiveServer) -> SignedInStates:
    return SignedInStates(browser, live_server)


@pytest.fixture
def new_context(browser, live_server: LiveServer, storage_states: SignedInStates):
    """Open browser contexts for one test: `new_context(role=None, javascript=True)`, signed in
    as the role's demo account (not signed in for None)."""
    opened = []

    def factory(role: str | None = None, javascript: bool = True, **options):
        context = browser.new_context(
            base_url=live_server.url,
            viewport=options.pop("viewport", DESKTOP),
            java_script_enabled=javascript,
            storage_state=storage_states.get(role) if role else None,
            **options,
        )
        context.set_default_timeout(10_000)
        opened.append(context)
        return context

    yield factory
    for context in opened:
        context.close()


@pytest.fixture(scope="package")
def crawl(browser, live_server: LiveServer, storage_states: SignedInStates, tmp_path_factory) -> Iterator[Crawler]:
    """Every page reachable by links, for every role, checked once. The Nu Html Checker then
    starts on all their saved HTML in one run (JVM start-up is slow), while other tests go on."""
    folder = tmp_path_factory.mktemp("pages")
    crawler = Crawler(browser, live_server, storage_states, folder)
    crawler.run(ROLE_ACCOUNTS)
    crawler.vnu = VnuRun.start([file for page in crawler.checker.pages for file in page.html_files], folder)
    yield crawler
    crawler.vnu.stop()


@dataclass
class VnuRun:
    """One run of the Nu Html Checker over many files, in the background."""

    process: subprocess.Popen | None
    output: Path | None = None
    skipped: str | None = None
    _messages: list[dict] | None = None

    @classmethod
    def start(cls, files: list[Path], folder: Path) -> VnuRun:
        reason = vnu_missing()
        if reason:
            return cls(None, skipped=reason)
        output = folder / "vnu.json"
        command = ["java", "-jar", str(VNU_JAR), "--format", "json", "--stdout", *map(str, files)]
        # Files, not pipes, so that vnu never waits for a reader while the other tests run.
        with output.open("wb") as stdout, output.with_suffix(".err").open("wb") as stderr:
            process = subprocess.Popen(command, stdout=stdout, stderr=stderr)  # noqa: S603
        return cls(process, output)

    def messages(self) -> list[dict]:
        if self._messages is None:
            self.process.wait(timeout=300)
            text = self.output.read_text(encoding="utf-8")
            if not text.strip():
                errors = self.output.with_suffix(".err").read_text(encoding="utf-8", errors="replace")
                raise AssertionError(f"the Nu Html Checker gave no report: {errors[-2000:]}")
            self._messages = json.loads(text)["messages"]
        return self._messages

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
