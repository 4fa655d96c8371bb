"""Reply-by dates, driven through the use cases with the time given: 10 working days (2 when
urgent) counted with England and Wales bank holidays and council closure days, from the day in
England the wait started, and only while the conversation waits for the council.

Bank holidays used: Christmas and New Year 2026/27 (Friday 25 and Monday 28 December 2026, Friday
1 January 2027), Easter 2026 (Friday 3 and Monday 6 April), Easter 2027 (Friday 26 and Monday 29
March)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from portal.conversations import reply_by
from portal.conversations.models import ClosureDay, ConversationStatus, UrgentReason
from portal.extensions import db
from tests.conversations.helpers import reply, start


def at(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


@pytest.mark.parametrize(("sent", "due"), [
    # Friday 18 December 2026: 21-24 Dec, 29-31 Dec, 4-6 Jan (25, 28 Dec and 1 Jan are bank holidays).
    (at(2026, 12, 18), date(2027, 1, 6)),
    # Wednesday 23 December 2026: 24, 29, 30, 31 Dec, 4-8 Jan, 11 Jan.
    (at(2026, 12, 23), date(2027, 1, 11)),
    # Thursday 2 April 2026, before Easter: 7-10, 13-17, 20 April.
    (at(2026, 4, 2), date(2026, 4, 20)),
    # Thursday 25 March 2027, before Easter: 30 March-2 April, 5-9, 12 April.
    (at(2027, 3, 25), date(2027, 4, 12)),
    # Saturday 5 December 2026 counts from Monday 7th, so it is due on the same day as a Friday message.
    (at(2026, 12, 5), date(2026, 12, 18)),
    (at(2026, 12, 4), date(2026, 12, 18)),
    # Easter Monday 2026 counts from Tuesday 7 April.
    (at(2026, 4, 6), date(2026, 4, 20)),
])
def test_ten_working_days_across_christmas_new_year_easter_and_weekends(people, sent, due):
    conversation = start(people.parent, people.case, now=sent)
    assert conversation.status is ConversationStatus.WAITING_FOR_COUNCIL
    assert conversation.reply_due_on == due


@pytest.mark.parametrize(("sent", "due"), [
    (at(2026, 12, 24), date(2026, 12, 30)),  # Christmas Eve: 29 and 30 December
    (at(2026, 12, 31), date(2027, 1, 5)),  # New Year's Eve: 4 and 5 January
    (at(2026, 4, 2), date(2026, 4, 8)),  # before Easter 2026: 7 and 8 April
    (at(2027, 3, 24), date(2027, 3, 30)),  # before Easter 2027: 25 and 30 March
    (at(2026, 12, 12), date(2026, 12, 15)),  # a Saturday: Monday 14 and Tuesday 15
])
def test_an_urgent_message_is_due_in_two_working_days(people, sent, due):
    conversation = start(people.parent, people.case, urgent=UrgentReason.OUT_OF_EDUCATION, now=sent)
    assert conversation.urgent
    assert conversation.reply_due_on == due


def test_the_day_counts_in_england_not_in_utc(people):
    # 23:30 UTC on Monday 13 April 2026 is 00:30 on Tuesday 14 April in England (summer time).
    conversation = start(people.parent, people.case, now=at(2026, 4, 13, 23, 30))
    assert conversation.reply_due_on == date(2026, 4, 28)
    winter = start(people.parent, people.case, now=at(2026, 12, 14, 23, 30))  # still Monday in England
    assert winter.reply_due_on == date(2026, 12, 30)


def test_a_council_closure_day_is_not_a_working_day(people):
    db.session.add(ClosureDay(day=date(2026, 12, 24), description="Christmas Eve closure"))
    db.session.commit()
    conversation = start(people.parent, people.case, now=at(2026, 12, 18))
    # 21, 22, 23 Dec, 29, 30, 31 Dec, 4-7 Jan: one day later than without the closure.
    assert conversation.reply_due_on == date(2027, 1, 7)
    urgent = start(people.parent, people.case, urgent=UrgentReason.SAFETY, now=at(2026, 12, 23))
    assert urgent.reply_due_on == date(2026, 12, 30)  # 29 and 30: the 24th is skipped


def test_days_waiting_for_the_family_do_not_count(people):
    conversation = start(people.parent, people.case, now=at(2026, 12, 1))
    assert conversation.reply_due_on == date(2026, 12, 15)
    reply(people.caseworker, conversation, now=at(2026, 12, 3))
    assert conversation.status is ConversationStatus.WAITING_FOR_FAMILY
    assert conversation.reply_due_on is None and conversation.waiting_since is None
    # The family answers on Monday 14 December: a new wait of 10 working days from then, not
    # what was left of the first (the 8 days waiting for the family are not the council's).
    reply(people.parent, conversation, now=at(2026, 12, 14))
    assert conversation.status is ConversationStatus.WAITING_FOR_COUNCIL
    assert conversation.reply_due_on == date(2026, 12, 30)
    assert conversation.waiting_since == at(2026, 12, 14)


def test_waiting_for_the_family_over_christmas_then_a_new_wait_in_january(people):
    conversation = start(people.parent, people.case, now=at(2026, 12, 15))
    reply(people.caseworker, conversation, now=at(2026, 12, 17))
    reply(people.parent, conversation, now=at(2027, 1, 4))
    assert conversation.reply_due_on == date(2027, 1, 18)


def test_another_family_message_while_waiting_does_not_move_the_date(people):
    conversation = start(people.parent, people.case, now=at(2026, 12, 1))
    reply(people.parent, conversation, body="I forgot to say: the school meeting is on Friday.", now=at(2026, 12, 10))
    reply(people.parent, conversation, body="And one more thing.", now=at(2026, 12, 14))
    assert conversation.reply_due_on == date(2026, 12, 15)
    assert conversation.waiting_since == at(2026, 12, 1)
    answer = reply(people.caseworker, conversation, now=at(2026, 12, 16))
    assert answer.answered_due_on == date(2026, 12, 15)
    assert answer.working_days_late == 1


def test_a_staff_message_starts_no_clock(people):
    conversation = start(people.caseworker, people.case, now=at(2026, 12, 1))
    assert conversation.status is ConversationStatus.WAITING_FOR_FAMILY
    assert conversation.reply_due_on is None
    reply(people.parent, conversation, now=at(2026, 12, 24))  # the family answers on Christmas Eve
    assert conversation.reply_due_on == date(2027, 1, 12)  # 29-31 Dec, 4-8 Jan, 11 and 12 Jan


def test_the_pure_counting_functions():
    closures = {date(2026, 12, 24)}
    assert reply_by.add_working_days(date(2026, 12, 23), 1) == date(2026, 12, 24)
    assert reply_by.add_working_days(date(2026, 12, 23), 1, closures) == date(2026, 12, 29)
    assert reply_by.working_days_between(date(2026, 12, 23), date(2027, 1, 4)) == 5  # 24, 29, 30, 31, 4
    assert reply_by.working_days_between(date(2026, 12, 23), date(2027, 1, 4), closures) == 4
    assert reply_by.working_days_between(date(2027, 1, 4), date(2026, 12, 23)) == 0
    assert reply_by.due_soon_cutoff(date(2026, 12, 23)) == date(2026, 12, 29)
    assert reply_by.reply_status(date(2026, 12, 29), date(2026, 12, 23)) == reply_by.ReplyStatus.DUE_SOON
    assert reply_by.reply_status(date(2026, 12, 30), date(2026, 12, 23)) == reply_by.ReplyStatus.ON_TRACK
    assert reply_by.reply_status(date(2026, 12, 23), date(2026, 12, 23)) == reply_by.ReplyStatus.DUE_TODAY
    assert reply_by.reply_status(date(2026, 12, 22), date(2026, 12, 23)) == reply_by.ReplyStatus.OVERDUE
    assert reply_by.long_date(date(2026, 12, 15)) == "Tuesday 15 December 2026"
    with pytest.raises(ValueError):
        reply_by.add_working_days(date(2026, 12, 1), 0)
