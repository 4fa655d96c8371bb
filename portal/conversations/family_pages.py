"""The family's messages: every conversation about their children, starting one about a case, and
a conversation's page with the reply form. Another family's case or conversation is a 404, the
same as one that does not exist.

Forms that carry files keep what was typed when a file is refused (the form is shown again with
the same one-time key), and a repeated submission makes one message: the service returns the
message or conversation the first submission made, and the page redirects the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from flask import current_app, flash, redirect, render_template, url_for
from flask_login import current_user

from portal import chrome, form_html
from portal.access import refuse_record, roles
from portal.conversations import absence, bp, family_queries, queries, reply_by, services, wording
from portal.conversations.forms import FamilyStartForm, MessageForm
from portal.conversations.models import ConversationStatus
from portal.family import queries as family_cases
from portal.feedback import queries as feedback_queries
from portal.feedback.models import FeedbackSource
from portal.models import Relationship, Role


@dataclass
class ChildMessages:
    """One child's conversations on the family's messages page."""

    heading: str
    child_id: int
    case_id: int | None
    first_name: str
    young_person: bool
    conversations: list[family_queries.ConversationLine] = field(default_factory=list)


def _groups() -> list[ChildMessages]:
    groups = {}
    for child in family_queries.children(current_user.id):
        young_person = child.relationship is Relationship.YOUNG_PERSON
        groups[child.child_id] = ChildMessages(
            "Your messages" if young_person else f"Messages about {child.first_name}",
            child.child_id, child.case_id, child.first_name, young_person,
        )
    lines = family_queries.family_conversations(current_user.id)
    for line in lines:
        if line.child_id in groups:
            groups[line.child_id].conversations.append(line)
    # Every conversation about their children, so the navigation's count too.
    chrome.family_unread_is(sum(line.unread for line in lines))
    return list(groups.values())


@bp.route("/family/messages")
@roles(Role.FAMILY)
def family_inbox():
    return render_template(
        "conversations/family_inbox.html", groups=_groups(), expect_reply=wording.expect_reply,
    )


def _reply_targets() -> tuple[int, int]:
    config = current_app.config
    return config["REPLY_TARGET_WORKING_DAYS"], config["URGENT_REPLY_TARGET_WORKING_DAYS"]


@bp.route("/family/cases/<int:case_id>/messages/new", methods=["GET", "POST"])
@roles(Role.FAMILY)
def family_start(case_id: int):
    found = family_cases.family_case(current_user.id, case_id)
    if found is None:
        refuse_record(f"case:{case_id}")
    case, relationship = found.case, found.relationship
    form = FamilyStartForm()
    if form.validate_on_submit():
        draft = services.Draft(form.body.data, form.submission_key.data, form.checked_files)
        conversation = services.start(current_user, case, form.subject.data, draft, form.reason)
        flash("Your message has been sent", "success")
        return redirect(url_for("conversations.family_conversation", conversation_id=conversation.id))
    return render_template(
        "conversations/family_start.html", form=form, case=case,
        young_person=relationship is Relationship.YOUNG_PERSON, targets=_reply_targets(),
    )


@bp.route("/family/messages/<int:conversation_id>", methods=["GET", "POST"])
@roles(Role.FAMILY)
def family_conversation(conversation_id: int):
    found = queries.family_conversation(current_user.id, conversation_id)
    if found is None:
        refuse_record(f"conversation:{conversation_id}")
    conversation, case = found.conversation, found.case
    form = MessageForm()
    if form.validate_on_submit():
        draft = services.Draft(form.body.data, form.submission_key.data, form.checked_files)
        try:
            services.reply(current_user, conversation, draft)
        except services.ConversationProblem as problem:
            form.body.errors = [*form.body.errors, str(problem)]
        else:
            flash("Your reply has been sent", "success")
            return redirect(url_for("conversations.family_conversation", conversation_id=conversation_id))
    read = found.read
    today = reply_by.local_date(datetime.now(UTC))
    cover = None  # only while the family waits for a reply: it says who will write it
    if conversation.status is ConversationStatus.WAITING_FOR_COUNCIL and case.caseworker is not None:
        away = absence.away_until([case.caseworker_id], today).get(case.caseworker_id)
        if away is not None:
            first_name = (case.caseworker.name.split() or ["Your caseworker"])[0]
            cover = wording.cover_sentence(first_name, away, case.team.name)
    page = render_template(
        "conversations/family_conversation.html", form=form, conversation=conversation, case=case,
        reply_fields=form_html.blank_fields_html("conversations/_reply_fields.html", form),
        young_person=found.young_person, messages=queries.messages(conversation.id),
        last_read=read.last_read_message_id if read else 0, viewer_id=current_user.id,
        author_name=lambda message: wording.author_line(message, current_user.id),
        attachment_endpoint="conversations.family_attachment",
        expect=wording.expect_reply(conversation.status, conversation.reply_due_on, today), cover=cover,
        overdue=wording.is_overdue(conversation.status, conversation.reply_due_on, today),
        feedback_invitation=(
            feedback_queries.invitation_about(current_user.id, FeedbackSource.CONVERSATION_CLOSED, conversation.id)
            if conversation.status is ConversationStatus.CLOSED else None
        ),
    )
    # After rendering: what they saw is now read (the "New" markers showed what was not).
    services.mark_read(current_user, conversation)
    return page
