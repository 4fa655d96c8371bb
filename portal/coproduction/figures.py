"""The co-production overview's figures and what they say, in plain Python (no Flask, no database).

The small-number rule: any figure made from fewer than SMALL_NUMBER responses shows "fewer than 5"
(in tables, in the charts' text summaries and in CSV alike), so that no family can be picked out.
A month or stage with no responses at all shows 0: no one can be picked out of none.

A `Group` holds the SQL aggregates of one month or one stage: how many responses, the sum of their
ratings and how many were dissatisfied (rated 1 or 2). Everything shown comes from those three.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from portal.small_numbers import FEWER_THAN_5, SMALL_NUMBER

NO_RESPONSES = "No responses"
DISSATISFIED_AT_MOST = 2  # ratings 1 (very dissatisfied) and 2 (dissatisfied)


@dataclass(frozen=True)
class Group:
    label: str
    responses: int
    rating_total: int
    dissatisfied: int

    @property
    def shown(self) -> bool:
        """Enough responses for its figures to be shown."""
        return self.responses >= SMALL_NUMBER

    @property
    def average(self) -> float | None:
        """Average satisfaction, 1 to 5, to one decimal place; None when not shown."""
        return round(self.rating_total / self.responses, 1) if self.shown else None

    @property
    def share_shown(self) -> bool:
        """The share dissatisfied is shown only when it is made from none, or from 5 or more, of
        the dissatisfied: "3%" of 38 responses would say that 1 family was dissatisfied."""
        return self.shown and (self.dissatisfied == 0 or self.dissatisfied >= SMALL_NUMBER)

    @property
    def share_dissatisfied(self) -> int | None:
        """The percentage dissatisfied, to the nearest whole number; None when not shown."""
        return round(100 * self.dissatisfied / self.responses) if self.share_shown else None

    @property
    def responses_text(self) -> str:
        return f"{self.responses:,}" if self.shown or self.responses == 0 else FEWER_THAN_5

    @property
    def average_text(self) -> str:
        return self._text(f"{self.average:.1f}" if self.shown else "")

    @property
    def share_text(self) -> str:
        if self.shown and not self.share_shown:
            return f"{FEWER_THAN_5} dissatisfied"
        return self._text(f"{self.share_dissatisfied}%" if self.shown else "")

    def _text(self, value: str) -> str:
        if self.responses == 0:
            return NO_RESPONSES
        return value if self.shown else FEWER_THAN_5


def count_text(responses: int) -> str:
    """A count of responses as it may be shown: "fewer than 5" for 1 to 4."""
    return Group("", responses, 0, 0).responses_text


def month_label(month: date) -> str:
    return f"{month:%B %Y}"


def months_back(this_month: date, count: int) -> list[date]:
    """The first days of the `count` months up to and including `this_month`, oldest first."""
    months = [this_month.replace(day=1)]
    for _ in range(count - 1):
        previous = months[-1]
        months.append(previous.replace(year=previous.year - 1, month=12) if previous.month == 1
                      else previous.replace(month=previous.month - 1))
    return months[::-1]


def _change(groups: Sequence[Group], value, rose: str, fell: str, same: str, fallback: str) -> str:
    """Compare the last two groups whose figures are shown."""
    shown = [group for group in groups if group.shown]
    if len(shown) < 2:
        return fallback
    before, latest = value(shown[-2]), value(shown[-1])
    month = latest_month_name(shown[-1])
    if latest > before:
        return rose.format(month=month)
    if latest < before:
        return fell.format(month=month)
    return same.format(month=month)


def latest_month_name(group: Group) -> str:
    """"October" from "October 2026"."""
    return group.label.split(" ")[0]


def responses_headline(months: Sequence[Group]) -> str:
    return _change(months, lambda g: g.responses, "Responses rose in {month}", "Responses fell in {month}",
                   "Responses stayed the same in {month}", "Responses by month")


def satisfaction_headline(months: Sequence[Group]) -> str:
    return _change(months, lambda g: g.average, "Satisfaction rose in {month}", "Satisfaction fell in {month}",
                   "Satisfaction stayed the same in {month}", "Average satisfaction by month")


def dissatisfied_headline(stages: Sequence[Group]) -> str:
    shown = [group for group in stages if group.share_shown]
    if not shown:
        return "Share dissatisfied by stage"
    worst = max(shown, key=lambda g: g.share_dissatisfied)
    return f"Families were most often dissatisfied at {worst.label[:1].lower()}{worst.label[1:]}"


def _extremes(groups: Sequence[Group], value, text, is_shown=lambda group: group.shown) -> str:
    shown = [group for group in groups if is_shown(group)]
    hidden = len(groups) - len(shown)
    if not shown:
        return f"Every one has {FEWER_THAN_5} responses, so none is shown."
    high = max(shown, key=value)
    low = min(shown, key=value)
    summary = f"Highest {text(high)} in {high.label}, lowest {text(low)} in {low.label}."
    if hidden:
        summary += f" {hidden} with {FEWER_THAN_5} responses (or none) {'is' if hidden == 1 else 'are'} not shown."
    return summary


def responses_summary(months: Sequence[Group]) -> str:
    span = f"{months[0].label} to {months[-1].label}" if months else ""
    return (f"Bar chart of responses by month, {span}. "
            + _extremes(months, lambda g: g.responses, lambda g: f"{g.responses:,}")
            + " The table gives every month.")


def satisfaction_summary(months: Sequence[Group]) -> str:
    return ("Line chart of average satisfaction by month, from 1 (very dissatisfied) to 5 (very satisfied). "
            + _extremes(months, lambda g: g.average, lambda g: f"{g.average:.1f}")
            + " The table gives every month.")


def dissatisfied_summary(stages: Sequence[Group]) -> str:
    return ("Bar chart of the share of responses dissatisfied or very dissatisfied, by stage. "
            + _extremes(stages, lambda g: g.share_dissatisfied, lambda g: f"{g.share_dissatisfied}%",
                        lambda g: g.share_shown)
            + " The table gives every stage.")
