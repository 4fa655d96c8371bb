"""What a family reads about a case, decided once for every page and email. Plain Python, no Flask.

The rules (found the hard way):
- every deadline is a duty with its subject and date ("The council must issue the final EHC plan
  by 13 December 2026"); every completed step is a fact with its date;
- once a council deadline has passed, the family always sees why and what happens now: the
  expected date and reason, or a plain statement that the council has not said why (the page adds
  whom to contact and how to complain);
- the family's own actions and dates come first;
- the words fit the reader: a young person reads "your plan", a parent or carer "Ben’s plan".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from portal.ehcp import lateness, milestones
from portal.ehcp.milestones import CaseDates, Milestone, long_date
from portal.ehcp.stages import CLOSED, PATH, Stage
from portal.ehcp.timeline import DeadlineStatus, deadline_status
from portal.family.progress import has_plan
from portal.family.stage_text import StageText, stage_text


@dataclass(frozen=True)
class Reader:
    """Who is reading: the young person themself, or a parent or carer of the child."""

    young_person: bool
    first_name: str

    @property
    def whose(self) -> str:
        """'your' or 'Ben’s', before a noun: 'your EHC plan', 'Ben’s EHC plan'."""
        return "your" if self.young_person else f"{self.first_name}’s"


@dataclass(frozen=True)
class Dated:
    """A sentence about a date (a duty, an action or a fact), with where today stands."""

    text: str
    due_on: date
    status: DeadlineStatus
    rule: str = ""
    to_council: bool = False  # something to send to the SEND team (comments, a reply)
    mediation_first: bool = False  # an appeal: talk to a mediation adviser first


@dataclass(frozen=True)
class Lateness:
    """A council deadline has passed. `told`: the family has an expected date and a reason."""

    told: bool
    expected_on: date | None
    reason: str | None


@dataclass(frozen=True)
class Closure:
    """How the case ended, what that means, and the family's rights."""

    meaning: str
    can_appeal: bool
    new_council: bool = False


@dataclass(frozen=True)
class FamilyView:
    heading: str
    stage_fact: str
    actions: list[Dated]  # what you need to do, and by when: first on every page
    passed_actions: list[Dated]  # the family's dates that have passed, as facts
    duty: Dated | None  # the council's next legal deadline
    late: Lateness | None
    expected_on: date | None  # the caseworker's expected date (when not late)
    delay_reason: str | None  # shown when the expected date is after the legal deadline
    final_plan: Dated | None  # the 20-week duty before a plan, or the fact once issued
    review_facts: list[str]
    closure: Closure | None
    text: StageText

    @property
    def expected_after_deadline(self) -> bool:
        return self.expected_on is not None and self.duty is not None and self.expected_on > self.duty.due_on


def duty_sentence(milestone: Milestone) -> str:
    subject = "The council must" if milestone.council_owns else "You can"
    preposition = "by" if milestone.council_owns else "until"
    return f"{subject} {milestone.action} {preposition} {long_date(milestone.due_on)}"


def _is_appeal(milestone: Milestone) -> bool:
    return milestone.action.startswith("appeal")


def action_sentence(milestone: Milestone) -> str:
    """The family's own date: 'Comment on the draft plan ... by 10 December 2026'. An appeal is a
    right, not a task: 'If you disagree, you can appeal to the SEND Tribunal until ...'."""
    if _is_appeal(milestone):
        return f"If you disagree, you can {milestone.action} until {long_date(milestone.due_on)}"
    return f"{milestone.action[0].upper()}{milestone.action[1:]} by {long_date(milestone.due_on)}"


def stage_fact(stage: Stage, since: date, reader: Reader) -> str:
    """Where the case stands, as a fact beside its stage tag: 'Since 3 May 2026', 'The council decided
    to end the EHC plan on 3 May 2026'."""
    day = long_date(since)
    closed = {
        Stage.NOT_ASSESSING: f"The council decided not to carry out an assessment on {day}",
        Stage.NOT_ISSUING: f"The council decided not to issue an EHC plan on {day}",
        Stage.CEASED: f"The council decided to end the EHC plan on {day}",
        Stage.MOVED_AWAY: f"{'You' if reader.young_person else reader.first_name} moved to another council’s area "
        f"on {day}",
        Stage.WITHDRAWN: f"The request was withdrawn on {day}",
    }
    if stage in closed:
        return closed[stage]
    if stage is Stage.DRAFT_PLAN:
        return f"The draft plan was sent on {day}"
    if stage is Stage.FINAL_PLAN:
        return f"The final plan was issued on {day}"
    return f"Since {day}"


