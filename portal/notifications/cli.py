"""`flask notifications work` (until SIGTERM or SIGINT) and `flask notifications send-pending`
(one pass, for cron and tests)."""

from __future__ import annotations

import signal
import threading

import click
from flask.cli import AppGroup

from portal.notifications import worker

notifications = AppGroup("notifications", help="Send the emails waiting in the outbox.")


@notifications.command("work")
def work() -> None:
    """Send emails as they are queued, until stopped (SIGTERM or Ctrl-C finishes the email in hand)."""
    stop = threading.Event()

    def request_stop(signum: int, frame: object) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    click.echo("Outbox worker started: sending emails as they are queued (Ctrl-C to stop).")
    worker.work(stop)
    click.echo("Outbox worker stopped.")


@notifications.command("send-pending")
def send_pending() -> None:
    """Send every email that is due now, once, then exit."""
    accepted = worker.send_pending()
    click.echo(f"Sent {accepted} email{'s' if accepted != 1 else ''}.")
