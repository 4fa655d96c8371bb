"""Conversations between families and the case team: the family's messages pages, the team
inbox, a conversation's page, files, and staff absences. One blueprint; each page module adds
its views to it. Use cases are in services.py, reads in queries.py, dates in reply_by.py, shared
words in wording.py."""

from flask import Blueprint

from portal.conversations import attachments, reply_by, wording

bp = Blueprint("conversations", __name__)
bp.add_app_template_global(wording.message_time, "message_time")
bp.add_app_template_global(attachments.size_words, "file_size")
bp.add_app_template_global(reply_by.today_in_england, "today_in_england")

# The page modules add their views to `bp` (imported last, so that `bp` exists).
from portal.conversations import (  # noqa: E402
    absence_pages,
    attachment_pages,
    family_pages,
    inbox_pages,
    thread_pages,
)

__all__ = ["absence_pages", "attachment_pages", "bp", "family_pages", "inbox_pages", "thread_pages"]
