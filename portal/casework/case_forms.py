"""The forms on a case's task pages, one task a page. Dates that are usually today (a stage
change, advice asked for or received, an exception) ask "Today" or "Another date", with the date
boxes under "Another date" (always shown, so it works the same without JavaScript)."""

from __future__ import annotations

from datetime import date

from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSelect, GovSubmitInput
from wtforms import RadioField, SelectChoice, SelectField, SubmitField
from wtforms.validators import InputRequired, StopValidation, ValidationError

from portal.casework.forms import (
    ANOTHER_DAY,
    NOTE_FOR_FAMILY_MAX,
    REASON_MAX,
    STAFF_NOTE_MAX,
    TODAY,
    CaseForm,
    GovDateField,
    OneOf,
    Required,
    VersionedForm,
    text_area,
)
from portal.ehcp.models import AdviceProvider, Case
from portal.ehcp.timeline import ExceptionType
from portal.models import User

EXAMPLE_DATE = "For example, 27 3 2026"
# For a date that must be today or later: an example a form would accept (next year's).
FUTURE_EXAMPLE_DATE = f"For example, 27 3 {date.today().year + 1}"


# --- "Today" or another date ------------------------------------------------------------------


class WhenChosen:
    """The "Today" / "Another date" radios must be answered, unless a date was typed anyway
    (a page sent without the radios, from before they existed)."""

    def __init__(self, message: str):
        self.message = message

    def __call__(self, form, field) -> None:
        if field.data in (TODAY, ANOTHER_DAY):
            return
        if field.data not in (None, ""):
            raise ValidationError(self.message)
        if not any(form[field.short_name.removesuffix("_when")].raw_data or []):
            raise ValidationError(self.message)


class OnChosenDay:
    """The date for "Today" is today (whatever the hidden boxes hold); for "Another date" it
    must be given. With no answer to the radios, their own error says what to do."""

    def __init__(self, missing: str):
        self.required = Required(missing)

    def __call__(self, form, field) -> None:
        when = form[f"{field.short_name}_when"]
        if when.data == TODAY:
            field.errors.clear()
            field.wrong_parts = ()
            field.data = form.today
            raise StopValidation()
        if when.data != ANOTHER_DAY:
            if not any(field.raw_data or []):
                field.errors.clear()
                raise StopValidation()
            when.data = ANOTHER_DAY  # a date typed without the radios: show it under "Another date"
        self.required(form, field)


def when(question: str, missing: str, hint: str = "") -> RadioField:
    return RadioField(
        question,
        widget=GovRadioInput(),
        description=hint,
        choices=[SelectChoice(TODAY, "Today"), SelectChoice(ANOTHER_DAY, "Another date")],
        validate_choice=False,
        validators=[WhenChosen(missing)],
    )


def chosen_date(label: str, name_in_errors: str, missing: str) -> GovDateField:
    return GovDateField(
        label, name_in_errors, description="If it was another date. " + EXAMPLE_DATE, validators=[OnChosenDay(missing)]
    )


# --- The task forms ---------------------------------------------------------------------------


class ChangeStageForm(VersionedForm):
    """Moving the case on, with the expected date of the next step and (when that is after the
    new legal deadline) the reason, in one submit."""

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
    effective_on_when = when(
        "When did the case move to this stage?",
        "Select if the case moved to this stage today or on another date",
        hint="The date of the decision or of the letter to the family.",
    )
    effective_on = chosen_date("Date of the change", "Date of the change", "Enter the date of the change")
    expected_on = GovDateField(
        "When do you expect the council to complete the next step?",
        "Expected date",
        description="The family will see this. Leave it empty to remove the expected date. "
        "If the case closes, the expected date and reason are removed. " + FUTURE_EXAMPLE_DATE,
    )
    delay_reason = text_area(
        "Reason for the delay",
        "Reason for the delay",
        REASON_MAX,
        hint="Needed if the expected date is after the legal deadline for the new stage. The family will see this.",
    )
    family_note = text_area(
        "Note for the family (optional)",
        "Note for the family",
        NOTE_FOR_FAMILY_MAX,
        hint="The family will see this on their page. Do not include anything only staff should know.",
    )
    staff_note = text_area(
        "Note for staff only (optional)", "Note for staff", STAFF_NOTE_MAX, hint="The family will not see this."
    )
    submit = SubmitField("Update stage", widget=GovSubmitInput())

    def offer(self, case: Case) -> ChangeStageForm:
        self.to_stage.choices = [SelectChoice(stage.value, stage.label) for stage in case.stage.next_stages]
        return self


class ExpectedDateForm(VersionedForm):
    PREFIX = "expected"

    expected_on = GovDateField(
        "When do you expect the council to complete the next step?",
        "Expected date",
        description="The family will see this. Leave it empty to remove the expected date. " + FUTURE_EXAMPLE_DATE,
    )
    delay_reason = text_area(
        "Reason for the delay",
        "Reason for the delay",
        REASON_MAX,
        hint="Needed if the expected date is after the legal deadline. The family will see this.",
    )
    submit = SubmitField("Save expected date", widget=GovSubmitInput())


class ReviewDatesForm(VersionedForm):
    PREFIX = "review"

    review_meeting_on = GovDateField(
        "Date of the annual review meeting",
        "Date of the review meeting",
        description=EXAMPLE_DATE,
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
        "Note for staff only (optional)", "Note for staff", STAFF_NOTE_MAX, hint="The family will not see this."
    )
    applies_from_when = when(
        "When does the exception apply from?", "Select if the exception applies from today or another date"
    )
    applies_from = chosen_date(
        "Date the exception applies from", "Date the exception applies from",
        "Enter the date the exception applies from",
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
    requested_on_when = when(
        "When was advice asked for?",
        "Select if advice was asked for today or on another date",
        hint="They have 6 weeks from this date to give their advice.",
    )
    requested_on = chosen_date(
        "Date advice was asked for", "Date advice was asked for", "Enter the date advice was asked for"
    )
    submit = SubmitField("Record advice request", widget=GovSubmitInput())


class AdviceReceivedForm(VersionedForm):
    received_on_when = when("When was the advice received?", "Select if the advice was received today or another date")
    received_on = chosen_date(
        "Date advice was received", "Date advice was received", "Enter the date advice was received"
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
