"""Form pieces shared by every area: normalised email fields, names and passwords."""

import unicodedata

from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput, GovTextInput
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, ValidationError

from portal.passwords import MAX_LENGTH, password_problem

EMAIL_MAX = 254
NAME_MAX = 100


def normalise_email(value: str | None) -> str | None:
    return value.strip().lower() if isinstance(value, str) else value


def strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


def clean_name(value: str | None) -> str | None:
    """Strip and compose (NFC), so that one name is always stored the same way."""
    return unicodedata.normalize("NFC", value.strip()) if isinstance(value, str) else value


def email_field(
    label: str = "Email address",
    missing: str = "Enter your email address",
    hint: str | None = None,
) -> EmailField:
    return EmailField(
        label,
        widget=GovTextInput(),
        filters=[normalise_email],
        validators=[
            DataRequired(message=missing),
            Length(max=EMAIL_MAX, message=f"Email address must be {EMAIL_MAX} characters or fewer"),
            Email(
                message="Enter an email address in the correct format, like name@example.com",
                check_deliverability=False,
                # Only ASCII before the @: SendGrid and most mail servers refuse anything else.
                allow_smtputf8=False,
            ),
        ],
        description=hint or "",
    )


# Bidirectional overrides and isolates reorder the text shown around them ("Trojan Source").
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Combining marks in a row: real names need at most 3 (Hebrew with points, Vietnamese tones).
MAX_COMBINING_RUN = 3


def name_problem(value: str) -> str | None:
    """Why a name cannot be used, or None. Names are shown to staff and families, so they must
    look like what they are: no hidden or look-alike tricks."""
    run = 0
    for char in value:
        category = unicodedata.category(char)
        if category == "Cc" or char in "<>":
            return "Name must only include letters, spaces, hyphens and apostrophes"
        if category == "Cf" or char in BIDI_CONTROLS:
            return "Name must not include invisible characters, such as zero-width spaces or joiners"
        if category in ("Cn", "Co", "Cs"):
            return "Name must only include letters, spaces, hyphens and apostrophes"
        run = run + 1 if category in ("Mn", "Me") else 0
        if run > MAX_COMBINING_RUN:
            return "Name must not include more than 3 accents or marks on one letter"
    return None


class NameCharacters:
    """Names are plain text: no control, invisible or unassigned characters (which includes
    non-characters), no long runs of combining marks and no angle brackets."""

    def __call__(self, form, field) -> None:
        problem = name_problem(field.data or "")
        if problem:
            raise ValidationError(problem)


def name_field(label: str = "Full name", missing: str = "Enter a full name") -> StringField:
    return StringField(
        label,
        widget=GovTextInput(),
        filters=[clean_name],
        validators=[
            DataRequired(message=missing),
            Length(max=NAME_MAX, message=f"Name must be {NAME_MAX} characters or fewer"),
            NameCharacters(),
        ],
    )


class StrongPassword:
    """The password rules from portal.passwords, with the form's own email and name as hints."""

    def __call__(self, form, field) -> None:
        hints = [getattr(form, "_user_hint", None)]
        for name in ("email", "name"):
            if name in form._fields:
                hints.append(form._fields[name].data)
        problem = password_problem(field.data or "", [hint for hint in hints if hint])
        if problem:
            raise ValidationError(problem)


def new_password_fields() -> tuple[PasswordField, PasswordField]:
    password = PasswordField(
        "Create a password",
        widget=GovPasswordInput(),
        description="Use 12 characters or more. A good way to do this is to use 3 random words.",
        validators=[DataRequired(message="Enter a password"), StrongPassword()],
    )
    confirm = PasswordField(
        "Confirm your password",
        widget=GovPasswordInput(),
        validators=[
            DataRequired(message="Confirm your password"),
            EqualTo("password", message="Passwords must match"),
            Length(max=MAX_LENGTH, message=f"Password must be {MAX_LENGTH} characters or fewer"),
        ],
    )
    return password, confirm
