"""How fast the outbox worker sends: 10,000 queued emails to a local fake SendGrid (127.0.0.1),
with one and then two `flask notifications work` processes, on PostgreSQL.

    BENCH_WORKER_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/portal_bench_worker \\
        .venv/bin/python -m bench.worker --emails 10000 [--latency 0.05] [--threads 10]

The fake answers each request after --latency seconds, as SendGrid does across a network (its API
typically answers in 50 to 300 ms), so the run measures what a worker does with that wait.

The database is created if missing and its schema rebuilt by the migrations. Each run starts the
workers on an empty queue, then commits every email at once and times until the last is sent.
Every outbox id must reach the fake exactly once. Each run gives up after --timeout seconds.
Results go in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import psycopg
from flask_migrate import upgrade
from sqlalchemy import delete, func, insert, select, text

from bench.generate import _config
from portal import create_app
from portal.extensions import db
from portal.outbox import OutboxEmail, OutboxStatus

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/portal_bench_worker"


def ensure_database(url: str) -> None:
    server, name = url.rsplit("/", 1)
    with psycopg.connect(server + "/postgres", autocommit=True) as connection:
        if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            connection.execute(f'CREATE DATABASE "{name}"')


def _queue(n: int) -> set[str]:
    db.session.execute(delete(OutboxEmail))
    db.session.execute(
        insert(OutboxEmail),
        [
            {"event_key": f"bench:{time.time_ns()}:{i}", "to_email": f"person{i}@example.org",
             "subject": "Reset your password", "template": "password_reset",
             "context": {"link": f"http://127.0.0.1:5000/password/reset/{i}"}}
            for i in range(n)
        ],
    )
    db.session.commit()
    return {str(i) for i in db.session.scalars(select(OutboxEmail.id))}


def _sent() -> int:
    db.session.rollback()
    sent = select(func.count()).select_from(OutboxEmail).where(OutboxEmail.status == OutboxStatus.SENT)
    return db.session.scalar(sent)


def _start_fake(folder: Path, latency: float) -> tuple[subprocess.Popen, str]:
    """The fake SendGrid in its own process, so that it does not share a GIL with the timing."""
    ready = folder / "fake-url"
    ready.unlink(missing_ok=True)
    process = subprocess.Popen(  # noqa: S603 - our own module, fixed arguments
        [sys.executable, "-m", "tests.fake_sendgrid", str(ready), str(folder / "accepted.json"), str(latency)],
        cwd=ROOT,
    )
    deadline = time.monotonic() + 30
    while not (ready.exists() and ready.read_text()):
        if time.monotonic() > deadline:
            raise SystemExit("the fake SendGrid did not start")
        time.sleep(0.05)
    return process, ready.read_text()


def _accepted(fake: subprocess.Popen, folder: Path) -> Counter:
    fake.send_signal(signal.SIGTERM)
    fake.wait(timeout=30)
    return Counter(json.loads((folder / "accepted.json").read_text()))


def run(url: str, workers: int, arguments: argparse.Namespace, instance: str) -> float:
    emails, timeout = arguments.emails, arguments.timeout
    fake, fake_url = _start_fake(Path(instance), arguments.latency)
    env = {
        **os.environ, "PORTAL_ENV": "development", "DATABASE_URL": url, "INSTANCE_PATH": instance,
        "EMAIL_BACKEND": "sendgrid", "SENDGRID_HOST": fake_url, "SENDGRID_API_KEY": "SG.bench",
        "NOTIFICATIONS_POLL_SECONDS": "0.05", "NOTIFICATIONS_THREADS": str(arguments.threads),
    }
    db.session.execute(delete(OutboxEmail))
    db.session.commit()
    processes = [
        subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "notifications", "work"],
                         cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
        for _ in range(workers)
    ]
    try:
        time.sleep(2)  # the workers start and find an empty queue
        ids = _queue(emails)
        started = time.perf_counter()
        deadline = time.monotonic() + timeout
        while _sent() < emails:
            if time.monotonic() > deadline:
                raise SystemExit(f"{workers} worker(s): gave up after {timeout} s with {_sent()} sent")
            time.sleep(0.02)
        elapsed = time.perf_counter() - started
    except BaseException:
        fake.kill()
        raise
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            process.wait(timeout=30)
    counts = _accepted(fake, Path(instance))
    assert set(counts) == ids and set(counts.values()) == {1}, "an email was lost or sent twice"
    return emails / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--emails", type=int, default=10_000)
    parser.add_argument("--timeout", type=float, default=300, help="seconds allowed for each run")
    parser.add_argument("--latency", type=float, default=0.05,
                        help="seconds the fake SendGrid takes to answer each request (default 0.05)")
    parser.add_argument("--threads", type=int, default=10, help="sender threads in each worker (default 10)")
    arguments = parser.parse_args()
    url = os.environ.get("BENCH_WORKER_DATABASE_URL", DEFAULT_URL)
    ensure_database(url)
    app = create_app(_config(url))
    with app.app_context(), tempfile.TemporaryDirectory() as instance:
        db.session.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        db.session.commit()
        upgrade()
        rates = {workers: run(url, workers, arguments, instance) for workers in (1, 2)}
        db.session.execute(delete(OutboxEmail))
        db.session.commit()
    print(f"{arguments.emails} emails, PostgreSQL, fake SendGrid on 127.0.0.1 answering in "
          f"{arguments.latency * 1000:.0f} ms, {arguments.threads} sender threads a worker")
    for workers, rate in rates.items():
        print(f"  {workers} worker(s): {rate:,.0f} emails a second")
    print(f"  two workers / one: {rates[2] / rates[1]:.2f}x")


if __name__ == "__main__":
    main()
