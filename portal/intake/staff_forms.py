"""The team's forms on requests: opening a case from a request, closing one, and registering a
request that came by letter, email, phone or from a school. The choices (children already known,
teams, staff) are read by the view and given with `offer`; a value posted by hand that is not one
of them is refused with a message a person understands."""

from __future__ import annotations

import re
from datetime import date

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSelect, GovSubmitInput, GovTextInput
from wtforms import HiddenField, RadioField, SelectChoice, SelectField, StringField, SubmitField
from wtforms.validators import Email, InputRequired, Length, Optional, Regexp, ValidationError

from portal.casework.case_forms import EXAMPLE_DATE, enum_radios
from portal.casework.forms import REASON_MAX, GovDateField, OneOf, Required, text_area
from portal.ehcp.milestones import long_date
from portal.forms import EMAIL_MAX, name_field, normalise_email
from portal.intake.models import ClosureReason, RequestChannel, Requester
from portal.intake.queries import KnownChild
from portal.intake.services import Opening
from portal.models import Team, User

NEW_CHILD = "new"
YES, NO = "yes", "no"
PHONE_MAX = 30
ASSIGN_LATER = ""


def child_label(known: KnownChild) -> str:
    child = known.child
    case = "has an open case" if known.has_open_case else "no open case"
    return f"{child.full_name}, born {long_date(child.date_of_birth)}, {known.team_name} ({case})"


class OpeningForm(FlaskForm):
    """What opening a case needs: the child (when children with the same name and date of birth
    are known), the team and the caseworker."""

    child = RadioField(
        "Which child is the request about?",
        widget=GovRadioInput(),
        validate_choice=False,  # checked by validate_child, against the children offered
    )
    team = RadioField(
        "Which team will the case be with?",
        widget=GovRadioInput(),
        validate_choice=False,
        validators=[InputRequired(message="Select the team the case will be with"),
                    OneOf("Select one of the teams shown")],
    )
    caseworker = SelectField(
        "Caseworker",
        widget=GovSelect(),
        description="Choose someone in the team you chose, or assign the case later.",
        validate_choice=False,
        validators=[OneOf("Select a caseworker from the list")],
    )

    def offer(self, known: list[KnownChild], teams: list[Team], staff: list[tuple[User, str]]) -> OpeningForm:
        self.known = known
        self.teams_by_id = {str(team.id): team for team in teams}
        self.staff_by_id = {str(user.id): user for user, _ in staff}
        self.child.choices = [SelectChoice(str(item.child.id), child_label(item)) for item in known]
        self.child.choices.append(SelectChoice(NEW_CHILD, "Register a new child"))
        self.team.choices = [SelectChoice(str(team.id), team.name) for team in teams]
        self.caseworker.choices = [
            SelectChoice(ASSIGN_LATER, "Assign later"),
            *(SelectChoice(str(user.id), f"{user.name} ({team_name})") for user, team_name in staff),
        ]
        return self

    def validate_child(self, field) -> None:
        if not self.known:
            field.data = NEW_CHILD  # nobody to match: the child is registered
            return
        if not field.data:
            raise ValidationError("Select the child the request is about, or Register a new child")
        if field.data not in {str(choice.value) for choice in field.choices}:
            raise ValidationError("Select one of the children shown, or Register a new child")

    def opening(self) -> Opening:
        """The choices as the use case takes them (after validation: each is one offered)."""
        known = {str(item.child.id): item.child for item in self.known}
        return Opening(
            child=known.get(self.child.data),
            team=self.teams_by_id[self.team.data],
            caseworker=self.staff_by_id.get(self.caseworker.data),
        )


class OpenCaseForm(OpeningForm):
    submit = SubmitField("Open a case", widget=GovSubmitInput())


class CloseRequestForm(FlaskForm):
    reason = enum_radios(
        "Why are you closing this request?",
        ClosureReason,
        missing="Select why you are closing this request",
        unknown="Select one of the reasons shown",
    )
    explanation = text_area(
        "Explanation", "Explanation", REASON_MAX, missing="Enter an explanation",
        hint="Say what you checked, and which request or case it duplicates if it does. Only staff can see this.",
    )
    submit = SubmitField("Close this request", widget=GovSubmitInput())


