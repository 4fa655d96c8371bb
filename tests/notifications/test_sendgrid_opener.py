"""The SendGrid client sends every email through one urllib opener built once, not one per email
(portal/sendgrid_opener.py), and still reaches the provider each time."""

from __future__ import annotations

import urllib.request

import python_http_client.client as http_client

from portal.notifications.worker import send_pending
from tests.fake_sendgrid import FakeSendGrid
from tests.notifications.helpers import check_bodies, queue, use_sendgrid


def test_many_emails_share_one_opener_and_each_reaches_the_provider(app, monkeypatch):
    built = []
    real_build_opener = urllib.request.build_opener
    monkeypatch.setattr(urllib.request, "build_opener", lambda *a: built.append(1) or real_build_opener(*a))
    with FakeSendGrid() as fake:
        use_sendgrid(app, fake)
        ids = queue(5)
        assert send_pending() == 5
    assert sorted(fake.accepted_ids()) == sorted(str(i) for i in ids)
    check_bodies(fake)
    assert len(built) <= 1  # built once per process (already, if an earlier test sent an email)
    assert http_client.urllib.build_opener() is http_client.urllib.build_opener()
    assert http_client.urllib.Request is urllib.request.Request
