"""A synthetic history for the governance report (issue 14): every figure has a real value (made
from 5 or more) for each of the last 12 months and the current month so far.

Each demo team gets 12 requests a month for the 36 months before today's month and the month
itself, each for a new synthetic child with no family account. Each request follows one of 12
patterns: two refused an assessment, ten assessed, their plans issued 110 to 400 days after the
request (four in ten within 20 weeks), four of them with an exception; then a review every year,
ending in an amended plan, a plan kept as it is or a plan ended. Moves after today are cut off, so
open cases stand at the stage they have reached, some past a legal deadline; a few more are left
at a stage on purpose, so that every open stage has late cases (9 to 120 days late). Phase
transfers; conversations of two synthetic families who are not among the demo sign-ins (about
Jesse in the North and Quinn in the South), with the emails they caused, a few failed, complete it.

Made with bulk inserts, with the fields the services would have set (services.refresh's next
deadline, the stage history in date order, the reply-by dates and working days of reply_by).
Made once: when any history child exists, nothing is added, whatever the day.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, date, datetime, time, timedelta

from flask import current_app, url_for
from sqlalchemy import ColumnElement, bindparam, func, insert, select

from portal.conversations import reply_by
from portal.conversations.models import Conversation, ConversationRead, ConversationStatus, Message, UrgentReason
from portal.conversations.services import STAFF_TITLES, closure_days, targets
from portal.ehcp import milestones
from portal.ehcp.models import Case, PhaseTransfer, StageChange, TimelineException
from portal.ehcp.stages import Stage
from portal.ehcp.timeline import ExceptionType, add_months
from portal.extensions import db
from portal.models import AuditEvent, Child, FamilyLink, Relationship, Role, Team, User
from portal.outbox import OutboxEmail, OutboxStatus
from portal.passwords import hash_password

NORTH, SOUTH = "North SEND team", "South SEND team"
CASEWORKERS = {NORTH: ("caseworker.north@example.org", "manager.north@example.org"),
               SOUTH: ("caseworker.south@example.org",)}
# Two synthetic families, not among the demo sign-ins, whose conversations fill the history, so
# that no demo family's pages are crowded with them.
NORTH_FAMILY = ("history.family.north@example.org", "Ash Archiveson")
SOUTH_FAMILY = ("history.family.south@example.org", "Sky Recordsley")
JESSE = ("Jesse", "Archiveson")  # the North family's child
QUINN = ("Quinn", "Recordsley")  # the South family's child
EMAIL_KEY = "demo:history:"  # how the history's emails' event keys start

FIRST_NAMES = ("Alfie", "Bea", "Cal", "Dina", "Eli", "Fern", "Gus", "Hattie", "Ivo", "Juno", "Kai", "Lola",
               "Milo", "Nell", "Otis", "Pip", "Quin", "Rosa", "Sid", "Tess", "Uma", "Vic", "Wren", "Xan", "Yara",
               "Zeb", "Ari", "Bo", "Cass", "Dex", "Effie", "Finn", "Gia")
# Synthetic surnames, used by this history only: the mark that it has been made.
SURNAMES = ("Historyton", "Sampleworth", "Mockfield", "Fabricombe", "Placeholdby", "Testerley", "Pretendale",
            "Inventhorpe", "Dummerby", "Fauxley", "Simulacrum", "Madeupton", "Archetypa", "Demodale")

MONTHS_BACK = 36
REQUESTS_A_MONTH = 12
REFUSED = (0, 6)  # request patterns refused an assessment; the other 10 are assessed (index j)
DECISION_DAYS = (30, 35, 41, 28, 42, 39, 50, 45, 58, 70, 36, 44)  # by request pattern i
PLAN_DAYS = (110, 122, 131, 140, 175, 240, 320, 370, 385, 400)  # by assessed index j
EXCEPTED = (3, 5, 8, 9)
AMENDED = ((10, 50), (18, 62), (25, 70), (28, 80), (33, 84), (40, 110))  # days after the meeting: proposed, issued
KEPT = {6: 20, 7: 35}  # j: plan kept as it is, days after the meeting
ENDED_AFTER = 26  # j 8 and 9: the plan ended
STUCK = {Stage.REQUEST_RECEIVED: 0, Stage.DECIDING_TO_ASSESS: 1, Stage.DRAFT_PLAN: 4, Stage.FINAL_PLAN: 5,
         Stage.ANNUAL_REVIEW: 6}  # a case left at the stage: how many of pattern 1's moves it made
STUCK_LATE = (9, 20, 50, 70, 120)  # days past the deadline
REASONS = {
    ExceptionType.SCHOOL_CLOSURE: "The school was closed for building work for 5 weeks when we asked for its advice.",
    ExceptionType.EARLY_YEARS_CLOSURE: "The nursery was closed for 4 weeks over the summer when we asked for advice.",
    ExceptionType.PERSONAL_CIRCUMSTANCES: "The family asked us to pause the assessment while the child was in "
                                          "hospital.",
    ExceptionType.AWAY_FROM_AREA: "The family was abroad for 6 weeks to look after a relative.",
}
SUBJECTS = ("Not able to go in this week", "The next review meeting", "A new report from the therapist",
            "Help at lunchtimes", "Changing the named school", "Feeling unsafe on the school bus",
            "Transport to school", "A question about the plan")
URGENT = (0, 5)
REPLY_IN = (1, 13, 11, 9, 6, 2, 4, 3)  # working days to the council's first reply, by subject
FAILING = 3  # one notification to staff in 3 failed on our side
OVERDUE_AGO = (15, 20, 26, 33, 41)  # days ago: Jesse's family still waits for an answer
OVERDUE_SUBJECTS = ("Jesse’s new timetable", "Speech therapy at school", "Jesse’s place at the summer scheme",
                    "The review report", "Who is Jesse’s caseworker now?")
QUESTIONS = ("Hello,\nCould you tell us what happens next, and who we should speak to?\nThank you",
             "We have a new report to share. Where should we send it?",
             "Thank you. One more question: will the school be at the meeting?")
ANSWERS = ("Thank you for your message. The next step is the review meeting; we will send the invitation soon.",
           "Please send it through the portal and we will add it to the case.",
           "Yes, the school’s SENCo will be there. We will write to you after the meeting.")


def history_child() -> ColumnElement[bool]:
    """The condition on Child that picks the history's children."""
    return (Child.last_name.in_(SURNAMES) | ((Child.first_name == JESSE[0]) & (Child.last_name == JESSE[1]))
            | ((Child.first_name == QUINN[0]) & (Child.last_name == QUINN[1])))


