"""The family's case page (/family/cases/<id>): where the case stands, its dates, progress,
advice, exceptions and history, for the family of the child only, and never a staff note."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from bs4 import Tag
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from portal.ehcp import services
from portal.ehcp.models import AdviceProvider, AdviceRequest, Case, StageChange, TimelineException
from portal.ehcp.stages import Stage
from portal.ehcp.timeline import ExceptionType
from portal.extensions import db
from portal.family.stage_text import stage_text
from portal.intake.models import RequestStatus
from portal.models import FamilyLink, Relationship, Role, User
from tests.family.helpers import REQUEST, Family, move, on_day, rows, words
from tests.helpers import Factory, Page, get_page, sign_in_fast
from tests.intake.conftest import add_received_request

STAFF_NOTE = "STAFF-ONLY-7f3a the parent was upset on the phone"
CASE_NOTE = "CASENOTE-SECRET-91b2 check the school's attendance figures"
TODAY = date(2025, 4, 9)


@dataclass
class Assessing:
    """A case moved by the services to assessing, with advice, an exception and notes."""

    case: Case
    family: Family


@pytest.fixture
def assessing(app: Flask, make: Factory, family: Family) -> Assessing:
    worker = family.caseworker
    case = make.case(child=family.child, request_received_on=REQUEST, caseworker=worker)
    move(app, case, worker, Stage.DECIDING_TO_ASSESS, date(2025, 1, 8),
         family_note="We have your request and are looking at the evidence.")
    move(app, case, worker, Stage.ASSESSING, date(2025, 2, 14),
         family_note="We will assess Ourchild.\nWe have asked the school for advice.", staff_note=STAFF_NOTE)
    asked = date(2025, 2, 17)  # advice due 31 March 2025
    on_time = services.request_advice(case, worker, AdviceProvider.EDUCATION, asked, TODAY)
    services.advice_received(case, on_time, worker, date(2025, 3, 20), TODAY, case.version)
    late = services.request_advice(case, worker, AdviceProvider.HEALTH, asked, TODAY)
    services.advice_received(case, late, worker, date(2025, 4, 4), TODAY, case.version)
    services.request_advice(case, worker, AdviceProvider.EDUCATIONAL_PSYCHOLOGIST, asked, TODAY)
    services.request_advice(case, worker, AdviceProvider.SOCIAL_CARE, date(2025, 3, 10), TODAY)
    services.record_exception(
        case, worker, ExceptionType.PERSONAL_CIRCUMSTANCES, "Ourchild was in hospital for 5 weeks.",
        date(2025, 3, 3), TODAY, case.version, STAFF_NOTE,
    )
    services.set_expected_date(
        case, worker, date(2025, 5, 5), "We are waiting for the educational psychologist’s advice.", case.version
    )
    services.add_note(case, worker, CASE_NOTE)
    return Assessing(case, family)


def case_page(client: FlaskClient, user: User, case: Case, today: date = TODAY) -> Page:
    with on_day(today):
        sign_in_fast(client, user)
        return get_page(client, f"/family/cases/{case.id}")


def section(page: Page, heading: str) -> list[Tag]:
    """The elements after an h2, up to the next h2."""
    h2 = next(h for h in page.soup.select("main h2") if words(h) == heading)
    found = []
    for sibling in h2.find_next_siblings():
        if sibling.name == "h2":
            break
        found.append(sibling)
    return found


def progress(page: Page) -> list[tuple[str, str, str]]:
    """The task list as (stage, status, hint)."""
    return [
        (
            words(item.select_one(".govuk-task-list__name-and-hint > div")),
            words(item.select_one(".govuk-task-list__status")),
            words(item.select_one(".govuk-task-list__hint")) if item.select_one(".govuk-task-list__hint") else "",
        )
        for item in page.soup.select(".govuk-task-list__item")
    ]


def test_where_things_stand(client: FlaskClient, assessing: Assessing) -> None:
    page = case_page(client, assessing.family.parent, assessing.case)
    assert page.h1 == "Ourchild’s education, health and care needs assessment"
    assert page.title.startswith(page.h1)
    assert page.soup.select_one("main .govuk-caption-l").get_text() == f"Reference {assessing.case.reference}"
    summary = page.soup.select_one("main .govuk-summary-list")
    assert rows(summary) == {
        "Stage": "Assessing Since 14 February 2025.",
        # 16 weeks from 6 January 2025, and the final plan 20 weeks from it.
        "Legal deadline": "The council must decide whether to issue an EHC plan by 28 April 2025. Due in 19 days",
        "Expected date": "The council expects to do this by 5 May 2025. This is later than the legal deadline. "
        "The council says this is why: We are waiting for the educational psychologist’s advice.",
        "Final plan": "If the council decides Ourchild needs an EHC plan, it must issue the final plan by 26 May 2025. "
        "Due in 47 days",
        "Caseworker": "Casey Worker",
        "Contact": "North SEND team Phone 01632 960 000 Email send@example.org",
    }
    assert summary.select_one('a[href="tel:01632960000"]')
    text = stage_text(Stage.ASSESSING, young_person=False)
    for line in (text.happening, text.next, text.you_can):
        assert line in page.text
    assert "What is happening" in [words(h) for h in page.soup.select("main h2")]
    for heading in ("What happens next", "What you can do"):
        assert heading in [words(h) for h in page.soup.select("main h3")]
    details = words(page.soup.select_one("main details.govuk-details"))
    assert details.startswith("How these dates are worked out")
    assert "The council received the request on 6 January 2025." in details
    assert "The legal deadline is 16 weeks after the council received the request on 6 January 2025." in details


def test_progress_through_the_stages(client: FlaskClient, assessing: Assessing) -> None:
    page = case_page(client, assessing.family.parent, assessing.case)
    assert progress(page) == [
        ("Request received", "Completed", "From 6 January 2025 to 8 January 2025."),
        ("Deciding whether to assess", "Completed",
         "From 8 January 2025 to 14 February 2025. Finished by the legal deadline of 17 February 2025."),
        ("Assessing", "In progress", "Since 14 February 2025."),
        ("Deciding whether to issue a plan", "Not started yet", ""),
        ("Draft plan issued", "Not started yet", ""),
        ("Final plan issued", "Not started yet", ""),
        ("Annual review", "Not started yet", ""),
    ]
    current = page.soup.select(".govuk-task-list__item")[2]
    assert current.select_one(".govuk-task-list__status .govuk-tag")


def test_history_is_newest_first_with_the_family_notes(client: FlaskClient, assessing: Assessing) -> None:
    page = case_page(client, assessing.family.parent, assessing.case)
    entries = [words(li) for li in page.soup.select("main ol.app-case-history > li")]
    assert entries == [
        "Assessing 14 February 2025 We will assess Ourchild. We have asked the school for advice.",
        "Deciding whether to assess 8 January 2025 We have your request and are looking at the evidence.",
        "Request received 6 January 2025",
    ]
    # Each line of a note is its own paragraph.
    assert len(page.soup.select("main ol.app-case-history > li")[0].select("p.govuk-body")) == 2


def test_advice_requests_and_their_status(client: FlaskClient, assessing: Assessing) -> None:
    page = case_page(client, assessing.family.parent, assessing.case)
    advice = next(part for part in section(page, "Advice from professionals") if part.name == "dl")
    assert rows(advice) == {
        "School or early years setting": "Asked for on 17 February 2025 Due by 31 March 2025 "
        "Received on 20 March 2025",
        "Health services": "Asked for on 17 February 2025 Due by 31 March 2025 Received on 4 April 2025 (4 days late)",
        "Educational psychologist": "Asked for on 17 February 2025 Due by 31 March 2025 Not received yet "
        "Late by 9 days",
        "Social care": "Asked for on 10 March 2025 Due by 21 April 2025 Not received yet Due in 12 days",
    }
    assert [words(tag) for tag in advice.select(".govuk-tag--red")] == ["Late by 9 days"]


def test_exceptions_are_explained(client: FlaskClient, assessing: Assessing) -> None:
    page = case_page(client, assessing.family.parent, assessing.case)
    parts = section(page, "Exceptions to the time limits")
    text = " ".join(words(part) for part in parts)
    assert "The council has recorded an exception for this case." in text
    assert (
        "An exception does not change the legal deadline. It means the council is not breaking the law if it "
        "misses the deadline for this reason." in text
    )
    lists = [part for part in parts if part.name == "dl"]
    assert [rows(summary) for summary in lists] == [{
        "Exception": "Exceptional personal circumstances of the child or family",
        "Reason": "Ourchild was in hospital for 5 weeks.",
        "From": "3 March 2025",
    }]


def test_staff_notes_never_reach_any_family_page(
    client: FlaskClient, assessing: Assessing
) -> None:
    family = assessing.family
    with on_day(TODAY):
        sign_in_fast(client, family.parent)
        for url in ("/family/", f"/family/children/{family.child.id}", f"/family/cases/{assessing.case.id}"):
            html = get_page(client, url).response.get_data(as_text=True)
            assert "STAFF-ONLY-7f3a" not in html, url
            assert "CASENOTE-SECRET-91b2" not in html, url
    # The notes are there to be leaked: the test would catch it.
    assert db.session.scalar(select(func.count()).where(StageChange.staff_note == STAFF_NOTE)) == 1


def test_a_delay_reason_is_shown_only_with_an_expected_date_after_the_deadline(
    client: FlaskClient, make: Factory, family: Family
) -> None:
    case = make.case(
        child=family.child, stage=Stage.DECIDING_TO_ASSESS, request_received_on=REQUEST,
        expected_on=date(2025, 2, 10), delay_reason="An old reason that no longer applies",
    )
    page = case_page(client, family.parent, case, today=date(2025, 2, 5))
    expected = rows(page.soup.select_one("main .govuk-summary-list"))["Expected date"]
    assert expected == "The council expects to do this by 10 February 2025."
    assert "An old reason that no longer applies" not in page.text
    assert "says this is why" not in page.text


def test_a_case_without_advice_exceptions_or_expected_date(
    client: FlaskClient, make: Factory, family: Family
) -> None:
    case = make.case(child=family.child, request_received_on=REQUEST)
    page = case_page(client, family.parent, case, today=date(2025, 1, 10))
    headings = [words(h) for h in page.soup.select("main h2")]
    assert headings == ["Where things stand", "What is happening", "Messages", "Progress", "History"]
    summary = rows(page.soup.select_one("main .govuk-summary-list"))
    assert "Expected date" not in summary
    assert summary["Caseworker"] == "Not yet assigned"
    assert summary["Legal deadline"] == (
        "The council must decide whether to carry out an EHC needs assessment by 17 February 2025. Due in 38 days"
    )
    assert summary["Final plan"] == (
        "If the council decides Ourchild needs an EHC plan, it must issue the final plan by 26 May 2025. "
        "Due in 136 days")


def test_assessing_with_no_advice_yet(client: FlaskClient, make: Factory, family: Family) -> None:
    case = make.case(child=family.child, stage=Stage.ASSESSING, request_received_on=REQUEST)
    page = case_page(client, family.parent, case, today=date(2025, 2, 20))
    assert "The council has not asked for any advice yet." in " ".join(
        words(part) for part in section(page, "Advice from professionals")
    )


def test_a_draft_plan_shows_the_familys_comment_deadline(
    client: FlaskClient, make: Factory, family: Family
) -> None:
    case = make.case(
        child=family.child, stage=Stage.DRAFT_PLAN, request_received_on=REQUEST,
        stage_since=date(2025, 4, 14), draft_served_on=date(2025, 4, 14),
    )
    page = case_page(client, family.parent, case, today=date(2025, 4, 20))
    assert page.h1 == "Ourchild’s education, health and care plan"
    # The family's own action comes first, before where things stand.
    assert [words(h) for h in page.soup.select("main h2")][:2] == [
        "What you need to do, and by when", "Where things stand"
    ]
    # 15 days counting the day the draft is served: the last day is 28 April 2025.
    action = words(page.soup.select_one("main .govuk-inset-text"))
    assert action.startswith(
        "Comment on the draft plan and name the school or college you want by 28 April 2025. 8 days left"
    )
    stand = rows(page.soup.select_one("main .govuk-summary-list"))
    assert "What you need to do, and by when" not in stand  # said once, above
    assert stand["Legal deadline"] == "The council must issue the final EHC plan by 26 May 2025. Due in 36 days"
    assert "Final plan" not in stand  # it is the legal deadline already


def test_a_final_plan_has_no_final_plan_deadline(client: FlaskClient, make: Factory, family: Family) -> None:
    case = make.case(
        child=family.child, stage=Stage.FINAL_PLAN, request_received_on=REQUEST,
        stage_since=date(2025, 5, 19), final_plan_on=date(2025, 5, 19),
    )
    page = case_page(client, family.parent, case, today=date(2025, 6, 1))
    stand = rows(page.soup.select_one("main .govuk-summary-list"))
    assert "Final plan" not in stand
    assert stand["Legal deadline"] == "The council must review the EHC plan by 19 May 2026. Due in 352 days"
    assert words(page.soup.select_one("main .govuk-inset-text")).startswith(
        "If you disagree, you can appeal to the SEND Tribunal about what the plan says or the school or college it "
        "names until 19 July 2025"
    )
    assert progress(page)[-2:] == [
        ("Final plan issued", "Plan in place", "Since 19 May 2025."),
        ("Annual review", "Not started yet", ""),
    ]


def test_a_closed_case_ends_at_its_closing_stage(
    app: Flask, client: FlaskClient, make: Factory, family: Family
) -> None:
    case = make.case(child=family.child, request_received_on=REQUEST, caseworker=family.caseworker)
    move(app, case, family.caseworker, Stage.DECIDING_TO_ASSESS, date(2025, 1, 8))
    move(app, case, family.caseworker, Stage.NOT_ASSESSING, date(2025, 2, 10),
         family_note="We have decided not to assess. The letter explains why.")
    page = case_page(client, family.parent, case, today=date(2025, 2, 20))
    assert progress(page) == [
        ("Request received", "Completed", "From 6 January 2025 to 8 January 2025."),
        ("Deciding whether to assess", "Ended",
         "From 8 January 2025 to 10 February 2025. Finished by the legal deadline of 17 February 2025."),
        ("Not assessing", "Closed", "Since 10 February 2025."),
    ]
    stand = rows(page.soup.select_one("main .govuk-summary-list"))
    assert stand["Legal deadline"] == "The council has no more deadlines in this case. Your own dates are shown above."
    assert "Final plan" not in stand
    assert words(page.soup.select_one("main .govuk-inset-text")).startswith(
        "If you disagree, you can appeal to the SEND Tribunal until 10 April 2025. 49 days left "
        "Talk to a mediation adviser first"
    )
    assert stand["Stage"] == "Not assessing The council decided not to carry out an assessment on 10 February 2025."
    meaning = " ".join(words(part) for part in section(page, "What this means"))
    assert "you can ask for mediation and appeal to the SEND Tribunal" in meaning
    assert page.soup.select_one('a[href="https://www.gov.uk/appeal-ehc-plan-decision"]')
    assert not page.soup.select(".govuk-tag--red")
    assert "We have decided not to assess. The letter explains why." in page.text


def test_a_passed_appeal_date_is_passed_not_late(client: FlaskClient, make: Factory, family: Family) -> None:
    case = make.case(child=family.child, stage=Stage.NOT_ISSUING, request_received_on=REQUEST,
                     stage_since=date(2025, 4, 1))
    page = case_page(client, family.parent, case, today=date(2025, 7, 1))
    assert "The last day to appeal to the SEND Tribunal was 1 June 2025." in page.text
    assert "What you need to do, and by when" not in page.text
    assert not page.soup.select(".govuk-tag--red")


# --- Who may see it -----------------------------------------------------------------------------


def test_both_carers_see_the_case(app: Flask, make: Factory, family: Family) -> None:
    second = make.user(Role.FAMILY, name="Second Carer")
    db.session.add(FamilyLink(user=second, child=family.child, relationship_to_child=Relationship.CARER))
    db.session.commit()
    case = make.case(child=family.child, request_received_on=REQUEST)
    for carer in (family.parent, second):
        page = case_page(app.test_client(), carer, case, today=date(2025, 1, 10))
        assert page.h1 == "Ourchild’s education, health and care needs assessment"


def test_another_familys_case_is_not_found_like_a_missing_one(
    client: FlaskClient, make: Factory, family: Family
) -> None:
    stranger = make.user(Role.FAMILY)
    other = make.child(team=family.team, family=[stranger], first_name="Neighbourchild")
    other_case = make.case(child=other, caseworker=family.caseworker)
    sign_in_fast(client, family.parent)

    refused = get_page(client, f"/family/cases/{other_case.id}", status=404)
    assert refused.h1 == "Page not found"
    assert "Neighbourchild" not in refused.text
    assert other_case.reference not in refused.text

    missing_id = (db.session.scalar(select(func.max(Case.id))) or 0) + 1000
    missing = get_page(client, f"/family/cases/{missing_id}", status=404)
    assert missing.text == refused.text


def test_unlinking_a_child_hides_its_case(client: FlaskClient, make: Factory, family: Family) -> None:
    case = make.case(child=family.child)
    db.session.execute(FamilyLink.__table__.delete())
    db.session.commit()
    sign_in_fast(client, family.parent)
    get_page(client, f"/family/cases/{case.id}", status=404)


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.MANAGER, Role.COPRODUCTION, Role.ADMIN])
def test_staff_get_403(client: FlaskClient, make: Factory, family: Family, role: Role) -> None:
    case = make.case(child=family.child)
    staff = family.caseworker if role is Role.CASEWORKER else make.user(role, team=family.team)
    sign_in_fast(client, staff)
    page = get_page(client, f"/family/cases/{case.id}", status=403)
    assert "You do not have permission to see this page" in page.text


# --- Query budget: at most 10 SQL statements, whatever the length of the history ----------------


def long_history(case: Case, actor: User, changes: int, advice: int, exceptions: int) -> None:
    """A plan reviewed again and again, straight into the database, with a staff note on each."""
    day = REQUEST
    stage = Stage.REQUEST_RECEIVED
    for n in range(changes):
        to_stage = Stage.ANNUAL_REVIEW if stage is Stage.FINAL_PLAN else Stage.FINAL_PLAN
        day += timedelta(days=7)
        db.session.add(StageChange(
            case_id=case.id, from_stage=stage, to_stage=to_stage, effective_on=day, changed_by_id=actor.id,
            family_note=f"Family note {n}", staff_note=f"{STAFF_NOTE} {n}",
        ))
        stage = to_stage
    for n in range(advice):
        asked = REQUEST + timedelta(days=n)
        db.session.add(AdviceRequest(
            case_id=case.id, provider=list(AdviceProvider)[n % len(AdviceProvider)], requested_on=asked,
            due_on=asked + timedelta(weeks=6), received_on=asked + timedelta(weeks=5) if n % 2 else None,
        ))
    for n in range(exceptions):
        db.session.add(TimelineException(
            case_id=case.id, type=list(ExceptionType)[n % len(ExceptionType)], reason=f"Reason {n}",
            applies_from=REQUEST + timedelta(days=n), recorded_by_id=actor.id,
        ))
    case.stage = stage
    case.stage_since = day
    case.final_plan_on = day
    db.session.commit()


@pytest.mark.parametrize(("changes", "advice", "exceptions"), [(10, 4, 1), (500, 60, 20)])
def test_case_page_queries(
    client: FlaskClient, make: Factory, family: Family, count_queries, changes: int, advice: int, exceptions: int
) -> None:
    case = make.case(child=family.child, request_received_on=REQUEST, caseworker=family.caseworker)
    long_history(case, family.caseworker, changes, advice, exceptions)
    url = f"/family/cases/{case.id}"
    sign_in_fast(client, family.parent)
    with count_queries() as queries:
        response = client.get(url)
    assert response.status_code == 200
    page = Page(response)
    assert len(page.soup.select("main ol.app-case-history > li")) == changes + 1
    advice_list = next(part for part in section(page, "Advice from professionals") if part.name == "dl")
    assert len(advice_list.select(".govuk-summary-list__row")) == advice
    assert "Family note 0" in page.text and STAFF_NOTE not in page.text
    assert queries.count <= 10, f"{queries.count} queries:\n" + "\n\n".join(queries.statements)


def test_what_the_dates_mean_mentions_the_final_plan_only_while_it_is_ahead(
    client: FlaskClient, make: Factory, family: Family
) -> None:
    ahead = make.case(child=family.child, stage=Stage.ASSESSING, request_received_on=REQUEST)
    page = case_page(client, family.parent, ahead, today=date(2025, 2, 20))
    assert (
        "The final plan deadline is 20 weeks after the council received the request on 6 January 2025."
        in words(page.soup.select_one("main details"))
    )
    closed = make.case(child=family.child, stage=Stage.NOT_ASSESSING, request_received_on=REQUEST)
    page = case_page(client, family.parent, closed, today=date(2025, 2, 20))
    assert "final plan" not in words(page.soup.select_one("main details"))


def test_text_typed_by_staff_is_shown_as_text_not_html(
    app: Flask, client: FlaskClient, make: Factory, family: Family
) -> None:
    case = make.case(child=family.child, stage=Stage.DECIDING_TO_ASSESS, request_received_on=REQUEST)
    move(app, case, family.caseworker, Stage.ASSESSING, date(2025, 2, 3), family_note="<script>alert(1)</script>")
    # Past the legal deadline of 28 April 2025, so that the reason for the delay is shown.
    case.expected_on, case.delay_reason = date(2025, 5, 5), '<a href="https://evil.example">Click</a>'
    db.session.commit()
    page = case_page(client, family.parent, case, today=date(2025, 2, 5))
    html = page.response.get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert not page.soup.select('a[href="https://evil.example"]')
    assert '<a href="https://evil.example">Click</a>' in page.text


def test_a_late_step_stays_late_on_the_record_after_the_case_moves_on(
    app: Flask, client: FlaskClient, make: Factory, family: Family
) -> None:
    case = make.case(child=family.child, request_received_on=REQUEST, caseworker=family.caseworker)
    move(app, case, family.caseworker, Stage.DECIDING_TO_ASSESS, date(2025, 1, 8))
    move(app, case, family.caseworker, Stage.ASSESSING, date(2025, 2, 24))  # due 17 February 2025
    page = case_page(client, family.parent, case, today=date(2025, 3, 1))
    assert progress(page)[1] == (
        "Deciding whether to assess", "Completed",
        "From 8 January 2025 to 24 February 2025. Finished 7 days after the legal deadline of 17 February 2025.",
    )
    # The decision whether to issue a plan: due 16 weeks from the request, 28 April 2025.
    move(app, case, family.caseworker, Stage.DECIDING_TO_ISSUE, date(2025, 4, 1))
    move(app, case, family.caseworker, Stage.DRAFT_PLAN, date(2025, 5, 9))
    page = case_page(client, family.parent, case, today=date(2025, 5, 10))
    assert progress(page)[3] == (
        "Deciding whether to issue a plan", "Completed",
        "From 1 April 2025 to 9 May 2025. Finished 11 days after the legal deadline of 28 April 2025.",
    )


def test_a_case_opened_from_a_request_gives_the_request_reference(client: FlaskClient, assessing: Assessing) -> None:
    """The reference the family was given when they sent the request still finds the case."""
    request = add_received_request(received_on=REQUEST, case_id=assessing.case.id, status=RequestStatus.CASE_OPENED)
    page = case_page(client, assessing.family.parent, assessing.case)
    caption = page.soup.select_one("main .govuk-caption-l").get_text()
    assert caption == f"Reference {assessing.case.reference} (request {request.reference})"
