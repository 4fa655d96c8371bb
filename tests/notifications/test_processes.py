"""Real worker processes (`flask notifications work`) against the test database: one killed with
SIGKILL in the middle of a batch loses nothing and sends nothing twice, and two on PostgreSQL
share a queue of 1,000 emails, each sent exactly once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select

from portal.extensions import db
from portal.outbox import OutboxEmail, OutboxStatus
from tests.fake_sendgrid import FakeSendGrid, Reply
from tests.notifications.helpers import all_rows, check_bodies

ROOT = Path(__file__).resolve().parents[2]


def queue_many(n: int) -> list[int]:
    db.session.execute(
        insert(OutboxEmail),
        [
            {"event_key": f"bulk:{i}", "to_email": f"person{i}@example.org", "subject": "Reset your password",
             "template": "password_reset", "context": {"link": f"http://localhost/reset/{i}"}}
            for i in range(n)
        ],
    )
    db.session.commit()
    return list(db.session.scalars(select(OutboxEmail.id).order_by(OutboxEmail.id)))


def start_worker(database_uri: str, fake: FakeSendGrid, instance: Path, **settings: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "PORTAL_ENV": "development",
        "DATABASE_URL": database_uri,
        "INSTANCE_PATH": str(instance),
        "EMAIL_BACKEND": "sendgrid",
        "SENDGRID_HOST": fake.url,
        "SENDGRID_API_KEY": "SG.test-key",
        "NOTIFICATIONS_POLL_SECONDS": "0.1",
        **settings,
    }
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "notifications", "work"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )


def wait_for(condition, timeout: float, what: str, workers: list[subprocess.Popen]) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline or any(worker.poll() is not None for worker in workers):
            for worker in workers:
                worker.kill()
            outputs = [worker.communicate(timeout=10)[0] for worker in workers]
            pytest.fail(f"timed out waiting for {what}, or a worker stopped: {outputs}")
        time.sleep(0.005)


def sent_count() -> int:
    db.session.rollback()
    sent = select(func.count()).select_from(OutboxEmail).where(OutboxEmail.status == OutboxStatus.SENT)
    return db.session.scalar(sent)


def stop(worker: subprocess.Popen) -> str:
    worker.send_signal(signal.SIGTERM)
    output, _ = worker.communicate(timeout=30)
    assert worker.returncode == 0, output
    return output


def test_a_worker_killed_mid_batch_loses_nothing_and_sends_nothing_twice(app, database_uri, tmp_path):
    ids = queue_many(30)
    # The provider holds the sixth email for 30 s, so the worker is surely waiting on it, with the
    # first five recorded, when it is killed: in the middle of a batch. (Killed just after the
    # provider accepted an email and before the worker recorded it, that email would go twice:
    # delivery is at least once, and that moment is not what this test is about.)
    with FakeSendGrid([Reply(delay=0.1)] * 5 + [Reply(delay=30)], delay=0.1) as fake:
        worker = start_worker(database_uri, fake, tmp_path, NOTIFICATIONS_BATCH_SIZE="10",
                              NOTIFICATIONS_LEASE_SECONDS="3")
        wait_for(lambda: len(fake.requests) >= 6, 60, "the first emails", [worker])
        # The first five were answered: wait until the worker has recorded them too (on a busy
        # machine that can lag), so the kill lands while it waits on the sixth alone.
        wait_for(lambda: sent_count() >= 5, 20, "the first five to be recorded", [worker])
        worker.kill()
        worker.communicate(timeout=10)
        held = [(email.id, email.lease_until) for email in all_rows() if email.status is OutboxStatus.SENDING]
        assert held, "the worker should have died holding a claimed batch"
        assert 0 < sent_count() < 30

        second = start_worker(database_uri, fake, tmp_path, NOTIFICATIONS_BATCH_SIZE="10")
        wait_for(lambda: sent_count() == 30, 60, "every email to be sent", [second])
        stop(second)

    assert sorted(Counter(fake.accepted_ids()).items()) == sorted((str(i), 1) for i in ids)
    # The rows the dead worker held went again only after its lease ended.
    for email_id, lease_until in held:
        tries = [r["at"] for r in fake.requests if r["body"]["custom_args"]["outbox_id"] == str(email_id)]
        assert max(tries) >= lease_until.timestamp() - 0.05
    check_bodies(fake)


def test_two_workers_on_postgresql_send_each_of_1000_emails_exactly_once(app, database_uri, tmp_path):
    if not database_uri.startswith("postgresql"):
        pytest.skip("SQLite has no row locks (no SKIP LOCKED): the README says to run one worker there")
    ids = queue_many(1000)
    with FakeSendGrid() as fake:
        workers = [start_worker(database_uri, fake, tmp_path, NOTIFICATIONS_BATCH_SIZE="20") for _ in range(2)]
        wait_for(lambda: sent_count() == 1000, 180, "all 1,000 emails to be sent", workers)
        outputs = [stop(worker) for worker in workers]
    counts = Counter(fake.accepted_ids())
    assert set(counts) == {str(i) for i in ids}
    assert set(counts.values()) == {1}
    assert len(fake.requests) == 1000
    assert all("Outbox worker stopped." in output for output in outputs)
