"""Caseworker forms: inviting a family member, the caseload filters and the pieces the case's
task pages share (date fields, plain text, versioned forms). The task forms are in case_forms.py.

Each task form has its own prefix, so field names and ids never collide, and posts to its own
endpoint. Forms that change the case carry its `version`.
"""

from __future__ import annotations

import calendar
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

from portal.ehcp.stages import Stage
from portal.forms import BIDI_CONTROLS, email_field, name_field, strip
from portal.models import Relationship

NOTE_FOR_FAMILY_MAX = 2000
REASON_MAX = 2000
STAFF_NOTE_MAX = 5000
SEARCH_MAX = 100
# The answers to "Today" or "Another date" (see case_forms.when).
TODAY, ANOTHER_DAY = "today", "another"


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
    sort = SelectField(
        "Sort by",
        widget=GovSelect(),
        choices=[
            SelectChoice("deadline", "Nearest legal deadline"),
            SelectChoice("stage", "Stage"),
            SelectChoice("received", "Date received, oldest first"),
        ],
        default="deadline",
        validate_choice=False,
        validators=[OneOf("Select how to sort the cases from the list")],
    )
    mine = BooleanField("Assigned to me")
    unassigned = BooleanField("Not assigned")
    overdue = BooleanField("Late")
    late_without_reason = BooleanField("Late and the family not told why")
    due_soon = BooleanField("Due in the next 14 days")
    excepted = BooleanField("With an exception recorded")
    not_reached = BooleanField("Family not reached by email")
    closed = BooleanField("Include closed cases")
    submit = SubmitField("Apply filters", widget=GovSubmitInput())


# --- Pieces for the case page forms ---------------------------------------------------------


DATE_PARTS = ("day", "month", "year")


class DateInput(GovDateInput):
    """GOV.UK date input whose error summary link goes to the first wrong part (day, month or
    year): the field's id is that part's id, the boxes' wrapper takes the field's name, and only
    the wrong parts are marked (all three when the whole date is wrong)."""

    def __call__(self, field, **kwargs):
        kwargs["id"] = field.name
        return super().__call__(field, **kwargs)

    def map_gov_params(self, field, **kwargs):
        params = super().map_gov_params(field, **kwargs)
        for item, part in zip(params.get("items", []), DATE_PARTS, strict=False):
            width = "govuk-input--width-4" if part == "year" else "govuk-input--width-2"
            wrong = bool(field.errors) and (not field.wrong_parts or part in field.wrong_parts)
            item["classes"] = f"{width} govuk-input--error" if wrong else width
        return params


class GovDateField(DateField):
    """A GOV.UK date input (day, month and year boxes sharing one name) with GOV.UK messages.
    Empty is None: add `Required` when the date must be given. `wrong_parts` names the boxes
    that are wrong; empty means the whole date (nothing typed, or a date the service refused)."""

    widget = DateInput()
    wrong_parts: tuple[str, ...] = ()

    def __init__(self, label: str, name_in_errors: str, **kwargs):
        super().__init__(label, format="%d %m %Y", **kwargs)
        self.name_in_errors = name_in_errors

    @property
    def id(self) -> str:
        """The box an error summary link moves focus to: the first wrong part, or the day."""
        return f"{self.name}-{self.wrong_parts[0] if self.wrong_parts else 'day'}"

    @id.setter
    def id(self, value: str) -> None:
        """Ignored: the id always follows the name (see `id`)."""

    def process_formdata(self, valuelist: list[str]) -> None:
        parts = [str(value).strip() for value in valuelist][:3]
        parts += [""] * (3 - len(parts))
        self.raw_data = parts
        self.data = None
        self.wrong_parts = ()
        if not any(parts):
            return
        missing = [unit for unit, value in zip(DATE_PARTS, parts, strict=True) if not value]
        if missing:
            self.wrong_parts = tuple(missing)
            raise ValueError(f"{self.name_in_errors} must include a {' and '.join(missing)}")
        patterns = (r"\d{1,2}", r"\d{1,2}", r"\d{4}")
        self.wrong_parts = tuple(
            unit for unit, value, pattern in zip(DATE_PARTS, parts, patterns, strict=True)
            if not re.fullmatch(pattern, value)
        )
        if not self.wrong_parts:
            day, month, year = (int(value) for value in parts)
            self.wrong_parts = _impossible_parts(day, month, year)
        if self.wrong_parts:
            raise ValueError(f"{self.name_in_errors} must be a real date")
        self.data = date(int(parts[2]), int(parts[1]), int(parts[0]))


def _impossible_parts(day: int, month: int, year: int) -> tuple[str, ...]:
    """Which of a date's numbers make it impossible (31 February: the day)."""
    if year < 1:
        return ("year",)
    if not 1 <= month <= 12:
        return ("day", "month") if not 1 <= day <= 31 else ("month",)
    return () if 1 <= day <= calendar.monthrange(year, month)[1] else ("day",)


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

    def __init__(self, *args, today: date | None = None, **kwargs):
        kwargs.setdefault("prefix", self.PREFIX)
        super().__init__(*args, **kwargs)
        self.page_errors: dict[str, list[str]] = {}
        self.today = today or date.today()  # for "today" answers; views pass queries.today()

    @property
    def errors(self) -> dict:
        return {**self.page_errors, **super().errors}

    def add_problem(self, message: str, field_name: str | None) -> None:
        field = self._fields.get(field_name or "") or next(
            field for field in self if field.type not in ("CSRFTokenField", "HiddenField", "SubmitField")
        )
        field.errors = [*field.errors, message]
        shortcut = self._fields.get(f"{field.short_name}_when")
        if shortcut is not None and isinstance(field.data, date):
            # "Today" was refused: show the date the problem is about, in its boxes.
            shortcut.data = ANOTHER_DAY
            field.raw_data = [str(field.data.day), str(field.data.month), str(field.data.year)]


class VersionedForm(CaseForm):
    """Carries the case's version for optimistic locking; a missing or made-up one is a bad request."""

    version = HiddenField(validators=[InputRequired(), Regexp(r"^\d{1,9}$")])

    @property
    def expected_version(self) -> int:
        return int(self.version.data)
