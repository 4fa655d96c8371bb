"""A conversation as the case team sees it: the messages, how it stands against its reply-by
date, a reply form, and closing or reopening it; and starting a conversation from a case.

Staff reach only conversations on their own team's cases: anything else is a 404. Staff-only case
notes are never shown here. Every view is written to the audit log, after the page is built.
Reads are in inbox_queries.py.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal import audit
from portal.access import CASE_STAFF, refuse_record, roles
from portal.casework import queries as case_queries
from portal.conversations import absence, bp, inbox_queries, queries, reply_by, services, wording
from portal.conversations.forms import ButtonForm, MessageForm, StaffStartForm
from portal.conversations.inbox_queries import today as today_in_england
from portal.conversations.models import Conversation, ConversationRead, ConversationStatus

GET_AND_POST = ["GET", "POST"]
SENT = ("Message sent. The family can read it when they sign in, and family members who get emails about "
        "messages will get one.")


def _conversation_or_404(conversation_id: int) -> Conversation:
    return _with_read_or_404(conversation_id)[0]


def _with_read_or_404(conversation_id: int) -> tuple[Conversation, ConversationRead | None]:
    found = inbox_queries.staff_conversation(current_user.team_id, current_user.id, conversation_id)
    if found is None:
        refuse_record(f"conversation:{conversation_id}")
    return found


def _back(conversation: Conversation):
    return redirect(url_for("conversations.staff_conversation", conversation_id=conversation.id))


def _draft(form: MessageForm) -> services.Draft:
    return services.Draft(body=form.body.data, submission_key=form.submission_key.data, files=form.checked_files)


def _standing(conversation: Conversation, on) -> str | None:
    """How a conversation waiting for the council stands against its date (one query, for the
    council's closure days, and only while it waits)."""
    if conversation.status is not ConversationStatus.WAITING_FOR_COUNCIL or conversation.reply_due_on is None:
        return None
    return reply_by.reply_status(conversation.reply_due_on, on, services.closure_days(on))


def _page(conversation: Conversation, read: ConversationRead | None, form: MessageForm, status: int = 200):
    case = conversation.case
    on = today_in_england()
    last_read = read.last_read_message_id if read is not None else 0
    # One query for the case's caseworker and the person reading (who may be recorded as away).
    away = absence.away_until([case.caseworker_id, current_user.id], on)
    html = render_template(
        "conversations/staff_conversation.html",
        conversation=conversation,
        case=case,
        form=form,
        button_form=ButtonForm(formdata=None),
        messages=queries.messages(conversation.id),
        viewer_id=current_user.id,
        last_read=last_read,
        attachment_endpoint="conversations.staff_attachment",
        author_name=lambda message: wording.author_line(message, current_user.id),
        standing=_standing(conversation, on),
        away_until=away.get(case.caseworker_id) if case.caseworker_id else None,
        you_away_until=away.get(current_user.id),
        long_date=reply_by.long_date,
        local_date=reply_by.local_date,
    )
    # After the page is built: a commit expires what the page reads.
    audit.record("conversation-viewed", actor=current_user, target=f"conversation:{conversation.id}")
    if conversation.last_message_id is not None and last_read < conversation.last_message_id:
        services.mark_read(current_user, conversation)  # commits the audit event with it
    else:
        audit.commit_without_waiting_for_disk()
    return html, status


@bp.route("/casework/conversations/<int:conversation_id>", methods=GET_AND_POST, endpoint="staff_conversation")
@roles(*CASE_STAFF)
def staff_conversation(conversation_id: int):
    conversation, read = _with_read_or_404(conversation_id)
    if request.method == "GET":
        return _page(conversation, read, MessageForm(formdata=None))
    if conversation.status is ConversationStatus.CLOSED:
        # Sent from a page loaded before someone closed it: say so rather than show errors.
        flash("This conversation is closed. Open it again to reply.", "info")
        return _back(conversation)
    form = MessageForm()
    if not form.validate_on_submit():
        return _page(conversation, read, form, 400)
    try:
        services.reply(current_user, conversation, _draft(form))
    except services.ConversationProblem as problem:
        flash(str(problem), "info")
    else:
        flash(SENT, "success")
    return _back(conversation)


def _button(conversation_id: int) -> Conversation:
    conversation = _conversation_or_404(conversation_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    return conversation


@bp.route("/casework/conversations/<int:conversation_id>/close", methods=["POST"], endpoint="close_conversation")
@roles(*CASE_STAFF)
def close_conversation(conversation_id: int):
    conversation = _button(conversation_id)
    if services.close(current_user, conversation):
        flash("Conversation closed. If the family replies, it will open again.", "success")
    else:
        flash("This conversation was already closed.", "info")
    return _back(conversation)


@bp.route("/casework/conversations/<int:conversation_id>/reopen", methods=["POST"], endpoint="reopen_conversation")
@roles(*CASE_STAFF)
def reopen_conversation(conversation_id: int):
    conversation = _button(conversation_id)
    if services.reopen(current_user, conversation):
        flash("Conversation opened again.", "success")
    else:
        flash("This conversation is already open.", "info")
    return _back(conversation)


@bp.route("/casework/cases/<int:case_id>/messages/new", methods=GET_AND_POST, endpoint="staff_start")
@roles(*CASE_STAFF)
def staff_start(case_id: int):
    case = case_queries.team_case(case_id, current_user.team_id)
    if case is None:
        refuse_record(f"case:{case_id}")
    if request.method == "GET":
        return render_template("conversations/staff_start.html", case=case, form=StaffStartForm(formdata=None))
    form = StaffStartForm()
    if form.validate_on_submit():
        conversation = services.start(current_user, case, form.subject.data, _draft(form))
        flash(SENT, "success")
        return _back(conversation)
    return render_template("conversations/staff_start.html", case=case, form=form), 400
