"""Build the benchmark data set on PostgreSQL: teams, staff, children, family accounts and
EHC cases with their stage history, and conversations between families and the case team with
their messages and read state. Synthetic data only.

    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1/portal_bench .venv/bin/python bench/generate.py --cases 100000

With --team-sizes 1000,12500 it makes one team per size with exactly that many cases instead of
spreading --cases across 8 teams (bench/growth.py uses this).

--messages N (default 10 a case: 1,000,000 for 100,000 cases) makes exactly N messages in
conversations of 1 to 7 messages (4 on average, so about N / 4 conversations) on random cases,
over the last two years. About 56% are closed, 40% wait for the family and 4% wait for the
council (the team inboxes; about 2 in 5 of those are overdue, about 1 in 8 urgent). Messages
alternate between the family and the council; each conversation's status, reply-by date,
waiting-since, last message and count agree with its messages, as the use cases in
portal/conversations/services.py keep them. Most families, and half the caseworkers, have read
state. The first case (the family member bench/load.py signs in as) has 10 conversations of 4
messages each.

--feedback N (default 200,000) makes N family feedback responses spread over the last 14 months
and the stages (about 1 in 8 about no stage in particular), with ratings leaning to the middle and
the assessment stages rated lower, 40% anonymous (no account, case or day), a fifth of the rest
willing to be contacted, 3 in 5 with a comment, and up to 2 of 8 themes on most comments.

The schema comes from the migrations; the rows are written with COPY-sized batched inserts.
"""

from __future__ import annotations

import argparse
import functools
import os
import random
import time
from datetime import UTC, date, datetime, timedelta

from flask_migrate import upgrade
from sqlalchemy import insert, text

from config import TestConfig, database_url
from portal import create_app
from portal.conversations import reply_by
from portal.conversations.models import (
    Conversation,
    ConversationRead,
    ConversationStatus,
    Message,
    UrgentReason,
)
from portal.ehcp import milestones
from portal.ehcp.models import Case, StageChange, TimelineException
from portal.ehcp.stages import PATH, Stage
from portal.ehcp.timeline import ExceptionType
from portal.extensions import db
from portal.feedback.models import Feedback, FeedbackSource, FeedbackTheme, Theme
from portal.models import Child, FamilyLink, Relationship, Role, Team, User
from portal.passwords import hash_password

BATCH = 5_000
TEAMS = 8
CASEWORKERS_PER_TEAM = 20
FIRST_NAMES = ["Ada", "Ben", "Cleo", "Dev", "Eli", "Fay", "Gus", "Hana", "Ivo", "Jun", "Kai", "Lia", "Mo", "Nia"]


def _config(url: str) -> type[TestConfig]:
    class Bench(TestConfig):
        SQLALCHEMY_DATABASE_URI = database_url(url)
        PASSWORD_HASH_FAST = True

    return Bench


def _batched(rows: list[dict], table) -> None:
    for start in range(0, len(rows), BATCH):
        db.session.execute(insert(table), rows[start : start + BATCH])


