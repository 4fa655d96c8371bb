"""Caseworker forms: inviting a family member, the caseload filters and the forms on a case page.

The case page shows several forms at once, so each has its own prefix: field names and ids never
collide, and each posts to its own endpoint. Forms that change the case carry its `version`.
"""

from __future__ import annotations

import re
from datetime import date

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovDateInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    DateField,
    Form,
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, Regexp, StopValidation, ValidationError

from portal.ehcp.models import AdviceProvider, Case
from portal.ehcp.stages import Stage
from portal.ehcp.timeline import ExceptionType
from portal.forms import BIDI_CONTROLS, email_field, name_field, strip
from portal.models import Relationship, User

NOTE_FOR_FAMILY_MAX = 2000
REASON_MAX = 2000
STAFF_NOTE_MAX = 5000
SEARCH_MAX = 100


class InviteFamilyMemberForm(FlaskForm):
    name = name_field("Their full name", "Enter their full name")
    email = email_field("Their email address", "Enter their email address")
    relationship = RadioField(
        "How are they related to the child?",
        widget=GovRadioInput(),
        choices=[SelectChoice(relationship.value, relationship.label) for relationship in Relationship],
        validators=[InputRequired(message="Select how they are related to the child")],
    )
    submit = SubmitField("Send invitation", widget=GovSubmitInput())


# --- The caseload filters (a GET form: no CSRF token, nothing changes) -------------------------


class OneOf:
    """The value must be one of the field's choices, with a message a person understands."""

    def __init__(self, message: str):
        self.message = message

    def __call__(self, form, field) -> None:
        if field.data in (None, ""):
            return
        if field.data not in {str(choice.value) for choice in field.choices}:
            raise ValidationError(self.message)


class CaseloadFiltersForm(Form):
    q = StringField(
        "Search by child’s name or case reference",
        widget=GovTextInput(),
        filters=[strip],
        validators=[Length(max=SEARCH_MAX, message=f"Search must be {SEARCH_MAX} characters or fewer")],
    )
    stage = SelectField(
        "Stage",
        widget=GovSelect(),
        choices=[SelectChoice("", "Any stage")] + [SelectChoice(stage.value, stage.label) for stage in Stage],
        validate_choice=False,
        validators=[OneOf("Select a stage from the list")],
    )
    mine = BooleanField("Assigned to me")
    overdue = BooleanField("Overdue")
    due_soon = BooleanField("Due in the next 14 days")
    excepted = BooleanField("With an exception recorded")
    closed = BooleanField("Include closed cases")
    submit = SubmitField("Apply filters", widget=GovSubmitInput())


# --- Pieces for the case page forms ---------------------------------------------------------


class GovDateField(DateField):
    """A GOV.UK date input (day, month and year boxes sharing one name) with GOV.UK messages.
    Empty is None: add `Required` when the date must be given."""

    widget = GovDateInput()

    def __init__(self, label: str, name_in_errors: str, **kwargs):
        super().__init__(label, format="%d %m %Y", **kwargs)
        self.name_in_errors = name_in_errors

    def process_formdata(self, valuelist: list[str]) -> None:
        parts = [str(value).strip() for value in valuelist][:3]
        parts += [""] * (3 - len(parts))
        self.raw_data = parts
        self.data = None
        if not any(parts):
            return
        missing = [unit for unit, value in zip(("day", "month", "year"), parts, strict=True) if not value]
        if missing:
            raise ValueError(f"{self.name_in_errors} must include a {' and '.join(missing)}")
        if not all(re.fullmatch(r"\d{1,2}", value) for value in parts[:2]) or not re.fullmatch(r"\d{4}", parts[2]):
            raise ValueError(f"{self.name_in_errors} must be a real date")
        try:
            self.data = date(int(parts[2]), int(parts[1]), int(parts[0]))
        except ValueError:
            raise ValueError(f"{self.name_in_errors} must be a real date") from None


