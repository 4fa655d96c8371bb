"""The co-production team and administrators never see a message, and staff-only notes never
reach a conversation."""

from __future__ import annotations

import pytest

from portal.ehcp.services import add_note
from portal.models import Role
from tests.conversations.helpers import reply, start
from tests.helpers import get_page, sign_in_fast

WORDS = "A private question about Ourchild's support"


@pytest.mark.parametrize("role", [Role.COPRODUCTION, Role.ADMIN])
def test_roles_without_casework_reach_no_message(client, make, people, role):
    conversation = start(people.parent, people.case, "About support", WORDS)
    sign_in_fast(client, make.user(role))
    for path in ("/casework/inbox", f"/casework/conversations/{conversation.id}",
                 f"/family/messages/{conversation.id}", "/family/messages"):
        page = get_page(client, path, status=403)
        assert WORDS not in page.text and "About support" not in page.text
    assert WORDS not in get_page(client, "/account").text


def test_a_staff_note_never_appears_in_the_conversation(client, people):
    conversation = start(people.parent, people.case)
    add_note(people.case, people.caseworker, "Staff only: spoke to the school about Ourchild")
    reply(people.caseworker, conversation, "We have asked the school.")
    sign_in_fast(client, people.parent)
    family_page = get_page(client, f"/family/messages/{conversation.id}")
    assert "We have asked the school." in family_page.text
    assert "Staff only" not in family_page.text
    sign_in_fast(client, people.caseworker)
    staff_page = get_page(client, f"/casework/conversations/{conversation.id}")
    assert "Staff only" not in staff_page.text
