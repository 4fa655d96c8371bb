"""Issue 12: how long `flask cases import` takes for 13,000 cases on PostgreSQL. Synthetic data only.

It (re)creates the database portal_bench_import (never portal_bench), builds the schema with the
migrations, adds 8 teams with 20 caseworkers each, writes a CSV file of 13,000 cases at every
stage (as a case-management system would export them: UK dates, stage names as the portal shows
them) and times, each as its own `flask cases import` process (wall time, and the command's own
CPU time, which the database's work is not part of):

1. a dry run of the first import (nothing saved);
2. the first import (13,000 new cases and children);
3. the same file again (nothing changes);
4. a file with 1 case in 10 moved on a stage (1,300 updated cases and stage changes).

    .venv/bin/python -m bench.import_cases [--cases 13000] [--keep]

Results in docs/benchmarks.md ("Issue 12: importing 13,000 cases").
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import create_engine, func, insert, select, text

from config import TestConfig, database_url
from portal import create_app
from portal.ehcp.models import Case, StageChange, caseload_tally
from portal.extensions import db
from portal.models import Role, Team, User

SERVER = os.environ.get("BENCH_SERVER_URL", "postgresql://postgres@127.0.0.1:5432")
DATABASE = "portal_bench_import"
URL = f"{SERVER}/{DATABASE}"
ROOT = Path(__file__).resolve().parent.parent
TEAMS = 8
CASEWORKERS = 20
FIRST = ["Ada", "Ben", "Cleo", "Dev", "Eli", "Fay", "Gus", "Hana", "Ivo", "Jun", "Kai", "Lia", "Mo", "Nia", "Zoë"]
LAST = ["Examplefield", "Testbrook", "Samplewood", "Mockridge", "Dummerton", "Fakenham-Lee", "O’Synthetic"]
# Stages and how long ago (days) the request came for each: (stage label, least, most).
STAGES = [
    ("Request received", 1, 20), ("Deciding whether to assess", 10, 40), ("Assessing", 45, 110),
    ("Deciding whether to issue a plan", 100, 130), ("Draft plan issued", 120, 150),
    ("Final plan issued", 150, 900), ("Annual review", 450, 1500), ("Not assessing", 45, 400),
    ("Withdrawn", 30, 300), ("Plan ended", 500, 2000),
]

# The stage a case in the second export has moved on to.
MOVED_ON = {"Request received": "Deciding whether to assess", "Assessing": "Deciding whether to issue a plan"}


def _config() -> type[TestConfig]:
    class Bench(TestConfig):
        SQLALCHEMY_DATABASE_URI = database_url(URL)

    return Bench


def recreate_database() -> None:
    engine = create_engine(database_url(f"{SERVER}/postgres"), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)"))
        connection.execute(text(f"CREATE DATABASE {DATABASE}"))
    engine.dispose()


def drop_database() -> None:
    engine = create_engine(database_url(f"{SERVER}/postgres"), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)"))
    engine.dispose()


def set_up() -> list[tuple[str, list[str]]]:
    """The schema, teams and caseworkers: (team name, caseworker emails) for each team."""
    app = create_app(_config())
    teams = []
    with app.app_context():
        upgrade()
        for number in range(1, TEAMS + 1):
            team = Team(name=f"Area {number} SEND team")
            db.session.add(team)
            db.session.flush()
            emails = [f"caseworker.{number}.{n}@example.org" for n in range(1, CASEWORKERS + 1)]
            db.session.execute(insert(User), [
                {"email": email, "name": f"Caseworker {number}-{n}", "role": Role.CASEWORKER, "team_id": team.id}
                for n, email in enumerate(emails, 1)
            ])
            teams.append((team.name, emails))
        db.session.commit()
        db.engine.dispose()
    return teams


def uk(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def write_file(
    path: Path, cases: int, teams: list[tuple[str, list[str]]], moved_every: int = 0, seed: int = 12,
) -> None:
    """The export: one case a line. With `moved_every`, every n-th open case before its final
    plan has moved on one stage (and its date) since the first export."""
    rng = random.Random(seed)
    today = date.today()
    lines = ["reference,child_first_name,child_last_name,child_date_of_birth,team,caseworker_email,"
             "request_received_on,stage,stage_since,draft_served_on,final_plan_on,review_meeting_on,is_reassessment"]
    for number in range(1, cases + 1):
        team, emails = teams[number % len(teams)]
        label, least, most = STAGES[number % len(STAGES)]
        received = today - timedelta(days=rng.randint(least, most))
        born = received - timedelta(days=rng.randint(2 * 365, 17 * 365))
        since, draft, final, review = received + timedelta(days=min(least, (today - received).days)), "", "", ""
        if moved_every and number % moved_every == 0 and label in ("Request received", "Assessing"):
            label = MOVED_ON[label]
            since = today
        if label == "Draft plan issued":
            draft = uk(since)
        if label in ("Final plan issued", "Annual review", "Plan ended"):
            draft, final = uk(received + timedelta(weeks=14)), uk(received + timedelta(weeks=19))
            since = received + timedelta(weeks=19 if label == "Final plan issued" else 60)
        if label == "Annual review":
            review = uk(since + timedelta(days=10)) if number % 2 else ""
        caseworker = emails[number % len(emails)] if number % 7 else ""
        lines.append(",".join([
            f"CMS-{number:06d}", rng.choice(FIRST), rng.choice(LAST), uk(born), team, caseworker, uk(received),
            label, uk(since), draft, final, review, "yes" if number % 25 == 0 else "no",
        ]))
    path.write_bytes(("\ufeff" + "\r\n".join(lines) + "\r\n").encode())


def timed_import(path: Path | None, *options: str) -> tuple[float, float, str]:
    """`flask cases import` in its own process, timed; without a path, `flask cases --help`: the
    time to start the command, included in every import's."""
    environment = {**os.environ, "PORTAL_ENV": "development", "DATABASE_URL": URL}
    arguments = ["import", str(path), *options] if path is not None else ["--help"]
    cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    result = subprocess.run(  # noqa: S603 - fixed arguments
        [str(ROOT / ".venv/bin/flask"), "cases", *arguments],
        cwd=ROOT, env=environment, capture_output=True, text=True, check=False,
    )
    elapsed = time.perf_counter() - started
    cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime)
    output = (result.stdout + result.stderr).strip()
    if result.returncode != 0:
        sys.exit(f"flask cases import failed:\n{output[:3000]}")
    return elapsed, cpu, output.splitlines()[-1] if path is not None else ""


