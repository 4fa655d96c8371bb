from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSelect, GovSubmitInput
from wtforms import RadioField, SelectChoice, SelectField, SubmitField
from wtforms.validators import InputRequired

from portal.forms import email_field, name_field
from portal.models import STAFF_ROLES, Role


class InviteStaffForm(FlaskForm):
    name = name_field("Their full name", "Enter their full name")
    email = email_field("Their work email address", "Enter their work email address")
    role = RadioField(
        "Type of account",
        widget=GovRadioInput(),
        choices=[SelectChoice(role.value, role.label) for role in Role if role in STAFF_ROLES],
        validators=[InputRequired(message="Select the type of account")],
    )
    team = SelectField("Team", widget=GovSelect(), choices=[], validate_choice=True)
    submit = SubmitField("Send invitation", widget=GovSubmitInput())


class ConfirmForm(FlaskForm):
    submit = SubmitField("Reset two-factor sign-in", widget=GovSubmitInput())


class DeactivateForm(FlaskForm):
    submit = SubmitField("Deactivate account", widget=GovSubmitInput())


class ReactivateForm(FlaskForm):
    submit = SubmitField("Reactivate account", widget=GovSubmitInput())


class SendAgainForm(FlaskForm):
    """A "Send again" button on the failed emails page: nothing to fill in but the CSRF token."""