def _final_plan(dates: CaseDates, first_final_plan_on: date | None, today: date, reader: Reader) -> Dated | None:
    """Before the plan: the duty to issue it, which holds only if the council decides to issue one
    until it sends a draft plan. Once issued: the fact, with how it compared with the legal deadline."""
    final = milestones.final_plan_milestone(dates)
    if first_final_plan_on is not None:
        late_by = (first_final_plan_on - final.due_on).days
        timing = "on time" if late_by <= 0 else f"{late_by} {'day' if late_by == 1 else 'days'} late"
        text = f"The first final EHC plan was issued on {long_date(first_final_plan_on)}, {timing}"
        if dates.final_plan_on is not None and dates.final_plan_on > first_final_plan_on:
            text += f". It was last updated on {long_date(dates.final_plan_on)}"
        return Dated(text, final.due_on, deadline_status(final.due_on, today, met_on=first_final_plan_on), final.rule)
    if dates.stage in PATH and PATH.index(dates.stage) < PATH.index(Stage.FINAL_PLAN):
        text = duty_sentence(final)
        if PATH.index(dates.stage) < PATH.index(Stage.DRAFT_PLAN):
            needs = "you need" if reader.young_person else f"{reader.first_name} needs"
            text = (f"If the council decides {needs} an EHC plan, "
                    f"it must issue the final plan by {long_date(final.due_on)}")
        return Dated(text, final.due_on, deadline_status(final.due_on, today), final.rule)
    return None


def _review_facts(dates: CaseDates, today: date) -> list[str]:
    if dates.stage is not Stage.ANNUAL_REVIEW:
        return []
    facts = []
    if dates.review_meeting_on is not None:
        verb = "was held on" if dates.review_meeting_on <= today else "is planned for"
        facts.append(f"The annual review meeting {verb} {long_date(dates.review_meeting_on)}")
    if dates.amendments_proposed_on is not None:
        facts.append(f"The council sent its proposed changes to the plan on {long_date(dates.amendments_proposed_on)}")
    return facts


CLOSURES = {
    Stage.NOT_ASSESSING: "The council will not carry out an EHC needs assessment now.",
    Stage.NOT_ISSUING: "The council will not issue an EHC plan now. It must tell you how needs can be met "
    "without one.",
    # The plan stays until the time to appeal has passed, or until an appeal is decided (SEND Code of
    # Practice 9.208).
    Stage.CEASED: "The council has decided to end {whose_lower} EHC plan. It must keep the plan, and arrange the "
    "support in it, until the last day to appeal has passed. If you appeal to the SEND Tribunal, it must keep "
    "them until the Tribunal decides.",
    Stage.MOVED_AWAY: "The new council is now responsible. The council has sent the plan or assessment to it.",
    Stage.WITHDRAWN: "Nothing more will happen with this request. You can make a new request at any time.",
}


AFTER_REVIEW_MEETING = (
    "Reply to any changes the council proposes by the date shown. If you disagree with what the council "
    "decides, you can ask for mediation and appeal to the SEND Tribunal."
)


def _stage_text(dates: CaseDates, reader: Reader, today: date) -> StageText:
    """What the stage means, for this reader; after an annual review meeting, what to do now."""
    text = stage_text(dates.stage, reader.young_person)
    if dates.stage is Stage.ANNUAL_REVIEW and dates.review_meeting_on is not None and dates.review_meeting_on <= today:
        return StageText(text.happening, text.next, AFTER_REVIEW_MEETING)
    return text


def family_view(
    dates: CaseDates,
    reader: Reader,
    today: date,
    expected_on: date | None = None,
    delay_reason: str | None = None,
    first_final_plan_on: date | None = None,
) -> FamilyView:
    kind = "plan" if has_plan(dates.stage, dates.draft_served_on, dates.final_plan_on) else "needs assessment"
    heading = f"{reader.whose.capitalize()} education, health and care {kind}"

    next_milestone = milestones.next_milestone(dates)
    duty = None
    late = None
    if next_milestone is not None and next_milestone.council_owns:
        duty = Dated(
            duty_sentence(next_milestone),
            next_milestone.due_on,
            deadline_status(next_milestone.due_on, today),
            next_milestone.rule,
        )
        if lateness.is_late(next_milestone.due_on, today):
            told = lateness.family_told_why(expected_on, delay_reason, today)
            late = Lateness(told, expected_on if told else None, delay_reason if told else None)

    actions, passed = [], []
    for milestone in milestones.family_dates(dates):
        status = deadline_status(milestone.due_on, today)
        if status.days >= 0:
            appeal = _is_appeal(milestone)
            actions.append(
                Dated(
                    action_sentence(milestone), milestone.due_on, status, milestone.rule,
                    to_council=not appeal, mediation_first=appeal,
                )
            )
        else:
            fact = f"The last day to {milestone.action} was {long_date(milestone.due_on)}"
            passed.append(Dated(fact, milestone.due_on, status, milestone.rule))

    closure = None
    if dates.stage in CLOSED:
        closure = Closure(
            CLOSURES[dates.stage].format(whose=reader.whose[0].upper() + reader.whose[1:], whose_lower=reader.whose),
            can_appeal=dates.stage in (Stage.NOT_ASSESSING, Stage.NOT_ISSUING, Stage.CEASED),
            new_council=dates.stage is Stage.MOVED_AWAY,
        )

    final_plan = _final_plan(dates, first_final_plan_on, today, reader)
    if final_plan is not None and next_milestone == milestones.final_plan_milestone(dates):
        final_plan = None  # already the next deadline
    return FamilyView(
        heading=heading,
        stage_fact=stage_fact(dates.stage, dates.stage_since, reader),
        actions=actions,
        passed_actions=passed,
        duty=duty,
        late=late,
        expected_on=None if late is not None or dates.stage in CLOSED else expected_on,
        delay_reason=delay_reason,
        final_plan=final_plan,
        review_facts=_review_facts(dates, today),
        closure=closure,
        text=_stage_text(dates, reader, today),
    )
