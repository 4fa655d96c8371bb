"""`flask cases import FILE.csv [--dry-run] [--notify]`, through click's runner, on SQLite and
PostgreSQL: the issue's import tests, and the fields kept as the services keep them."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from portal.casework import tally
from portal.ehcp import milestones
from portal.ehcp.models import Case, StageChange
from portal.ehcp.stages import Stage
from portal.extensions import db
from portal.models import AuditEvent, Child, Relationship, Role
from portal.outbox import OutboxEmail
from tests.case_import.helpers import RECEIVED, TODAY, csv_bytes, imported, line, state, uk
from tests.helpers import Factory


@pytest.fixture
def north(make: Factory):
    team = make.team("North SEND team")
    make.team("South SEND team")
    return team


def run(app: Flask, tmp_path: Path, content: bytes, *options: str):
    path = tmp_path / "cases.csv"
    path.write_bytes(content)
    result = app.test_cli_runner().invoke(args=["cases", "import", str(path), *options])
    db.session.expire_all()
    return result


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_file_makes_cases_children_and_their_first_stage_change(app, tmp_path, make, north) -> None:
    caseworker = make.user(Role.CASEWORKER, team=north, email="casey.worker@example.org")
    rows = [
        line("CMS-1", caseworker_email="Casey.Worker@example.org"),
        line("CMS-2", stage="draft_plan", stage_since=TODAY - timedelta(days=3),
             draft_served_on=TODAY - timedelta(days=3), child_first_name="Ben"),
        line("CMS-3", stage="Final plan issued", stage_since=TODAY - timedelta(days=2),
             draft_served_on=TODAY - timedelta(days=20), final_plan_on=TODAY - timedelta(days=2)),
        line("CMS-4", stage="withdrawn", stage_since=TODAY - timedelta(days=1), is_reassessment="yes"),
    ]
    result = run(app, tmp_path, csv_bytes(rows))
    assert result.exit_code == 0, result.output
    assert "Imported: 4 new cases, 0 updated cases (0 stage changes), 0 unchanged cases." in result.output
    assert "No family was emailed" in result.output

    first = imported("CMS-1")
    assert first.caseworker_id == caseworker.id and first.team_id == north.id
    assert first.child.full_name == "Ada Importedchild" and first.child.team_id == north.id
    assert first.child.date_of_birth == date(2016, 3, 14)
    assert first.reference == f"EHC-{RECEIVED.year}-{first.id:05d}"
    assert first.version == 1 and first.created_at is not None
    for reference in ("CMS-1", "CMS-2", "CMS-3", "CMS-4"):
        case = imported(reference)
        # Kept exactly as the services keep them.
        assert case.next_deadline_on == milestones.council_deadline(case.dates)
        assert case.closed is case.stage.is_closed
        assert case.stage_position == case.stage.position
        change = db.session.scalars(select(StageChange).where(StageChange.case_id == case.id)).one()
        assert (change.from_stage, change.to_stage, change.effective_on) == (None, case.stage, case.stage_since)
        assert (change.source, change.changed_by_id) == ("import", None)
    assert imported("CMS-3").first_final_plan_on == TODAY - timedelta(days=2)
    assert imported("CMS-4").closed is True and imported("CMS-4").is_reassessment is True
    assert count(OutboxEmail) == 0
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "cases-imported")).one()
    assert event.actor_id is None
    assert event.detail == "cases.csv: 4 new cases, 0 updated cases (0 stage changes), 0 unchanged cases"


def test_the_same_file_twice_changes_nothing(app, tmp_path, north) -> None:
    content = csv_bytes([line(f"CMS-{n}") for n in range(1, 6)]
                        + [line("CMS-9", stage="final_plan", final_plan_on=TODAY - timedelta(days=9),
                                stage_since=TODAY - timedelta(days=9))])
    assert run(app, tmp_path, content).exit_code == 0
    before = state()
    again = run(app, tmp_path, content)
    assert again.exit_code == 0, again.output
    assert "0 new cases, 0 updated cases (0 stage changes), 6 unchanged cases" in again.output
    assert state() == before  # no new rows, no stage change, no updated_at or version change


def test_a_file_with_errors_saves_nothing_and_names_each_bad_line(app, tmp_path, north) -> None:
    rows = [
        line("CMS-1"),
        line("CMS-2", stage="Drafted"),
        line("CMS-3"),
        line("CMS-4", request_received_on="31/02/2026", child_first_name=""),
        line("CMS-1"),
    ]
    result = run(app, tmp_path, csv_bytes(rows))
    assert result.exit_code == 1
    output = result.output
    assert "Line 3, column stage: ‘Drafted’ is not a stage." in output
    assert "Line 5, column child_first_name: Enter the child’s first name" in output
    assert "Line 5, column request_received_on: ‘31/02/2026’ is not a real date" in output
    assert "Line 6, column reference: CMS-1 is also on line 2. Put each case on one line only" in output
    assert "Nothing was imported: the file has 4 problems" in output
    assert "Line 2" not in output and "Line 4" not in output
    assert (count(Case), count(Child), count(StageChange), count(AuditEvent)) == (0, 0, 0, 0)


@pytest.mark.parametrize(("values", "message"), [
    ({"stage": "pending"}, "Line 2, column stage: ‘pending’ is not a stage"),
    ({"stage_since": TODAY + timedelta(days=1)},
     "Line 2, column stage_since: The date the case reached its stage must be today or in the past"),
    ({"request_received_on": TODAY + timedelta(days=1), "stage_since": TODAY + timedelta(days=1)},
     "Line 2, column request_received_on: The date the request was received must be today or in the past"),
    ({"stage_since": RECEIVED - timedelta(days=1)},
     "Line 2, column stage_since: The date the case reached its stage must be on or after the date the request "
     "was received"),
    ({"child_date_of_birth": RECEIVED + timedelta(days=1)},
     "Line 2, column child_date_of_birth: The child’s date of birth must be on or before the date the request"),
    ({"team": "East SEND team"}, "Line 2, column team: There is no team called ‘East SEND team’ in the portal"),
    ({"caseworker_email": "nobody@example.org"},
     "Line 2, column caseworker_email: No active caseworker or manager has the email address nobody@example.org"),
    ({"stage": "draft_plan"}, "Line 2, column draft_served_on: Enter the date the draft plan was sent"),
    ({"stage": "annual_review"}, "Line 2, column final_plan_on: Enter the date the latest final plan was issued"),
    ({"draft_served_on": TODAY}, "Line 2, column draft_served_on: Leave this empty"),
    ({"review_meeting_on": TODAY}, "Line 2, column review_meeting_on: Leave this empty: review dates are only"),
    ({"request_received_on": "1/12/26"}, "Line 2, column request_received_on: ‘1/12/26’ has a 2-digit year"),
    ({"is_reassessment": "perhaps"}, "Line 2, column is_reassessment: ‘perhaps’ is not yes or no"),
    ({"child_last_name": "<b>Bold</b>"}, "Line 2, column child_last_name: Name must only include letters"),
], ids=["unknown-stage", "future-date", "future-request", "before-the-request", "born-after-the-request",
        "unknown-team", "unknown-caseworker", "draft-date-missing", "final-date-missing", "draft-date-too-early",
        "review-date-not-in-review", "two-digit-year", "not-yes-or-no", "html-in-a-name"])
def test_each_broken_rule_is_refused(app, tmp_path, north, values, message) -> None:
    result = run(app, tmp_path, csv_bytes([line("CMS-1", **values)]))
    assert result.exit_code == 1
    assert message in result.output
    assert count(Case) == 0


def test_a_caseworker_of_another_team_is_refused(app, tmp_path, make, north) -> None:
    make.user(Role.CASEWORKER, email="south.worker@example.org")
    result = run(app, tmp_path, csv_bytes([line(caseworker_email="south.worker@example.org")]))
    assert "Line 2, column caseworker_email: south.worker@example.org is not in North SEND team" in result.output
    assert count(Case) == 0


def test_a_header_missing_a_column_or_with_an_unknown_one_is_refused(app, tmp_path, north) -> None:
    header = ("reference", "child_first_name", "child_last_name", "team", "request_received_on", "stage",
              "stage_since", "stage_snce")
    result = run(app, tmp_path, csv_bytes([line()], header=header))
    assert "Line 1, column stage_snce: This is not a column the import reads" in result.output
    assert "Line 1, column child_date_of_birth: The file has no child_date_of_birth column" in result.output
    assert count(Case) == 0


def test_a_spreadsheet_file_is_read(app, tmp_path, north) -> None:
    """Excel's 'CSV UTF-8': a byte order mark, Windows line endings, UK dates, stage names as the
    portal shows them, column names with spaces and capitals, an empty line at the end, a name
    with an accent and a quoted comma."""
    header = tuple(name.replace("_", " ").capitalize() for name in line())
    row = {name.replace("_", " ").capitalize(): value for name, value in line(
        "CMS/2024/001", stage="Draft plan issued", stage_since=uk(TODAY - timedelta(days=5)),
        draft_served_on=uk(TODAY - timedelta(days=5)), request_received_on=uk(RECEIVED),
        child_date_of_birth="01/12/2016", child_first_name="Zoë", child_last_name="O’Brien, Jr",
        is_reassessment="",
    ).items()}
    content = csv_bytes([row], header=header, newline="\r\n", bom=True) + b",,,,,,,,,,,,,,\r\n"
    result = run(app, tmp_path, content)
    assert result.exit_code == 0, result.output
    case = imported("CMS/2024/001")
    assert case.stage is Stage.DRAFT_PLAN
    assert (case.request_received_on, case.draft_served_on) == (RECEIVED, TODAY - timedelta(days=5))
    assert case.child.date_of_birth == date(2016, 12, 1)
    assert (case.child.first_name, case.child.last_name) == ("Zoë", "O’Brien, Jr")


def test_a_file_that_is_not_utf8_is_refused_with_its_line(app, tmp_path, north) -> None:
    content = csv_bytes([line("CMS-1"), line("CMS-2")]).replace(b"Ada", "Zo\xeb".encode("cp1252"), 2)
    result = run(app, tmp_path, content)
    assert "Line 2: This line is not UTF-8 text" in result.output
    assert count(Case) == 0


def test_a_dry_run_says_what_would_change_and_saves_nothing(app, tmp_path, make, north) -> None:
    assert run(app, tmp_path, csv_bytes([line("CMS-1"), line("CMS-2")])).exit_code == 0
    before = state()
    events = count(AuditEvent)
    content = csv_bytes([
        line("CMS-1"),
        line("CMS-2", stage="deciding_to_issue", stage_since=TODAY),
        line("CMS-3"),
    ])
    result = run(app, tmp_path, content, "--dry-run")
    assert result.exit_code == 0, result.output
    assert ("Dry run, nothing saved. The import would make 1 new case, 1 updated case (1 stage change), "
            "1 unchanged case.") in result.output
    assert state() == before
    assert count(AuditEvent) == events


def test_a_second_import_updates_a_case_records_the_stage_change_and_emails_no_one(app, tmp_path, make, north) -> None:
    assert run(app, tmp_path, csv_bytes([line("CMS-1"), line("CMS-2")])).exit_code == 0
    case = imported("CMS-1")
    parent = make.user(Role.FAMILY, email="parent.one@example.org")
    make_link(case, parent)
    case.expected_on, case.delay_reason = TODAY + timedelta(days=3), None
    db.session.commit()
    version, child_id = imported("CMS-1").version, case.child_id
    content = csv_bytes([
        line("CMS-1", stage="deciding_to_issue", stage_since=TODAY, child_last_name="Renamed"),
        line("CMS-2"),
    ])
    result = run(app, tmp_path, content)
    assert "0 new cases, 1 updated case (1 stage change), 1 unchanged case" in result.output
    case = imported("CMS-1")
    assert case.stage is Stage.DECIDING_TO_ISSUE and case.stage_since == TODAY
    assert case.version == version + 1
    assert case.expected_on is None  # the expected date was for the stage before
    assert case.next_deadline_on == milestones.council_deadline(case.dates)
    assert case.child_id == child_id and case.child.last_name == "Renamed"
    latest = db.session.scalars(
        select(StageChange).where(StageChange.case_id == case.id).order_by(StageChange.id.desc())
    ).first()
    assert (latest.from_stage, latest.to_stage, latest.source, latest.changed_by_id) == (
        Stage.ASSESSING, Stage.DECIDING_TO_ISSUE, "import", None)
    assert count(OutboxEmail) == 0
    assert count(Child) == 2 and count(Case) == 2


def make_link(case: Case, parent) -> None:
    from portal.models import FamilyLink

    db.session.add(FamilyLink(user=parent, child_id=case.child_id, relationship_to_child=Relationship.PARENT))
    db.session.commit()


def test_notify_emails_the_family_of_a_stage_change(app, tmp_path, make, north, mail) -> None:
    assert run(app, tmp_path, csv_bytes([line("CMS-1")])).exit_code == 0
    case = imported("CMS-1")
    make_link(case, make.user(Role.FAMILY, email="parent.two@example.org"))
    result = run(app, tmp_path, csv_bytes([line("CMS-1", stage="deciding_to_issue", stage_since=TODAY)]), "--notify")
    assert result.exit_code == 0, result.output
    assert "Families were emailed about stage changes" in result.output
    [email] = db.session.scalars(select(OutboxEmail)).all()
    change = db.session.scalar(select(func.max(StageChange.id)))
    assert (email.to_email, email.event_key) == ("parent.two@example.org", f"stage-change:{change}:{email.user_id}")
    [message] = mail.to("parent.two@example.org")
    body = mail.text(message)
    assert "Ada" in body and "Importedchild" not in body and "2016" not in body
    assert Stage.DECIDING_TO_ISSUE.label in body
    assert "http://localhost/family/cases/" in body


def test_an_import_never_deletes(app, tmp_path, make, north) -> None:
    assert run(app, tmp_path, csv_bytes([line("CMS-1"), line("CMS-2")])).exit_code == 0
    staff_case = make.case(child=make.child(team=north))
    assert run(app, tmp_path, csv_bytes([line("CMS-2")])).exit_code == 0
    assert count(Case) == 3 and count(Child) == 3
    assert db.session.get(Case, staff_case.id) is not None


def test_the_caseload_tally_matches_after_an_import_on_postgresql(app, tmp_path, make, north) -> None:
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the tally's trigger is PostgreSQL's (migration 0010)")
    make.user(Role.CASEWORKER, team=north, email="casey.worker@example.org")
    rows = [line(f"CMS-{n}", caseworker_email="casey.worker@example.org" if n % 2 else "",
                 request_received_on=RECEIVED - timedelta(days=2 * n), stage_since=TODAY - timedelta(days=n % 20))
            for n in range(1, 60)]
    rows += [line("CMS-closed", stage="withdrawn", stage_since=TODAY)]
    assert run(app, tmp_path, csv_bytes(rows)).exit_code == 0
    expected = tally_from_cases(north.id)
    assert tally.counts(north.id, TODAY) == expected
    # A second import that moves some cases on, closes one and reassigns others.
    rows = [line(f"CMS-{n}", caseworker_email="casey.worker@example.org" if n % 3 else "",
                 request_received_on=RECEIVED - timedelta(days=2 * n),
                 stage="deciding_to_issue" if n % 4 == 0 else "withdrawn" if n == 5 else "assessing",
                 stage_since=TODAY if n % 4 == 0 or n == 5 else TODAY - timedelta(days=n % 20))
            for n in range(1, 60)]
    assert run(app, tmp_path, csv_bytes(rows)).exit_code == 0
    assert tally.counts(north.id, TODAY) == tally_from_cases(north.id)
    assert expected[0] > 0 and expected[2] > 0 and 0 < expected[3] < 59


def tally_from_cases(team_id: int) -> tuple[int, ...]:
    """The same six counts, read from the cases themselves."""
    cases = db.session.scalars(select(Case).where(Case.team_id == team_id, Case.closed.is_(False))).all()
    soon = TODAY + timedelta(days=tally.DUE_SOON_DAYS)
    late = [c for c in cases if c.next_deadline_on is not None and c.next_deadline_on < TODAY]
    return (
        len(late),
        len(late),  # no expected dates with reasons here
        sum(1 for c in cases if c.next_deadline_on is not None and TODAY <= c.next_deadline_on <= soon),
        sum(1 for c in cases if c.caseworker_id is None),
        sum(1 for c in cases if c.has_exception),
        sum(1 for c in cases if c.family_not_reached_since is not None),
    )


def test_a_stage_dated_before_the_portals_is_refused(app, tmp_path, north) -> None:
    assert run(app, tmp_path, csv_bytes([line("CMS-1", stage_since=TODAY - timedelta(days=5))])).exit_code == 0
    result = run(app, tmp_path, csv_bytes([line("CMS-1", stage="deciding_to_issue",
                                                stage_since=TODAY - timedelta(days=6))]))
    assert "Line 2, column stage_since: The case has been at ‘Assessing’ in the portal since" in result.output
    assert imported("CMS-1").stage is Stage.ASSESSING


def test_a_semicolon_file_is_read(app, tmp_path, north) -> None:
    content = csv_bytes([line("CMS-1")]).replace(b",", b";")
    result = run(app, tmp_path, content)
    assert result.exit_code == 0, result.output
    assert imported("CMS-1").stage is Stage.ASSESSING


def test_a_case_moved_to_another_team_takes_its_child_and_leaves_its_caseworker(app, tmp_path, make, north) -> None:
    make.user(Role.CASEWORKER, team=north, email="casey.worker@example.org")
    assert run(app, tmp_path, csv_bytes([line("CMS-1", caseworker_email="casey.worker@example.org")])).exit_code == 0
    # The caseworker is kept when the file leaves the column empty...
    assert run(app, tmp_path, csv_bytes([line("CMS-1")])).exit_code == 0
    assert imported("CMS-1").caseworker_id is not None
    # ... but not when the case moves to a team they are not in.
    result = run(app, tmp_path, csv_bytes([line("CMS-1", team="south send team")]))
    assert "1 updated case (0 stage changes)" in result.output
    case = imported("CMS-1")
    assert case.team.name == "South SEND team" and case.child.team_id == case.team_id
    assert case.caseworker_id is None


def test_the_first_final_plan_stays_when_an_amended_plan_follows(app, tmp_path, north) -> None:
    first = TODAY - timedelta(days=400)
    received = first - timedelta(weeks=19)
    plan = {"request_received_on": received, "draft_served_on": first - timedelta(weeks=4), "final_plan_on": first}
    assert run(app, tmp_path, csv_bytes([line("CMS-1", stage="final_plan", stage_since=first, **plan)])).exit_code == 0
    assert imported("CMS-1").first_final_plan_on == first
    amended = TODAY - timedelta(days=10)
    rows = [line("CMS-1", stage="final_plan", stage_since=amended, **{**plan, "final_plan_on": amended})]
    assert run(app, tmp_path, csv_bytes(rows)).exit_code == 0
    case = imported("CMS-1")
    assert (case.first_final_plan_on, case.final_plan_on) == (first, amended)
    assert case.next_deadline_on == milestones.council_deadline(case.dates)