def counts() -> dict[str, int]:
    app = create_app(_config())
    with app.app_context():
        found = {
            "cases": db.session.scalar(select(func.count()).select_from(Case)),
            "stage changes": db.session.scalar(select(func.count()).select_from(StageChange)),
            "open cases in the tally": db.session.scalar(select(func.coalesce(func.sum(caseload_tally.c.cases), 0))),
            "open cases": db.session.scalar(select(func.count()).select_from(Case).where(Case.closed.is_(False))),
        }
        db.engine.dispose()
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=13_000)
    parser.add_argument("--keep", action="store_true", help="Keep portal_bench_import afterwards.")
    arguments = parser.parse_args()
    recreate_database()
    try:
        teams = set_up()
        with tempfile.TemporaryDirectory() as folder:
            first, moved = Path(folder) / "cases.csv", Path(folder) / "cases-moved.csv"
            write_file(first, arguments.cases, teams)
            write_file(moved, arguments.cases, teams, moved_every=10)
            print(f"File: {arguments.cases:,} cases, {first.stat().st_size / 1024 / 1024:.1f} MB")
            for name, path, options in (
                ("starting the command (flask cases --help)", None, ()),
                ("dry run of the first import", first, ("--dry-run",)),
                ("first import", first, ()),
                ("the same file again", first, ()),
                ("dry run of the file with cases moved on", moved, ("--dry-run",)),
                ("the file with cases moved on", moved, ()),
            ):
                elapsed, cpu, said = timed_import(path, *options)
                print(f"{name}: {elapsed:.2f} s ({cpu:.2f} s of the command's CPU). {said}")
            print(counts())
    finally:
        if not arguments.keep:
            drop_database()


if __name__ == "__main__":
    main()