def history_summary() -> str:
    """One line for the seed-demo output: the history's cases, which no demo sign-in's family sees."""
    cases = db.session.scalar(select(func.count()).select_from(Case).join(Child, Child.id == Case.child_id)
                              .where(history_child())) or 0
    return (f"{cases} more cases, from {MONTHS_BACK // 12} years of synthetic history, give the governance report "
            "real figures. Staff see them in the caseloads; no demo family does.")


def _moment(day: date, hour: int = 10) -> datetime:
    """That hour in England on `day`, in UTC."""
    return datetime.combine(day, time(hour), reply_by.LONDON).astimezone(UTC)


def _key(*parts: object) -> str:
    return "demo-history-" + hashlib.sha256(":".join(map(str, parts)).encode()).hexdigest()[:40]


def _moves(received: date, i: int) -> list[tuple[Stage, date, date | None, date | None]]:
    """Every move after the request for request pattern `i`: (stage, on, meeting, proposed), the
    last two for a move that ends a review. Uncut: some are after today."""
    day = lambda n: received + timedelta(days=n)  # noqa: E731
    moves = [(Stage.DECIDING_TO_ASSESS, day(2 + i % 4), None, None)]
    if i in REFUSED:
        return [*moves, (Stage.NOT_ASSESSING, day(DECISION_DAYS[i]), None, None)]
    j = i - 1 - (i > REFUSED[1])
    plan = day(PLAN_DAYS[j])
    moves += [(Stage.ASSESSING, day(DECISION_DAYS[i]), None, None),
              (Stage.DECIDING_TO_ISSUE, plan - timedelta(days=35), None, None),
              (Stage.DRAFT_PLAN, plan - timedelta(days=16), None, None), (Stage.FINAL_PLAN, plan, None, None)]
    for _ in range(4):
        start = plan + timedelta(days=310 + 5 * j)
        meeting = start + timedelta(days=21 + j)
        moves.append((Stage.ANNUAL_REVIEW, start, None, None))
        if j < len(AMENDED):
            proposed, plan = (meeting + timedelta(days=n) for n in AMENDED[j])
            moves.append((Stage.FINAL_PLAN, plan, meeting, proposed))
        elif j in KEPT:
            plan = meeting + timedelta(days=KEPT[j])
            moves.append((Stage.FINAL_PLAN, plan, meeting, None))
        else:
            return [*moves, (Stage.CEASED, meeting + timedelta(days=ENDED_AFTER), meeting, None)]
    return moves


