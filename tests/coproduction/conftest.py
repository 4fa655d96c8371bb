"""Shared by the co-production tests: a signed-in member of the co-production team."""

from __future__ import annotations

import pytest

from portal.models import Role
from tests.helpers import sign_in_fast


@pytest.fixture
def team_member(client, make):
    sign_in_fast(client, make.user(Role.COPRODUCTION, name="Cora Coproduction"))
    return client