class NotInTheFuture:
    def __init__(self, message: str):
        self.message = message

    def __call__(self, form, field) -> None:
        if isinstance(field.data, date) and field.data > form.today:
            field.wrong_parts = ()
            raise ValidationError(self.message)


class RegisterRequestForm(OpeningForm):
    """A request that came another way, as staff record it. Children already known with the same
    name and date of birth are offered (`child`) once the names and date are given."""


    channel = RadioField(
        "How did the request arrive?",
        widget=GovRadioInput(),
        choices=[SelectChoice(channel.value, channel.label) for channel in RequestChannel
                 if channel is not RequestChannel.ONLINE],
        validate_choice=False,
        validators=[InputRequired(message="Select how the request arrived"),
                    OneOf("Select one of the ways shown")],
    )
    requester = enum_radios(
        "Who asked for the assessment?", Requester,
        missing="Select who asked for the assessment", unknown="Select one of the options shown",
    )
    requester_name = name_field("Their name", "Enter the name of the person or school who asked")
    requester_email = StringField(
        "Their email address (optional)",
        widget=GovTextInput(),
        description="Leave this empty if they did not give one. If a parent, carer or young person gives one, "
                    "you can invite them from the child’s page.",
        filters=[normalise_email],
        validators=[
            Optional(),
            Length(max=EMAIL_MAX, message=f"Email address must be {EMAIL_MAX} characters or fewer"),
            Email(message="Enter an email address in the correct format, like name@example.com",
                  check_deliverability=False, allow_smtputf8=False),
        ],
    )
    requester_phone = StringField(
        "Their phone number (optional)",
        widget=GovTextInput(),
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
        validators=[
            Optional(),
            Length(max=PHONE_MAX, message=f"Phone number must be {PHONE_MAX} characters or fewer"),
            Regexp(r"^\+?[0-9 ()-]{6,}$", flags=re.ASCII,
                   message="Enter a phone number, like 01632 960 001 or +44 808 157 0192"),
        ],
    )
    received_on = GovDateField(
        "When did the council receive the request?", "Date received",
        description="Day 0 of the 20-week timeline. " + EXAMPLE_DATE,
        validators=[Required("Enter the date the council received the request"),
                    NotInTheFuture("Date received must be today or in the past")],
    )
    child_first_name = name_field("Child’s first name", "Enter the child’s first name")
    child_last_name = name_field("Child’s last name", "Enter the child’s last name")
    child_date_of_birth = GovDateField(
        "Child’s date of birth", "Date of birth", description="For example, 27 3 2014",
        validators=[Required("Enter the child’s date of birth"),
                    NotInTheFuture("Date of birth must be in the past")],
    )
    is_reassessment = RadioField(
        "Is it a request for a re-assessment?",
        widget=GovRadioInput(),
        description="Yes if the child already has an EHC plan.",
        choices=[SelectChoice(NO, "No"), SelectChoice(YES, "Yes")],
        validators=[InputRequired(message="Select whether it is a request for a re-assessment")],
    )
    # The children offered last time (their ids), so that a missing answer is an error only once
    # the question has been shown for these names and date of birth.
    offered = HiddenField()
    submit = SubmitField("Open a case", widget=GovSubmitInput())

    def __init__(self, *args, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        # The opening's choices come last on the page, so last in the error summary too.
        opening = ("child", "team", "caseworker")
        self._fields = {**{name: field for name, field in self._fields.items() if name not in opening},
                        **{name: self._fields[name] for name in opening}}

    def validate_received_on(self, field) -> None:
        born = self.child_date_of_birth.data
        if isinstance(field.data, date) and isinstance(born, date) and field.data < born <= self.today:
            raise ValidationError("Date received must be after the child’s date of birth")

    def validate_child(self, field) -> None:
        if self.known and not field.data and self.offered.data != self.offered_ids:
            # The question is new (or about other children): ask it, without calling it a mistake.
            raise ValidationError("Check whether the request is about one of the children already known")
        super().validate_child(field)

    @property
    def offered_ids(self) -> str:
        return ",".join(str(item.child.id) for item in self.known)
