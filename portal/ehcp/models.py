"""Cases, stage changes, advice requests, exceptions and staff notes (SQLAlchemy 2 typed models)."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
    event,
    func,
    literal_column,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.ehcp.milestones import CaseDates
from portal.ehcp.stages import Stage
from portal.ehcp.timeline import ExceptionType
from portal.extensions import db
from portal.models import Child, Team, User, enum_column, utcnow

# Partial indexes over open cases, with the very condition the queries use (`closed IS false`).
OPEN = {"postgresql_where": text("closed IS false"), "sqlite_where": text("closed IS 0")}


class AdviceProvider(enum.StrEnum):
    EDUCATION = "education"
    HEALTH = "health"
    SOCIAL_CARE = "social_care"
    EDUCATIONAL_PSYCHOLOGIST = "educational_psychologist"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {
            AdviceProvider.EDUCATION: "School or early years setting",
            AdviceProvider.HEALTH: "Health services",
            AdviceProvider.SOCIAL_CARE: "Social care",
            AdviceProvider.EDUCATIONAL_PSYCHOLOGIST: "Educational psychologist",
            AdviceProvider.OTHER: "Other professional",
        }[self]


def _stage_position(context) -> int:
    """The insert's stage's position (a Core insert, such as bench/generate.py's, included)."""
    return Stage(context.get_current_parameters()["stage"]).position


class Case(db.Model):
    """One EHC needs assessment and the plan that follows. A child may have several over time."""

    __tablename__ = "ehc_case"
    # The caseload reads a team's open cases from these partial indexes (migration 0007), never
    # the whole table: the caseload's query plans in docs/benchmarks.md show it.
    __table_args__ = (
        # A page of open cases, nearest deadline first (the caseload's full order), read in order.
        Index("ix_ehc_case_team_open_by_deadline", "team_id", "next_deadline_on", "reference", "id", **OPEN),
        # ... or by stage, in the order the law runs (stage_position), then nearest deadline.
        Index(
            "ix_ehc_case_team_open_by_stage",
            "team_id", "stage_position", "next_deadline_on", "reference", "id",
            **OPEN,
        ),
        # ... or oldest request first.
        Index(
            "ix_ehc_case_team_open_by_received",
            "team_id", "request_received_on", "next_deadline_on", "reference", "id",
            **OPEN,
        ),
        # The team counts, the count of matches and the stage order: an index-only scan. Not the
        # delay reason (up to 2,000 characters: too wide for an index entry); see below.
        Index(
            "ix_ehc_case_team_open_covering",
            "team_id",
            postgresql_include=[
                "id", "reference", "stage", "caseworker_id", "request_received_on", "next_deadline_on",
                "expected_on", "has_exception", "family_not_reached_since", "closed",
                "child_id",
            ],
            **OPEN,
        ),
        # The open cases whose family has an expected date: the few whose reason is read.
        Index(
            "ix_ehc_case_team_open_expected",
            "team_id", "expected_on",
            postgresql_include=["next_deadline_on"],
            postgresql_where=text("closed IS false AND expected_on IS NOT NULL"),
            sqlite_where=text("closed IS 0 AND expected_on IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    # The council's own reference in its case-management system, for cases loaded from it
    # (portal.case_import): an import finds the case by it, so that a second import changes nothing.
    external_reference: Mapped[str | None] = mapped_column(String(40))
    child_id: Mapped[int] = mapped_column(ForeignKey("child.id"), index=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id"), index=True)
    caseworker_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    is_reassessment: Mapped[bool] = mapped_column(default=False)
    request_received_on: Mapped[date] = mapped_column(index=True)
    stage: Mapped[Stage] = mapped_column(enum_column(Stage), index=True)
    # Where the stage comes in the law's order (Stage.position), kept with the stage (see the
    # listener below), so that the caseload sorted by stage is read from an index in order.
    stage_position: Mapped[int] = mapped_column(SmallInteger, default=_stage_position, server_default="0")
    stage_since: Mapped[date]
    draft_served_on: Mapped[date | None]
    final_plan_on: Mapped[date | None]
    first_final_plan_on: Mapped[date | None] = mapped_column(index=True)  # the governance report's new plans
    review_meeting_on: Mapped[date | None]
    amendments_proposed_on: Mapped[date | None]
    # The council's next legal deadline, kept up to date by the services, for sorting and filters.
    next_deadline_on: Mapped[date | None] = mapped_column(index=True)
    expected_on: Mapped[date | None]
    delay_reason: Mapped[str | None] = mapped_column(Text)
    has_exception: Mapped[bool] = mapped_column(default=False, index=True)
    closed: Mapped[bool] = mapped_column(default=False)
    # Set when an email to a family member about this case failed for good (permanent- or
    # technical-failure): a caseworker phones or writes instead. Cleared when the address is
    # corrected or a caseworker marks it handled.
    family_not_reached_since: Mapped[datetime | None] = mapped_column(index=True)
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy's declarative API

    child: Mapped[Child] = relationship()
    team: Mapped[Team] = relationship()
    caseworker: Mapped[User | None] = relationship()

    @property
    def dates(self) -> CaseDates:
        return CaseDates(
            stage=self.stage,
            request_received_on=self.request_received_on,
            stage_since=self.stage_since,
            is_reassessment=self.is_reassessment,
            draft_served_on=self.draft_served_on,
            final_plan_on=self.final_plan_on,
            review_meeting_on=self.review_meeting_on,
            amendments_proposed_on=self.amendments_proposed_on,
        )


class StageChange(db.Model):
    __tablename__ = "stage_change"
    __table_args__ = (
        Index("ix_stage_change_case_effective", "case_id", "effective_on"),
        # The governance report: decisions (by the stage moved to) and reviews ended in a period.
        Index("ix_stage_change_to_stage_effective", "to_stage", "effective_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("ehc_case.id"), index=True)
    from_stage: Mapped[Stage | None] = mapped_column(enum_column(Stage, name="from_stage"))
    to_stage: Mapped[Stage] = mapped_column(enum_column(Stage, name="to_stage"))
    effective_on: Mapped[date]
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    # Where a change made by no one came from: "import" (portal.case_import). None for staff.
    source: Mapped[str | None] = mapped_column(String(20))
    family_note: Mapped[str | None] = mapped_column(Text)
    staff_note: Mapped[str | None] = mapped_column(Text)
    # A change that ends an annual review keeps the review's dates (the case's are cleared at the
    # next review), for the governance report's review figures.
    review_meeting_on: Mapped[date | None] = mapped_column(index=True)
    amendments_proposed_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    changed_by: Mapped[User | None] = relationship()


class AdviceRequest(db.Model):
    __tablename__ = "advice_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("ehc_case.id"), index=True)
    provider: Mapped[AdviceProvider] = mapped_column(enum_column(AdviceProvider))
    requested_on: Mapped[date]
    due_on: Mapped[date]
    received_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class TimelineException(db.Model):
    """An exception to the time limits (reg 10(4)). It excuses a late date; it never moves it."""

    __tablename__ = "timeline_exception"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("ehc_case.id"), index=True)
    type: Mapped[ExceptionType] = mapped_column(enum_column(ExceptionType))
    # What the family reads, word for word.
    reason: Mapped[str] = mapped_column(Text)
    # Staff only: never on a family page or in an email.
    staff_note: Mapped[str | None] = mapped_column(Text)
    applies_from: Mapped[date] = mapped_column(index=True)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    recorded_by: Mapped[User | None] = relationship()


class PhaseTransfer(db.Model):
    """A child with a plan moving to the next phase of education (reg 18): the plan must be
    amended by 15 February of the year of the move, or 31 March for a move from secondary school
    to further education or training (`to_post_16`)."""

    __tablename__ = "phase_transfer"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("ehc_case.id"), index=True)
    moves_on: Mapped[date]  # the day the child starts in the new phase
    to_post_16: Mapped[bool] = mapped_column(default=False)
    amend_by: Mapped[date] = mapped_column(index=True)  # the legal deadline, worked out from the two above
    amended_on: Mapped[date | None]  # the day the amended plan was issued
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)


class CaseNote(db.Model):
    """A staff-only note. Never shown to families."""

    __tablename__ = "case_note"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("ehc_case.id"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    author: Mapped[User | None] = relationship()


# Search by part of a name or reference (portal.casework.queries._contains: lower(x) LIKE lower(y)):
# trigram indexes on PostgreSQL only (migration 0007). SQLite has none and scans instead; Alembic
# skips expression indexes that SQLite lacks when comparing the models with the schema.
def child_full_name():
    """First and last name as one string, with a constant space (not a bound parameter), so that
    a query on it matches the trigram index's expression."""
    return Child.first_name.op("||")(literal_column("' '")).op("||")(Child.last_name)


def _trigram(name: str, expression) -> Index:
    index = Index(name, expression.label("value"), postgresql_using="gin", postgresql_ops={"value": "gin_trgm_ops"})
    return index.ddl_if(dialect="postgresql")


# An index, not a table constraint: adding it needs no rebuild of ehc_case on SQLite.
Index("uq_ehc_case_external_reference", Case.external_reference, unique=True)

_trigram("ix_child_full_name_trgm", func.lower(child_full_name()))
_trigram("ix_ehc_case_reference_trgm", func.lower(Case.reference))


@event.listens_for(Case.stage, "set")
def _keep_stage_position(case: Case, stage: Stage, _old, _initiator) -> None:
    """Whenever the ORM sets a case's stage, its position in the law's order goes with it."""
    case.stage_position = Stage(stage).position


# Kept by a trigger on ehc_case (PostgreSQL, migration 0010) for the caseload's team counts:
# portal/casework/tally.py. Never written by the app itself.
caseload_tally = Table(
    "caseload_tally",
    db.metadata,
    Column("team_id", ForeignKey("team.id"), nullable=False),
    Column("next_deadline_on", Date),
    Column("told_until", Date),
    Column("unassigned", Boolean, nullable=False),
    Column("excepted", Boolean, nullable=False),
    Column("not_reached", Boolean, nullable=False),
    Column("cases", Integer, nullable=False),
    UniqueConstraint(
        "team_id", "next_deadline_on", "told_until", "unassigned", "excepted", "not_reached",
        name="uq_caseload_tally_key", postgresql_nulls_not_distinct=True,
    ),
)