def generate(
    cases: int = 0, seed: int = 2026, team_sizes: list[int] | None = None, messages: int | None = None,
    feedback: int = 0,
) -> dict[str, int]:
    """`cases` spread at random across 8 teams or, with `team_sizes`, one team per size with
    exactly that many cases (`cases` is then their sum, or may be left out). `messages` (default
    MESSAGES_PER_CASE a case) in about a quarter as many conversations."""
    rng = random.Random(seed)
    teams = TEAMS
    team_of: list[int] = []
    if team_sizes is not None:
        if cases not in (0, sum(team_sizes)) or not team_sizes or min(team_sizes) < 1:
            raise ValueError(f"team_sizes {team_sizes} do not make {cases} cases")
        teams, cases = len(team_sizes), sum(team_sizes)
        team_of = [t + 1 for t, size in enumerate(team_sizes) for _ in range(size)]
        rng.shuffle(team_of)  # the teams' cases interleaved by id, as when they arrive over time
    today = date.today()
    now = datetime.now(UTC)
    password_hash = hash_password("bench password not used by people")
    db.session.execute(text(
        "TRUNCATE team, user_account, child, family_link, ehc_case, stage_change, timeline_exception, "
        "conversation, message, conversation_read, attachment, feedback, feedback_theme, feedback_tally, theme CASCADE"
    ))

    team_rows = [{"id": t + 1, "name": f"Bench team {t + 1}", "created_at": now} for t in range(teams)]
    _batched(team_rows, Team.__table__)
    staff_rows = []
    for t in range(teams):
        for c in range(CASEWORKERS_PER_TEAM):
            staff_rows.append(_user(len(staff_rows) + 1, f"caseworker{t}-{c}@example.org", Role.CASEWORKER, t + 1,
                                    password_hash, now))
    families = cases  # one family account per child
    family_rows = [
        _user(len(staff_rows) + i + 1, f"family{i}@example.org", Role.FAMILY, None, password_hash, now)
        for i in range(families)
    ]
    _batched(staff_rows + family_rows, User.__table__)

    child_rows, link_rows, case_rows, change_rows, exception_rows = [], [], [], [], []
    change_id = 0
    for i in range(cases):
        child_id = i + 1
        team_id = team_of[i] if team_of else rng.randrange(TEAMS) + 1
        child_rows.append({
            "id": child_id, "first_name": rng.choice(FIRST_NAMES), "last_name": f"Benchname{i}",
            "date_of_birth": today - timedelta(days=rng.randrange(2 * 365, 24 * 365)), "team_id": team_id,
            "created_at": now,
        })
        link_rows.append({"id": child_id, "user_id": len(staff_rows) + i + 1, "child_id": child_id,
                          "relationship_to_child": Relationship.PARENT, "created_at": now})
        stage = rng.choice(list(Stage))
        received = today - timedelta(days=rng.randrange(7, 700))
        path = _path_to(stage)
        effective = received
        previous = None
        plan_on = None
        for step in path:
            if step is Stage.FINAL_PLAN and plan_on is None:
                plan_on = effective
            change_id += 1
            change_rows.append({
                "id": change_id, "case_id": child_id, "from_stage": previous, "to_stage": step,
                "effective_on": effective, "changed_by_id": None, "family_note": "We have moved your case on.",
                "staff_note": None, "created_at": now,
            })
            previous = step
            effective = min(today, effective + timedelta(days=rng.randrange(5, 40)))
        stage_since = change_rows[-1]["effective_on"]
        dates = milestones.CaseDates(stage=stage, request_received_on=received, stage_since=stage_since,
                                     final_plan_on=stage_since if stage is Stage.FINAL_PLAN else None)
        caseworker = (team_id - 1) * CASEWORKERS_PER_TEAM + rng.randrange(CASEWORKERS_PER_TEAM) + 1
        case_rows.append({
            "id": child_id, "reference": f"EHC-{received.year}-{child_id:06d}", "child_id": child_id,
            "team_id": team_id, "caseworker_id": caseworker, "is_reassessment": False,
            "request_received_on": received, "stage": stage, "stage_position": stage.position,
            "stage_since": stage_since,
            "final_plan_on": dates.final_plan_on, "first_final_plan_on": plan_on,
            "next_deadline_on": milestones.council_deadline(dates),
            "has_exception": rng.random() < 0.05, "closed": stage.is_closed, "version": 1,
            "created_at": now, "updated_at": now,
        })
        if case_rows[-1]["has_exception"]:
            exception_rows.append({
                "case_id": child_id, "type": rng.choice(list(ExceptionType)), "reason": "A family reason.",
                "applies_from": received + timedelta(days=rng.randrange(0, 30)), "recorded_at": now,
            })
    _batched(child_rows, Child.__table__)
    _batched(link_rows, FamilyLink.__table__)
    _batched(case_rows, Case.__table__)
    _batched(change_rows, StageChange.__table__)
    _batched(exception_rows, TimelineException.__table__)
    messages = MESSAGES_PER_CASE * cases if messages is None else messages
    talk = _conversations(rng, case_rows, len(staff_rows), messages, now)
    talk["feedback"] = _feedback(rng, case_rows, len(staff_rows), feedback, today, now)
    for table in ("team", "user_account", "child", "family_link", "ehc_case", "stage_change", "conversation",
                  "message", "feedback", "theme"):
        db.session.execute(
            text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        )
    db.session.commit()
    db.session.execute(text("ANALYZE"))
    db.session.commit()
    return {"cases": len(case_rows), "stage changes": len(change_rows), "users": len(staff_rows) + len(family_rows),
            **talk}


