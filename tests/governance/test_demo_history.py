"""The demo's synthetic history (portal/demo_governance.py): the governance report's figures have
real values, made from 5 or more, for each of the last 12 full months, and the history is made
once and is coherent."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from portal import demo, demo_governance
from portal.conversations import reply_by
from portal.conversations.models import Conversation, ConversationStatus
from portal.ehcp import milestones
from portal.ehcp.models import Case, PhaseTransfer
from portal.extensions import db
from portal.governance import lines, periods, report
from portal.models import Child
from portal.outbox import OutboxEmail

# (figure, part, what must be 5 or more): the service's main figures, month by month.
MAIN = (
    ("requests-received", None, "numerator"),
    ("decisions-to-assess", None, "denominator"),
    ("plans-issued", "within-20-weeks", "denominator"),
    ("plans-issued", "within-20-weeks-ex", "denominator"),
    ("annual-reviews", "held", "numerator"),
    ("annual-reviews", "decided-within-4-weeks", "denominator"),
    ("annual-reviews", "amended-within-12-weeks", "denominator"),
    ("exceptions", "all", "numerator"),
    ("family-messages", None, "numerator"),
    ("first-reply", "within-target", "denominator"),
    ("emails-not-delivered", None, "denominator"),
)


def _history_cases() -> list[Case]:
    return list(db.session.scalars(
        select(Case).join(Child, Child.id == Case.child_id).where(Child.last_name.in_(demo_governance.SURNAMES))
    ))


def test_every_main_figure_of_the_last_12_months_is_made_from_5_or_more(app):
    today = date.today()
    demo.seed(today)
    for period in periods.months_ending(periods.last_full_month(today), 12):
        built = report.build(db.session, period, today, report.Settings())
        for figure, part, side in MAIN:
            made_from = getattr(built.figures.get(figure, None, part), side) or 0
            assert made_from >= 5, (period.key, figure, part, made_from)
        transfers = built.figures.get("phase-transfers").denominator or 0
        assert transfers >= 5 if period.start.month in (2, 3) else transfers == 0, period.key
        # Every line the service's report shows is a value, not "fewer than 5" (the feedback is
        # demo_feedback's), and "no data" only for phase transfers outside February and March.
        for section, shown in built.sections():
            if section.id == "feedback":
                continue
            for line in shown:
                assert lines.FEWER not in (line.number, line.out_of), (period.key, line.label)
                if line.number == lines.NO_DATA:
                    assert line.label.startswith("Phase transfers"), (period.key, line.label)


def test_the_history_is_made_once_and_its_cases_keep_the_timeline(app):
    today = date.today()
    demo.seed(today)
    counts = [db.session.scalar(select(func.count()).select_from(model))
              for model in (Case, PhaseTransfer, Conversation, OutboxEmail)]
    demo.seed(today)
    assert [db.session.scalar(select(func.count()).select_from(model))
            for model in (Case, PhaseTransfer, Conversation, OutboxEmail)] == counts
    cases = _history_cases()
    assert len(cases) > 500
    assert {case.reference[:4] for case in cases} == {"EHC-"}
    for case in cases:
        assert case.next_deadline_on == milestones.council_deadline(case.dates), case.reference
        assert case.closed is case.stage.is_closed
        assert case.child.date_of_birth < case.request_received_on
    late = [case for case in cases if not case.closed and case.next_deadline_on < today]
    assert {(today - case.next_deadline_on).days > 84 for case in late} == {True, False}
    for transfer in db.session.scalars(select(PhaseTransfer)):
        assert transfer.amend_by == (date(transfer.moves_on.year, 3, 31) if transfer.to_post_16
                                     else date(transfer.moves_on.year, 2, 15))
        assert transfer.amended_on is None or transfer.amended_on <= today


def test_first_replies_agree_with_their_dates(app):
    demo.seed(date.today())
    answered = db.session.scalars(select(Conversation).where(Conversation.first_reply_at.is_not(None))).all()
    assert len(answered) > 100
    for conversation in answered:
        started, replied = (reply_by.local_date(moment) for moment in (conversation.started_at,
                                                                         conversation.first_reply_at))
        assert conversation.first_reply_working_days == reply_by.working_days_between(started, replied)
        assert conversation.status is not ConversationStatus.WAITING_FOR_COUNCIL