class Required:
    """A date or choice that must be given; date format errors are already on the field."""

    def __init__(self, message: str):
        self.message = message

    def __call__(self, form, field) -> None:
        if field.errors:
            raise StopValidation()
        if field.data in (None, ""):
            raise ValidationError(self.message)


HTML_TAG = re.compile(r"<\s*/?\s*[a-zA-Z!?]")


class PlainText:
    """Free text is plain text: no HTML tags, control characters or bidirectional overrides."""

    def __init__(self, name_in_errors: str):
        self.name_in_errors = name_in_errors

    def __call__(self, form, field) -> None:
        value = field.data or ""
        if HTML_TAG.search(value):
            raise ValidationError(f"{self.name_in_errors} must not include HTML")
        if any(
            (ord(char) < 32 and char not in "\n\t") or 0x7F <= ord(char) < 0xA0 or char in BIDI_CONTROLS
            for char in value
        ):
            raise ValidationError(f"{self.name_in_errors} must only include letters, numbers and punctuation")


def _text(value: str | None) -> str | None:
    """Strip, and count a new line as one character, as the browser's character count does."""
    return value.replace("\r\n", "\n").replace("\r", "\n").strip() if isinstance(value, str) else value


def text_area(label: str, name_in_errors: str, limit: int, missing: str | None = None, hint: str = "") -> StringField:
    validators = [DataRequired(message=missing)] if missing else [Optional()]
    return StringField(
        label,
        widget=GovCharacterCount(),
        description=hint,
        filters=[_text],
        validators=[
            *validators,
            Length(max=limit, message=f"{name_in_errors} must be {limit:,} characters or fewer"),
            PlainText(name_in_errors),
        ],
    )


class CaseForm(FlaskForm):
    """A form on the case page, with its own prefix (`PREFIX`, unless one is given). `page_errors`
    are problems with the whole page (someone else changed the case), shown first in the error
    summary and linked to the case details."""

    PREFIX = ""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", self.PREFIX)
        super().__init__(*args, **kwargs)
        self.page_errors: dict[str, list[str]] = {}

    @property
    def errors(self) -> dict:
        return {**self.page_errors, **super().errors}

    def add_problem(self, message: str, field_name: str | None) -> None:
        field = self._fields.get(field_name or "") or next(
            field for field in self if field.type not in ("CSRFTokenField", "HiddenField", "SubmitField")
        )
        field.errors = [*field.errors, message]


class VersionedForm(CaseForm):
    """Carries the case's version for optimistic locking; a missing or made-up one is a bad request."""

    version = HiddenField(validators=[InputRequired(), Regexp(r"^\d{1,9}$")])

    @property
    def expected_version(self) -> int:
        return int(self.version.data)


# --- The case page forms ----------------------------------------------------------------------


class ChangeStageForm(VersionedForm):
    PREFIX = "stage"

    to_stage = RadioField(
        "What stage has the case moved to?",
        widget=GovRadioInput(),
        validate_choice=False,
        validators=[
            InputRequired(message="Select the stage the case has moved to"),
            OneOf("Select one of the stages shown"),
        ],
    )
    effective_on = GovDateField(
        "Date of the change",
        "Date of the change",
        description="The date of the decision or of the letter to the family. For example, 27 3 2026",
        validators=[Required("Enter the date of the change")],
    )
    family_note = text_area(
        "Note for the family (optional)",
        "Note for the family",
        NOTE_FOR_FAMILY_MAX,
        hint="The family will see this on their page. Do not include anything only staff should know.",
    )
    staff_note = text_area(
        "Note for staff only (optional)",
        "Note for staff",
        STAFF_NOTE_MAX,
        hint="The family will not see this.",
    )
    submit = SubmitField("Update stage", widget=GovSubmitInput())

    def offer(self, case: Case) -> ChangeStageForm:
        self.to_stage.choices = [SelectChoice(stage.value, stage.label) for stage in case.stage.next_stages]
        return self


