"""The case team's reads. The team inbox: one query for the counts, one for how many
conversations match, one for the page of rows (with the case, child, caseworker and this
person's read state). Who is away is asked once for the page's caseworkers
(portal.conversations.absence.away_until).

A conversation's page: the conversation with this person's read state, and its messages (two
queries). Only the signed-in person's team is ever read: another team's conversations never
appear. Conversations follow their case, so "mine" is by the case's current caseworker.

The inbox's statements are built once for each filter, with the team, person, day and page as
parameters: building them cost more than running them.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache

from sqlalchemy import Date, Integer, and_, bindparam, case, func, select
from sqlalchemy.orm import contains_eager

from portal.conversations import reply_by
from portal.conversations.models import Conversation, ConversationRead, ConversationStatus, StaffAbsence
from portal.ehcp.models import Case
from portal.extensions import db
from portal.models import Child, User


class Show(enum.StrEnum):
    """Which conversations the inbox shows. The first is the default."""

    WAITING = "waiting"
    URGENT = "urgent"
    OVERDUE = "overdue"
    NEEDS_COVER = "needs_cover"
    FAMILY = "family"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return {
            Show.WAITING: "Waiting for the council",
            Show.URGENT: "Urgent",
            Show.OVERDUE: "Overdue",
            Show.NEEDS_COVER: "Needs cover (the caseworker is away)",
            Show.FAMILY: "Waiting for the family",
            Show.CLOSED: "Closed",
        }[self]

    @property
    def waiting(self) -> bool:
        return self not in (Show.FAMILY, Show.CLOSED)


def today() -> date:
    """Today in England, as the reply-by dates are counted."""
    return reply_by.local_date(datetime.now(UTC))


@dataclass(frozen=True)
class Counts:
    """The team's conversations waiting for the council that need attention."""

    waiting: int
    overdue: int
    due_soon: int
    urgent: int
    needs_cover: int


@dataclass(frozen=True)
class Row:
    conversation: Conversation
    case_id: int
    reference: str
    child_name: str
    caseworker_id: int | None
    caseworker_name: str | None
    unread: bool


@dataclass(frozen=True)
class InboxPage:
    rows: list[Row]
    total: int
    page: int
    pages: int


TEAM = bindparam("team_id", type_=Integer)
USER = bindparam("user_id", type_=Integer)
ON = bindparam("on", type_=Date)


def _away_today():
    """The people away on :on (a subquery of user ids)."""
    return select(StaffAbsence.user_id).where(
        StaffAbsence.starts_on <= ON, StaffAbsence.ends_on >= ON, StaffAbsence.cancelled_at.is_(None)
    )


def _waiting():
    return Conversation.status == ConversationStatus.WAITING_FOR_COUNCIL


@cache
def _counts_statement():
    covered_cases = select(Case.id).where(Case.team_id == TEAM, Case.caseworker_id.in_(_away_today()))
    return (
        select(
            func.count(Conversation.id),
            func.count(case((Conversation.reply_due_on < ON, 1))),
            func.count(case((Conversation.reply_due_on.between(ON, bindparam("due_soon_until", type_=Date)), 1))),
            func.count(case((Conversation.urgent.is_(True), 1))),
            func.count(case((Conversation.case_id.in_(covered_cases), 1))),
        )
        .where(Conversation.team_id == TEAM, _waiting())
    )


def counts(team_id: int, on: date, due_soon_until: date) -> Counts:
    """One query over the team's conversations waiting for the council, read from the team's
    waiting index alone. Needing cover is asked of the few cases whose caseworker is away today
    (a subquery), not by joining every case: docs/benchmarks.md (issue 11) has the plans."""
    row = db.session.execute(
        _counts_statement(), {"team_id": team_id, "on": on, "due_soon_until": due_soon_until}
    ).one()
    return Counts(*row)


def _conditions(show: Show, mine: bool) -> list:
    """Read from the team's indexes on conversation (team_id first): the case is joined only for
    its caseworker."""
    conditions = [Conversation.team_id == TEAM]
    if mine:
        conditions.append(Case.caseworker_id == USER)
    if show is Show.FAMILY:
        conditions.append(Conversation.status == ConversationStatus.WAITING_FOR_FAMILY)
    elif show is Show.CLOSED:
        conditions.append(Conversation.status == ConversationStatus.CLOSED)
    else:
        conditions.append(_waiting())
    if show is Show.URGENT:
        conditions.append(Conversation.urgent.is_(True))
    elif show is Show.OVERDUE:
        conditions.append(Conversation.reply_due_on < ON)
    elif show is Show.NEEDS_COVER:
        conditions.append(Case.caseworker_id.in_(_away_today()))
    return conditions


