"""What the emails say, with the demo data: every template is queued the way the service queues
it, every outbox row is rendered (text and HTML), and no body holds a child's surname, a date of
birth, a staff note, a note for the family, an exception's reason or a delay reason. Each
stage-change email names its stage and links to the case."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from portal import demo, invitations
from portal.auth import links
from portal.ehcp import services, timeline
from portal.ehcp.milestones import long_date
from portal.ehcp.models import Case, CaseNote, StageChange, TimelineException
from portal.ehcp.services import StageUpdate
from portal.ehcp.stages import Stage
from portal.email import Email, render_email
from portal.extensions import db
from portal.family.stage_text import stage_text
from portal.models import Child, FamilyLink, Invitation, Relationship, Role, User
from portal.notifications import digest
from portal.outbox import OutboxEmail

EMAILED_STAGES = [stage for stage in Stage if stage is not Stage.REQUEST_RECEIVED]


def _user(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


def _path(start: Stage, target: Stage) -> list[Stage] | None:
    """The shortest run of moves from one stage to another, or None."""
    paths = {start: []}
    queue = [start]
    while queue:
        stage = queue.pop(0)
        for following in stage.next_stages:
            if following not in paths:
                paths[following] = [*paths[stage], following]
                queue.append(following)
    return paths.get(target)


def _linked_cases() -> list[Case]:
    """The demo cases whose child has a family account to email."""
    return list(db.session.scalars(
        select(Case).where(Case.child_id.in_(select(FamilyLink.child_id))).order_by(Case.id)
    ))


def _move_one_case_to_each_stage(app: Flask, today: date) -> dict[Stage, tuple[Case, int]]:
    """Each stage that can be emailed, reached by moving a family's case (through the stages in
    between if need be), with a note for the family and one for staff at each move. A new request
    for a linked child starts at "Request received". Returns the case and the stage change id."""
    actor = _user("caseworker.north@example.org")
    child = _linked_cases()[0].child
    services.open_case(child.id, child.team_id, today, actor, caseworker=actor)
    db.session.commit()
    moved: dict[Stage, tuple[Case, int]] = {}
    number = 0
    for target in EMAILED_STAGES:
        routes = [(case, _path(case.stage, target)) for case in _linked_cases()]
        case, path = min(((c, p) for c, p in routes if p), key=lambda item: len(item[1]))
        for stage in path:
            number += 1
            update = StageUpdate(
                stage, today,
                family_note=f"Family note {number}: we spoke to the school about the reading support plan.",
                staff_note=f"Staff note {number}: the parent prefers calls after 3pm, health visitor concerned.",
            )
            with app.test_request_context():
                change = services.change_stage(case, actor, update, case.version, today)
        moved[target] = (case, change.id)
    return moved


def _young_persons_case_moves(app: Flask, today: date) -> Case:
    """The demo young person's own case moves too, so that "your" wording is rendered."""
    young = _user("young.person@example.org")
    case = db.session.scalar(
        select(Case).join(FamilyLink, FamilyLink.child_id == Case.child_id)
        .where(FamilyLink.user_id == young.id, Case.closed.is_(False)).order_by(Case.id)
    )
    with app.test_request_context():
        services.change_stage(
            case, _user("caseworker.north@example.org"),
            StageUpdate(case.stage.next_stages[0], today), case.version, today,
        )
    return case


def _queue_account_emails(app: Flask) -> None:
    caseworker = _user("caseworker.north@example.org")
    manager = _user("manager.north@example.org")
    parent = _user("parent.two.children@example.org")
    child = db.session.scalar(select(Child).join(FamilyLink).where(FamilyLink.user_id != parent.id).order_by(Child.id))
    with app.test_request_context():
        invitations.invite_family_member(caseworker, child, "new.parent@example.org", "New Parent",
                                         Relationship.PARENT)
        invitations.invite_family_member(caseworker, child, "new.young.person@example.org", "New Young",
                                         Relationship.YOUNG_PERSON)
        # The demo's open request to link a child to an existing account, sent again.
        request = db.session.scalar(select(Invitation).where(Invitation.email == parent.email))
        assert invitations.resend_family_invitation(caseworker, request)
        invitations.invite_staff(manager, "new.caseworker@example.org", "New Caseworker", Role.CASEWORKER,
                                 manager.team)
        links.request_password_reset(parent.email)
    client = app.test_client()
    response = client.post("/sign-in", data={"email": parent.email, "password": demo.DEMO_PASSWORD})
    assert response.status_code == 302
    response = client.post("/account/password", data={
        "current": demo.DEMO_PASSWORD, "password": "violet harbour compass meadow",
        "confirm": "violet harbour compass meadow",
    })
    assert response.status_code == 302, response.get_data(as_text=True)[:300]


def _rendered(app: Flask) -> list[tuple[OutboxEmail, Email]]:
    db.session.expire_all()
    rows = db.session.scalars(select(OutboxEmail).order_by(OutboxEmail.id)).all()
    with app.app_context():
        return [(row, render_email(row.to_email, row.subject, row.template, **row.context)) for row in rows]


def _date_formats(day: date) -> list[str]:
    """A date of birth in every way the service writes dates, and the usual others."""
    return [long_date(day), day.isoformat(), f"{day:%d/%m/%Y}", f"{day.day}/{day.month}/{day.year}",
            f"{day:%d %B %Y}", f"{day.day} {day:%b %Y}", f"{day:%B} {day.day}, {day.year}"]


