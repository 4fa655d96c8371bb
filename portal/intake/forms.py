"""The request pages' forms: one question a page. Each page's form class is built once for each
way of asking (a parent or carer reads "your child", a young person "you"), with the words in
wording.py; `answers_from` and `prefill` move answers between a form and the draft."""

from __future__ import annotations

from functools import cache
from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput, GovTextInput
from wtforms import Field, RadioField, SelectChoice, StringField, SubmitField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, Regexp

from portal.casework.forms import GovDateField, OneOf, PlainText, Required, text_area
from portal.forms import clean_name, email_field, name_field
from portal.intake import journey, wording
from portal.intake.models import MAX_ANSWER_LENGTH, ONLINE_REQUESTERS, Requester

SCHOOL_MAX = 200  # the draft's column
PHONE_MAX = 30
ANOTHER_CHILD = "another"
YES, NO = "yes", "no"


class QuestionForm(FlaskForm):
    """One question page. `question` is its slug (journey.py)."""

    question = ""
    submit = SubmitField("Continue", widget=GovSubmitInput())

    @property
    def questions(self) -> list[Field]:
        """The fields to fill in, without the token and the button."""
        return [field for field in self if field.type not in ("CSRFTokenField", "SubmitField")]


class SendForm(FlaskForm):
    submit = SubmitField("Send request", widget=GovSubmitInput())


class ConfirmForm(FlaskForm):
    submit = SubmitField("Confirm and send my request", widget=GovSubmitInput())


class ChangeEmailForm(FlaskForm):
    submit = SubmitField("Change the email address", widget=GovSubmitInput())


def _radios(label: str, missing: str, choices: list[SelectChoice], hint: str = "") -> RadioField:
    return RadioField(
        label, widget=GovRadioInput(), choices=choices, description=hint, validate_choice=False,
        validators=[InputRequired(message=missing), OneOf(missing)],
    )


def _one_line(label: str, question: wording.Question) -> StringField:
    return StringField(
        label, widget=GovTextInput(), description=question.hint, filters=[clean_name],
        validators=[
            DataRequired(message=question.missing),
            Length(max=SCHOOL_MAX, message=f"{question.name_in_errors} must be {SCHOOL_MAX} characters or fewer"),
            PlainText(question.name_in_errors),
        ],
    )


def _fields(slug: str, words: wording.Words, family: bool) -> dict[str, Any]:
    question = wording.question(slug, words)
    if slug == journey.WHO:
        requesters = journey.FAMILY_REQUESTERS if family else ONLINE_REQUESTERS
        hint = "" if family else wording.WHO_HINTS[Requester.YOUNG_PERSON]
        choices = [SelectChoice(r.value, wording.WHO_LABELS[r]) for r in requesters]
        return {"requester": _radios(question.label, question.missing, choices, hint)}
    if slug == journey.WHICH_CHILD:
        return {"child": _radios(question.label, question.missing, [])}  # the choices are the family's
    if slug == journey.CHILD_NAME:
        return {
            "child_first_name": name_field("First name", f"Enter {words.whose} first name"),
            "child_last_name": name_field("Last name", f"Enter {words.whose} last name"),
        }
    if slug == journey.DATE_OF_BIRTH:
        return {
            "child_date_of_birth": GovDateField(
                question.label, question.name_in_errors, description=question.hint,
                validators=[Required(question.missing)],
            )
        }
    if slug == journey.SCHOOL:
        return {"school": _one_line(question.label, question)}
    if slug in journey.FIELD_OF:
        return {
            journey.FIELD_OF[slug]: text_area(
                question.label, question.name_in_errors, MAX_ANSWER_LENGTH, question.missing, question.hint
            )
        }
    if slug == journey.CONTACT:
        fields: dict[str, Any] = {"requester_name": name_field("Full name", "Enter your full name")}
        if not family:  # a signed-in family member's address is their account's, already confirmed
            fields["requester_email"] = email_field(
                "Email address", hint="We will send you a link to confirm your request"
            )
        fields["requester_phone"] = StringField(
            "Phone number (optional)", widget=GovTextInput(), description="For example, 01632 960 001",
            filters=[lambda value: value.strip() if isinstance(value, str) else value],
            validators=[
                Optional(),
                Length(max=PHONE_MAX, message=f"Phone number must be {PHONE_MAX} characters or fewer"),
                Regexp(r"^\+?[0-9 ()-]{7,}$", message="Enter a phone number, like 01632 960 001 or 07700 900 982"),
            ],
        )
        return fields
    if slug == journey.CONSENT:
        choices = [SelectChoice(YES, "Yes, the council can contact them"), SelectChoice(NO, "No")]
        return {"consent_to_contact": _radios(question.label, question.missing, choices, question.hint)}
    raise KeyError(slug)


@cache
def form_class(slug: str, young_person: bool, family: bool) -> type[QuestionForm]:
    words = wording.Words(young_person)
    fields = _fields(slug, words, family)
    return type(f"QuestionForm_{slug.replace('-', '_')}", (QuestionForm,), {"question": slug, **fields})


def prefill(form_type: type[QuestionForm], draft) -> dict[str, object]:
    """What the draft already holds for this page's fields, to show them again."""
    data: dict[str, object] = {}
    for name in vars(form_type):
        if name in ("question", "submit") or name.startswith("_"):
            continue
        if name == "child":
            data[name] = str(draft.child_id) if draft.child_id is not None else None
        elif name == "requester":
            data[name] = draft.requester.value if draft.requester is not None else None
        elif name == "consent_to_contact":
            data[name] = None if draft.consent_to_contact is None else (YES if draft.consent_to_contact else NO)
        else:
            data[name] = getattr(draft, name)
    return data


def answers_from(form: QuestionForm) -> dict[str, object]:
    """The page's answers for online.save_answers (the which-child page is handled apart)."""
    answers: dict[str, object] = {}
    for field in form.questions:
        if field.name == "requester":
            answers["requester"] = Requester(field.data)
        elif field.name == "consent_to_contact":
            answers["consent_to_contact"] = field.data == YES
        elif field.name == "requester_phone":
            answers["requester_phone"] = field.data or None
        else:
            answers[field.name] = field.data
    return answers
