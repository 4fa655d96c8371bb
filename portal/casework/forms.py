from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput
from wtforms import RadioField, SelectChoice, SubmitField
from wtforms.validators import InputRequired

from portal.forms import email_field, name_field
from portal.models import Relationship


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
