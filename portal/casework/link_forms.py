"""Caseworker forms for family members' access: removing a link needs a reason for the audit log."""

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput
from wtforms import SubmitField

from portal.casework.forms import text_area

REMOVAL_REASON_MAX = 500


class RemoveAccessForm(FlaskForm):
    reason = text_area(
        "Why are you removing their access?",
        "Reason",
        REMOVAL_REASON_MAX,
        missing="Enter why you are removing their access",
        hint="This goes in the audit log. The family member does not see it.",
    )
    submit = SubmitField("Remove access", widget=GovSubmitInput())


class ButtonForm(FlaskForm):
    """A POST button on the child page: nothing to fill in but the CSRF token."""
