from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput, GovRadioInput, GovSubmitInput, GovTextInput
from wtforms import PasswordField, RadioField, SelectChoice, StringField, SubmitField
from wtforms.validators import DataRequired, InputRequired, Length, Regexp

from portal.forms import email_field, name_field, new_password_fields
from portal.passwords import MAX_LENGTH


def _digits_only(value: str | None) -> str | None:
    return "".join(value.split()) if isinstance(value, str) else value


class SignInForm(FlaskForm):
    email = email_field()
    password = PasswordField(
        "Password",
        widget=GovPasswordInput(),
        validators=[
            DataRequired(message="Enter your password"),
            Length(max=MAX_LENGTH, message=f"Password must be {MAX_LENGTH} characters or fewer"),
        ],
    )
    submit = SubmitField("Sign in", widget=GovSubmitInput())


class SecurityCodeForm(FlaskForm):
    code = StringField(
        "Security code",
        widget=GovTextInput(),
        description="The 6-digit code shown in your authenticator app",
        filters=[_digits_only],
        validators=[
            DataRequired(message="Enter the security code"),
            Regexp(r"^\d{6}$", message="Security code must be 6 numbers"),
        ],
    )
    submit = SubmitField("Continue", widget=GovSubmitInput())


class ForgotPasswordForm(FlaskForm):
    email = email_field()
    submit = SubmitField("Send reset link", widget=GovSubmitInput())


class ResetPasswordForm(FlaskForm):
    password, confirm = new_password_fields()
    submit = SubmitField("Change password", widget=GovSubmitInput())


class AcceptInvitationForm(FlaskForm):
    name = name_field("Your full name", "Enter your full name")
    password, confirm = new_password_fields()
    submit = SubmitField("Create account", widget=GovSubmitInput())


class ChangePasswordForm(FlaskForm):
    current = PasswordField(
        "Current password",
        widget=GovPasswordInput(),
        validators=[
            DataRequired(message="Enter your current password"),
            Length(max=MAX_LENGTH, message=f"Password must be {MAX_LENGTH} characters or fewer"),
        ],
    )
    password, confirm = new_password_fields()
    submit = SubmitField("Change password", widget=GovSubmitInput())

    def __init__(self, *args, user_hints: tuple[str, ...] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.password.label.text = "New password"
        self.confirm.label.text = "Confirm your new password"
        # The account's email address and name count as easy to guess (see StrongPassword).
        self._user_hint = " ".join(user_hints)


def _on_off(legend: str, hint: str, yes: str, no: str) -> RadioField:
    return RadioField(
        legend,
        widget=GovRadioInput(),
        description=hint,
        choices=[SelectChoice("yes", yes), SelectChoice("no", no)],
        validators=[InputRequired(message=f"Select whether you want {legend[0].lower()}{legend[1:]}")],
    )


class MessageEmailsForm(FlaskForm):
    """A family's optional emails: new messages from the SEND team."""

    choice = _on_off(
        "Emails about new messages from the SEND team",
        "We email you when the SEND team sends you a message in this service. The email does not "
        "include the message: you sign in to read it.",
        "Yes, email me about new messages",
        "No, do not email me about new messages",
    )
    submit = SubmitField("Save", widget=GovSubmitInput())


class DigestEmailsForm(FlaskForm):
    """A caseworker's or manager's optional email: the daily digest."""

    choice = _on_off(
        "A daily email about your cases’ deadlines",
        "Each working day at 8am: your cases whose legal deadline is in the next 7 days or has "
        "passed. There is no email on a day with nothing to list.",
        "Yes, send me the daily email",
        "No, do not send me the daily email",
    )
    submit = SubmitField("Save", widget=GovSubmitInput())
