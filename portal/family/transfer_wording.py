"""What a family reads about a move to the next phase of education (a phase transfer, reg 18):
the day of the move, then the council's duty to amend the plan by its date, or the fact that it
did. Words fit the reader: "your plan" for a young person, "Sam’s plan" for a parent or carer.
Plain Python: no Flask, no database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from portal.ehcp.milestones import long_date
from portal.ehcp.timeline import DeadlineStatus, deadline_status


@dataclass(frozen=True)
class TransferWords:
    move: str  # the move, as a fact or a plan: "Sam moves to a new school on 1 September 2027"
    duty: str | None  # the council's duty while the amended plan is still to come
    status: DeadlineStatus | None  # where today stands against the duty's date
    done: str | None  # the amended plan, once issued, as a fact with its date

    @property
    def late(self) -> bool:
        return self.status is not None and self.status.is_late


def transfer_words(moves_on: date, to_post_16: bool, amend_by: date, amended_on: date | None,
                   young_person: bool, first_name: str, today: date) -> TransferWords:
    who = "You" if young_person else first_name
    verb = "moved" if moves_on <= today else ("move" if young_person else "moves")
    move = f"{who} {verb} to {'college or training' if to_post_16 else 'a new school'} on {long_date(moves_on)}"
    whose = "your" if young_person else f"{first_name}’s"
    if amended_on is not None:
        done = f"{whose[0].upper()}{whose[1:]} amended EHC plan for the move was issued on {long_date(amended_on)}"
        return TransferWords(move, None, None, done)
    naming = "the college or training provider" if to_post_16 else "the new school"
    duty = f"The council must issue {whose} amended EHC plan, naming {naming}, by {long_date(amend_by)}"
    return TransferWords(move, duty, deadline_status(amend_by, today), None)
