"""The conversation use cases: status and the clock, what is stored for the governance report,
one message per submission, and what the notification emails say (never the message)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import func, select

from portal.conversations import services
from portal.conversations.models import ConversationStatus, Message, UrgentReason
from portal.extensions import db
from portal.models import Role
from portal.outbox import OutboxEmail
from tests.conversations.helpers import draft, reply, start

# Tuesday 1 December 2026, mid-morning in England.
TUESDAY = datetime(2026, 12, 1, 10, 30, tzinfo=UTC)


def at(day: int, month: int = 12, year: int = 2026, hour: int = 10) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


def test_a_family_message_waits_for_the_council_for_ten_working_days(people):
    conversation = start(people.parent, people.case, now=TUESDAY)
    assert conversation.status is ConversationStatus.WAITING_FOR_COUNCIL
    assert conversation.reply_due_on == date(2026, 12, 15)
    assert conversation.waiting_since == TUESDAY
    assert conversation.message_count == 1


def test_an_urgent_message_is_due_in_two_working_days(people):
    conversation = start(people.parent, people.case, urgent=UrgentReason.OUT_OF_EDUCATION, now=TUESDAY)
    assert conversation.urgent and conversation.urgent_reason is UrgentReason.OUT_OF_EDUCATION
    assert conversation.reply_due_on == date(2026, 12, 3)


def test_staff_cannot_mark_their_own_message_urgent_and_it_waits_for_the_family(people):
    conversation = start(people.caseworker, people.case, urgent=UrgentReason.SAFETY, now=TUESDAY)
    assert conversation.status is ConversationStatus.WAITING_FOR_FAMILY
    assert not conversation.urgent and conversation.reply_due_on is None


def test_the_first_reply_and_each_replys_lateness_are_stored(people):
    conversation = start(people.parent, people.case, now=TUESDAY)
    on_time = reply(people.caseworker, conversation, now=at(8))  # Tuesday 8th: 5 working days
    assert on_time.answered_due_on == date(2026, 12, 15)
    assert on_time.working_days_late == 0
    assert conversation.first_reply_working_days == 5
    assert conversation.first_reply_at == at(8)

    reply(people.parent, conversation, now=at(9))  # a new wait: due Wednesday 23 December
    assert conversation.reply_due_on == date(2026, 12, 23)
    late = reply(people.caseworker, conversation, now=at(4, 1, 2027))  # 24, 29, 30, 31 Dec, 4 Jan
    assert late.answered_due_on == date(2026, 12, 23)
    assert late.working_days_late == 5
    assert conversation.first_reply_working_days == 5  # the first reply's, unchanged


def test_a_second_staff_message_records_no_lateness(people):
    conversation = start(people.parent, people.case, now=TUESDAY)
    reply(people.caseworker, conversation, now=at(2))
    follow_up = reply(people.manager, conversation, now=at(30))
    assert follow_up.answered_due_on is None and follow_up.working_days_late is None
    assert conversation.status is ConversationStatus.WAITING_FOR_FAMILY


def test_more_family_messages_while_waiting_do_not_move_the_date(people):
    conversation = start(people.parent, people.case, now=TUESDAY)
    reply(people.parent, conversation, "Also, the school has sent its letter.", now=at(10))
    assert conversation.reply_due_on == date(2026, 12, 15)
    assert conversation.waiting_since == TUESDAY


def test_a_family_reply_to_a_closed_conversation_opens_it_with_a_new_date(people):
    conversation = start(people.parent, people.case, now=TUESDAY)
    reply(people.caseworker, conversation, now=at(2))
    assert services.close(people.caseworker, conversation, now=at(3))
    assert conversation.status is ConversationStatus.CLOSED
    reply(people.parent, conversation, "One more question.", now=at(7))
    assert conversation.status is ConversationStatus.WAITING_FOR_COUNCIL
    assert conversation.closed_at is None
    assert conversation.reply_due_on == date(2026, 12, 21)


def test_staff_must_reopen_a_closed_conversation_before_replying(people):
    conversation = start(people.parent, people.case, now=TUESDAY)
    services.close(people.caseworker, conversation, now=at(2))
    try:
        reply(people.caseworker, conversation, now=at(3))
    except services.ConversationProblem as problem:
        assert "closed" in str(problem)
    else:
        raise AssertionError("a staff reply to a closed conversation was accepted")
    assert db.session.scalar(select(func.count(Message.id))) == 1


def test_the_same_submission_twice_makes_one_message(people):
    once = draft("Is there any news?")
    conversation = services.start(people.parent, people.case, "News", once, now=TUESDAY)
    again = services.start(people.parent, people.case, "News", once, now=TUESDAY)
    assert again.id == conversation.id
    first = services.reply(people.parent, conversation, draft_again := draft("And another thing."))
    second = services.reply(people.parent, conversation, draft_again)
    assert first.id == second.id
    assert db.session.scalar(select(func.count(Message.id))) == 2


SECRET_SUBJECT = "Subject about Ourchild's diagnosis"
SECRET_TEXT = "Private words about the family that must never be emailed"


def _emails_about(message_id: int) -> list[OutboxEmail]:
    return list(db.session.scalars(
        select(OutboxEmail).where(OutboxEmail.event_key.like(f"message:{message_id}:%")).order_by(OutboxEmail.id)
    ))


def test_a_family_message_emails_the_caseworker_without_its_words(people, mail):
    conversation = start(people.parent, people.case, SECRET_SUBJECT, SECRET_TEXT)
    emails = mail.to(people.caseworker.email)
    assert len(emails) == 1
    assert mail.to(people.manager.email) == []
    assert people.case.reference in emails[0]["Subject"]
    for part in (mail.text(emails[0]), emails[0].get_body(("html",)).get_content()):
        assert SECRET_TEXT not in part and SECRET_SUBJECT not in part and "diagnosis" not in part
        assert "Testsurname" not in part  # the child's surname
    assert mail.link(emails[0]) == f"/casework/conversations/{conversation.id}"


def test_an_urgent_family_message_emails_the_caseworker_and_the_managers(people, mail):
    start(people.parent, people.case, urgent=UrgentReason.SAFETY)
    assert len(mail.to(people.caseworker.email)) == 1
    urgent = mail.to(people.manager.email)
    assert len(urgent) == 1 and urgent[0]["Subject"].startswith("Urgent:")
    assert mail.to(people.south_caseworker.email) == []


def test_a_staff_message_emails_the_family_without_its_words(people, mail):
    conversation = start(people.parent, people.case)
    message = reply(people.caseworker, conversation, SECRET_TEXT)
    emails = mail.to(people.parent.email)
    assert len(emails) == 1
    assert "Ourchild" in emails[0]["Subject"]
    assert SECRET_TEXT not in mail.text(emails[0]) and SECRET_TEXT not in emails[0].get_body(("html",)).get_content()
    assert mail.link(emails[0]) == f"/family/messages/{conversation.id}"
    assert [email.to_email for email in _emails_about(message.id)] == [people.parent.email]


def test_a_family_member_who_turned_message_emails_off_gets_none(people, mail):
    people.parent.message_emails = False
    db.session.commit()
    conversation = start(people.parent, people.case)
    message = reply(people.caseworker, conversation)
    assert _emails_about(message.id) == []
    assert mail.to(people.parent.email) == []


def test_an_unassigned_case_emails_the_managers(people, mail):
    people.case.caseworker_id = None
    db.session.commit()
    start(people.parent, people.case)
    assert len(mail.to(people.manager.email)) == 1
    assert "no caseworker is assigned" in mail.text(mail.to(people.manager.email)[0])


def test_an_urgent_message_tells_the_manager_why_they_have_it(people, mail):
    start(people.parent, people.case, urgent=UrgentReason.SAFETY)
    text = mail.text(mail.to(people.manager.email)[0])
    assert "because the message is urgent and you manage the North SEND team" in text


def _away_today(user) -> None:
    from portal.conversations.models import StaffAbsence

    db.session.add(StaffAbsence(user_id=user.id, starts_on=date.today(), ends_on=date.today()))
    db.session.commit()


def test_with_the_caseworker_away_and_no_manager_the_teams_other_caseworkers_are_told(people, make, mail):
    people.manager.active = False
    colleague = make.user(Role.CASEWORKER, team=people.team, name="Robin Colleague")
    _away_today(people.caseworker)
    start(people.parent, people.case, urgent=UrgentReason.APPEAL_DEADLINE)
    assert mail.to(people.caseworker.email) == []
    told = mail.to(colleague.email)
    assert len(told) == 1
    assert "has no manager to take it" in mail.text(told[0])


def test_when_no_one_in_the_team_can_take_it_the_administrators_are_told(people, make, mail):
    people.manager.active = False
    admin = make.user(Role.ADMIN, name="Addy Admin")
    _away_today(people.caseworker)
    start(people.parent, people.case)
    told = mail.to(admin.email)
    assert len(told) == 1
    assert "pass it on" in mail.text(told[0])


def test_a_family_reply_after_closing_without_an_answer_counts_from_their_first_message(people):
    conversation = start(people.parent, people.case, now=TUESDAY)
    services.close(people.caseworker, conversation, now=at(3))
    reply(people.parent, conversation, "Is anyone there?", now=at(14))
    assert conversation.status is ConversationStatus.WAITING_FOR_COUNCIL
    assert conversation.waiting_since == TUESDAY
    assert conversation.reply_due_on == date(2026, 12, 15)
