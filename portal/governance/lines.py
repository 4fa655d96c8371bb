"""What the governance report shows: its sections, each line's words and its "How we count this"
definition, and the small-number rule. Plain Python: no Flask, no database.

A line reads one figure (see rows.py) and shows a number, what it is out of and a rate, or a
measure (weeks, working days, a rating). Any figure made from fewer than 5 cases or responses
shows "fewer than 5", so that no child or family can be picked out; a figure with nothing to
count shows "no data", never 0%.
"""

from __future__ import annotations

from dataclasses import dataclass

from portal.ehcp.stages import Stage
from portal.ehcp.timeline import ExceptionType
from portal.governance.rows import Figure, Figures
from portal.small_numbers import FEWER_THAN_5 as FEWER
from portal.small_numbers import SMALL_NUMBER as SMALL

NO_DATA = "no data"


@dataclass(frozen=True)
class Line:
    label: str
    figure: str
    part: str | None = None
    kind: str = "rate"  # "rate" (a number out of another), "count", or a measure: "weeks", "days", "rating"
    base: tuple[str, str | None] | None = None  # for a measure: the figure whose denominator it is made from
    definition: str = ""


@dataclass(frozen=True)
class Shown:
    """A line's figure as text, after the small-number rule."""

    label: str
    number: str
    out_of: str
    rate: str
    definition: str
    rate_value: float | None  # for charts; None when not shown


def count_text(count: int | None) -> str:
    if count is None:
        return NO_DATA
    if 0 < count < SMALL:
        return FEWER
    return f"{count:,}"


def show(line: Line, figures: Figures, team_id: int | None = None) -> Shown:
    figure = figures.get(line.figure, team_id, line.part)
    if line.kind == "count":
        return Shown(line.label, count_text(figure.numerator or 0), "", "", line.definition, None)
    if line.kind == "rate":
        return _rate(line, figure)
    base = figures.get(line.base[0], team_id, line.base[1]) if line.base else Figure()
    made_from = base.denominator if base.denominator is not None else base.numerator
    if figure.value is None or not made_from:
        text = NO_DATA
    elif made_from < SMALL:
        text = FEWER
    else:
        text = _measure(line.kind, figure.value)
    return Shown(line.label, text, count_text(made_from) if made_from else "", "", line.definition, None)


def _measure(kind: str, value: float) -> str:
    if kind == "weeks":
        return f"{value:.1f} weeks"
    if kind == "days":
        return f"{value:g} working days" if value != 1 else "1 working day"
    return f"{value:.1f} out of 5"


def _rate(line: Line, figure: Figure) -> Shown:
    numerator, denominator = figure.numerator or 0, figure.denominator or 0
    if not denominator:
        return Shown(line.label, NO_DATA, NO_DATA, NO_DATA, line.definition, None)
    if denominator < SMALL:
        return Shown(line.label, FEWER, FEWER, FEWER, line.definition, None)
    rate = 100 * numerator / denominator
    if 0 < numerator < SMALL:
        return Shown(line.label, FEWER, f"{denominator:,}", FEWER, line.definition, None)
    return Shown(line.label, f"{numerator:,}", f"{denominator:,}", f"{rate:.1f}%", line.definition, rate)


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    lines: tuple[Line, ...]
    as_of_today: bool = False  # the figures are as they stand today, not for the period
    service_wide: bool = False  # counted for the whole service only: a team's report shows the service's


def _plans(part: str, label: str, definition: str) -> Line:
    return Line(label, "plans-issued", part, definition=definition)


TIMELINESS = Section("plans", "New EHC plans", (
    Line("Requests for an assessment received", "requests-received", kind="count",
         definition="Requests for a first EHC needs assessment that the council received in the period. "
                    "The day the council receives a request is day 0."),
    Line("Decisions on whether to assess made within 6 weeks", "decisions-to-assess",
         definition="Decisions on whether to carry out an assessment made in the period, and how many were "
                    "made within 6 weeks (42 days) of the request."),
    _plans("within-20-weeks-ex", "New plans issued within 20 weeks, excluding exceptions",
           "New plans issued in the period within 20 weeks of the request, out of the new plans issued in "
           "the period with no exception recorded at any step. This is the Department for Education’s "
           "headline figure. A plan issued on day 140 is within 20 weeks; day 141 is not."),
    _plans("within-20-weeks", "New plans issued within 20 weeks, including exceptions",
           "New plans issued in the period within 20 weeks (140 days) of the request, out of all new plans "
           "issued in the period."),
    _plans("over-20-weeks-under-a-year", "New plans taking over 20 weeks but under a year",
           "New plans issued in the period 141 to 364 days after the request, out of all new plans issued."),
    _plans("a-year-or-more", "New plans taking a year or more",
           "New plans issued in the period 365 days or more after the request, out of all new plans issued."),
    Line("Average time from request to final plan", "weeks-to-plan", "average", kind="weeks",
         base=("plans-issued", "within-20-weeks"),
         definition="The mean number of weeks from the request to the final plan, over the new plans issued "
                    "in the period, including those with an exception."),
    Line("Average time from request to final plan, excluding exceptions", "weeks-to-plan", "average-ex",
         kind="weeks", base=("plans-issued", "within-20-weeks-ex"),
         definition="The same, over the new plans issued in the period with no exception recorded."),
    Line("Time within which 9 in 10 new plans were issued", "weeks-to-plan", "p90", kind="weeks",
         base=("plans-issued", "within-20-weeks"),
         definition="The 90th percentile: the shortest time within which at least 9 in 10 of the new plans "
                    "issued in the period were issued, including those with an exception."),
    Line("Time within which 9 in 10 new plans were issued, excluding exceptions", "weeks-to-plan", "p90-ex",
         kind="weeks", base=("plans-issued", "within-20-weeks-ex"),
         definition="The same, over the new plans issued in the period with no exception recorded."),
))

