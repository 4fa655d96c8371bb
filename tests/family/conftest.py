"""Fixtures for the family pages: a family with a child in the North SEND team and its caseworker."""

from __future__ import annotations

import pytest

from portal.models import Role
from tests.family.helpers import Family
from tests.helpers import Factory


@pytest.fixture
def family(make: Factory) -> Family:
    team = make.team("North SEND team")
    caseworker = make.user(Role.CASEWORKER, team=team, name="Casey Worker")
    parent = make.user(Role.FAMILY, name="Pat Parent")
    child = make.child(team=team, family=[parent], first_name="Ourchild")
    return Family(team, caseworker, parent, child)