class ExpectedDateForm(VersionedForm):
    PREFIX = "expected"

    expected_on = GovDateField(
        "When do you expect to meet the next deadline?",
        "Expected date",
        description="Leave this empty to remove the expected date. For example, 27 3 2026",
    )
    delay_reason = text_area(
        "Reason for the delay",
        "Reason for the delay",
        REASON_MAX,
        hint="Needed if the expected date is after the legal deadline. The family will see it.",
    )
    submit = SubmitField("Save expected date", widget=GovSubmitInput())


class ReviewDatesForm(VersionedForm):
    PREFIX = "review"

    review_meeting_on = GovDateField(
        "Date of the annual review meeting",
        "Date of the review meeting",
        validators=[Required("Enter the date of the review meeting")],
    )
    amendments_proposed_on = GovDateField(
        "Date amendments to the plan were proposed (if any)",
        "Date amendments were proposed",
        description="Leave this empty if no amendments have been proposed.",
    )
    submit = SubmitField("Save review dates", widget=GovSubmitInput())


def enum_radios(label: str, options: type, missing: str, unknown: str) -> RadioField:
    """Radios for each member of an enum with a `label`, refusing a value posted by hand."""
    return RadioField(
        label,
        widget=GovRadioInput(),
        choices=[SelectChoice(option.value, option.label) for option in options],
        validate_choice=False,
        validators=[InputRequired(message=missing), OneOf(unknown)],
    )


class RecordExceptionForm(VersionedForm):
    PREFIX = "exception"

    exception_type = enum_radios(
        "Which exception to the time limits applies?",
        ExceptionType,
        missing="Select the exception that applies",
        unknown="Select one of the exceptions shown",
    )
    reason = text_area(
        "Explanation for the family", "Explanation for the family", REASON_MAX,
        missing="Enter the explanation for the family",
        hint="The family will read this, word for word, on their case page. Write it for them.",
    )
    staff_note = text_area(
        "Note for staff only (optional)", "Note for staff", STAFF_NOTE_MAX,
        hint="The family will not see this.",
    )
    applies_from = GovDateField(
        "Date the exception applies from", "Date the exception applies from",
        validators=[Required("Enter the date the exception applies from")],
    )
    submit = SubmitField("Record exception", widget=GovSubmitInput())


class RequestAdviceForm(CaseForm):
    PREFIX = "advice"

    provider = enum_radios(
        "Who was asked for advice?",
        AdviceProvider,
        missing="Select who was asked for advice",
        unknown="Select one of the options shown",
    )
    requested_on = GovDateField(
        "Date advice was asked for", "Date advice was asked for",
        description="They have 6 weeks from this date to give their advice.",
        validators=[Required("Enter the date advice was asked for")],
    )
    submit = SubmitField("Record advice request", widget=GovSubmitInput())


class AdviceReceivedForm(VersionedForm):
    received_on = GovDateField(
        "Date advice was received", "Date advice was received",
        validators=[Required("Enter the date advice was received")],
    )
    submit = SubmitField("Mark as received", widget=GovSubmitInput())


class StaffNoteForm(CaseForm):
    PREFIX = "note"

    text = text_area(
        "Note", "Note", STAFF_NOTE_MAX, missing="Enter the note",
        hint="Only staff can see notes. The family will not see this.",
    )
    submit = SubmitField("Add note", widget=GovSubmitInput())


class ReassignForm(VersionedForm):
    PREFIX = "reassign"

    caseworker = SelectField(
        "Caseworker",
        widget=GovSelect(),
        validate_choice=False,
        validators=[OneOf("Select a caseworker from the list")],
    )
    submit = SubmitField("Assign case", widget=GovSubmitInput())

    def offer(self, staff: list[User]) -> ReassignForm:
        people = [SelectChoice(str(user.id), user.name) for user in staff]
        self.caseworker.choices = [SelectChoice("", "Not assigned"), *people]
        return self
