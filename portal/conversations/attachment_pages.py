"""Downloading a file sent with a message: only by someone who may see the conversation (a family
member linked to the child, or staff of the case's team), otherwise a 404. Always as a download,
with the type recorded when it was checked, `nosniff`, and never cached. Staff downloads are
audited."""

from __future__ import annotations

import io

from flask import abort, send_file
from flask_login import current_user

from portal import audit
from portal.access import CASE_STAFF, refuse_record, roles
from portal.conversations import attachments, bp, queries
from portal.conversations.models import Attachment
from portal.models import Role


def _download(attachment: Attachment):
    # Read whole (at most 10MB): nothing is left open if the client never reads the response.
    try:
        content = attachments.path_of(attachment.stored_name).read_bytes()
    except FileNotFoundError:
        abort(404)
    response = send_file(
        io.BytesIO(content), mimetype=attachment.content_type, as_attachment=True,
        download_name=attachment.file_name, conditional=False, etag=False, max_age=None,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/family/attachments/<int:attachment_id>")
@roles(Role.FAMILY)
def family_attachment(attachment_id: int):
    attachment = queries.family_attachment(current_user.id, attachment_id)
    if attachment is None:
        refuse_record(f"attachment:{attachment_id}")
    return _download(attachment)


@bp.route("/casework/attachments/<int:attachment_id>")
@roles(*CASE_STAFF)
def staff_attachment(attachment_id: int):
    attachment = queries.team_attachment(current_user.team_id, attachment_id)
    if attachment is None:
        refuse_record(f"attachment:{attachment_id}")
    response = _download(attachment)
    audit.record("attachment-downloaded", actor=current_user, target=f"attachment:{attachment_id}")
    audit.commit_without_waiting_for_disk()  # the record of a read, as for viewing a case
    return response
