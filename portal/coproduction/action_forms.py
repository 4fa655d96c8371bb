"""Forms for "You said, we did" actions: what families said, what the council did, its status and
date, its themes, and the feedback it answers."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxesInput, GovRadioInput, GovSubmitInput
from wtforms import RadioField, SelectChoice, SelectMultipleField, SubmitField
from wtforms.validators import InputRequired

from portal.casework.forms import GovDateField, text_area
from portal.feedback.models import ActionStatus

MAX_ACTION_TEXT = 2000


class ActionForm(FlaskForm):
    you_said = text_area(
        "You said", "What families said", MAX_ACTION_TEXT, missing="Enter what families said",
        hint="In families’ words, without names or details that could identify anyone.",
    )
    we_did = text_area(
        "We did", "What the council did", MAX_ACTION_TEXT, missing="Enter what the council did, or why it could not",
        hint="What the council did or is doing, or why it could not.",
    )
    status = RadioField(
        "Status",
        widget=GovRadioInput(),
        choices=[SelectChoice(status.value, status.label) for status in ActionStatus],
        validators=[InputRequired(message="Select the action’s status")],
    )
    done_on = GovDateField("Date it was done (if it is done)", "The date it was done")
    themes = SelectMultipleField("Themes", widget=GovCheckboxesInput(), coerce=int, choices=[], validate_choice=True)
    submit = SubmitField("Save", widget=GovSubmitInput())

    def offer(self, themes: list) -> ActionForm:
        self.themes.choices = [(theme.id, theme.name) for theme in themes]
        return self


class LinkFeedbackForm(FlaskForm):
    feedback = SelectMultipleField(
        "Feedback this action answers", widget=GovCheckboxesInput(), coerce=int, choices=[], validate_choice=True,
    )
    save_links = SubmitField("Save the feedback it answers", widget=GovSubmitInput())


class ButtonForm(FlaskForm):
    """A button that only needs its CSRF token (publish, take off the public page)."""
