"""Forms for conversations: starting one, replying, closing and reopening, and absences.

Messages and subjects are plain text stored as written: anything that looks like HTML is kept
and always shown escaped, never refused (a parent may well write "<3" or "<not happy>"). Only
control characters and bidirectional overrides, which would hide or reorder what staff read,
are refused. Each message form carries a one-time `submission_key`, so that pressing Send twice,
or resubmitting the form, makes one message.
"""

from __future__ import annotations

import re
import secrets

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovFileInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import HiddenField, MultipleFileField, RadioField, SelectChoice, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, Regexp, ValidationError

from portal.casework.forms import GovDateField, Required, _text
from portal.conversations import attachments
from portal.conversations.models import MAX_MESSAGE_LENGTH, MAX_SUBJECT_LENGTH, UrgentReason
from portal.forms import BIDI_CONTROLS

KEY_PATTERN = r"^[A-Za-z0-9_-]{16,64}$"


class MessageCharacters:
    """No control characters (other than new lines and tabs) and no bidirectional overrides."""

    def __init__(self, name_in_errors: str):
        self.name_in_errors = name_in_errors

    def __call__(self, form, field) -> None:
        value = field.data or ""
        if any(
            (ord(char) < 32 and char not in "\n\t") or 0x7F <= ord(char) < 0xA0 or char in BIDI_CONTROLS
            for char in value
        ):
            raise ValidationError(f"{self.name_in_errors} must only include letters, numbers and punctuation")


def _one_line(value: str | None) -> str | None:
    return re.sub(r"\s+", " ", value).strip() if isinstance(value, str) else value


def message_field(
    label: str = "Message", hint: str = "", missing: str | None = "Enter your message",
    limit: int = MAX_MESSAGE_LENGTH, name_in_errors: str = "Message",
) -> StringField:
    """Free text kept as written and shown escaped (HTML included); `missing` None: optional."""
    return StringField(
        label,
        widget=GovCharacterCount(),
        description=hint,
        filters=[_text],
        validators=[
            DataRequired(message=missing) if missing else Optional(),
            Length(max=limit, message=f"{name_in_errors} must be {limit:,} characters or fewer"),
            MessageCharacters(name_in_errors),
        ],
    )


def subject_field() -> StringField:
    return StringField(
        "Subject",
        widget=GovTextInput(),
        description="A few words about what your message is about",
        filters=[_one_line],
        validators=[
            DataRequired(message="Enter a subject"),
            Length(max=MAX_SUBJECT_LENGTH, message=f"Subject must be {MAX_SUBJECT_LENGTH} characters or fewer"),
            MessageCharacters("Subject"),
        ],
    )


def files_field() -> MultipleFileField:
    return MultipleFileField(
        "Attach files (optional)",
        widget=GovFileInput(multiple=True),
        description=f"Up to {attachments.MAX_FILES} files, each smaller than "
        f"{attachments.MAX_FILE_BYTES // (1024 * 1024)}MB. They must be PDF, JPEG, PNG or Word (DOCX) files.",
        validators=[Optional()],
    )


class MessageForm(FlaskForm):
    """A reply. `checked_files` holds the files once `validate_files` has accepted them."""

    body = message_field("Your reply", missing="Enter your reply")
    files = files_field()
    submission_key = HiddenField(validators=[InputRequired(), Regexp(KEY_PATTERN)])
    submit = SubmitField("Send", widget=GovSubmitInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.submission_key.data:
            self.submission_key.data = secrets.token_urlsafe(24)
        self.checked_files: tuple[attachments.CheckedFile, ...] = ()

    def validate_files(self, field) -> None:
        try:
            self.checked_files = tuple(attachments.check(attachments.chosen(field.data)))
        except attachments.FileProblem as problem:
            raise ValidationError(str(problem)) from problem

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if not valid and self.checked_files and not self.files.errors:
            # A browser never keeps chosen files when the page comes back: say so, not lose them quietly.
            count = len(self.checked_files)
            self.files.errors = [f"Choose your {'file' if count == 1 else f'{count} files'} again. Nothing has been "
                                 "sent yet"]
        return valid


class StaffStartForm(MessageForm):
    subject = subject_field()
    body = message_field()
    files = files_field()  # again, so that the error summary follows the page's order
    submit = SubmitField("Send message", widget=GovSubmitInput())


YES, NO = "yes", "no"


class FamilyStartForm(MessageForm):
    subject = subject_field()
    body = message_field()
    urgent = RadioField(
        "Is it urgent?",
        widget=GovRadioInput(),
        description="Urgent messages go to the caseworker and their managers at once.",
        choices=[SelectChoice(NO, "No"), SelectChoice(YES, "Yes")],
        validators=[InputRequired(message="Select whether your message is urgent")],
    )
    urgent_reason = RadioField(
        "If it is urgent, why?",
        widget=GovRadioInput(),
        choices=[SelectChoice(reason.value, reason.label) for reason in UrgentReason],
        validate_choice=False,  # checked by validate_urgent_reason, only when the answer is Yes
    )
    files = files_field()  # again, so that the error summary follows the page's order
    submit = SubmitField("Send message", widget=GovSubmitInput())

    def validate_urgent_reason(self, field) -> None:
        if self.urgent.data != YES:
            field.data = None
            return
        if field.data not in {reason.value for reason in UrgentReason}:
            raise ValidationError("Select why your message is urgent")

    @property
    def reason(self) -> UrgentReason | None:
        return UrgentReason(self.urgent_reason.data) if self.urgent.data == YES and self.urgent_reason.data else None


class ButtonForm(FlaskForm):
    """A POST button (close, reopen, cancel): only the CSRF token."""


class AbsenceForm(FlaskForm):
    # Only a manager is offered it (absence_pages.py): anyone else records their own.
    person = SelectField("Who is away?", widget=GovSelect(), validate_choice=False,
                         validators=[Optional(), Regexp(r"^[0-9]{1,9}$", message="Select someone in your team")])
    starts_on = GovDateField("First day away", "First day away", description="For example, 21 12 2026",
                             validators=[Required("Enter your first day away")])
    ends_on = GovDateField("Last day away", "Last day away", description="For example, 4 1 2027",
                           validators=[Required("Enter your last day away")])
    submit = SubmitField("Save absence", widget=GovSubmitInput())

