"""Mistakes and bad input on every request page: a GOV.UK error summary and a message by the
field, never a 500, and nothing already saved is lost."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.intake.models import MAX_ANSWER_LENGTH, AssessmentRequest
from tests.helpers import post_page
from tests.intake.conftest import PUBLIC_ANSWERS, answer_questions

START = "/request-an-assessment"
TOO_LONG = "a" * (MAX_ANSWER_LENGTH + 1)
HTML = "<script>alert(1)</script>"
BIDI = "Sam\u202eevil"
ZERO_WIDTH = "Sa\u200bm"
CONTROL = "Sam\x07"

# (page, what is sent, the message expected in the summary)
MISTAKES = [
    ("who-is-asking", {}, "Select who is asking for the assessment"),
    ("who-is-asking", {"requester": "school"}, "Select who is asking for the assessment"),
    ("who-is-asking", {"requester": HTML}, "Select who is asking for the assessment"),
    ("name", {}, "Enter your child’s first name"),
    ("name", {"child_first_name": "Sam"}, "Enter your child’s last name"),
    ("name", {"child_first_name": "S" * 101, "child_last_name": "T"}, "Name must be 100 characters or fewer"),
    ("name", {"child_first_name": HTML, "child_last_name": "T"},
     "Name must only include letters, spaces, hyphens and apostrophes"),
    ("name", {"child_first_name": BIDI, "child_last_name": "T"},
     "Name must not include invisible characters, such as zero-width spaces or joiners"),
    ("name", {"child_first_name": ZERO_WIDTH, "child_last_name": "T"},
     "Name must not include invisible characters, such as zero-width spaces or joiners"),
    ("name", {"child_first_name": "a" + "\u0301" * 5, "child_last_name": "T"},
     "Name must not include more than 3 accents or marks on one letter"),
    ("date-of-birth", {}, "Enter your child’s date of birth"),
    ("date-of-birth", {"child_date_of_birth": ["31", "2", "2016"]}, "Date of birth must be a real date"),
    ("date-of-birth", {"child_date_of_birth": ["x", "y", "z"]}, "Date of birth must be a real date"),
    ("date-of-birth", {"child_date_of_birth": ["4", "", "2016"]}, "Date of birth must include a month"),
    ("date-of-birth", {"child_date_of_birth": ["4", "5", "99999999999999999999"]}, "Date of birth must be a real date"),
    ("date-of-birth", {"child_date_of_birth": ["4", "5", "2999"]}, "Date of birth must be today or in the past"),
    ("date-of-birth", {"child_date_of_birth": ["4", "5", "1990"]},
     "The child or young person must be 25 or younger to have an EHC needs assessment"),
    ("school-or-setting", {}, "Enter the school, college or setting your child goes to, or say there is none"),
    ("school-or-setting", {"school": "s" * 201}, "School, college or setting must be 200 characters or fewer"),
    ("school-or-setting", {"school": HTML}, "School, college or setting must not include HTML"),
    ("needs", {"needs": "   "}, "Tell us about your child’s needs"),
    ("needs", {"needs": TOO_LONG}, f"Needs must be {MAX_ANSWER_LENGTH:,} characters or fewer"),
    ("needs", {"needs": HTML}, "Needs must not include HTML"),
    ("needs", {"needs": BIDI}, "Needs must only include letters, numbers and punctuation"),
    ("needs", {"needs": CONTROL}, "Needs must only include letters, numbers and punctuation"),
    ("support", {}, "Tell us what support your child already has, or say there is none"),
    ("support", {"support": TOO_LONG}, f"Support must be {MAX_ANSWER_LENGTH:,} characters or fewer"),
    ("reasons", {}, "Tell us why you think an assessment is needed"),
    ("reasons", {"reasons": "<b>bold</b>"}, "Reasons must not include HTML"),
    ("professionals", {}, "Tell us which professionals are involved, or say there are none"),
    ("professionals", {"professionals": TOO_LONG}, f"Professionals must be {MAX_ANSWER_LENGTH:,} characters or fewer"),
    ("contact-details", {}, "Enter your full name"),
    ("contact-details", {"requester_name": "Pat", "requester_email": "not-an-email"},
     "Enter an email address in the correct format, like name@example.com"),
    ("contact-details", {"requester_name": "Pat", "requester_email": "pät@exämple.org"},
     "Enter an email address in the correct format, like name@example.com"),
    ("contact-details", {"requester_name": "Pat", "requester_email": "a" * 250 + "@example.org"},
     "Email address must be 254 characters or fewer"),
    ("contact-details", {"requester_name": "Pat", "requester_email": "pat@example.org", "requester_phone": "call me"},
     "Enter a phone number, like 01632 960 001 or 07700 900 982"),
    ("contact-details", {"requester_name": "Pat", "requester_email": "pat@example.org", "requester_phone": "1" * 31},
     "Phone number must be 30 characters or fewer"),
    ("consent", {}, "Select whether the council can contact the professionals you named"),
    ("consent", {"consent_to_contact": "maybe"}, "Select whether the council can contact the professionals you named"),
]


def columns(draft: AssessmentRequest) -> dict[str, object]:
    return {column.name: getattr(draft, column.name) for column in AssessmentRequest.__table__.columns}


def answered_before(client, slug: str) -> None:
    """Answer the questions before `slug`."""
    before = {}
    for name, data in PUBLIC_ANSWERS.items():
        if name == slug:
            break
        before[name] = data
    if before:
        answer_questions(client, before)


@pytest.mark.parametrize(("slug", "data", "message"), MISTAKES, ids=[f"{m[0]}-{i}" for i, m in enumerate(MISTAKES)])
def test_a_mistake_gets_a_govuk_error_and_keeps_what_was_saved(client, slug, data, message):
    answered_before(client, slug)
    draft = db.session.scalars(select(AssessmentRequest)).one_or_none()
    saved = columns(draft) if draft else None
    page = post_page(client, f"{START}/{slug}", data)
    assert page.title.startswith("Error: ")
    assert message in page.error_messages(), page.error_messages()
    assert any(message in error for error in page.field_errors())
    # Each summary link goes to a field on the page.
    for link in page.soup.select(".govuk-error-summary__list a"):
        assert page.soup.find(id=link["href"].removeprefix("#")) is not None, link["href"]
    after = db.session.scalars(select(AssessmentRequest)).one_or_none()
    if saved is None:
        assert after is None
    else:
        db.session.refresh(after)
        assert columns(after) == saved


def test_the_longest_answer_is_accepted_with_windows_line_endings(client):
    answered_before(client, "needs")
    text = "line\r\n" * 600  # 3,600 characters sent, 3,000 once each new line counts as one
    response = client.post(f"{START}/needs", data={"needs": text})
    assert response.status_code == 302
    assert len(db.session.scalars(select(AssessmentRequest)).one().needs) <= MAX_ANSWER_LENGTH


def test_text_pages_have_a_character_count(client):
    answered_before(client, "needs")
    page = post_page(client, f"{START}/needs", {})
    counter = page.soup.select_one(".govuk-character-count")
    assert counter is not None and counter["data-maxlength"] == str(MAX_ANSWER_LENGTH)


def test_a_young_person_under_16_is_told_a_parent_can_ask(client):
    client.post(f"{START}/who-is-asking", data={"requester": "young_person"})
    client.post(f"{START}/name", data={"child_first_name": "Alex", "child_last_name": "Young"})
    page = post_page(client, f"{START}/date-of-birth", {"child_date_of_birth": ["1", "1", "2015"]})
    assert page.error_messages() == [
        "You must be 16 or older to ask for an assessment for yourself. A parent or carer can ask for you"
    ]
    assert "Enter your date of birth" not in page.text
    assert db.session.scalars(select(AssessmentRequest)).one().child_date_of_birth is None


def test_after_a_mistake_the_answer_is_kept_in_the_form_and_the_next_try_saves(client):
    answered_before(client, "school-or-setting")
    page = post_page(client, f"{START}/school-or-setting", {"school": "<i>Example</i>"})
    assert page.soup.find("input", {"name": "school"})["value"] == "<i>Example</i>"
    assert client.post(f"{START}/school-or-setting", data={"school": "Example School"}).location == f"{START}/needs"
    draft = db.session.scalars(select(AssessmentRequest)).one()
    assert (draft.child_first_name, draft.school) == ("Sam", "Example School")


def test_the_summary_link_for_a_date_goes_to_the_wrong_box(client):
    answered_before(client, "date-of-birth")
    page = post_page(client, f"{START}/date-of-birth", {"child_date_of_birth": ["4", "", "2016"]})
    assert page.soup.select_one(".govuk-error-summary__list a")["href"] == "#child_date_of_birth-month"