MESSAGES_PER_CASE = 10
FIRST_CASE_CONVERSATIONS = 10  # for the family member bench/load.py signs in as: 4 messages each
SUBJECTS = [
    "Question about the assessment", "School visit next week", "Draft plan comments", "Transport to school",
    "Speech and language report", "Change of address", "Annual review date", "Appeal advice",
    "Not in school since Monday", "Meeting with the SENCo", "Educational psychologist visit", "Personal budget",
]
FAMILY_LINES = [
    "Thank you for your letter. Could you tell me what happens next?",
    "We have not heard back about the assessment and would like an update, please.",
    "I have attached the report from the clinic. Can you add it to the file?",
    "The school says they are waiting for you. Who should I speak to?",
    "Can we move the meeting to the afternoon? Mornings are hard for us.",
]
COUNCIL_LINES = [
    "Thank you for your message. I have passed the report to the panel.",
    "The educational psychologist will contact you this week to arrange a visit.",
    "I have spoken to the school and they will send their advice by Friday.",
    "Yes, we can move the meeting. I will send a new invitation.",
    "The draft plan is attached. Please send any comments within 15 days.",
]
# Of every 100 conversations: 4 wait for the council (the inboxes), 40 for the family, 56 are closed.
STATUS_WEIGHTS = {ConversationStatus.WAITING_FOR_COUNCIL: 4, ConversationStatus.WAITING_FOR_FAMILY: 40,
                  ConversationStatus.CLOSED: 56}
WAITING_DAYS = 24  # a wait for the council began up to this many days ago: about 2 in 5 are overdue
TARGETS = reply_by.Targets()  # the configuration's defaults: 10 working days, 2 if urgent


@functools.cache
def _due(waited_from: date, urgent: bool) -> date:
    return reply_by.reply_due(waited_from, urgent, TARGETS)


@functools.cache
def _working_days(start: date, end: date) -> int:
    return reply_by.working_days_between(start, end)


def _plan(rng: random.Random, cases: list[dict], messages: int, now: datetime) -> list[tuple]:
    """Each conversation as (started_at, case row, status, urgent, the gaps before each message
    after the first), ordered by when it started."""
    plans = []
    statuses, weights = list(STATUS_WEIGHTS), list(STATUS_WEIGHTS.values())
    first_case = [ConversationStatus.WAITING_FOR_COUNCIL, ConversationStatus.WAITING_FOR_COUNCIL,
                  ConversationStatus.WAITING_FOR_FAMILY, ConversationStatus.WAITING_FOR_FAMILY,
                  ConversationStatus.WAITING_FOR_FAMILY] + [ConversationStatus.CLOSED] * 5
    left = messages
    while left > 0 and cases:
        first = len(plans) < FIRST_CASE_CONVERSATIONS
        case = cases[0] if first or len(cases) == 1 else cases[rng.randrange(1, len(cases))]
        status = first_case[len(plans)] if first else rng.choices(statuses, weights)[0]
        count = min(left, 4 if first else 1 + rng.randrange(7))
        left -= count
        # Messages alternate; the status says who wrote last (the family, if the council must reply).
        if status is ConversationStatus.WAITING_FOR_COUNCIL:
            council_first = count % 2 == 0
        elif status is ConversationStatus.WAITING_FOR_FAMILY:
            council_first = count % 2 == 1
        else:
            council_first = rng.random() < 0.2
        urgent_share = 0.12 if status is ConversationStatus.WAITING_FOR_COUNCIL else 0.03
        urgent = not council_first and rng.random() < urgent_share
        # Hours between messages: the council answers in 1 hour to 3 weeks, families in up to 4 weeks.
        gaps = [timedelta(hours=rng.uniform(1, 500) if (council_first + i) % 2 else rng.uniform(1, 700))
                for i in range(1, count)]
        span = sum(gaps, timedelta())
        if status is ConversationStatus.WAITING_FOR_COUNCIL:
            started = now - timedelta(days=rng.uniform(0, WAITING_DAYS)) - span
        else:
            started = now - timedelta(days=730) + (timedelta(days=730) - span - timedelta(days=1)) * rng.random()
        plans.append((started, case, status, urgent, council_first, gaps))
    plans.sort(key=lambda plan: plan[0])
    return plans


