"""The case page: details, history (with notes for the family and for staff told apart), advice,
exceptions and staff notes; every view audited; another team's case not found, for every form."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from portal.casework.queries import today
from portal.ehcp.models import AdviceProvider, AdviceRequest, CaseNote, StageChange, TimelineException
from portal.ehcp.stages import Stage
from portal.ehcp.timeline import ExceptionType
from portal.extensions import db
from portal.models import AuditEvent, Role
from tests.casework.helpers import Teams, date_fields, many_cases, set_case, snapshot
from tests.helpers import check_page, get_page, sign_in_fast


def summary(page) -> dict[str, str]:
    rows = page.soup.select(".govuk-summary-list__row")
    return {
        " ".join(row.dt.get_text(" ").split()): " ".join(row.dd.get_text(" ").split())
        for row in rows
    }


def audit_actions(action: str) -> list[tuple[int, str]]:
    return list(db.session.execute(select(AuditEvent.actor_id, AuditEvent.target).where(AuditEvent.action == action)))


def add_history(teams: Teams) -> None:
    """A second stage change with both notes, advice, an exception and a staff note."""
    case = teams.case
    received = case.request_received_on
    db.session.add(
        StageChange(
            case_id=case.id, from_stage=Stage.REQUEST_RECEIVED, to_stage=Stage.DECIDING_TO_ASSESS,
            effective_on=received + timedelta(days=2), changed_by=teams.caseworker,
            family_note="We have your request.\nWe will decide soon.", staff_note="Chased the school twice.",
        )
    )
    db.session.add(AdviceRequest(case_id=case.id, provider=AdviceProvider.HEALTH, requested_on=received,
                                 due_on=received + timedelta(weeks=6)))
    db.session.add(AdviceRequest(case_id=case.id, provider=AdviceProvider.EDUCATION, requested_on=received,
                                 due_on=received + timedelta(weeks=6), received_on=received + timedelta(days=5)))
    db.session.add(TimelineException(case_id=case.id, type=ExceptionType.AWAY_FROM_AREA, reason="Abroad for 5 weeks.",
                                     applies_from=received + timedelta(days=1), recorded_by=teams.caseworker))
    db.session.add(CaseNote(case_id=case.id, author=teams.manager, text="Spoke to the family <b>today</b>."))
    set_case(case, stage=Stage.DECIDING_TO_ASSESS, stage_since=received + timedelta(days=2), has_exception=True,
             expected_on=received + timedelta(weeks=7), delay_reason="The panel meets late this month.")


def test_shows_the_case(client: FlaskClient, teams: Teams) -> None:
    add_history(teams)
    sign_in_fast(client, teams.caseworker)
    page = get_page(client, f"/casework/cases/{teams.case.id}")
    case = teams.case
    received = case.request_received_on
    assert page.h1 == f"{teams.child.full_name}: case {case.reference}"
    details = summary(page)
    assert details["Reference"] == case.reference
    assert details["Child"] == f"{teams.child.full_name} Born 1 January 2015"
    assert details["Request received"] == f"{received:%-d %B %Y}"
    assert details["Stage"] == f"Deciding whether to assess Since {received + timedelta(days=2):%-d %B %Y}"
    assert details["Caseworker"] == "Casey Worker"
    due = received + timedelta(weeks=6)
    status = f"Due in {(due - today()).days} days"
    assert details["Next legal deadline"] == f"Decision on whether to assess: {due:%-d %B %Y} (reg 5(1)) {status}"
    assert details["Expected date"].startswith(f"{received + timedelta(weeks=7):%-d %B %Y}")
    assert "The panel meets late this month." in details["Expected date"]
    assert details["Final plan deadline"].startswith(f"{received + timedelta(weeks=20):%-d %B %Y} (reg 13(2))")
    assert "away from the area" in details["Exceptions"]
    child_link = page.soup.select(".govuk-summary-list__row")[1].find("a")
    assert child_link["href"] == f"/casework/children/{teams.child.id}"


def test_history_is_newest_first_with_both_notes_labelled(client: FlaskClient, teams: Teams) -> None:
    add_history(teams)
    sign_in_fast(client, teams.caseworker)
    page = get_page(client, f"/casework/cases/{teams.case.id}")
    history = page.soup.find(id="history").find_next("ol").find_all("li", recursive=False)
    assert [item.h3.get_text(strip=True) for item in history] == ["Deciding whether to assess", "Request received"]
    newest = " ".join(history[0].get_text().split())
    assert "Recorded by Casey Worker" in newest
    assert "Note for the family We have your request. We will decide soon." in newest
    assert "Staff only Note for staff Chased the school twice." in newest
    assert history[0].select_one(".govuk-tag").get_text(strip=True) == "Staff only"
    assert "Case opened" in history[1].get_text()


def test_advice_exceptions_and_notes(client: FlaskClient, teams: Teams) -> None:
    add_history(teams)
    sign_in_fast(client, teams.caseworker)
    page = get_page(client, f"/casework/cases/{teams.case.id}")
    html = page.response.get_data(as_text=True)
    advice = page.soup.find(id="advice").find_next("table")
    rows = [" ".join(row.get_text().split()) for row in advice.select("tbody tr")]
    assert rows[0].startswith("Health services")
    assert rows[1].startswith("School or early years setting")
    assert "Received" in rows[1]
    # Only the outstanding request can be marked as received, on its own page.
    received_links = page.soup.select("#tasks ~ ul a[href$='/received']")
    assert len(received_links) == 1
    assert not page.soup.select("main form")  # the summary has no forms: each task has its page
    exceptions = " ".join(page.soup.find(id="exceptions").find_next("ul").get_text().split())
    assert "Abroad for 5 weeks." in exceptions
    assert "reg 10(4)(d)" in exceptions
    notes = " ".join(page.soup.find(id="notes").find_next("ul").get_text().split())
    assert "Morgan Manager" in notes
    assert "Spoke to the family <b>today</b>." in notes  # shown as text
    assert "<b>today</b>" not in html


def test_every_view_is_audited(client: FlaskClient, teams: Teams) -> None:
    sign_in_fast(client, teams.caseworker)
    get_page(client, f"/casework/cases/{teams.case.id}")
    get_page(client, f"/casework/cases/{teams.case.id}")
    views = audit_actions("case-viewed")
    assert views == [(teams.caseworker.id, f"case:{teams.case.id}")] * 2


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.MANAGER])
def test_another_teams_case_is_not_found_and_not_audited(client: FlaskClient, teams: Teams, role: Role) -> None:
    user = teams.caseworker if role is Role.CASEWORKER else teams.manager
    sign_in_fast(client, user)
    other = get_page(client, f"/casework/cases/{teams.south_case.id}", status=404)
    missing = get_page(client, f"/casework/cases/{teams.south_case.id + 1000}", status=404)
    assert other.h1 == "Page not found"
    assert other.text == missing.text
    assert "Southchild" not in other.text
    assert audit_actions("case-viewed") == []


def _every_form(teams: Teams, advice_id: int) -> dict[str, dict]:
    """Each form's URL (under the case) and what a person would send."""
    now = today()
    version = str(teams.south_case.version)
    return {
        "stage": {"stage-version": version, "stage-to_stage": "deciding_to_assess",
                  **date_fields("stage-effective_on", now), "stage-family_note": "Moving on"},
        "expected-date": {"expected-version": version, **date_fields("expected-expected_on", now)},
        "review-dates": {"review-version": version, **date_fields("review-review_meeting_on", now)},
        "exceptions": {"exception-exception_type": "personal_circumstances", "exception-reason": "Illness",
                       **date_fields("exception-applies_from", now)},
        "advice": {"advice-provider": "health", **date_fields("advice-requested_on", now)},
        f"advice/{advice_id}/received": {**date_fields(f"received-{advice_id}-received_on", now)},
        "notes": {"note-text": "A note"},
        "caseworker": {"reassign-version": version, "reassign-caseworker": str(teams.caseworker.id)},
    }


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.MANAGER])
def test_no_form_reaches_another_teams_case(client: FlaskClient, teams: Teams, role: Role) -> None:
    south = teams.south_case
    advice = AdviceRequest(case_id=south.id, provider=AdviceProvider.HEALTH, requested_on=south.request_received_on,
                           due_on=south.request_received_on + timedelta(weeks=6))
    db.session.add(advice)
    db.session.commit()
    sign_in_fast(client, teams.manager if role is Role.MANAGER else teams.caseworker)
    before = snapshot()
    audit_events = db.session.scalar(select(func.max(AuditEvent.id))) or 0
    refusals = []
    for path, data in _every_form(teams, advice.id).items():
        response = client.post(f"/casework/cases/{south.id}/{path}", data=data)
        forbidden = path == "caseworker" and role is Role.CASEWORKER
        page = check_page(response, 403 if forbidden else 404)
        assert "Southchild" not in page.text, path
        refused = ("access-refused", f"/casework/cases/{south.id}/{path}")
        refusals.append(refused if forbidden else ("record-refused", f"case:{south.id}"))
    assert snapshot() == before
    # Nothing changed but the audit log, which records each refusal and who tried.
    logged = db.session.execute(
        select(AuditEvent.action, AuditEvent.target, AuditEvent.actor_id).where(AuditEvent.id > audit_events)
        .order_by(AuditEvent.id)
    ).all()
    actor = (teams.manager if role is Role.MANAGER else teams.caseworker).id
    assert logged == [(action, target, actor) for action, target in refusals]


