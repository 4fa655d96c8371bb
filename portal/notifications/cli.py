"""`flask notifications work` (until SIGTERM or SIGINT) and `flask notifications send-pending`
(one pass, for cron and tests); `flask notifications digest` (the staff digest, daily)."""

from __future__ import annotations

import signal
import threading
from datetime import date

import click
from flask.cli import AppGroup

from portal.notifications import digest, worker
from portal.working_days import is_working_day

notifications = AppGroup("notifications", help="Send the emails waiting in the outbox.")


@notifications.command("work")
@click.option("--threads", type=click.IntRange(1, 64), default=None,
              help="Emails sent at once (default NOTIFICATIONS_THREADS; always 1 on SQLite).")
def work(threads: int | None) -> None:
    """Send emails as they are queued, until stopped (SIGTERM or Ctrl-C finishes the email in hand)."""
    stop = threading.Event()

    def request_stop(signum: int, frame: object) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    count = worker.sender_threads(threads)
    click.echo(f"Outbox worker started: sending emails as they are queued, {count} at a time (Ctrl-C to stop).")
    worker.work(stop, threads)
    click.echo("Outbox worker stopped.")


@notifications.command("send-pending")
def send_pending() -> None:
    """Send every email that is due now, once, then exit."""
    accepted = worker.send_pending()
    click.echo(f"Sent {accepted} email{'s' if accepted != 1 else ''}.")


@notifications.command("digest")
@click.option("--date", "on", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="The day to run it for (YYYY-MM-DD; default today).")
def send_digest(on) -> None:
    """Queue today's staff digest: each caseworker's cases with a legal deadline in the next 7
    days or passed, and conversations whose reply is due within 2 working days or overdue (for
    managers, every overdue conversation of their team). Run it each working morning; running it
    again the same day sends nothing more. Without --date it sends nothing at a weekend or on a
    bank holiday."""
    day = on.date() if on is not None else date.today()
    if on is None and not is_working_day(day):
        click.echo(f"No digest on {day.isoformat()}: it is not a working day.")
        return
    queued = digest.queue_digests(day)
    click.echo(f"Queued {queued} digest email{'s' if queued != 1 else ''} for {day.isoformat()}.")