def _conversations(rng: random.Random, cases: list[dict], staff: int, messages: int, now: datetime) -> dict[str, int]:
    """`messages` messages in conversations on `cases`, written in batches as they are made."""
    conversation_rows, message_rows, read_rows = [], [], []
    counts = {"conversations": 0, "messages": 0, "conversation reads": 0}
    message_id = 0
    for conversation_id, (started, case, status, urgent, council_first, gaps) in enumerate(
        _plan(rng, cases, messages, now), start=1
    ):
        family_id = staff + case["id"]  # one family account per child, made in the same order
        caseworker_id = case["caseworker_id"]
        team_first = (case["team_id"] - 1) * CASEWORKERS_PER_TEAM + 1
        sent_at, waited_from, waiting_since, first_reply_at, first_reply_days = started, None, None, None, None
        thread = []
        for position in range(len(gaps) + 1):
            if position:
                sent_at += gaps[position - 1]
            council = (position % 2 == 0) == council_first
            message_id += 1
            author = caseworker_id if rng.random() < 0.85 else team_first + rng.randrange(CASEWORKERS_PER_TEAM)
            row = {
                "id": message_id, "conversation_id": conversation_id, "author_id": author if council else family_id,
                "author_title": "SEND caseworker" if council else "parent", "from_council": council,
                "body": rng.choice(COUNCIL_LINES if council else FAMILY_LINES), "sent_at": sent_at,
                "submission_key": f"bench-{message_id}", "answered_due_on": None, "working_days_late": None,
            }
            day = reply_by.local_date(sent_at)
            if council and waited_from is not None:  # this reply answers the family's wait
                row["answered_due_on"] = due = _due(waited_from, urgent)
                row["working_days_late"] = _working_days(due, day)
                if first_reply_at is None:
                    first_reply_at, first_reply_days = sent_at, _working_days(waited_from, day)
                waited_from = None
            elif not council and waited_from is None:
                waited_from = day
                waiting_since = sent_at
            thread.append(row)
        waiting = status is ConversationStatus.WAITING_FOR_COUNCIL
        last = thread[-1]
        closed_at = None
        if status is ConversationStatus.CLOSED:
            closed_at = min(now, last["sent_at"] + timedelta(days=rng.uniform(0, 10)))
        conversation_rows.append({
            "id": conversation_id, "case_id": case["id"], "team_id": case["team_id"],
            "subject": rng.choice(SUBJECTS), "status": status,
            "urgent": urgent, "urgent_reason": rng.choice(list(UrgentReason)) if urgent else None,
            "started_by_id": thread[0]["author_id"], "started_at": started,
            "waiting_since": waiting_since if waiting else None,
            "reply_due_on": _due(waited_from, urgent) if waiting else None,
            "last_message_id": last["id"], "last_message_at": last["sent_at"], "message_count": len(thread),
            "first_reply_at": first_reply_at, "first_reply_working_days": first_reply_days,
            "closed_at": closed_at, "closed_by_id": caseworker_id if closed_at else None, "version": 1,
        })
        message_rows += thread
        # Read state: most families have opened the conversation, half the caseworkers; some
        # have not seen the latest message from the other side.
        for user_id, from_council, share in ((family_id, False, 0.85), (caseworker_id, True, 0.5)):
            if rng.random() >= share:
                continue
            if last["from_council"] == from_council or rng.random() < 0.7:
                read = last
            elif len(thread) > 1:
                read = thread[-2]  # not seen the other side's latest message yet
            else:
                continue  # never opened the other side's only message
            read_rows.append({"conversation_id": conversation_id, "user_id": user_id,
                              "last_read_message_id": read["id"],
                              "read_at": min(now, read["sent_at"] + timedelta(minutes=rng.uniform(0, 600)))})
        if len(message_rows) >= BATCH:
            _flush(counts, conversation_rows, message_rows, read_rows)
    _flush(counts, conversation_rows, message_rows, read_rows)
    return counts


FEEDBACK_MONTHS = 14
THEMES = ["Communication", "Waiting times", "School", "Meetings", "Paperwork", "Being listened to",
          "Transport", "Kindness of staff"]
WORKED_WELL = [
    "The caseworker explained each step and answered our emails quickly.",
    "Being listened to at the meeting made a real difference.",
    "The school and the council worked together for once.",
    "The paperwork was clear and the letters arrived on time.",
]
COULD_BE_BETTER = [
    "We waited weeks without hearing anything. Better communication, please.",
    "The waiting times are far too long for a family in crisis.",
    "Meetings were arranged at short notice during school hours.",
    "Transport to school was not sorted until the term had started.",
    "Too much paperwork, and we had to tell our story again and again.",
]
# Ratings 1 to 5, and the stages where families struggle more: assessing and deciding to issue.
RATING_WEIGHTS = (12, 18, 25, 30, 15)
HARDER_WEIGHTS = (22, 24, 24, 20, 10)
HARDER = {Stage.ASSESSING, Stage.DECIDING_TO_ISSUE}


