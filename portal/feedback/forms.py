"""The feedback form families fill in: a rating, what worked well, what could be better, the stage
it is about, and whether it is anonymous or they may be contacted (never both)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput
from wtforms import RadioField, SelectChoice, StringField, SubmitField
from wtforms.validators import InputRequired, ValidationError

from portal.conversations.forms import message_field
from portal.ehcp.stages import PATH
from portal.feedback.models import MAX_COMMENT_LENGTH, Rating

YES, NO = "yes", "no"
NO_STAGE = "none"
NO_DETAILS = (
    "Do not include names or medical details. Before the co-production team reads it, we take out any case "
    "reference and, if you are signed in, the children’s names on your account (and your own name if you "
    "stay anonymous)."
)
BOTH_PROBLEM = "You cannot stay anonymous and be contacted. Change one of your answers"


def comment_field(label: str, name_in_errors: str, hint: str) -> StringField:
    return message_field(label, hint, missing=None, limit=MAX_COMMENT_LENGTH, name_in_errors=name_in_errors)


def yes_no(label: str, hint: str, missing: str) -> RadioField:
    return RadioField(
        label,
        widget=GovRadioInput(),
        description=hint,
        choices=[SelectChoice(YES, "Yes"), SelectChoice(NO, "No")],
        validators=[InputRequired(message=missing)],
    )


class FeedbackForm(FlaskForm):
    rating = RadioField(
        "Overall, how satisfied are you with the service?",
        widget=GovRadioInput(),
        choices=[SelectChoice(str(rating.value), rating.label) for rating in reversed(Rating)],
        validators=[InputRequired(message="Select how satisfied you are with the service")],
    )
    stage = RadioField(
        "Which part of the process is your feedback about?",
        widget=GovRadioInput(),
        choices=[*(SelectChoice(stage.value, stage.label) for stage in PATH),
                 SelectChoice(NO_STAGE, "Not one part in particular")],
        validators=[InputRequired(message="Select which part of the process your feedback is about")],
    )
    worked_well = comment_field("What worked well? (optional)", "What worked well", NO_DETAILS)
    could_be_better = comment_field("What could be better? (optional)", "What could be better", NO_DETAILS)
    anonymous = yes_no(
        "Do you want to give your feedback anonymously?",
        "If you do, we keep only your answers, the part of the process and the month: not your name, your account "
        "or which child it is about.",
        "Select whether you want to give your feedback anonymously",
    )
    contact_ok = yes_no(
        "Can the co-production team contact you about your feedback?",
        "They would email you to ask more. They only see your name and email address if you say yes.",
        "Select whether the co-production team can contact you",
    )
    submit = SubmitField("Send feedback", widget=GovSubmitInput())

    def validate_contact_ok(self, field) -> None:
        if field.data == YES and self.anonymous.data == YES:
            raise ValidationError(BOTH_PROBLEM)


class SignedOutFeedbackForm(FeedbackForm):
    """Without an account the feedback is anonymous, and no one can be contacted about it."""

    anonymous = None
    contact_ok = None
