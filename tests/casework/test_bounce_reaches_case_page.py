"""From the stage change to the caseworker's page: a stage change queues the family's email, the
worker sends it, and SendGrid's signed webhook then reports that it bounced.
The caseworker's case page shows the email as not delivered and the case as "Family not reached"."""

from __future__ import annotations

import time

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from portal.ehcp.models import Case
from portal.extensions import db
from portal.outbox import OutboxEmail, OutboxStatus
from tests.casework.helpers import Teams
from tests.casework.test_stage_change import post_stage
from tests.helpers import get_page, sign_in_fast
from tests.notifications.test_webhook import KEY, event, post, public_key_text


def test_a_bounce_reported_by_the_webhook_shows_on_the_case_page_and_flags_the_case(
    app: Flask, client: FlaskClient, teams: Teams, mail
) -> None:
    app.config["SENDGRID_WEBHOOK_PUBLIC_KEY"] = public_key_text(KEY)
    sign_in_fast(client, teams.caseworker)
    case_url = f"/casework/cases/{teams.case.id}"
    assert post_stage(client, teams).status_code == 302
    mail.deliver()
    email = db.session.scalar(select(OutboxEmail).where(OutboxEmail.case_id == teams.case.id))
    assert email is not None and email.status is OutboxStatus.SENT

    bounce = event("bounce", email.id, "sg-bounce-1", at=int(time.time()), type="bounce",
                   reason="550 5.1.1 The email account that you tried to reach does not exist")
    assert post(client, [bounce]).status_code == 204

    db.session.expire_all()
    assert db.session.get(Case, teams.case.id).family_not_reached_since is not None
    page = get_page(client, case_url)
    emails = " ".join(page.soup.find(id="emails").find_parent().get_text(" ").split())
    assert "Not delivered: the address does not exist or refuses mail" in emails
    banner = " ".join(page.soup.find(id="family-not-reached").get_text(" ").split())
    assert "Phone or write to them instead" in banner
