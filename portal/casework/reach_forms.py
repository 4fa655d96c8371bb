"""Forms for a family the service could not email: a corrected address, or how the caseworker
reached them instead (kept as a staff note)."""

from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput
from wtforms import SubmitField

from portal.casework.forms import CaseForm, text_area
from portal.forms import email_field

REACHED_NOTE_MAX = 1000


class CorrectEmailForm(CaseForm):
    PREFIX = "correct"

    email = email_field(
        "New email address",
        "Enter the new email address",
        hint="Check it with the family. We will send the email that failed to this address, and use it from now on.",
    )
    submit = SubmitField("Change the address and send the email again", widget=GovSubmitInput())


class FamilyReachedForm(CaseForm):
    PREFIX = "reached"

    note = text_area(
        "What did you do?",
        "What you did",
        REACHED_NOTE_MAX,
        missing="Enter what you did to reach the family",
        hint="For example, ‘Phoned the family on 1 December and told them the draft plan is ready.’ This is kept as a "
             "staff note. The family will not see it.",
    )
    submit = SubmitField("I have phoned or written to the family", widget=GovSubmitInput())