def test_advice_of_another_case_is_not_found(client: FlaskClient, teams: Teams, make) -> None:
    other_case = make.case(child=make.child(team=teams.north))
    advice = AdviceRequest(case_id=other_case.id, provider=AdviceProvider.HEALTH,
                           requested_on=other_case.request_received_on,
                           due_on=other_case.request_received_on + timedelta(weeks=6))
    db.session.add(advice)
    db.session.commit()
    sign_in_fast(client, teams.caseworker)
    before = snapshot()
    response = client.post(
        f"/casework/cases/{teams.case.id}/advice/{advice.id}/received",
        data=date_fields(f"received-{advice.id}-received_on", today()),
    )
    check_page(response, 404)
    assert snapshot() == before


def test_the_child_page_links_to_the_childs_cases(client: FlaskClient, teams: Teams, make) -> None:
    earlier = make.case(child=teams.child, request_received_on=date(2020, 3, 2))
    set_case(earlier, stage=Stage.WITHDRAWN)
    sign_in_fast(client, teams.caseworker)
    page = get_page(client, f"/casework/children/{teams.child.id}")
    links = [(a.get_text(strip=True), a["href"]) for a in page.soup.select("main table a[href^='/casework/cases/']")]
    assert links == [
        (teams.case.reference, f"/casework/cases/{teams.case.id}"),
        (earlier.reference, f"/casework/cases/{earlier.id}"),
    ]
    # The invitation flow is still there.
    invite = page.soup.select_one(f"a[href='/casework/children/{teams.child.id}/invite']")
    assert " ".join(invite.get_text().split()) == "Invite a family member"


