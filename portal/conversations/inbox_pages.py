"""The team inbox: the team's conversations waiting for the council, urgent first, then by the
date the council aims to reply by, with tags for what needs attention (overdue, due soon, urgent,
needs cover, unread) and filters. A GET form: nothing changes. Reads are in inbox_queries.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import abort, render_template, request
from flask_login import current_user
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxInput, GovRadioInput, GovSubmitInput
from wtforms import BooleanField, Form, RadioField, SelectChoice, SubmitField

from portal import form_html
from portal.access import CASE_STAFF, roles
from portal.casework.forms import OneOf
from portal.conversations import absence, bp, reply_by, services
from portal.conversations.inbox_queries import Row, Show
from portal.conversations.inbox_queries import counts as team_counts
from portal.conversations.inbox_queries import inbox as inbox_page
from portal.conversations.inbox_queries import today as today_in_england
from portal.conversations.models import ConversationStatus
from portal.pagination import page_number, pagination_params

PAGE_SIZE = 25
FILTERS = "conversations/_inbox_filters.html"


class InboxFiltersForm(Form):
    """The inbox's filters, from the query string (a GET form: no CSRF token needed)."""

    show = RadioField(
        "Show",
        widget=GovRadioInput(),
        choices=[SelectChoice(show.value, show.label) for show in Show],
        default=Show.WAITING.value,
        validate_choice=False,
        validators=[OneOf("Select which conversations to show from the list")],
    )
    mine = BooleanField("Only cases assigned to me")
    submit = SubmitField("Apply filters", widget=GovSubmitInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.mine.widget = GovCheckboxInput()

    @property
    def chosen(self) -> Show:
        return Show(self.show.data) if self.show.data in {show.value for show in Show} else Show.WAITING


@dataclass(frozen=True)
class Tag:
    text: str
    colour: str


def _tags(row: Row, on: date, closures: frozenset[date], away: dict[int, date]) -> list[Tag]:
    """What needs attention, from the columns already loaded: no query per row."""
    conversation = row.conversation
    found: list[Tag] = []
    if conversation.urgent and conversation.status is ConversationStatus.WAITING_FOR_COUNCIL:
        reason = conversation.urgent_reason.short if conversation.urgent_reason else "Urgent"
        found.append(Tag(f"Urgent: {reason}", "red"))
    if conversation.reply_due_on is not None:
        status = reply_by.reply_status(conversation.reply_due_on, on, closures)
        if status == reply_by.ReplyStatus.OVERDUE:
            found.append(Tag("Overdue", "red"))
        elif status == reply_by.ReplyStatus.DUE_TODAY:
            found.append(Tag("Due today", "orange"))
        elif status == reply_by.ReplyStatus.DUE_SOON:
            found.append(Tag("Due soon", "orange"))
    if row.caseworker_id in away and conversation.status is ConversationStatus.WAITING_FOR_COUNCIL:
        found.append(Tag("Needs cover", "purple"))
    return found


def _filter_args(form: InboxFiltersForm) -> dict[str, str]:
    args = {}
    if form.chosen is not Show.WAITING:
        args["show"] = form.chosen.value
    if form.mine.data:
        args["mine"] = "y"
    return args





@bp.route("/casework/inbox", endpoint="inbox")
@roles(*CASE_STAFF)
def inbox():
    form = InboxFiltersForm(request.args)
    page = page_number()
    on = today_in_england()
    closures = services.closure_days(on)
    counts = team_counts(current_user.team_id, on, reply_by.due_soon_cutoff(on, closures))
    if not form.validate():
        filters = form_html.filters_html(FILTERS, form)
        return render_template(
            "conversations/inbox.html", form=form, filters_html=filters, result=None, counts=counts
        ), 400
    show = form.chosen
    result = inbox_page(current_user.team_id, current_user.id, show, form.mine.data, on, page, PAGE_SIZE)
    if page > result.pages:
        abort(404)
    away = absence.away_until([row.caseworker_id for row in result.rows], on)
    return render_template(
        "conversations/inbox.html",
        form=form,
        filters_html=form_html.filters_html(FILTERS, form),
        show=show,
        result=result,
        counts=counts,
        tags={row.conversation.id: _tags(row, on, closures, away) for row in result.rows},
        away=away,
        local_date=reply_by.local_date,
        pagination=pagination_params(
            result.page, result.pages, "conversations.inbox", _filter_args(form), "Pages of conversations"
        ),
    )
