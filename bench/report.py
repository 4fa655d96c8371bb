"""The governance report as its readers meet it: gunicorn with the production settings on the
benchmark data set (bench/generate.py: 100,000 cases, 1,000,000 messages), the page asked for
one request at a time by a signed-in board member, timed from the request to the last byte.

    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1/portal_bench .venv/bin/python -m bench.report

Targets (../shared/DESIGN.md, issue 14): a month's report under 1 s, a year's under 2 s. Each
page is asked for --repeat times after WARM_UPS untimed requests (warming both workers); the bare
/healthz route is timed the same way in the same run. It also times the figures alone
(report.build in this process: the SQL statements without the page) and prints a Markdown table
for docs/benchmarks.md. Bounded: pages x repeats, plus start-up.
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import statistics
import tempfile
import time
import urllib.request
from datetime import date

from sqlalchemy import func, select

from bench.generate import _config
from bench.load import _cookie, _free_port, _headers, _production_env, _start
from bench.worker import ensure_database
from portal import create_app
from portal.ehcp.models import Case
from portal.extensions import db
from portal.governance import periods, report
from portal.models import Role, User

PAGES = (
    ("Bare route (/healthz)", "/healthz", None),
    ("Governance report, a month (October 2026)", "/reports/?period=2026-10", "2026-10"),
    ("Governance report, a quarter (July to September 2026)", "/reports/?period=2026-Q3", "2026-Q3"),
    ("Governance report, a financial year (2025-26)", "/reports/?period=2025-26", "2025-26"),
    ("Governance report, a calendar year (2026)", "/reports/?period=2026", "2026"),
)


def _board_member() -> User:
    member = db.session.scalars(select(User).where(User.role == Role.BOARD).order_by(User.id)).first()
    if member is None:  # bench/generate.py makes none: add one, for this run's data
        member = User(email="board@example.org", name="Bench board member", role=Role.BOARD,
                      password_hash="not used: the session cookie is signed here")  # noqa: S106
        db.session.add(member)
        db.session.commit()
    return member


# Untimed requests first, so that each of gunicorn's 2 workers has compiled its templates and
# opened its connections before the timing starts (the kernel hands a request to either one).
WARM_UPS = 4


def _time(url: str, cookie: str | None, repeat: int) -> list[float]:
    request = urllib.request.Request(url, headers=_headers(cookie))  # noqa: S310 - loopback
    timings = []
    for _ in range(repeat + WARM_UPS):
        started = time.perf_counter()
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - loopback
            body = response.read()
            if response.status != 200 or (cookie and b"<h1" not in body):
                raise SystemExit(f"{url}: {response.status}, not the page")
        timings.append(time.perf_counter() - started)
    return timings[WARM_UPS:]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5, help="timed requests for each page")
    parser.add_argument("--today", default="2026-12-01", help="the day the reports are made on (YYYY-MM-DD)")
    arguments = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1/portal_bench")
    ensure_database(url)
    app = create_app(_config(url))
    today = date.fromisoformat(arguments.today)
    figures_only = {}
    with app.app_context():
        cases = db.session.scalar(select(func.count()).select_from(Case))
        if not cases:
            raise SystemExit("No benchmark data: make it with bench/generate.py")
        secret_key = secrets.token_urlsafe(48)
        cookie = _cookie(secret_key, _board_member())
        for name, _, key in PAGES[1:]:
            runs = []
            for _ in range(arguments.repeat):
                started = time.perf_counter()
                report.build(db.session, periods.parse(key), today, report.Settings())
                db.session.rollback()
                runs.append(time.perf_counter() - started)
            figures_only[name] = statistics.median(runs)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    rows = []
    with tempfile.TemporaryDirectory() as instance:
        server = _start(_production_env(url, secret_key, instance), port, 2, 4)
        try:
            for name, path, _ in PAGES:
                timings = _time(base + path, cookie if path != "/healthz" else None, arguments.repeat)
                rows.append((name, statistics.median(timings), max(timings)))
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
    print(f"{cases:,} cases, PostgreSQL; gunicorn 2 workers x 4 threads; one request at a time, "
          f"{arguments.repeat} timed after {WARM_UPS} warm-ups; {os.cpu_count()} CPUs")
    print("| Page | Median | Slowest | Figures alone (SQL, median) |")
    print("|---|---:|---:|---:|")
    for name, median, slowest in rows:
        alone = f"{figures_only[name] * 1000:.0f} ms" if name in figures_only else ""
        print(f"| {name} | {median * 1000:.0f} ms | {slowest * 1000:.0f} ms | {alone} |")


if __name__ == "__main__":
    main()