def test_managers_can_assign_and_caseworkers_cannot(client: FlaskClient, teams: Teams) -> None:
    sign_in_fast(client, teams.caseworker)
    page = get_page(client, f"/casework/cases/{teams.case.id}")
    assert not page.soup.select("a[href$='/caseworker']")
    get_page(client, f"/casework/cases/{teams.case.id}/caseworker", status=403)
    sign_in_fast(client, teams.manager)
    page = get_page(client, f"/casework/cases/{teams.case.id}")
    assert page.soup.select("#tasks ~ ul a[href$='/caseworker']")
    page = get_page(client, f"/casework/cases/{teams.case.id}/caseworker")
    options = [option.get_text() for option in page.soup.select("select[name=reassign-caseworker] option")]
    assert options == ["Not assigned", "Casey Worker", "Morgan Manager", "Robin Caseworker"]
    selected = page.soup.select_one("select[name=reassign-caseworker] option[selected]")
    assert selected["value"] == str(teams.caseworker.id)


def test_only_the_next_stages_are_offered(client: FlaskClient, teams: Teams) -> None:
    sign_in_fast(client, teams.caseworker)
    assert get_page(client, f"/casework/cases/{teams.case.id}").soup.select("a[href$='/stage']")
    page = get_page(client, f"/casework/cases/{teams.case.id}/stage")
    offered = [radio["value"] for radio in page.soup.select("input[name=stage-to_stage]")]
    assert offered == ["deciding_to_assess", "withdrawn", "moved_away"]
    set_case(teams.case, stage=Stage.WITHDRAWN)
    assert not get_page(client, f"/casework/cases/{teams.case.id}").soup.select("a[href$='/stage']")
    page = get_page(client, f"/casework/cases/{teams.case.id}/stage")
    assert not page.soup.select("input[name=stage-to_stage]")
    assert "This case is closed. It cannot move to another stage." in page.text


