"""Helpers for the family page tests: the clock, and moving a case through its stages with the
real services."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime

import time_machine
from bs4 import Tag
from flask import Flask

from portal.ehcp.models import Case
from portal.ehcp.services import StageUpdate, change_stage
from portal.ehcp.stages import Stage
from portal.models import Child, Team, User

# A Monday. Day 0 of the statutory timeline in most tests here.
REQUEST = date(2025, 1, 6)


@dataclass
class Family:
    team: Team
    caseworker: User
    parent: User
    child: Child


def on_day(day: date) -> time_machine.travel:
    """`with on_day(date(2025, 2, 5)):` date.today() and time.time() stand still at noon UTC that
    day. Sign in inside it, so that the session's clocks agree with the request's."""
    return time_machine.travel(datetime(day.year, day.month, day.day, 12, tzinfo=UTC), tick=False)


def move(app: Flask, case: Case, actor: User, to_stage: Stage, on: date, family_note: str | None = None,
         staff_note: str | None = None) -> None:
    """Change the case's stage as a caseworker does, with the family's email queued."""
    with app.test_request_context():
        change_stage(case, actor, StageUpdate(to_stage, on, family_note, staff_note), case.version, today=on)


def words(tag: Tag) -> str:
    """The text as a reader hears it: one space between words, none before punctuation."""
    return re.sub(r" ([,.:;])", r"\1", " ".join(tag.get_text(" ").split()))


def rows(card: Tag) -> dict[str, str]:
    """A summary list as {key: value text}."""
    return {
        words(row.select_one(".govuk-summary-list__key")): words(row.select_one(".govuk-summary-list__value"))
        for row in card.select(".govuk-summary-list__row")
    }
