"""Conversations between families and the case team: the family's messages pages, the team
inbox, a conversation's page, files, and staff absences. One blueprint; each page module adds
its views to it. Use cases are in services.py, reads in queries.py, dates in reply_by.py."""

from flask import Blueprint

bp = Blueprint("conversations", __name__)
