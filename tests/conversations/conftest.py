"""Fixtures for conversations: the North SEND team with a caseworker and a manager, a parent
linked to a child with an open case, and the South team with a case North must never reach."""

from __future__ import annotations

import gc
import warnings
from dataclasses import dataclass

import pytest

from portal.ehcp.models import Case
from portal.models import Child, Role, Team, User
from tests.helpers import Factory


@dataclass
class People:
    team: Team
    caseworker: User
    manager: User
    parent: User
    child: Child
    case: Case
    south_caseworker: User
    south_case: Case


@pytest.fixture
def people(make: Factory) -> People:
    north = make.team("North SEND team")
    caseworker = make.user(Role.CASEWORKER, team=north, name="Casey Worker", email="casey.worker@example.org")
    manager = make.user(Role.MANAGER, team=north, name="Morgan Manager", email="morgan.manager@example.org")
    parent = make.user(Role.FAMILY, name="Pat Parent", email="pat.parent@example.org")
    child = make.child(team=north, family=[parent], first_name="Ourchild")
    case = make.case(child=child, caseworker=caseworker)
    south = make.team("South SEND team")
    south_caseworker = make.user(Role.CASEWORKER, team=south, name="Sol South", email="sol.south@example.org")
    south_case = make.case(child=make.child(team=south, first_name="Southchild"), caseworker=south_caseworker)
    return People(north, caseworker, manager, parent, child, case, south_caseworker, south_case)


@pytest.fixture(autouse=True)
def _close_the_test_clients_bodies():
    """Werkzeug's test client writes a large multipart body (a file upload) to a temporary file
    that it never closes (werkzeug/test.py, stream_encode_multipart): collect those here, quietly,
    rather than let their ResourceWarning land in whichever test runs next. The app closes its own
    (Flask closes each request's files when the request ends)."""
    yield
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        gc.collect()