def _secrets() -> list[str]:
    """Text that must never be in an email body, whatever the template."""
    notes = [
        *db.session.scalars(select(CaseNote.text)),
        *db.session.scalars(select(StageChange.staff_note).where(StageChange.staff_note.is_not(None))),
        *db.session.scalars(select(StageChange.family_note).where(StageChange.family_note.is_not(None))),
        *db.session.scalars(select(TimelineException.reason)),
        *db.session.scalars(select(TimelineException.staff_note).where(TimelineException.staff_note.is_not(None))),
        *db.session.scalars(select(Case.delay_reason).where(Case.delay_reason.is_not(None))),
    ]
    assert len(notes) > 10
    return notes


@pytest.fixture
def emails(app: Flask) -> dict:
    today = date.today()
    demo.seed(today)
    young_case = _young_persons_case_moves(app, today)
    moved = _move_one_case_to_each_stage(app, today)
    _queue_account_emails(app)
    with app.test_request_context():
        assert digest.queue_digests(today) >= 1
    return {"today": today, "moved": moved, "young_case": young_case, "rendered": _rendered(app)}


def _for_change(emails: dict, change_id: int) -> list[tuple[OutboxEmail, Email]]:
    return [(r, e) for r, e in emails["rendered"] if r.event_key.startswith(f"stage-change:{change_id}:")]


def test_every_template_is_rendered_with_the_demo_data(emails: dict) -> None:
    templates = {row.template for row, _ in emails["rendered"]}
    assert templates == {"stage_changed", "invitation", "link_request", "password_reset", "password_changed",
                         "digest", "message_to_staff", "message_to_family"}


def test_no_email_body_holds_a_surname_a_date_of_birth_or_any_note(emails: dict) -> None:
    children = db.session.scalars(select(Child)).all()
    surnames = {child.last_name for child in children}
    births = {text for child in children for text in _date_formats(child.date_of_birth)}
    secrets = _secrets()
    problems = []
    for row, email in emails["rendered"]:
        for part, body in (("text", email.text), ("html", email.html), ("subject", email.subject)):
            for surname in surnames:
                if re.search(rf"\b{re.escape(surname)}\b", body):
                    problems.append(f"{row.template} #{row.id} {part}: surname {surname!r}")
            problems += [f"{row.template} #{row.id} {part}: date of birth {b!r}" for b in births if b in body]
            problems += [f"{row.template} #{row.id} {part}: note {s[:40]!r}" for s in secrets if s in body]
    assert not problems, "\n".join(problems)


def test_the_outbox_context_holds_no_surname_or_note(emails: dict) -> None:
    surnames = {child.last_name for child in db.session.scalars(select(Child))}
    for row, _ in emails["rendered"]:
        stored = repr(row.context)
        assert not [s for s in surnames if re.search(rf"\b{re.escape(s)}\b", stored)], row.template
        assert not [s for s in _secrets() if s in stored], row.template


def test_each_stage_change_email_names_its_stage_says_what_it_means_and_links_to_the_case(emails: dict) -> None:
    for stage, (case, change_id) in emails["moved"].items():
        sent = _for_change(emails, change_id)
        assert sent, f"no email for the move to {stage}"
        for row, email in sent:
            link = f"http://localhost/family/cases/{case.id}"
            young = row.context["young_person"]
            meaning = stage_text(stage, young).happening
            for body in (email.text, email.html.replace("&#39;", "'")):
                assert stage.label in body, (stage, body)
                assert link in body
                assert meaning in body
                assert case.child.first_name in body or young
            assert f'href="{link}"' in email.html
            assert email.text.startswith("Hello,")


def test_the_draft_plan_email_says_until_when_the_family_can_comment(emails: dict) -> None:
    case, change_id = emails["moved"][Stage.DRAFT_PLAN]
    until = long_date(timeline.draft_comments_due(emails["today"]))
    assert until == long_date(emails["today"] + timedelta(days=14))
    (_row, email), *_ = _for_change(emails, change_id)
    assert f"You can comment on the draft plan and name the school or college you want until {until}." in email.text
    final = long_date(timeline.final_plan_due(case.request_received_on))
    if timeline.final_plan_due(case.request_received_on) >= emails["today"]:
        assert f"The council must issue the final EHC plan by {final}." in email.text


def test_a_closing_decision_email_gives_the_last_day_to_appeal(emails: dict) -> None:
    _, change_id = emails["moved"][Stage.NOT_ASSESSING]
    (_row, email), *_ = _for_change(emails, change_id)
    until = long_date(timeline.appeal_due(emails["today"]))
    assert f"If you disagree, you can appeal to the SEND Tribunal until {until}." in email.text


def test_the_young_person_reads_your(emails: dict) -> None:
    young = _user("young.person@example.org")
    mine = [(r, e) for r, e in emails["rendered"] if r.user_id == young.id and r.template == "stage_changed"]
    assert mine
    for _row, email in mine:
        assert email.subject.startswith("Your ")
        assert "Your education, health and care (EHC) needs assessment or plan has moved" in email.text
        assert "your child" not in email.text


def test_optional_emails_link_to_the_settings_page(emails: dict) -> None:
    digests = [(r, e) for r, e in emails["rendered"] if r.template == "digest"]
    assert digests
    for _row, email in digests:
        assert "http://localhost/account/emails" in email.text
        assert 'href="http://localhost/account/emails"' in email.html
        assert "http://localhost/casework/cases/" in email.text