def _order(show: Show) -> tuple:
    if show.waiting:
        # Urgent first, then the nearest (or most overdue) reply-by date, then the oldest.
        return (Conversation.urgent.desc(), Conversation.reply_due_on.asc(), Conversation.id.asc())
    return (Conversation.last_message_at.desc(), Conversation.id.desc())


@cache
def _inbox_statements(show: Show, mine: bool):
    """How many conversations match this filter, and a page of them (:limit from :offset)."""
    conditions = _conditions(show, mine)
    counting = select(func.count(Conversation.id))
    if mine or show is Show.NEEDS_COVER:
        counting = counting.join(Case, Case.id == Conversation.case_id)
    caseworker = User.__table__.alias("caseworker")
    read = and_(ConversationRead.conversation_id == Conversation.id, ConversationRead.user_id == USER)
    rows = (
        select(
            Conversation,
            Case.id,
            Case.reference,
            Child.first_name,
            Child.last_name,
            Case.caseworker_id,
            caseworker.c.name,
            ConversationRead.last_read_message_id,
        )
        .join(Case, Case.id == Conversation.case_id)
        .join(Child, Child.id == Case.child_id)
        .outerjoin(caseworker, caseworker.c.id == Case.caseworker_id)
        .outerjoin(ConversationRead, read)
        .where(*conditions)
        .order_by(*_order(show))
        .limit(bindparam("limit", type_=Integer))
        .offset(bindparam("offset", type_=Integer))
    )
    return counting.where(*conditions), rows


def inbox(team_id: int, user_id: int, show: Show, mine: bool, on: date, page: int, page_size: int) -> InboxPage:
    """How many conversations match, and one page of them: two queries."""
    counting, rows_statement = _inbox_statements(show, mine)
    values = {"team_id": team_id, "user_id": user_id, "on": on}
    total = db.session.scalar(counting, values) or 0
    pages = max((total + page_size - 1) // page_size, 1)
    rows = db.session.execute(rows_statement, {**values, "limit": page_size, "offset": (page - 1) * page_size}).all()
    return InboxPage(
        rows=[
            Row(
                conversation=conversation,
                case_id=case_id,
                reference=reference,
                child_name=f"{first_name} {last_name}",
                caseworker_id=caseworker_id,
                caseworker_name=caseworker_name,
                unread=conversation.last_message_id is not None and (last_read or 0) < conversation.last_message_id,
            )
            for conversation, case_id, reference, first_name, last_name, caseworker_id, caseworker_name, last_read
            in rows
        ],
        total=total,
        page=page,
        pages=pages,
    )


# --- One conversation, for the case team ---------------------------------------------------------


@cache
def _staff_conversation_statement():
    read = and_(ConversationRead.conversation_id == Conversation.id, ConversationRead.user_id == USER)
    return (
        select(Conversation, ConversationRead)
        .join(Conversation.case)
        .join(Case.child)
        .outerjoin(ConversationRead, read)
        .options(contains_eager(Conversation.case).contains_eager(Case.child),
                 contains_eager(Conversation.case).joinedload(Case.caseworker),
                 contains_eager(Conversation.case).joinedload(Case.team))
        .where(Conversation.id == bindparam("conversation_id", type_=Integer), Case.team_id == TEAM)
    )


def staff_conversation(
    team_id: int | None, user_id: int, conversation_id: int
) -> tuple[Conversation, ConversationRead | None] | None:
    """The conversation (with its case, child, team and caseworker) if its case is in this team,
    and how far this person has read it: one query."""
    if team_id is None:
        return None
    row = db.session.execute(
        _staff_conversation_statement(), {"team_id": team_id, "user_id": user_id, "conversation_id": conversation_id}
    ).first()
    return (row[0], row[1]) if row is not None else None


# --- A case's conversations, for the case page -----------------------------------------------------

CASE_CONVERSATIONS_SHOWN = 50


def case_conversations(case_id: int) -> list[Conversation]:
    """The case's conversations, latest message first (the newest CASE_CONVERSATIONS_SHOWN): one
    query, from ix_conversation_case_updated."""
    return list(db.session.scalars(
        select(Conversation)
        .where(Conversation.case_id == case_id)
        .order_by(Conversation.last_message_at.desc(), Conversation.id.desc())
        .limit(CASE_CONVERSATIONS_SHOWN)
    ))
