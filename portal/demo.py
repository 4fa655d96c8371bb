"""Synthetic demo data: made-up people at reserved example.org addresses. Never real data.

Every case date is counted back from today, so that whenever the demo is loaded it shows cases
on time, due soon and late, at every stage. Each demo child's cases are created only when that
child has no case yet: running `seed()` again, on any later day, adds nothing. No notification
is queued for the seeded history; only the draft plan email to Ben's second parent, which
bounced, and its delivered twin are there (final, so the worker sends neither), so that the
"Family not reached" flag and the failed emails page have something to show. The demo
conversations, and the away caseworker, are in demo_conversations.py; the requests waiting in the
team's request inbox in demo_requests.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from flask import current_app
from sqlalchemy import func, select, tuple_

from portal.demo_conversations import seed_conversations
from portal.demo_feedback import seed_feedback
from portal.demo_governance import seed_history
from portal.demo_requests import seed_requests
from portal.ehcp import milestones, phase_transfer, services
from portal.ehcp.models import (
    AdviceProvider,
    AdviceRequest,
    Case,
    CaseNote,
    PhaseTransfer,
    StageChange,
    TimelineException,
)
from portal.ehcp.stages import Stage
from portal.ehcp.timeline import ExceptionType, add_months, advice_due
from portal.extensions import db
from portal.models import Child, FamilyLink, Invitation, Relationship, Role, Team, User
from portal.outbox import OutboxEmail, OutboxStatus, queue_email
from portal.passwords import hash_password
from portal.tokens import new_token

DEMO_PASSWORD = "demo harbour kettle lantern"

NORTH = "North SEND team"
SOUTH = "South SEND team"
TEAMS = (NORTH, SOUTH)

MANAGER_NORTH = "manager.north@example.org"
CASEWORKER_NORTH = "caseworker.north@example.org"
CASEWORKER_SOUTH = "caseworker.south@example.org"
# Who records the changes on a team's unassigned cases.
TEAM_RECORDER = {NORTH: MANAGER_NORTH, SOUTH: CASEWORKER_SOUTH}


@dataclass(frozen=True)
class DemoAccount:
    email: str
    name: str
    role: Role
    team: str | None = None


ACCOUNTS = (
    DemoAccount("admin@example.org", "Alex Admin", Role.ADMIN),
    DemoAccount(MANAGER_NORTH, "Morgan Manager", Role.MANAGER, NORTH),
    DemoAccount(CASEWORKER_NORTH, "Casey Worker", Role.CASEWORKER, NORTH),
    DemoAccount(CASEWORKER_SOUTH, "Sam Southern", Role.CASEWORKER, SOUTH),
    DemoAccount("coproduction@example.org", "Chris Coproduction", Role.COPRODUCTION),
    DemoAccount("board@example.org", "Bobbie Board", Role.BOARD),
    DemoAccount("parent.two.children@example.org", "Pat Parentson", Role.FAMILY),
    DemoAccount("carer.one@example.org", "Jordan Carerton", Role.FAMILY),
    DemoAccount("carer.two@example.org", "Riley Carerton", Role.FAMILY),
    DemoAccount("young.person@example.org", "Taylor Youngperson", Role.FAMILY),
    DemoAccount("young.adult@example.org", "Rowan Makebelieve", Role.FAMILY),
)


# --- How a demo case is described: days counted back from today ------------------------------


def weeks(count: int, days: int = 0) -> int:
    """A number of days: `weeks(9)` ago is 63 days ago."""
    return 7 * count + days


@dataclass(frozen=True)
class Step:
    """A move to `stage`, `ago` days before today, with the notes recorded with it."""

    stage: Stage
    ago: int
    family_note: str | None = None
    staff_note: str | None = None


@dataclass(frozen=True)
class Advice:
    provider: AdviceProvider
    requested_ago: int
    received_ago: int | None = None  # None: still outstanding


@dataclass(frozen=True)
class Excepted:
    """An exception to the time limits (reg 10(4)); the reason is shown to the family."""

    type: ExceptionType
    reason: str
    from_ago: int


@dataclass(frozen=True)
class Note:
    """A staff-only case note."""

    ago: int
    text: str


@dataclass(frozen=True)
class DemoCase:
    received_ago: int
    # The moves after "Request received", oldest first.
    steps: tuple[Step, ...] = ()
    caseworker: str | None = None  # a demo caseworker of the child's team; None: unassigned
    reassessment: bool = False
    review_meeting_ago: int | None = None  # negative: a meeting still to come
    amendments_ago: int | None = None
    expected_in: int | None = None  # the caseworker's expected date, days from today
    delay_reason: str | None = None  # needed (and shown to the family) when expected is past the deadline
    exceptions: tuple[Excepted, ...] = ()
    advice: tuple[Advice, ...] = ()
    notes: tuple[Note, ...] = ()
    # A move from school to college or training in the next September whose amended plan is still
    # to come (a phase transfer): the family sees the council's duty and its date.
    moves_to_post_16: bool = False


@dataclass(frozen=True)
class DemoChild:
    first_name: str
    last_name: str
    team: str
    cases: tuple[DemoCase, ...] = ()
    family: tuple[tuple[str, Relationship], ...] = ()
    born: date | None = None  # a fixed date of birth; otherwise `age` counted back from today
    age: tuple[int, int] = (0, 0)  # years, months

    def date_of_birth(self, today: date) -> date:
        years, months = self.age
        return self.born or add_months(today, -(12 * years + months))


EP = AdviceProvider.EDUCATIONAL_PSYCHOLOGIST
SCHOOL = AdviceProvider.EDUCATION
HEALTH = AdviceProvider.HEALTH
SOCIAL_CARE = AdviceProvider.SOCIAL_CARE


def _received_advice(requested_ago: int, *received_ago: int) -> tuple[Advice, ...]:
    """Educational psychologist, school and health advice, asked for together, all received."""
    return tuple(Advice(p, requested_ago, r) for p, r in zip((EP, SCHOOL, HEALTH), received_ago, strict=True))


CHILDREN: tuple[DemoChild, ...] = (
    # --- The demo families' children -------------------------------------------------------
    DemoChild(
        "Amara", "Parentson", NORTH, born=date(2016, 3, 14),
        family=(("parent.two.children@example.org", Relationship.PARENT),),
        cases=(DemoCase(
            weeks(10), caseworker=CASEWORKER_NORTH, expected_in=weeks(4),
            steps=(
                Step(Stage.DECIDING_TO_ASSESS, 68,
                     "We have started to look at the request and the evidence sent with it."),
                Step(Stage.ASSESSING, 37,
                     "We have decided to carry out an EHC needs assessment. We have asked professionals "
                     "for their advice.",
                     "Staff only: panel agreed to assess. EP, school and health advice requested the same day."),
            ),
            advice=(Advice(EP, 37, 9), Advice(SCHOOL, 37, 20), Advice(HEALTH, 37)),
        ),),
    ),
    DemoChild(
        "Ben", "Parentson", NORTH, born=date(2019, 9, 2),
        family=(("parent.two.children@example.org", Relationship.PARENT),),
        cases=(DemoCase(
            weeks(18, 2), caseworker=CASEWORKER_NORTH,
            steps=(
                Step(Stage.DECIDING_TO_ASSESS, 126),
                Step(Stage.ASSESSING, 90, "We have decided to carry out an EHC needs assessment."),
                Step(Stage.DECIDING_TO_ISSUE, 40, "We have all the advice and are deciding whether Ben needs a plan."),
                Step(Stage.DRAFT_PLAN, 5,
                     "We have sent you Ben’s draft EHC plan. Please send us your comments and the name of the "
                     "school you want by the date shown."),
            ),
            advice=(*_received_advice(90, 50, 62, 47), Advice(SOCIAL_CARE, 90, 55)),
            notes=(Note(4, "Staff only: parent prefers phone calls after 3pm. Consult the named school as soon "
                           "as the comments are in."),),
        ),),
    ),
    DemoChild(
        "Cleo", "Carerton", NORTH, born=date(2012, 6, 30),
        family=(("carer.one@example.org", Relationship.CARER), ("carer.two@example.org", Relationship.CARER)),
        # Late, and the carers not yet told why: the decision was due 6 weeks after the request.
        cases=(DemoCase(
            weeks(7), caseworker=MANAGER_NORTH,
            steps=(Step(Stage.DECIDING_TO_ASSESS, weeks(6, 5),
                        "We have both carers’ views with the request. We will write to you with our decision."),),
        ),),
    ),
    DemoChild(
        "Taylor", "Youngperson", SOUTH, born=date(2007, 1, 20),
        family=(("young.person@example.org", Relationship.YOUNG_PERSON),),
        cases=(DemoCase(
            940, caseworker=CASEWORKER_SOUTH, review_meeting_ago=40, amendments_ago=30, moves_to_post_16=True,
            steps=(
                Step(Stage.DECIDING_TO_ASSESS, 938),
                Step(Stage.ASSESSING, 905, "We have decided to carry out an EHC needs assessment."),
                Step(Stage.DECIDING_TO_ISSUE, 840),
                Step(Stage.DRAFT_PLAN, 815, "We have sent you your draft EHC plan to comment on."),
                Step(Stage.FINAL_PLAN, 800, "Your final EHC plan is ready. It names the sixth form you chose."),
                Step(Stage.ANNUAL_REVIEW, 450),
                Step(Stage.FINAL_PLAN, 400, "Your plan has been updated after your annual review."),
                Step(Stage.ANNUAL_REVIEW, 63,
                     "It is time for your annual review. We will invite you to a meeting to talk about your "
                     "plan and your move to college.",
                     "Staff only: Taylor asked that letters go to them, not to their parents."),
            ),
        ),),
    ),
    DemoChild(
        "Dev", "Nofamily", SOUTH, born=date(2014, 11, 5),
        cases=(
            DemoCase(
                1500, caseworker=CASEWORKER_SOUTH,
                steps=(
                    Step(Stage.DECIDING_TO_ASSESS, 1498),
                    Step(Stage.ASSESSING, 1465),
                    Step(Stage.DECIDING_TO_ISSUE, 1400),
                    Step(Stage.DRAFT_PLAN, 1380),
                    Step(Stage.FINAL_PLAN, 1365),
                    Step(Stage.ANNUAL_REVIEW, 1020),
                    Step(Stage.FINAL_PLAN, 990),
                    Step(Stage.MOVED_AWAY, 760, "Dev’s family moved to another council’s area. We sent Dev’s "
                                                "plan to the new council."),
                ),
            ),
            # Back in the county with a plan from another council: a re-assessment (reg 27, 14 weeks).
            DemoCase(
                weeks(12, 2), caseworker=CASEWORKER_SOUTH, reassessment=True,
                steps=(
                    Step(Stage.DECIDING_TO_ASSESS, 85, "Dev’s family has moved back to the county. We are "
                                                       "looking again at Dev’s needs."),
                    Step(Stage.ASSESSING, 70, "We are re-assessing Dev’s needs and have asked for advice."),
                    Step(Stage.DECIDING_TO_ISSUE, 9),
                ),
                advice=_received_advice(70, 20, 25, 30),
            ),
        ),
    ),
    # --- Synthetic children with no family account -------------------------------------------
    DemoChild("Ava", "Sampleton", NORTH, age=(4, 2), cases=(DemoCase(3),)),
    DemoChild(
        "Noah", "Exampleford", SOUTH, age=(13, 5),
        cases=(DemoCase(8, notes=(Note(7, "Staff only: request came from the school SENCo. The parent’s "
                                          "consent form is on file."),)),),
    ),
    DemoChild(
        "Isla", "Demoworth", NORTH, age=(6, 3),
        cases=(DemoCase(
            weeks(9), caseworker=CASEWORKER_NORTH,
            steps=(Step(Stage.DECIDING_TO_ASSESS, 60, staff_note="Staff only: goes to the next decision panel."),),
            notes=(Note(10, "Staff only: the panel deferred this decision twice. Escalated to the service manager."),),
        ),),
    ),
    DemoChild(
        "Leo", "Mockridge", SOUTH, age=(9, 1),
        cases=(DemoCase(
            weeks(7), caseworker=CASEWORKER_SOUTH,
            steps=(Step(Stage.DECIDING_TO_ASSESS, 47),),
            exceptions=(Excepted(ExceptionType.PERSONAL_CIRCUMSTANCES,
                                 "A close family member died and the family asked us to pause contact for a "
                                 "few weeks.", 35),),
        ),),
    ),
    DemoChild(
        "Freya", "Pretendon", SOUTH, age=(2, 4),
        cases=(DemoCase(
            weeks(5, 2), caseworker=CASEWORKER_SOUTH, expected_in=10,
            delay_reason="The panel that decides on requests meets after the legal date this time. We will write "
                         "to you with the decision the day after it meets.",
            steps=(Step(Stage.DECIDING_TO_ASSESS, 35, "Freya’s nursery sent us its evidence. We are now deciding "
                                                      "whether to assess."),),
        ),),
    ),
    DemoChild(
        "Zain", "Imagineham", NORTH, age=(7, 8),
        cases=(DemoCase(weeks(4, 3), steps=(Step(Stage.DECIDING_TO_ASSESS, 30),)),),
    ),
    DemoChild(
        "Maya", "Inventley", NORTH, age=(11, 0),
        cases=(DemoCase(
            weeks(12), caseworker=CASEWORKER_NORTH,
            steps=(
                Step(Stage.DECIDING_TO_ASSESS, 82),
                Step(Stage.NOT_ASSESSING, 44,
                     "We have decided not to carry out an EHC needs assessment. Our letter explains why, how "
                     "Maya’s school will support her, and how to ask for mediation or appeal.",
                     "Staff only: panel felt SEN support at school had not been tried for long enough."),
            ),
        ),),
    ),
    DemoChild(
        "Oscar", "Fictionby", NORTH, age=(8, 6),
        cases=(DemoCase(
            weeks(17), caseworker=CASEWORKER_NORTH, expected_in=21,
            delay_reason="We are still waiting for advice from the educational psychologist. We expect to make our "
                         "decision within 3 weeks.",
            steps=(
                Step(Stage.DECIDING_TO_ASSESS, 117),
                Step(Stage.ASSESSING, 77, "We have decided to carry out an EHC needs assessment."),
            ),
            advice=(Advice(EP, 77), Advice(SCHOOL, 77, 30), Advice(HEALTH, 77, 40)),
            exceptions=(Excepted(ExceptionType.SCHOOL_CLOSURE,
                                 "Oscar’s school was closed for building work for 5 weeks when we asked for its "
                                 "advice.", 77),),
            notes=(Note(6, "Staff only: chased the EP service again. They have offered a visit next week."),),
        ),),
    ),
    DemoChild(
        "Hana", "Specimenby", SOUTH, age=(15, 2),
        cases=(DemoCase(
            weeks(15, 3), caseworker=CASEWORKER_SOUTH,
            steps=(Step(Stage.DECIDING_TO_ASSESS, 106), Step(Stage.ASSESSING, 70)),
            advice=_received_advice(70, 28, 35, 30),
        ),),
    ),
    DemoChild(
        "Arlo", "Dummington", SOUTH, age=(5, 9),
        cases=(DemoCase(
            weeks(8),
            steps=(Step(Stage.DECIDING_TO_ASSESS, 55), Step(Stage.ASSESSING, 21)),
            advice=(Advice(EP, 21), Advice(SCHOOL, 21), Advice(HEALTH, 20, 6)),
            notes=(Note(2, "Staff only: the previous caseworker has left. This case needs a new caseworker."),),
        ),),
    ),
    DemoChild(
        "Ruby", "Placeholder", NORTH, age=(3, 6),
        cases=(DemoCase(
            weeks(18), caseworker=CASEWORKER_NORTH,
            steps=(
                Step(Stage.DECIDING_TO_ASSESS, 124),
                Step(Stage.ASSESSING, 84),
                Step(Stage.DECIDING_TO_ISSUE, 14, "We have all the advice and are deciding whether Ruby needs "
                                                  "a plan."),
            ),
            advice=(Advice(SCHOOL, 84, 20), Advice(EP, 84, 45), Advice(HEALTH, 84, 44)),
            exceptions=(Excepted(ExceptionType.EARLY_YEARS_CLOSURE,
                                 "Ruby’s nursery was closed for 6 weeks when we asked for its advice.", 84),),
        ),),
    ),
    DemoChild(
        "Ivy", "Trialsworth", NORTH, age=(10, 4),
        cases=(DemoCase(
            weeks(14, 1), caseworker=MANAGER_NORTH,
            steps=(Step(Stage.DECIDING_TO_ASSESS, 97), Step(Stage.ASSESSING, 60), Step(Stage.DECIDING_TO_ISSUE, 6)),
            advice=_received_advice(60, 15, 22, 12),
        ),),
    ),
    DemoChild(
        "Omar", "Draftbury", SOUTH, age=(12, 7),
        cases=(DemoCase(
            weeks(20), caseworker=CASEWORKER_SOUTH,
            steps=(
                Step(Stage.DECIDING_TO_ASSESS, 138),
                Step(Stage.ASSESSING, 100),
                Step(Stage.DECIDING_TO_ISSUE, 50),
                Step(Stage.NOT_ISSUING, 36,
                     "We have decided not to issue an EHC plan. Our letter explains how Omar’s needs can be met "
                     "with support at school, and how to ask for mediation or appeal."),
            ),
            advice=_received_advice(100, 58, 62, 55),
        ),),
    ),
    DemoChild(
        "Poppy", "Protoley", SOUTH, age=(14, 0),
        cases=(DemoCase(
            weeks(23), caseworker=CASEWORKER_SOUTH, expected_in=10,
            delay_reason="The school you asked for needs more time to reply to us. We expect to issue the final "
                         "plan within 2 weeks.",
            steps=(
                Step(Stage.DECIDING_TO_ASSESS, 159),
                Step(Stage.ASSESSING, 120),
                Step(Stage.DECIDING_TO_ISSUE, 60),
                Step(Stage.DRAFT_PLAN, 30, "We have sent you Poppy’s draft EHC plan."),
            ),
            advice=_received_advice(120, 80, 75, 84),
            notes=(Note(3, "Staff only: chased the school’s consultation reply. The head teacher is on leave "
                           "until next week."),),
        ),),
    ),
    DemoChild(
        "Felix", "Modelton", NORTH, age=(11, 3),
        cases=(DemoCase(
            weeks(40), caseworker=CASEWORKER_NORTH,
            steps=(
                Step(Stage.DECIDING_TO_ASSESS, 278),
                Step(Stage.ASSESSING, 240),
                Step(Stage.DECIDING_TO_ISSUE, 180),
                Step(Stage.NOT_ISSUING, 170, "We have decided not to issue an EHC plan. Our letter explains how "
                                             "to ask for mediation or appeal."),
                Step(Stage.DRAFT_PLAN, 20,
                     "After mediation, we have agreed to issue an EHC plan for Felix. We have sent you the draft.",
                     "Staff only: agreed at mediation. The family has withdrawn its tribunal appeal."),
            ),
            advice=_received_advice(240, 200, 190, 205),
        ),),
    ),
    DemoChild(
        "Esme", "Pilotson", NORTH, age=(16, 1),
        cases=(DemoCase(
            weeks(34), caseworker=MANAGER_NORTH,
            steps=(
                Step(Stage.DECIDING_TO_ASSESS, 236),
                Step(Stage.ASSESSING, 200),
                Step(Stage.DECIDING_TO_ISSUE, 120),
                Step(Stage.DRAFT_PLAN, 85),
                Step(Stage.FINAL_PLAN, 70, "Esme’s final EHC plan is ready."),
            ),
            advice=_received_advice(200, 150, 160, 130),
            exceptions=(Excepted(ExceptionType.AWAY_FROM_AREA,
                                 "The family was away from the area for 6 weeks to care for a relative, so the "
                                 "assessment could not go ahead.", 180),),
        ),),
    ),
    DemoChild(
        "Jude", "Testwell", SOUTH, age=(13, 10),
        cases=(DemoCase(
            490, caseworker=CASEWORKER_SOUTH,
            steps=(
                Step(Stage.DECIDING_TO_ASSESS, 488),
                Step(Stage.ASSESSING, 450),
                Step(Stage.DECIDING_TO_ISSUE, 380),
                Step(Stage.DRAFT_PLAN, 370),
                Step(Stage.FINAL_PLAN, 355, "Jude’s final EHC plan is ready."),
            ),
        ),),
    ),
    DemoChild(
        "Nia", "Exemplarby", NORTH, age=(17, 5),
        cases=(DemoCase(
            582,
            steps=(
                Step(Stage.DECIDING_TO_ASSESS, 580),
                Step(Stage.ASSESSING, 545),
                Step(Stage.DECIDING_TO_ISSUE, 470),
                Step(Stage.DRAFT_PLAN, 430),
                Step(Stage.FINAL_PLAN, 400, "Nia’s final EHC plan is ready."),
            ),
            notes=(Note(1, "Staff only: annual review overdue and the caseworker post is vacant. Manager to "
                           "allocate."),),
        ),),
    ),
    DemoChild(
        "Lila", "Storyton", NORTH, age=(8, 0),
        cases=(DemoCase(
            540, caseworker=CASEWORKER_NORTH, review_meeting_ago=35,
            steps=(
                Step(Stage.DECIDING_TO_ASSESS, 538),
                Step(Stage.ASSESSING, 505),
                Step(Stage.DECIDING_TO_ISSUE, 430),
                Step(Stage.DRAFT_PLAN, 415),
                Step(Stage.FINAL_PLAN, 400),
                Step(Stage.ANNUAL_REVIEW, 60, "It is time for Lila’s annual review. We will invite you to the "
                                              "review meeting.",
                     "Staff only: waiting for the school’s review report before we decide."),
            ),
        ),),
    ),
    DemoChild(
        "Theo", "Exampleton", SOUTH, age=(4, 7),
        cases=(DemoCase(
            350, caseworker=CASEWORKER_SOUTH, review_meeting_ago=-14,
            steps=(
                Step(Stage.DECIDING_TO_ASSESS, 348),
                Step(Stage.ASSESSING, 315),
                Step(Stage.DECIDING_TO_ISSUE, 240),
                Step(Stage.DRAFT_PLAN, 225),
                Step(Stage.FINAL_PLAN, 212),
                Step(Stage.ANNUAL_REVIEW, 20, "Theo is under 5, so we review the plan every 6 months. We have "
                                              "sent you an invitation to the review meeting."),
            ),
        ),),
    ),
    DemoChild(
        "Sofia", "Demoson", NORTH, age=(20, 2),
        cases=(DemoCase(
            800, caseworker=MANAGER_NORTH, review_meeting_ago=70, amendments_ago=63, expected_in=14,
            delay_reason="We are waiting for the new college to confirm it can meet Sofia’s needs. We expect to "
                         "send the amended plan within 2 weeks.",
            steps=(
                Step(Stage.DECIDING_TO_ASSESS, 798),
                Step(Stage.ASSESSING, 760),
                Step(Stage.DECIDING_TO_ISSUE, 690),
                Step(Stage.DRAFT_PLAN, 680),
                Step(Stage.FINAL_PLAN, 665),
                Step(Stage.ANNUAL_REVIEW, 330),
                Step(Stage.FINAL_PLAN, 300),
                Step(Stage.ANNUAL_REVIEW, 90, "Sofia asked for an early review because her college course is "
                                              "changing."),
            ),
        ),),
    ),
    DemoChild(
        "Rowan", "Makebelieve", SOUTH, age=(24, 3),
        family=(("young.adult@example.org", Relationship.YOUNG_PERSON),),
        cases=(DemoCase(
            1100, caseworker=CASEWORKER_SOUTH,
            steps=(
                Step(Stage.DECIDING_TO_ASSESS, 1098),
                Step(Stage.ASSESSING, 1060),
                Step(Stage.DECIDING_TO_ISSUE, 1000),
                Step(Stage.DRAFT_PLAN, 985),
                Step(Stage.FINAL_PLAN, 970),
                Step(Stage.ANNUAL_REVIEW, 620),
                Step(Stage.FINAL_PLAN, 605),
                Step(Stage.ANNUAL_REVIEW, 250),
                Step(Stage.FINAL_PLAN, 235),
                Step(Stage.ANNUAL_REVIEW, 50),
                Step(Stage.CEASED, 21,
                     "Your plan has ended because you have finished education and started a full-time job. "
                     "You can appeal this decision within 2 months."),
            ),
        ),),
    ),
    DemoChild(
        "Yusuf", "Mockupson", NORTH, age=(6, 11),
        cases=(DemoCase(
            100, caseworker=CASEWORKER_NORTH,
            steps=(
                Step(Stage.DECIDING_TO_ASSESS, 98),
                Step(Stage.ASSESSING, 60),
                Step(Stage.MOVED_AWAY, 28, "Yusuf’s family has moved to another council’s area. We have sent the "
                                           "assessment so far to the new council, which will carry on with it."),
            ),
            advice=(Advice(EP, 60, 30), Advice(SCHOOL, 60, 35)),
        ),),
    ),
    DemoChild(
        "Kit", "Templatewood", SOUTH, age=(9, 5),
        cases=(DemoCase(
            75,
            steps=(
                Step(Stage.DECIDING_TO_ASSESS, 73),
                Step(Stage.WITHDRAWN, 50, "You told us you wanted to withdraw the request because Kit’s school "
                                          "has put extra support in place. You can make a new request at any time."),
            ),
        ),),
    ),
)


# --- Seeding ----------------------------------------------------------------------------------


def seed(today: date | None = None) -> list[DemoAccount]:
    """Create or update the demo data. Safe to run again, on any day: nothing is duplicated."""
    today = today or date.today()
    teams = {}
    for name in TEAMS:
        team = db.session.scalar(select(Team).where(Team.name == name)) or Team(name=name)
        db.session.add(team)
        teams[name] = team
    password_hash = hash_password(DEMO_PASSWORD)
    users = {}
    for account in ACCOUNTS:
        user = db.session.scalar(select(User).where(User.email == account.email))
        if user is None:
            user = User(email=account.email, name=account.name, role=account.role, password_hash=password_hash)
            if account.role is Role.FAMILY:
                # A last visit four weeks ago: the dashboard shows what has happened since.
                user.updates_seen_at = _moment(today - timedelta(weeks=4))
            db.session.add(user)
        user.team = teams[account.team] if account.team else None
        users[account.email] = user
    db.session.flush()
    for spec in CHILDREN:
        # A demo child is known by name: the synthetic surnames are unique to the demo.
        child = db.session.scalar(
            select(Child)
            .where(Child.first_name == spec.first_name, Child.last_name == spec.last_name)
            .order_by(Child.id)
            .limit(1)
        )
        if child is None:
            child = Child(
                first_name=spec.first_name,
                last_name=spec.last_name,
                date_of_birth=spec.date_of_birth(today),
                team=teams[spec.team],
            )
            db.session.add(child)
            db.session.flush()
        for email, relationship in spec.family:
            user = users[email]
            exists = db.session.scalar(
                select(FamilyLink).where(FamilyLink.user_id == user.id, FamilyLink.child_id == child.id)
            )
            if exists is None:
                db.session.add(FamilyLink(user=user, child=child, relationship_to_child=relationship))
        # The stable key for a child's demo cases is the child: once it has any case, add none.
        if db.session.scalar(select(Case.id).where(Case.child_id == child.id).limit(1)) is None:
            for case_spec in spec.cases:
                _build_case(child, spec, case_spec, users, today)
        if spec.first_name == LINK_REQUEST_CHILD:
            _link_request(child, users)
        if spec.first_name == NOT_REACHED_CHILD:
            _not_reached(child, users, password_hash)
    db.session.commit()
    seed_conversations(users, today)
    seed_requests(users, MANAGER_NORTH, today)
    seed_feedback(users, LINK_REQUEST_EMAIL, today)
    seed_history(users, today)
    return list(ACCOUNTS)


# A request to link a child to an account that already exists, waiting for its holder to answer:
# the demo parent can accept it, or say it is not their child (as after a typo in an email).
LINK_REQUEST_CHILD = "Cleo"
LINK_REQUEST_EMAIL = "parent.two.children@example.org"


def _link_request(child: Child, users: dict[str, User]) -> None:
    asked = db.session.scalar(
        select(Invitation.id).where(Invitation.email == LINK_REQUEST_EMAIL, Invitation.child_id == child.id)
    )
    if asked is None:
        now = datetime.now(UTC)
        invitation = Invitation(
            email=LINK_REQUEST_EMAIL, name=users[LINK_REQUEST_EMAIL].name, role=Role.FAMILY, child=child,
            relationship_to_child=Relationship.PARENT, token_hash=new_token()[1], invited_by=users[MANAGER_NORTH],
            expires_at=now + timedelta(days=7), last_sent_at=now,
        )
        db.session.add(invitation)
        db.session.flush()
        # The email the team's request sends, left for the worker: `make run` delivers it to
        # instance/mail/ (once: the invitation is made once, and its event key is unique).
        queue_email(
            LINK_REQUEST_EMAIL, "A SEND team has asked to link a child to your account", "link_request",
            event_key=f"demo:link-request:{invitation.id}", user_id=users[LINK_REQUEST_EMAIL].id,
            inviter_team=child.team.name, child_first_name=child.first_name,
            link=f"{current_app.config['PORTAL_BASE_URL'].rstrip('/')}/sign-in",
        )


# A case whose family could not be emailed: the draft plan email to Ben's second parent (an
# account that is not one of the demo sign-ins, so correcting it leaves those alone) bounced.
NOT_REACHED_CHILD = "Ben"
NOT_REACHED_EMAIL = "jamie.parentson@example.org"
NOT_REACHED_KEY = "demo:draft-plan-bounced"


def _not_reached(child: Child, users: dict[str, User], password_hash: str) -> None:
    case = db.session.scalar(select(Case).where(Case.child_id == child.id).order_by(Case.id).limit(1))
    done = db.session.scalar(select(OutboxEmail.id).where(OutboxEmail.event_key == NOT_REACHED_KEY))
    if case is None or done is not None:
        return
    parent = db.session.scalar(select(User).where(User.email == NOT_REACHED_EMAIL))
    if parent is None:
        parent = User(email=NOT_REACHED_EMAIL, name="Jamie Parentson", role=Role.FAMILY, password_hash=password_hash)
        db.session.add(parent)
        db.session.add(FamilyLink(user=parent, child=child, relationship_to_child=Relationship.PARENT))
        db.session.flush()
    sent = _moment(case.stage_since) - timedelta(minutes=40)
    link = f"{current_app.config['PORTAL_BASE_URL'].rstrip('/')}/family/cases/{case.id}"
    for user, key, status, error in (
        (users["parent.two.children@example.org"], "demo:draft-plan-delivered", OutboxStatus.DELIVERED, None),
        (parent, NOT_REACHED_KEY, OutboxStatus.PERMANENT_FAILURE,
         "bounce: 550 5.1.1 The email account that you tried to reach does not exist"),
    ):
        email = queue_email(
            user.email, f"{child.first_name}’s EHC needs assessment or plan has moved to a new stage", "stage_changed",
            event_key=key, user_id=user.id, case_id=case.id,
            child_first_name=child.first_name, young_person=False, stage=case.stage.label, link=link,
        )
        email.status, email.last_error, email.attempts = status, error, 1
        email.created_at = email.sent_at = sent
        email.status_changed_at = email.provider_event_at = sent + timedelta(minutes=2)
    case.family_not_reached_since = sent + timedelta(minutes=2)


def case_summary() -> str:
    """One line for the seed-demo output: how many demo cases, across how many stages."""
    names = [(spec.first_name, spec.last_name) for spec in CHILDREN]
    rows = db.session.execute(
        select(Case.stage, func.count())
        .join(Child, Child.id == Case.child_id)
        .where(tuple_(Child.first_name, Child.last_name).in_(names))
        .group_by(Case.stage)
    ).all()
    total = sum(count for _, count in rows)
    return f"{total} demo cases across {len(rows)} stages."


def _moment(day: date) -> datetime:
    """Ten in the morning on `day`, and never later than now: when seeded history was recorded."""
    return min(datetime.combine(day, time(10), tzinfo=UTC), datetime.now(UTC))


def _build_case(child: Child, child_spec: DemoChild, spec: DemoCase, users: dict[str, User], today: date) -> Case:
    """Open the case as the service does, then walk it through its stages with their history.
    Writes no outbox email: the seeded history is not news to anyone."""

    def day(ago: int) -> date:
        return today - timedelta(days=ago)

    def wrong(problem: str) -> ValueError:
        return ValueError(f"Demo case for {child_spec.first_name} {child_spec.last_name}: {problem}")

    received = day(spec.received_ago)
    caseworker = users[spec.caseworker] if spec.caseworker else None
    if caseworker is not None and caseworker.team_id != child.team_id:
        raise wrong("the caseworker is in another team")
    recorder = caseworker or users[TEAM_RECORDER[child_spec.team]]
    case = services.open_case(
        child.id, child.team_id, received, actor=None, caseworker=caseworker, is_reassessment=spec.reassessment
    )
    case.created_at = _moment(received)
    opened = db.session.scalar(select(StageChange).where(StageChange.case_id == case.id))
    opened.changed_by = recorder
    opened.created_at = _moment(received)

    for step in spec.steps:
        on = day(step.ago)
        if not case.stage.can_move_to(step.stage):
            raise wrong(f"cannot move from {case.stage} to {step.stage}")
        if not case.stage_since <= on <= today:
            raise wrong(f"the move to {step.stage} is dated before the last change or after today")
        db.session.add(StageChange(
            case_id=case.id, from_stage=case.stage, to_stage=step.stage, effective_on=on, changed_by=recorder,
            family_note=step.family_note, staff_note=step.staff_note, created_at=_moment(on),
        ))
        # The same fields as services.change_stage sets.
        case.stage = step.stage
        case.stage_since = on
        if step.stage is Stage.DRAFT_PLAN:
            case.draft_served_on = on
        elif step.stage is Stage.FINAL_PLAN:
            case.final_plan_on = on
            case.first_final_plan_on = case.first_final_plan_on or on
        elif step.stage is Stage.ANNUAL_REVIEW:
            case.review_meeting_on = None
            case.amendments_proposed_on = None

    if spec.review_meeting_ago is not None:
        case.review_meeting_on = day(spec.review_meeting_ago)
    if spec.amendments_ago is not None:
        case.amendments_proposed_on = day(spec.amendments_ago)
    for advice in spec.advice:
        requested = day(advice.requested_ago)
        received_on = day(advice.received_ago) if advice.received_ago is not None else None
        if requested < received or (received_on is not None and received_on < requested):
            raise wrong("advice dates out of order")
        db.session.add(AdviceRequest(
            case_id=case.id, provider=advice.provider, requested_on=requested, due_on=advice_due(requested),
            received_on=received_on, created_at=_moment(requested),
        ))
    for exception in spec.exceptions:
        applies_from = day(exception.from_ago)
        if not received <= applies_from <= today:
            raise wrong("an exception must apply from between the request and today")
        db.session.add(TimelineException(
            case_id=case.id, type=exception.type, reason=exception.reason, applies_from=applies_from,
            recorded_by=recorder, recorded_at=_moment(applies_from),
        ))
        case.has_exception = True
    for note in spec.notes:
        db.session.add(CaseNote(case_id=case.id, author=recorder, text=note.text, created_at=_moment(day(note.ago))))
    if spec.moves_to_post_16:
        year = today.year if today < date(today.year, 3, 31) else today.year + 1
        moves_on = date(year, 9, 1)
        db.session.add(PhaseTransfer(
            case_id=case.id, moves_on=moves_on, to_post_16=True, amend_by=phase_transfer.amend_by(moves_on, True),
            recorded_by_id=recorder.id, recorded_at=_moment(day(spec.amendments_ago or 0)),
        ))

    services.refresh(case)
    if spec.expected_in is not None:
        case.expected_on = today + timedelta(days=spec.expected_in)
        late = case.next_deadline_on is not None and case.expected_on > case.next_deadline_on
        if milestones.expected_date_problem(case.expected_on, spec.delay_reason, case.next_deadline_on):
            raise wrong("an expected date past the deadline needs a delay reason")
        if spec.delay_reason and not late:
            raise wrong("a delay reason is only for an expected date past the deadline")
        case.delay_reason = spec.delay_reason
    return case