REVIEWS = Section("reviews", "Annual reviews and phase transfers", (
    Line("Annual review meetings held", "annual-reviews", "held", kind="count",
         definition="Annual review meetings with a meeting date in the period."),
    Line("Review decisions made within 4 weeks of the meeting", "annual-reviews", "decided-within-4-weeks",
         definition="Decisions to keep, change or end a plan made in the period, and how many were made "
                    "within 4 weeks (28 days) of the review meeting. Day 28 is within; day 29 is not."),
    Line("Amended plans issued within 12 weeks of the meeting", "annual-reviews", "amended-within-12-weeks",
         definition="Amended plans issued in the period after an annual review, and how many were issued "
                    "within 12 weeks (84 days) of the review meeting."),
    Line("Phase transfers amended by their deadline", "phase-transfers",
         definition="Children moving to their next phase of education whose deadline fell in the period "
                    "(15 February of the year of the move, or 31 March for a move to further education), "
                    "and how many had their plan amended by then."),
))

_BANDS = (("up-to-4-weeks", "Late by up to 4 weeks"), ("4-to-12-weeks", "Late by 4 to 12 weeks"),
          ("over-12-weeks", "Late by more than 12 weeks"))
_LATE = "Open cases whose next legal deadline has passed, today."

PAST_DEADLINE = Section("late", "Open cases past a legal deadline now", (
    Line("All open cases past a legal deadline", "past-deadline-now", "all", kind="count", definition=_LATE),
    *(Line(label, "past-deadline-now", part, kind="count",
           definition="Open cases whose next legal deadline passed this long ago, today. Up to 4 weeks is 1 "
                      "to 28 days; 4 to 12 weeks is 29 to 84 days; more than 12 weeks is 85 days or more.")
      for part, label in _BANDS),
    *(Line(f"At ‘{stage.label}’", "past-deadline-now", stage.value, kind="count", definition=_LATE)
      for stage in Stage if not stage.is_closed),
), as_of_today=True)

EXCEPTIONS = Section("exceptions", "Exceptions recorded", (
    Line("All exceptions recorded", "exceptions", "all", kind="count",
         definition="Exceptions to the time limits recorded with a date in the period. An exception excuses "
                    "a late step; it does not move the legal date."),
    *(Line(kind.label, "exceptions", kind.value, kind="count",
           definition="Exceptions of this kind recorded with a date in the period.") for kind in ExceptionType),
))

COMMUNICATION = Section("communication", "Communication with families", (
    Line("Messages from families", "family-messages", kind="count",
         definition="Messages that family members sent to the case team in the period."),
    Line("Median time to the council’s first reply", "first-reply", "median-working-days", kind="days",
         base=("first-reply", "within-target"),
         definition="Over conversations started by a family whose first reply from the council came in the "
                    "period: the middle number of working days from the family’s message to that reply. "
                    "Weekends, bank holidays and council closure days do not count."),
    Line("First replies within the reply target", "first-reply", "within-target",
         definition="The same first replies, and how many came within the reply target: 10 working days, "
                    "or 2 for a conversation the family marked urgent."),
    Line("Conversations past their reply-by date now", "overdue-now", kind="count",
         definition="Conversations waiting for the council whose reply-by date has passed, today."),
    Line("Emails not delivered", "emails-not-delivered",
         definition="Emails the service sent in the period, and how many did not reach the person (the "
                    "email provider reported a failure)."),
))

FEEDBACK = Section("feedback", "Feedback from families", (
    Line("Feedback responses", "feedback", "all", kind="count",
         definition="Responses to the feedback form given in the period, anonymous ones included."),
    Line("Average satisfaction", "feedback", "average", kind="rating", base=("feedback", "satisfied"),
         definition="The mean rating, from 1 (very dissatisfied) to 5 (very satisfied)."),
    Line("Satisfied or very satisfied", "feedback", "satisfied",
         definition="Responses rated satisfied or very satisfied, out of all responses in the period."),
    Line("‘You said, we did’ actions open", "actions", "open", kind="count",
         definition="Published actions that are planned or in progress, today."),
    Line("‘You said, we did’ actions done", "actions", "done", kind="count",
         definition="Published actions that are done, today."),
), service_wide=True)

SECTIONS = (TIMELINESS, REVIEWS, PAST_DEADLINE, EXCEPTIONS, COMMUNICATION, FEEDBACK)
# The figures shown for each team side by side.
BY_TEAM = (TIMELINESS.lines[0], TIMELINESS.lines[1], TIMELINESS.lines[2], REVIEWS.lines[1],
           PAST_DEADLINE.lines[0], COMMUNICATION.lines[1], COMMUNICATION.lines[2])


def feedback_by_stage(figures: Figures) -> list[tuple[str, Shown, Shown, Shown]]:
    """Each stage's responses, average and share satisfied (from the feedback figure's parts)."""
    found = []
    for stage in (*Stage, None):
        key = f"stage:{stage.value if stage else 'none'}"
        label = stage.label if stage else "No stage in particular"
        responses = figures.get("feedback", None, f"{key}:all").numerator
        if not responses:
            continue
        found.append((
            label,
            show(Line(label, "feedback", f"{key}:all", kind="count"), figures),
            show(Line(label, "feedback", f"{key}:average", kind="rating", base=("feedback", f"{key}:satisfied")),
                 figures),
            show(Line(label, "feedback", f"{key}:satisfied"), figures),
        ))
    return found
