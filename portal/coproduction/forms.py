"""The co-production workspace's forms: the comments' filters (a GET form: no CSRF token,
nothing changes), tagging a comment with themes, naming a theme and merging two."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import (
    Form,
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
)
from wtforms.validators import DataRequired, InputRequired, Length

from portal.casework.forms import SEARCH_MAX, OneOf
from portal.conversations.forms import MessageCharacters
from portal.coproduction.figures import month_label, months_back
from portal.coproduction.queries import (
    ANY_COMMENT,
    NO_STAGE,
    NO_STAGE_LABEL,
    WITH_COMMENT,
    WITHOUT_COMMENT,
    ThemeName,
)
from portal.ehcp.stages import Stage
from portal.feedback.models import MAX_THEME_LENGTH, Rating, Theme
from portal.forms import clean_name, strip

MONTHS_OFFERED = 24


def month_value(month: date) -> str:
    return f"{month:%Y-%m}"


class CommentFiltersForm(Form):
    q = StringField(
        "Search the comments",
        widget=GovTextInput(),
        filters=[strip],
        validators=[Length(max=SEARCH_MAX, message=f"Search must be {SEARCH_MAX} characters or fewer")],
    )
    stage = SelectField(
        "Stage",
        widget=GovSelect(),
        choices=[SelectChoice("", "Any stage"), *(SelectChoice(stage.value, stage.label) for stage in Stage),
                 SelectChoice(NO_STAGE, NO_STAGE_LABEL)],
        validate_choice=False,
        validators=[OneOf("Select a stage from the list")],
    )
    rating = SelectField(
        "Rating",
        widget=GovSelect(),
        choices=[SelectChoice("", "Any rating"),
                 *(SelectChoice(str(rating.value), rating.label) for rating in reversed(Rating))],
        validate_choice=False,
        validators=[OneOf("Select a rating from the list")],
    )
    month = SelectField("Month", widget=GovSelect(), validate_choice=False,
                        validators=[OneOf("Select a month from the list")])
    theme = SelectField("Theme", widget=GovSelect(), validate_choice=False,
                        validators=[OneOf("Select a theme from the list")])
    comment = SelectField(
        "Comment",
        widget=GovSelect(),
        choices=[SelectChoice(WITH_COMMENT, "With a comment"), SelectChoice(WITHOUT_COMMENT, "Without a comment"),
                 SelectChoice(ANY_COMMENT, "With or without a comment")],
        default=WITH_COMMENT,
        validate_choice=False,
        validators=[OneOf("Select whether to show feedback with a comment from the list")],
    )
    submit = SubmitField("Apply filters", widget=GovSubmitInput())
    # Never rendered nor read from the request: the choices the form was made with, so that its
    # HTML, kept per set of values (portal/form_html.py), is made afresh when a theme changes.
    choices = HiddenField()

    def __init__(self, formdata, themes: Sequence[Theme | ThemeName], this_month: date):
        super().__init__(formdata)
        self.month.choices = [SelectChoice("", "Any month")] + [
            SelectChoice(month_value(month), month_label(month))
            for month in reversed(months_back(this_month, MONTHS_OFFERED))
        ]
        self.theme.choices = [SelectChoice("", "Any theme")] + [
            SelectChoice(str(theme.id), theme.name) for theme in themes
        ]
        self.choices.data = repr((month_value(this_month), [(theme.id, theme.name) for theme in themes]))


class TagForm(FlaskForm):
    themes = SelectMultipleField(
        "Themes",
        widget=GovCheckboxesInput(),
        description="Select every theme this feedback is about.",
        coerce=int,
        validate_choice=False,
    )
    submit = SubmitField("Save themes", widget=GovSubmitInput())


def theme_name_field(label: str) -> StringField:
    return StringField(
        label,
        widget=GovTextInput(),
        filters=[clean_name],
        validators=[
            DataRequired(message="Enter a name for the theme"),
            Length(max=MAX_THEME_LENGTH, message=f"Theme name must be {MAX_THEME_LENGTH} characters or fewer"),
            MessageCharacters("Theme name"),
        ],
    )


class NewThemeForm(FlaskForm):
    name = theme_name_field("Name of the new theme")
    submit = SubmitField("Create theme", widget=GovSubmitInput())


class RenameThemeForm(FlaskForm):
    name = theme_name_field("New name")
    submit = SubmitField("Rename theme", widget=GovSubmitInput())


class MergeThemeForm(FlaskForm):
    into = RadioField(
        "Which theme should it be merged into?",
        widget=GovRadioInput(),
        coerce=int,
        validate_choice=False,
        validators=[InputRequired(message="Select the theme to merge it into")],
    )
    submit = SubmitField("Merge themes", widget=GovSubmitInput())
