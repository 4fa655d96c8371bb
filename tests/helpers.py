"""Helpers for every test: the page checker, factories, signing in and reading emails."""

from __future__ import annotations

import email
import itertools
import re
import time
from collections import Counter
from datetime import date, timedelta
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path

import pyotp
from bs4 import BeautifulSoup
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from portal.ehcp.models import Case
from portal.ehcp.services import open_case, refresh
from portal.ehcp.stages import Stage
from portal.extensions import db
from portal.models import Child, FamilyLink, Relationship, Role, Team, User
from portal.passwords import hash_password

PASSWORD = "correct horse battery staple"
_numbers = itertools.count(1)


class Page:
    """A parsed HTML page that has passed the basic checks."""

    def __init__(self, response: TestResponse):
        self.response = response
        self.soup = BeautifulSoup(response.get_data(as_text=True), "html.parser")

    @property
    def h1(self) -> str:
        return " ".join(self.soup.h1.get_text().split())

    @property
    def title(self) -> str:
        return " ".join(self.soup.title.get_text().split())

    @property
    def text(self) -> str:
        return " ".join(self.soup.get_text(" ").split())

    def error_messages(self) -> list[str]:
        return [" ".join(a.get_text().split()) for a in self.soup.select(".govuk-error-summary__list a")]

    def field_errors(self) -> list[str]:
        return [" ".join(e.get_text().split()) for e in self.soup.select(".govuk-error-message")]

    def csrf_token(self) -> str:
        return self.soup.find("input", {"name": "csrf_token"})["value"]


def check_page(response: TestResponse, status: int = 200) -> Page:
    """Status as expected; exactly one h1; the title starts with it; every id unique."""
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True)[:500])
    assert response.mimetype == "text/html"
    page = Page(response)
    headings = page.soup.find_all("h1")
    assert len(headings) == 1, f"expected one h1, found {len(headings)}"
    title = page.title.removeprefix("Error: ")
    assert title.startswith(page.h1), f"title {page.title!r} does not start with h1 {page.h1!r}"
    if page.soup.select(".govuk-error-summary"):
        assert page.title.startswith("Error: ")
    ids = Counter(tag["id"] for tag in page.soup.find_all(id=True))
    repeated = [value for value, count in ids.items() if count > 1]
    assert not repeated, f"repeated ids: {repeated}"
    return page


def get_page(client: FlaskClient, url: str, status: int = 200) -> Page:
    return check_page(client.get(url), status)


def post_page(client: FlaskClient, url: str, data: dict, status: int = 200) -> Page:
    return check_page(client.post(url, data=data), status)


class Factory:
    """Synthetic test data, saved and committed."""

    def team(self, name: str | None = None) -> Team:
        team = Team(name=name or f"Team {next(_numbers)}")
        db.session.add(team)
        db.session.commit()
        return team

    def user(
        self,
        role: Role = Role.FAMILY,
        team: Team | None = None,
        email: str | None = None,
        password: str = PASSWORD,
        totp_secret: str | None = None,
        **fields,
    ) -> User:
        number = next(_numbers)
        if role in (Role.CASEWORKER, Role.MANAGER) and team is None:
            team = self.team()
        if role.is_staff and totp_secret is None and "no_totp" not in fields:
            totp_secret = pyotp.random_base32()
        fields.pop("no_totp", None)
        user = User(
            email=email or f"{role.value}{number}@example.org",
            name=fields.pop("name", f"Test {role.label} {number}"),
            role=role,
            team=team,
            password_hash=hash_password(password),
            totp_secret=totp_secret,
            **fields,
        )
        db.session.add(user)
        db.session.commit()
        return user

    def case(
        self,
        child: Child | None = None,
        stage: Stage = Stage.REQUEST_RECEIVED,
        request_received_on: date | None = None,
        caseworker: User | None = None,
        **fields,
    ) -> Case:
        """A case at any stage: opened as the service opens one, then set to the stage and dates
        given (fields such as stage_since, draft_served_on, final_plan_on, expected_on)."""
        child = child or self.child()
        received = request_received_on or date.today() - timedelta(weeks=3)
        case = open_case(child.id, child.team_id, received, actor=None, caseworker=caseworker)
        case.stage = stage
        case.stage_since = fields.pop("stage_since", received)
        for name, value in fields.items():
            setattr(case, name, value)
        refresh(case)
        db.session.commit()
        return case

    def child(
        self,
        team: Team | None = None,
        family: list[User] | tuple[User, ...] = (),
        relationship: Relationship = Relationship.PARENT,
        first_name: str | None = None,
    ) -> Child:
        number = next(_numbers)
        child = Child(
            first_name=first_name or f"Child{number}",
            last_name=f"Testsurname{number}",
            date_of_birth=date(2015, 1, 1),
            team=team or self.team(),
        )
        db.session.add(child)
        for member in family:
            db.session.add(FamilyLink(user=member, child=child, relationship_to_child=relationship))
        db.session.commit()
        return child


def current_code(user: User, offset_steps: int = 0) -> str:
    return pyotp.TOTP(user.totp_secret).at(time.time() + offset_steps * 30)


def sign_in(client: FlaskClient, user: User, password: str = PASSWORD) -> TestResponse:
    """Sign in through the real pages, with the security code for staff."""
    response = client.post("/sign-in", data={"email": user.email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    if response.location.endswith("/sign-in/security-code"):
        response = client.post("/sign-in/security-code", data={"code": current_code(user)})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response


def sign_in_fast(client: FlaskClient, user: User) -> None:
    """Put a signed-in session straight into the cookie, for tests about something else."""
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
        session["signed_in_at"] = time.time()
        session["last_active_at"] = time.time()


class Mailbox:
    """The development file backend's folder. `deliver` (if given) runs before each read: the
    outbox worker's one pass, so that emails queued by a request are there to read."""

    def __init__(self, folder: str, deliver=None):
        self.folder = Path(folder)
        self.deliver = deliver

    def clear(self) -> None:
        if self.deliver is not None:
            self.deliver()
        if self.folder.exists():
            for path in self.folder.glob("*.eml"):
                path.unlink()

    def messages(self) -> list[EmailMessage]:
        if self.deliver is not None:
            self.deliver()
        paths = sorted(self.folder.glob("*.eml")) if self.folder.exists() else []
        return [email.message_from_bytes(p.read_bytes(), policy=default_policy) for p in paths]

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages() if m["To"] == address]

    @staticmethod
    def text(message: EmailMessage) -> str:
        return message.get_body(("plain",)).get_content()

    def link(self, message: EmailMessage) -> str:
        match = re.search(r"http://localhost(/\S+)", self.text(message))
        assert match, self.text(message)
        return match.group(1)