def _feedback(rng: random.Random, cases: list[dict], staff: int, count: int, today: date, now: datetime) -> int:
    """`count` feedback responses over the last FEEDBACK_MONTHS months, with themes on most
    comments. Family member i (user id staff + i + 1) is the family of case i + 1."""
    if count <= 0:
        return 0
    _batched([{"id": t + 1, "name": name, "created_at": now} for t, name in enumerate(THEMES)], Theme.__table__)
    first = today.replace(day=1)
    months = [first]
    for _ in range(FEEDBACK_MONTHS - 1):
        months.append((months[-1] - timedelta(days=1)).replace(day=1))
    stages = [*PATH, None]
    sources = list(FeedbackSource)
    rows: list[dict] = []
    tags: list[dict] = []
    for feedback_id in range(1, count + 1):
        stage = rng.choice(stages)
        rating = rng.choices(range(1, 6), HARDER_WEIGHTS if stage in HARDER else RATING_WEIGHTS)[0]
        month = rng.choice(months)
        anonymous = rng.random() < 0.4
        case = rng.choice(cases)
        comment = rng.random() < 0.6
        worked_well = rng.choice(WORKED_WELL) if comment and rng.random() < 0.6 else None
        both = worked_well is None or rng.random() < 0.5
        could_be_better = rng.choice(COULD_BE_BETTER) if comment and both else None
        rows.append({
            "id": feedback_id, "rating": rating, "worked_well": worked_well, "could_be_better": could_be_better,
            "stage": stage, "source": rng.choice(sources), "anonymous": anonymous,
            "contact_ok": not anonymous and rng.random() < 0.2, "month": month,
            "user_id": None if anonymous else staff + case["id"], "case_id": None if anonymous else case["id"],
            "given_at": None if anonymous else datetime.combine(month, datetime.min.time(), UTC)
            + timedelta(days=rng.randrange(28), hours=rng.randrange(8, 20)),
            "reply_key": None, "has_comment": comment,
        })
        if comment:
            for theme_id in rng.sample(range(1, len(THEMES) + 1), rng.choice((0, 1, 1, 2))):
                tags.append({"feedback_id": feedback_id, "theme_id": theme_id})
        if len(rows) >= BATCH * 4:
            _batched(rows, Feedback.__table__)
            _batched(tags, FeedbackTheme.__table__)
            rows.clear()
            tags.clear()
    _batched(rows, Feedback.__table__)
    _batched(tags, FeedbackTheme.__table__)
    return count


def _flush(counts: dict[str, int], conversations: list[dict], messages: list[dict], reads: list[dict]) -> None:
    """Write the rows made so far and empty the lists."""
    for name, rows, table in (("conversations", conversations, Conversation.__table__),
                              ("messages", messages, Message.__table__),
                              ("conversation reads", reads, ConversationRead.__table__)):
        _batched(rows, table)
        counts[name] += len(rows)
        rows.clear()


def _user(user_id: int, email: str, role: Role, team_id: int | None, password_hash: str, now: datetime) -> dict:
    return {"id": user_id, "email": email, "name": f"Bench {role.value} {user_id}", "role": role, "team_id": team_id,
            "password_hash": password_hash, "active": True, "failed_sign_ins": 0, "session_version": 1,
            "created_at": now}


def _path_to(stage: Stage) -> list[Stage]:
    """The stages a case passes through to reach `stage`."""
    if stage in PATH:
        return list(PATH[: PATH.index(stage) + 1])
    before = {
        Stage.NOT_ASSESSING: Stage.DECIDING_TO_ASSESS,
        Stage.NOT_ISSUING: Stage.DECIDING_TO_ISSUE,
        Stage.CEASED: Stage.FINAL_PLAN,
        Stage.MOVED_AWAY: Stage.ASSESSING,
        Stage.WITHDRAWN: Stage.DECIDING_TO_ASSESS,
    }[stage]
    return [*_path_to(before), stage]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--messages", type=int, default=None,
                        help=f"messages in conversations (default {MESSAGES_PER_CASE} a case)")
    parser.add_argument("--team-sizes", default="", help="comma-separated cases a team, e.g. 1000,12500 "
                        "(one team per size; --cases is then ignored)")
    parser.add_argument("--feedback", type=int, default=200_000, help="family feedback responses")
    args = parser.parse_args()
    team_sizes = [int(size) for size in args.team_sizes.split(",")] if args.team_sizes else None
    url = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1/portal_bench")
    app = create_app(_config(url))
    with app.app_context():
        upgrade()
        started = time.perf_counter()
        if team_sizes:
            counts = generate(0, team_sizes=team_sizes, messages=args.messages, feedback=args.feedback)
        else:
            counts = generate(args.cases, messages=args.messages, feedback=args.feedback)
        print(f"Generated {counts} in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
