"""Fixtures for the caseworker pages: the North SEND team with a caseworker, a manager and a case
whose child has two family members; and the South team with a case North must never reach."""

from __future__ import annotations

import pytest

from portal.models import Role
from tests.casework.helpers import Teams
from tests.helpers import Factory


@pytest.fixture
def teams(make: Factory) -> Teams:
    return build_teams(make)


def build_teams(make: Factory) -> Teams:
    north = make.team("North SEND team")
    caseworker = make.user(Role.CASEWORKER, team=north, name="Casey Worker")
    other_caseworker = make.user(Role.CASEWORKER, team=north, name="Robin Caseworker")
    manager = make.user(Role.MANAGER, team=north, name="Morgan Manager")
    parent = make.user(Role.FAMILY, name="Pat Parent", email="pat.parent@example.org")
    carer = make.user(Role.FAMILY, name="Cam Carer", email="cam.carer@example.org")
    child = make.child(team=north, family=[parent, carer], first_name="Ourchild")
    case = make.case(child=child, caseworker=caseworker)
    south = make.team("South SEND team")
    south_caseworker = make.user(Role.CASEWORKER, team=south, name="Sol South")
    south_child = make.child(team=south, first_name="Southchild")
    south_case = make.case(child=south_child, caseworker=south_caseworker)
    return Teams(north, caseworker, other_caseworker, manager, parent, carer, child, case,
                 south, south_caseworker, south_case)