def test_review_dates_are_asked_for_only_during_an_annual_review(client: FlaskClient, teams: Teams) -> None:
    sign_in_fast(client, teams.caseworker)
    url = f"/casework/cases/{teams.case.id}"
    assert not get_page(client, url).soup.select("a[href$='/review-dates']")
    assert not get_page(client, f"{url}/review-dates").soup.select("main form")
    set_case(teams.case, stage=Stage.ANNUAL_REVIEW, final_plan_on=date(2025, 1, 1))
    assert get_page(client, url).soup.select("a[href$='/review-dates']")
    assert get_page(client, f"{url}/review-dates").soup.select("input[name=review-review_meeting_on]")


@pytest.mark.parametrize("size", [10, 500])
@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.MANAGER])
def test_at_most_10_queries_whatever_the_size(
    app: Flask, client: FlaskClient, teams: Teams, count_queries, size: int, role: Role
) -> None:
    many_cases(teams.north, size, caseworker=teams.caseworker)
    add_history(teams)
    case = teams.case
    for number in range(size // 10):
        db.session.add(CaseNote(case_id=case.id, author=teams.caseworker, text=f"Note {number}"))
        db.session.add(AdviceRequest(case_id=case.id, provider=AdviceProvider.OTHER,
                                     requested_on=case.request_received_on,
                                     due_on=case.request_received_on + timedelta(weeks=6)))
        db.session.add(StageChange(case_id=case.id, from_stage=Stage.REQUEST_RECEIVED,
                                   to_stage=Stage.DECIDING_TO_ASSESS, effective_on=case.request_received_on,
                                   changed_by=teams.other_caseworker, staff_note="More history"))
    db.session.commit()
    sign_in_fast(client, teams.manager if role is Role.MANAGER else teams.caseworker)
    url = f"/casework/cases/{case.id}"  # read before counting: the test's own session reloads
    advice_id = db.session.scalar(select(AdviceRequest.id).where(AdviceRequest.received_on.is_(None)).limit(1))
    pages = ["", "/stage", "/expected-date", "/review-dates", "/exceptions", "/advice",
             f"/advice/{advice_id}/received", "/notes", *(["/caseworker"] if role is Role.MANAGER else [])]
    client.get(url)  # warm up
    for path in pages:
        with count_queries() as queries:
            response = client.get(url + path)
        assert response.status_code == 200, path
        assert queries.count <= 10, (path, queries.count, queries.statements)
    # A form sent back with problems is a page too.
    version = str(case.version)
    for path, data in [
        ("/notes", {"note-text": ""}),
        ("/stage", {"stage-version": version}),
        ("/expected-date", {"expected-version": version, **date_fields("expected-expected_on", date(2020, 1, 1))}),
        ("/advice", {}),
        (f"/advice/{advice_id}/received", {f"received-{advice_id}-version": version}),
    ]:
        with count_queries() as queries:
            response = client.post(url + path, data=data)
        assert response.status_code == 400, path
        assert queries.count <= 10, (path, queries.count, queries.statements)
