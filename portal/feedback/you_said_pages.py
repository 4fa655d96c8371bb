"""'You said, we did': the actions the council took because of families' feedback, on a public
page. A family member signed in also sees which ones answer feedback they gave themselves, and
the notices about them count as seen."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user

from portal.access import public
from portal.feedback import actions, bp, queries
from portal.models import Role


@bp.route("/you-said-we-did")
@public
def you_said_we_did():
    family = current_user.is_authenticated and current_user.role is Role.FAMILY
    answering = queries.actions_answering(current_user.id) if family else set()
    page = render_template("feedback/you_said_we_did.html", actions=queries.published_actions(), answering=answering)
    if family:
        actions.mark_notices_seen(current_user.id)
    return page