def _stuck(today: date, stage: Stage, late: int) -> tuple[date, list]:
    """A case left at `stage`, its deadline `late` days ago: the request date and its moves."""
    due = today - timedelta(days=late)
    if stage in (Stage.FINAL_PLAN, Stage.ANNUAL_REVIEW):  # the review is due 12 months after the plan
        received = add_months(due, -12) - timedelta(days=PLAN_DAYS[0])
    else:  # 6 weeks, or 20 weeks for the final plan
        received = due - timedelta(weeks=20 if stage is Stage.DRAFT_PLAN else 6)
    return received, _moves(received, 1)[:STUCK[stage]]


def seed_history(users: dict[str, User], today: date) -> None:
    """Add the history, once."""
    if db.session.scalar(select(Child.id).where(Child.last_name.in_(SURNAMES)).limit(1)) is not None:
        return
    teams = {team.name: team for team in db.session.scalars(select(Team).where(Team.name.in_((NORTH, SOUTH))))}
    if set(teams) != {NORTH, SOUTH}:
        return
    users = {**users, **_history_families()}
    first_month = add_months(today.replace(day=1), -MONTHS_BACK)
    specs = []  # (team, received, moves, age at request, family, pattern index or -1)
    for name in (NORTH, SOUTH):
        for month in range(MONTHS_BACK + 1):
            start = add_months(first_month, month)
            for i in range(REQUESTS_A_MONTH):
                received = start + timedelta(days=1 + (i * 26) // 11)
                if received <= today:
                    specs.append((name, received, _moves(received, i), 3 + (month + i) % 12, None, i))
        for stage in STUCK:
            for late in STUCK_LATE:
                specs.append((name, *_stuck(today, stage, late), 9, None, -1))
    jesse_received = add_months(today, -40)
    specs.append((NORTH, jesse_received, _moves(jesse_received, 9), 6, JESSE, -1))  # j 7: plans kept
    specs.append((SOUTH, jesse_received, _moves(jesse_received, 9), 7, QUINN, -1))
    cases = _insert_cases(specs, teams, users, today)
    _phase_transfers(cases, today)
    _conversations(cases, users, today)
    db.session.commit()


def _history_families() -> dict[str, User]:
    """The two synthetic family accounts of the history (made once; no one signs in as them)."""
    found = {}
    for email, name in (NORTH_FAMILY, SOUTH_FAMILY):
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None:
            unusable = hash_password(secrets.token_urlsafe(32))  # a password no one knows
            user = User(email=email, name=name, role=Role.FAMILY, password_hash=unusable)
            db.session.add(user)
            db.session.flush()
        found[email] = user
    return found


def _exception_types_to_top_up() -> dict[tuple[int, int], list[ExceptionType]]:
    """For each month with exceptions already (the demo's own), the types the history's exceptions
    that month take first: enough that no type shows as "fewer than 5"."""
    counts: dict[tuple[int, int], dict[ExceptionType, int]] = {}
    for kind, applies in db.session.execute(select(TimelineException.type, TimelineException.applies_from)):
        month = counts.setdefault((applies.year, applies.month), {})
        month[kind] = month.get(kind, 0) + 1
    return {month: [kind for kind, count in found.items() for _ in range(max(5 - count, 1))]
            for month, found in counts.items()}


def _exception_type(applies: date, kinds: dict[tuple[int, int], list[ExceptionType]]) -> ExceptionType:
    """The month's next type to top up, then the last of them; or else the month's type in turn."""
    waiting = kinds.get((applies.year, applies.month))
    if waiting:
        return waiting.pop(0) if len(waiting) > 1 else waiting[0]
    return list(ExceptionType)[(applies.year * 12 + applies.month) % len(ExceptionType)]


def _insert_cases(specs, teams, users, today):
    """Children, cases, stage changes, exceptions and the 'case-opened' audit events, in bulk."""
    children = [{"first_name": family[0] if family else FIRST_NAMES[n % len(FIRST_NAMES)],
                 "last_name": family[1] if family else SURNAMES[n % len(SURNAMES)],
                 "date_of_birth": add_months(received, -12 * age - n % 11), "team_id": teams[name].id}
                for n, (name, received, _moves_, age, family, _i) in enumerate(specs)]
    child_ids = db.session.scalars(insert(Child).returning(Child.id, sort_by_parameter_order=True), children).all()
    rows, changes, exceptions, made = [], [], [], []
    kinds = _exception_types_to_top_up()
    for n, ((name, received, moves, _age, family, i), child_id) in enumerate(zip(specs, child_ids, strict=True)):
        worker = users[CASEWORKERS[name][n % len(CASEWORKERS[name])]]
        kept = [move for move in moves if move[1] <= today]
        row = {"reference": f"H-{n}", "child_id": child_id, "team_id": teams[name].id, "caseworker_id": worker.id,
               "request_received_on": received, "stage": Stage.REQUEST_RECEIVED, "stage_since": received,
               "draft_served_on": None, "final_plan_on": None, "first_final_plan_on": None,
               "review_meeting_on": None, "amendments_proposed_on": None, "has_exception": False,
               "created_at": _moment(received)}
        history = [(None, Stage.REQUEST_RECEIVED, received, None, None)]
        for stage, on, meeting, proposed in kept:
            history.append((row["stage"], stage, on, meeting, proposed))
            row.update(stage=stage, stage_since=on)
            if stage is Stage.DRAFT_PLAN:
                row["draft_served_on"] = on
            elif stage is Stage.FINAL_PLAN:
                row["final_plan_on"] = on
                row["first_final_plan_on"] = row["first_final_plan_on"] or on
            if stage is Stage.ANNUAL_REVIEW:
                row["review_meeting_on"] = row["amendments_proposed_on"] = None
            elif meeting is not None:
                row["review_meeting_on"], row["amendments_proposed_on"] = meeting, proposed
        if row["stage"] is Stage.ANNUAL_REVIEW and len(kept) < len(moves):  # the open review's dates so far
            _stage, _on, meeting, proposed = moves[len(kept)]
            row["review_meeting_on"] = meeting if meeting and meeting <= today else None
            row["amendments_proposed_on"] = proposed if proposed and proposed <= today else None
        if i >= 0 and i not in REFUSED and i - 1 - (i > REFUSED[1]) in EXCEPTED:
            applies = add_months(received.replace(day=1), 2) + timedelta(days=i % 7)
            if applies <= today:
                exceptions.append((n, _exception_type(applies, kinds), applies))
                row["has_exception"] = True
        dates = milestones.CaseDates(**{k: row[k] for k in (
            "stage", "request_received_on", "stage_since", "draft_served_on", "final_plan_on", "review_meeting_on",
            "amendments_proposed_on")})
        row["next_deadline_on"] = milestones.council_deadline(dates)  # as services.refresh sets it
        row["closed"] = row["stage"].is_closed
        rows.append(row)
        changes.append((n, worker.id, history))
        made.append((row, worker, family))
    case_ids = db.session.scalars(insert(Case).returning(Case.id, sort_by_parameter_order=True), rows).all()
    table = Case.__table__
    db.session.execute(table.update().where(table.c.id == bindparam("b_id")).values(reference=bindparam("b_ref")), [
        {"b_id": case_id, "b_ref": f"EHC-{row['request_received_on'].year}-{case_id:05d}"}
        for case_id, row in zip(case_ids, rows, strict=True)])
    db.session.execute(insert(StageChange), [
        {"case_id": case_ids[n], "from_stage": before, "to_stage": after, "effective_on": on, "changed_by_id": worker,
         "review_meeting_on": meeting, "amendments_proposed_on": proposed, "created_at": _moment(on)}
        for n, worker, history in changes for before, after, on, meeting, proposed in history])
    if exceptions:
        db.session.execute(insert(TimelineException), [
            {"case_id": case_ids[n], "type": kind, "reason": REASONS[kind], "applies_from": applies,
             "recorded_by_id": made[n][1].id, "recorded_at": _moment(applies, 15)} for n, kind, applies in exceptions])
    db.session.execute(insert(AuditEvent), [
        {"actor_id": None, "action": "case-opened", "target": f"case:{case_id}", "created_at": row["created_at"]}
        for case_id, row in zip(case_ids, rows, strict=True)])
    return [(case_id, row, worker, family) for case_id, (row, worker, family) in zip(case_ids, made, strict=True)]


def _phase_transfers(cases, today: date) -> None:
    """Children with a plan moving on in September: amended early, on the day, late or not yet."""
    found, used = [], set()
    for year in (today.year - 1, today.year, today.year + 1):
        for post_16, amend_by, offsets in ((False, date(year, 2, 15), (-40, -21, -7, 0, -3, 10, 35, None)),
                                           (True, date(year, 3, 31), (-30, -14, -1, -10, -3, 20, None))):
            for team_id in {row["team_id"] for _id, row, _w, _f in cases}:
                fits = [(case_id, row, worker) for case_id, row, worker, family in cases
                        if case_id not in used and row["team_id"] == team_id and not family
                        and row["first_final_plan_on"] and row["first_final_plan_on"] <= amend_by - timedelta(days=120)
                        and (not row["closed"] or row["stage_since"] > amend_by)]
                for (case_id, row, worker), offset in zip(fits, offsets, strict=False):
                    used.add(case_id)
                    amended = amend_by + timedelta(days=offset) if offset is not None else None
                    recorded = max(row["first_final_plan_on"], amend_by - timedelta(days=150))
                    if recorded > today:
                        continue
                    found.append({"case_id": case_id, "moves_on": date(year, 9, 1), "to_post_16": post_16,
                                  "amend_by": amend_by, "amended_on": amended if amended and amended <= today else None,
                                  "recorded_by_id": worker.id, "recorded_at": _moment(recorded, 11)})
    if found:
        db.session.execute(insert(PhaseTransfer), found)


def _conversations(cases, users: dict[str, User], today: date) -> None:
    """Eight conversations a month for each team, each answered, and five still waiting; the emails
    they caused, delivered but for a few notifications to staff that failed on our side. North:
    Jesse's family; South: Quinn's family."""
    def on_case(child: tuple[str, str], email: str) -> list:
        case_id, row, worker, _family = next(case for case in cases if case[3] == child)
        family = users[email]
        db.session.execute(insert(FamilyLink), [
            {"user_id": family.id, "child_id": row["child_id"], "relationship_to_child": Relationship.PARENT}])
        about = (f"EHC-{row['request_received_on'].year}-{case_id:05d}", child[0], False)
        return [(case_id, row["team_id"], (family,), "parent", worker, row["request_received_on"], None, True, about)]

    north, south = on_case(JESSE, NORTH_FAMILY[0]), on_case(QUINN, SOUTH_FAMILY[0])
    now, closures, aims = datetime.now(UTC), closure_days(), targets()
    conversations, readers, messages, emails = [], [], [], []
    for month in range(13):
        start, to_staff = add_months(today.replace(day=1), month - 12), 0
        for k in range(len(SUBJECTS)):
            for side, options in enumerate((north, south)):
                asked_on = start + timedelta(days=2 + 3 * k - side)
                while not reply_by.is_council_working_day(asked_on, closures):
                    asked_on += timedelta(days=1)
                urgent = k in URGENT
                replied_on = reply_by.add_working_days(asked_on, REPLY_IN[k], closures)
                said = [(0, asked_on, 10), (1, replied_on, 14)]
                if k % 3 == 2:  # the family writes again; a second answer
                    again = replied_on + timedelta(days=2)
                    said += [(0, again, 9), (1, reply_by.add_working_days(again, 1, closures), 16)]
                closed = k % 3 == 0
                last = said[-1][1] + timedelta(days=1 if closed else 0)
                fits = [option for option in options
                        if option[5] <= asked_on and (option[6] is None or last < option[6])]
                # Answered before now and, in the South, before the demo caseworker's absence (3 days ago).
                if not fits or _moment(last, 17) > now or (side and last >= today - timedelta(days=3)):
                    continue
                case_id, team_id, families, title, worker, _opened, _ended, emailed, about = fits[0]
                family = families[k % len(families)]
                said = [((family, worker)[who], on, hour) for who, on, hour in said]
                conversations.append({
                    "case_id": case_id, "team_id": team_id, "subject": SUBJECTS[k], "started_by_id": family.id,
                    "status": ConversationStatus.CLOSED if closed else ConversationStatus.WAITING_FOR_FAMILY,
                    "urgent": urgent,
                    "urgent_reason": (UrgentReason.OUT_OF_EDUCATION, UrgentReason.SAFETY)[k // 5] if urgent else None,
                    "started_at": _moment(asked_on), "waiting_since": None, "reply_due_on": None,
                    "last_message_at": _moment(said[-1][1], said[-1][2]), "message_count": len(said),
                    "first_reply_at": _moment(replied_on, 14),
                    "first_reply_working_days": reply_by.working_days_between(asked_on, replied_on, closures),
                    "closed_at": _moment(last, 15) if closed else None, "closed_by_id": worker.id if closed else None,
                })
                readers.append((family.id, worker.id))
                waited = asked_on
                for index, (author, on, hour) in enumerate(said):
                    staff = author is worker
                    due = reply_by.reply_due(waited, urgent, aims, closures) if staff else None
                    key = _key(case_id, start, k, index)
                    messages.append((len(conversations) - 1, {
                        "author_id": author.id, "author_title": STAFF_TITLES[worker.role] if staff else title,
                        "from_council": staff, "body": (ANSWERS if staff else QUESTIONS)[(k + index // 2) % 3],
                        "sent_at": _moment(on, hour), "submission_key": key, "answered_due_on": due,
                        "working_days_late": reply_by.working_days_late(due, on, closures) if staff else None,
                    }))
                    waited = waited if staff else on
                    if not emailed:
                        continue
                    to_staff += not staff
                    failed = not staff and to_staff % FAILING == 1  # the month's 1st, 4th, 7th ...
                    reason = conversations[-1]["urgent_reason"]
                    emails.append((len(conversations) - 1, _email(
                        key, family if staff else worker, case_id, about, _moment(on, hour), failed,
                        None if staff else (urgent, reason, reply_by.reply_due(on, urgent, aims, closures)))))
    jesse_id, _team_id, (jesse_family,), _title, jesse_worker, *_rest, jesse_about = north[0]
    jesse = next(row for case_id, row, _worker, _family in cases if case_id == jesse_id)
    for n, ago in enumerate(OVERDUE_AGO):  # still waiting, past the reply-by date
        family, asked = jesse_family, _moment(today - timedelta(days=ago), 11)
        if asked > now or reply_by.local_date(asked) < jesse["request_received_on"]:
            continue
        conversations.append({
            "case_id": jesse_id, "team_id": jesse["team_id"], "subject": OVERDUE_SUBJECTS[n],
            "started_by_id": family.id, "status": ConversationStatus.WAITING_FOR_COUNCIL, "urgent": False,
            "urgent_reason": None, "started_at": asked, "waiting_since": asked,
            "reply_due_on": reply_by.reply_due(reply_by.local_date(asked), False, aims, closures),
            "last_message_at": asked, "message_count": 1, "first_reply_at": None, "first_reply_working_days": None,
            "closed_at": None, "closed_by_id": None,
        })
        readers.append((family.id,))
        key = _key(jesse_id, "waiting", n)
        messages.append((len(conversations) - 1, {
            "author_id": family.id, "author_title": "carer", "from_council": False, "body": QUESTIONS[n % 3],
            "sent_at": asked, "submission_key": key, "answered_due_on": None, "working_days_late": None}))
        emails.append((len(conversations) - 1, _email(
            key, jesse_worker, jesse_id, jesse_about, asked, False, (False, None, conversations[-1]["reply_due_on"]))))
    if not conversations:
        return
    ids = db.session.scalars(insert(Conversation).returning(Conversation.id, sort_by_parameter_order=True),
                             conversations).all()
    message_ids = db.session.scalars(insert(Message).returning(Message.id, sort_by_parameter_order=True),
                                     [{**row, "conversation_id": ids[n]} for n, row in messages]).all()
    last = {n: (message_id, row["sent_at"]) for (n, row), message_id in zip(messages, message_ids, strict=True)}
    table = Conversation.__table__
    pointed = table.update().where(table.c.id == bindparam("b_id")).values(last_message_id=bindparam("b_last"))
    db.session.execute(pointed, [{"b_id": ids[n], "b_last": message_id} for n, (message_id, _at) in last.items()])
    db.session.execute(insert(ConversationRead), [
        {"conversation_id": ids[n], "user_id": user_id, "last_read_message_id": message_id, "read_at": at}
        for n, (message_id, at) in last.items() for user_id in readers[n]])
    with current_app.test_request_context():  # the links the emails had, as notify makes them
        base = current_app.config["PORTAL_BASE_URL"].rstrip("/")
        settings = base + url_for("auth.email_settings")
        for n, email in emails:
            endpoint = "conversations.family_conversation" if email["template"].endswith("family") else (
                "conversations.staff_conversation")
            email["context"]["link"] = base + url_for(endpoint, conversation_id=ids[n])
            if "about" in email["context"]:
                email["context"]["settings_link"] = settings
    db.session.execute(insert(OutboxEmail), [email for _n, email in emails])


def _email(key: str, to: User, case_id: int, about: tuple[str, str, bool], at: datetime, failed: bool,
           to_staff: tuple[bool, UrgentReason | None, date] | None) -> dict:
    """A notification of a message, final (delivered, or failed on our side), with the words and
    context notify would have given it; its link is added once the conversation has its id."""
    reference, first_name, young_person = about
    if to_staff is None:
        words = "your EHC needs assessment or plan" if young_person else f"{first_name}’s EHC needs assessment or plan"
        subject, template, context = f"You have a new message about {words}", "message_to_family", {"about": words}
    else:
        urgent, reason, due = to_staff
        subject = f"{'Urgent: a' if urgent else 'A'} family has sent a message about case {reference}"
        template = "message_to_staff"
        context = {"reference": reference, "child_first_name": first_name, "urgent": urgent,
                   "urgent_reason": reason.short if reason else None, "reply_due": milestones.long_date(due),
                   "covering": None}
    return {
        "event_key": f"{EMAIL_KEY}{key}", "to_email": to.email, "user_id": to.id, "case_id": case_id,
        "template": template, "subject": subject, "context": context,
        "status": OutboxStatus.TECHNICAL_FAILURE if failed else OutboxStatus.DELIVERED, "attempts": 1,
        "last_error": "technical: the email provider could not be reached" if failed else None,
        "created_at": at, "next_attempt_at": at, "sent_at": at + timedelta(minutes=1),
        "status_changed_at": at + timedelta(minutes=3),
    }
