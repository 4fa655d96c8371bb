"""The form for recording a phase transfer on a case (transfer_pages.py)."""

from __future__ import annotations

from datetime import date

from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput
from wtforms import RadioField, SelectChoice, SubmitField
from wtforms.validators import InputRequired

from portal.casework.forms import GovDateField, OneOf, Required, VersionedForm

YES, NO = "yes", "no"
# A usual move: the start of the autumn term next year.
MOVE_EXAMPLE = f"For example, 1 9 {date.today().year + 1}"


class PhaseTransferForm(VersionedForm):
    PREFIX = "transfer"

    moves_on = GovDateField(
        "When does the child move to the next phase of education?",
        "Date the child moves",
        description=f"The day they start at their new school, college or setting. {MOVE_EXAMPLE}",
        validators=[Required("Enter the date the child moves to the next phase of education")],
    )
    to_post_16 = RadioField(
        "Is the child moving from secondary school to further education or training?",
        widget=GovRadioInput(),
        description="For example, to a sixth form college, further education college or apprenticeship. "
        "The plan must then be amended by 31 March of the year of the move, not 15 February.",
        choices=[SelectChoice(YES, "Yes"), SelectChoice(NO, "No")],
        validate_choice=False,
        validators=[
            InputRequired(message="Select yes if the child is moving from secondary school to further education or "
                                  "training"),
            OneOf("Select yes or no"),
        ],
    )
    submit = SubmitField("Record phase transfer", widget=GovSubmitInput())

    @property
    def is_post_16(self) -> bool:
        return self.to_post_16.data == YES


class RemovePhaseTransferForm(VersionedForm):
    """Removing a transfer recorded by mistake: nothing to fill in but the case's version."""

    PREFIX = "remove"

    submit = SubmitField("Remove phase transfer", widget=GovSubmitInput())

    def add_problem(self, message: str, field_name: str | None) -> None:
        self.page_errors["case-details"] = [message]  # no field to put it on
