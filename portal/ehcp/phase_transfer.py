"""Phase transfers (reg 18, SEND Regulations 2014): a child with a plan who moves to the next
phase of education (into school, from infant to junior or primary to secondary school, or from
secondary school to further education or training) must have the plan reviewed and amended,
naming the new school or college, by a set date in the year of the move. Plain Python: the use
cases that save transfers are in transfer_services.py."""

from __future__ import annotations

from datetime import date

from portal.ehcp.stages import Stage

# How far ahead a move can be recorded: the council plans transfers a few years ahead, never more.
YEARS_AHEAD = 3
# A transfer is recorded only for a case with a plan.
WITH_A_PLAN = frozenset({Stage.FINAL_PLAN, Stage.ANNUAL_REVIEW})


def amend_by(moves_on: date, to_post_16: bool) -> date:
    """The day the amended plan must be issued by: 15 February of the year of the move, or 31
    March of that year for a move from secondary school to further education or training."""
    return date(moves_on.year, 3, 31) if to_post_16 else date(moves_on.year, 2, 15)


def amended_by_plan_of(amend_by_on: date, plan_issued_on: date) -> bool:
    """Whether a plan amended on `plan_issued_on` is the one amended for a transfer due on
    `amend_by_on`: the transfer's deadline falls in that year or later (an amended plan issued
    before a year's 15 February or 31 March, or late in the year of the move, counts; one issued
    after the year of the move is for something else)."""
    return amend_by_on.year >= plan_issued_on.year


def years_after(day: date, years: int) -> date:
    """The same day `years` later (28 February for 29 February in a year that has none)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def moves_on_problem(moves_on: date, plan_on: date | None, today: date) -> str | None:
    """Why a move date cannot be recorded, in words for the caseworker, or None."""
    latest = years_after(today, YEARS_AHEAD)
    if moves_on > latest:
        return (
            f"The date the child moves must be on or before {latest:%-d %B %Y}, no more than {YEARS_AHEAD} years ahead"
        )
    if plan_on is not None and moves_on < plan_on:
        return f"The date the child moves must be on or after {plan_on:%-d %B %Y}, the date of the plan"
    return None
