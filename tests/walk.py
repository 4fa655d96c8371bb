"""Walking every route for the input tests (tests/test_fuzz.py, tests/test_input_limits.py).

`app.url_map` gives the endpoints, so a new route is covered as soon as it exists: its URL
arguments are filled from a world of records (tests/test_access.py builds it), a new int id is
guessed from the table its name points at, and its form fields are read from the <form>s of the
pages each visitor can see. Visitors are anonymous, a signed-in user of each role, and the two
halfway points of a staff sign-in (a security code to give; two-factor sign-in to set up).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from bs4 import BeautifulSoup
from flask import Flask, url_for
from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.routing import Rule

from portal.access import PUBLIC, access_rule
from portal.extensions import db, limiter
from portal.models import Invitation, PasswordReset, Relationship, Role
from portal.request_guard import RecordIdConverter
from portal.tokens import new_token
from tests.helpers import PASSWORD, Factory, sign_in_fast
from tests.test_access import MADE_UP_TOKEN, World, build_world

ANONYMOUS = "anonymous"
PENDING_CODE = "pending-security-code"
PENDING_SET_UP = "pending-two-factor-set-up"
VISITORS = (ANONYMOUS, *(role.value for role in Role), PENDING_CODE, PENDING_SET_UP)

# Endpoints whose <token> is a real single-use link: each request gets a new one, so that a
# submission that happens to succeed does not leave the rest of the walk on "link not valid".
TOKEN_ENDPOINTS = ("auth.reset_password", "auth.accept_invitation")


@dataclass
class Site:
    app: Flask
    world: World
    make: Factory
    skipped: dict[str, str] = field(default_factory=dict)  # endpoint -> why it was not walked
    _values: dict[str, object] = field(default_factory=dict)

    # --- Endpoints and their URLs ---------------------------------------------------------------

    def rules(self) -> list[Rule]:
        return sorted(
            (rule for rule in self.app.url_map.iter_rules() if rule.endpoint != "static"),
            key=lambda rule: (rule.endpoint, rule.rule),
        )

    def values(self) -> dict[str, object]:
        """The world's ids, read once: a fuzzed request may delete a record (a family link, say),
        and its URLs are then simply 404s."""
        if not self._values:
            self._values.update(self.world.url_values())
        return self._values

    def url(self, rule: Rule, overrides: dict[str, object] | None = None) -> str | None:
        """The rule's URL with the world's values, or None (and the reason in `skipped`)."""
        known = {**self.values(), **(overrides or {})}
        values: dict[str, object] = {}
        for name in sorted(rule.arguments):
            if name in known:
                values[name] = known[name]
                continue
            converter = rule._converters[name]
            guessed = self._guess(name, converter)
            if guessed is None:
                self.skipped[rule.endpoint] = f"no test value for <{type(converter).__name__}:{name}>"
                return None
            values[name] = guessed
        if rule.endpoint in TOKEN_ENDPOINTS and "token" in rule.arguments and not overrides:
            values["token"] = self.fresh_token(rule.endpoint)
        with self.app.test_request_context():
            return url_for(rule.endpoint, **values)

    def _guess(self, name: str, converter) -> object | None:
        if isinstance(converter, RecordIdConverter):
            return self._some_id(name.removesuffix("_id"))
        kind = type(converter).__name__
        if kind in ("UnicodeConverter", "PathConverter", "AnyConverter"):
            return getattr(converter, "items", [MADE_UP_TOKEN])[0] if kind == "AnyConverter" else MADE_UP_TOKEN
        if kind == "UUIDConverter":
            return uuid.UUID(int=1)
        if kind == "FloatConverter":
            return 1.0
        return None

    def _some_id(self, stem: str) -> int:
        """An id from the table a new `<int:stem_id>` most likely means, else 1 (a 404 then)."""
        for table in db.metadata.sorted_tables:
            if stem and stem in table.name and "id" in table.c:
                found = db.session.scalar(select(func.min(table.c.id)))
                if found is not None:
                    return found
        return 1

    def fresh_token(self, endpoint: str) -> str:
        token, token_hash = new_token()
        if endpoint == "auth.reset_password":
            db.session.add(
                PasswordReset(
                    user=self.world.users[Role.FAMILY],
                    token_hash=token_hash,
                    expires_at=datetime.now(UTC) + timedelta(hours=1),
                )
            )
        else:
            db.session.add(
                Invitation(
                    email=f"invited.{token_hash[:12]}@example.org",
                    name="Invited Parent",
                    role=Role.FAMILY,
                    child=self.world.child,
                    relationship_to_child=Relationship.PARENT,
                    token_hash=token_hash,
                    invited_by=self.world.users[Role.ADMIN],
                    expires_at=datetime.now(UTC) + timedelta(days=7),
                )
            )
        db.session.commit()
        return token

    # --- Visitors -----------------------------------------------------------------------------

    def client(self, visitor: str) -> FlaskClient:
        """A new client for each request, so that a sign-out or a lock-out affects only that one."""
        limiter.reset()  # the walk sends far more than a person could; the limits have their own tests
        client = self.app.test_client()
        if visitor == ANONYMOUS:
            return client
        if visitor in (PENDING_CODE, PENDING_SET_UP):
            # A new account each time: wrong codes lock an account, and that would end the walk.
            extra = {"no_totp": True} if visitor == PENDING_SET_UP else {}
            user = self.make.user(Role.CASEWORKER, team=self.world.child.team, **extra)
            client.post("/sign-in", data={"email": user.email, "password": PASSWORD})
            return client
        sign_in_fast(client, self.world.users[Role(visitor)])
        return client

    def may_visit(self, visitor: str, endpoint: str) -> bool:
        rule = access_rule(self.app.view_functions[endpoint])
        if rule == PUBLIC:
            return True
        return visitor in {role.value for role in rule or ()}


# --- Forms on pages -----------------------------------------------------------------------------


@dataclass
class FormFields:
    """What a <form> sends: every field name, with the value the page gave it (hidden fields,
    the first of a set of radios or a select's options) or empty."""

    method: str
    defaults: dict[str, list[str]] = field(default_factory=dict)
    hidden: set[str] = field(default_factory=set)

    def names(self) -> list[str]:
        return list(self.defaults)


def forms_on(html: str, page_path: str) -> Iterator[tuple[str, FormFields]]:
    """(path the form is sent to, its fields) for every form on the page."""
    soup = BeautifulSoup(html, "html.parser")
    for form in soup.find_all("form"):
        action = urlsplit(form.get("action") or page_path).path or page_path
        fields = FormFields(method=(form.get("method") or "get").upper())
        for tag in form.find_all(["input", "select", "textarea", "button"]):
            name = tag.get("name")
            if not name:
                continue
            kind = (tag.get("type") or "").lower()
            values = fields.defaults.setdefault(name, [])
            if kind == "hidden":
                fields.hidden.add(name)
            if tag.name == "select":
                option = tag.find("option", selected=True) or tag.find("option")
                values.append(option.get("value", option.get_text()) if option else "")
            elif tag.name == "textarea":
                values.append(tag.get_text())
            elif kind in ("radio", "checkbox"):
                if not values:
                    values.append(tag.get("value", "on"))
            elif kind not in ("submit", "button") and tag.name != "button":
                values.append(tag.get("value", ""))
        yield action, fields


def discover_forms(site: Site, visitors: tuple[str, ...] = VISITORS) -> dict[str, FormFields]:
    """Every form any visitor is shown, by the path it is sent to. The field names of a form are
    the union of what each visitor saw (a manager's case page has the reassign form too)."""
    found: dict[str, FormFields] = {}
    for visitor in visitors:
        for rule in site.rules():
            if "GET" not in (rule.methods or set()) or not site.may_visit(visitor, rule.endpoint):
                continue
            url = site.url(rule)
            if url is None:
                continue
            response = site.client(visitor).get(url)
            if response.mimetype != "text/html":
                continue
            for action, fields in forms_on(response.get_data(as_text=True), urlsplit(url).path):
                key = f"{fields.method} {_without_token(action)}"
                known = found.setdefault(key, FormFields(fields.method))
                for name, values in fields.defaults.items():
                    known.defaults.setdefault(name, values)
                known.hidden |= fields.hidden
    return found


def _without_token(path: str) -> str:
    """Token links are made afresh each time: key their forms by the route, not the token."""
    for prefix in ("/password/reset/", "/invitation/"):
        if path.startswith(prefix):
            return prefix + "<token>"
    return path


def form_for(found: dict[str, FormFields], method: str, url: str) -> FormFields | None:
    return found.get(f"{method} {_without_token(urlsplit(url).path)}")


def build_site(app: Flask, make: Factory) -> Site:
    return Site(app, build_world(make), make)


