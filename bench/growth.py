"""Growth (issue 10): the same pages for a team with 1,000 cases and a team with 12,500 must take
a time per request within 1.5 times of each other and run the same number of SQL statements.

    .venv/bin/python -m bench.growth --requests 200

It uses its own database (BENCH_GROWTH_DATABASE_URL, default
postgresql://postgres@127.0.0.1/portal_bench_growth), created if missing and migrated to the
latest schema. If the database does not already hold exactly the two teams, it is filled by
bench/generate.py with one team of 1,000 cases and one of 12,500 (children, one family account
a child, 20 caseworkers a team, stage histories), and one open case in 20 is marked "family not
reached" so that filter has rows to find. This takes well under a minute.

Each page is then timed in-process as bench/pages.py does (the Flask test client, no network,
each request in a fresh context), as a caseworker of each team and as a family member with a
case in each team. The two teams' requests alternate, so that both see the same load on a
shared machine. After a warm-up, each page gets --requests requests a team, or fewer if it
reaches --seconds (a page, both teams together): the run is bounded by about pages x --seconds
plus the fill. SQL statements are counted per request with an event listener.

It prints a Markdown table for docs/benchmarks.md: p50 and p95 for each team, the ratio of the p50s
(large / small), the statements per request for each team, and PASS when the ratio is at most
1.5 and the statement counts are the same, else FAIL. The exit status is 1 if any page fails.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import time
from dataclasses import dataclass
from datetime import date
from urllib.parse import quote

from flask_migrate import upgrade
from sqlalchemy import event, func, select, text

from bench.generate import _config, generate
from bench.pages import _get, _signed_in_client
from bench.worker import ensure_database
from portal import create_app
from portal.ehcp.models import Case
from portal.extensions import db
from portal.models import Child, FamilyLink, Role, Team, User

DEFAULT_URL = "postgresql://postgres@127.0.0.1/portal_bench_growth"
SIZES = (1_000, 12_500)  # cases in the small team and in the large team
FRAGMENT = "Ada"  # part of a name: a first name bench/generate.py gives about one child in 14, in both teams
RATIO = 1.5
NOT_REACHED_EVERY = 20  # one open case in this many is marked "family not reached"


@dataclass(frozen=True)
class TeamPeople:
    size: int
    caseworker: User
    family: User
    staff_case: int
    family_case: int
    full_name: str  # the staff case's child, as a caseworker would search for them


@dataclass(frozen=True)
class Row:
    name: str
    requests: tuple[int, int]
    p50: tuple[float, float]
    p95: tuple[float, float]
    statements: tuple[str, str]

    @property
    def ratio(self) -> float:
        return self.p50[1] / self.p50[0]

    @property
    def passed(self) -> bool:
        return self.ratio <= RATIO and self.statements[0] == self.statements[1]


def _filled() -> bool:
    counts = db.session.execute(select(Case.team_id, func.count()).group_by(Case.team_id).order_by(Case.team_id)).all()
    teams = db.session.scalar(select(func.count()).select_from(Team))
    not_reached = db.session.scalar(
        select(func.count()).select_from(Case).where(Case.family_not_reached_since.is_not(None))
    )
    return teams == len(SIZES) and [tuple(row) for row in counts] == list(enumerate(SIZES, 1)) and bool(not_reached)


def fill() -> None:
    """Two teams, made by bench/generate.py, and some cases whose family email was not delivered."""
    started = time.perf_counter()
    counts = generate(team_sizes=list(SIZES))
    db.session.execute(
        text(
            "UPDATE ehc_case SET family_not_reached_since = now() - make_interval(days => id % 30) "
            "WHERE NOT closed AND id % :every = 0"
        ),
        {"every": NOT_REACHED_EVERY},
    )
    db.session.commit()
    db.session.execute(text("ANALYZE"))
    db.session.commit()
    print(f"Filled the growth database: {counts} in {time.perf_counter() - started:.1f} s", file=sys.stderr)


def _people(team_id: int, size: int) -> TeamPeople:
    caseworker = db.session.scalars(
        select(User).where(User.role == Role.CASEWORKER, User.team_id == team_id).order_by(User.id)
    ).first()
    staff_case = db.session.scalar(
        select(Case.id).where(Case.team_id == team_id, Case.closed.is_(False)).order_by(Case.id).limit(1)
    )
    family_id, family_case = db.session.execute(
        select(FamilyLink.user_id, Case.id).join(Case, Case.child_id == FamilyLink.child_id)
        .where(Case.team_id == team_id, Case.closed.is_(False)).order_by(Case.id).limit(1)
    ).one()
    matches = db.session.scalar(
        select(func.count()).select_from(Case).join(Case.child)
        .where(Case.team_id == team_id, Case.closed.is_(False), Child.first_name.icontains(FRAGMENT))
    )
    if not matches:
        raise SystemExit(f"no open case in team {team_id} matches the search {FRAGMENT!r}")
    first, last = db.session.execute(
        select(Child.first_name, Child.last_name).join(Case, Case.child_id == Child.id).where(Case.id == staff_case)
    ).one()
    return TeamPeople(size, caseworker, db.session.get(User, family_id), staff_case, family_case, f"{first} {last}")


def _last_page(client) -> int:
    """The highest page number the caseload's own pagination links to."""
    response = _get(client, "/casework/")
    numbers = [int(n) for n in re.findall(r"[?&;]page=(\d+)", response.get_data(as_text=True))]
    if response.status_code != 200 or not numbers:
        raise SystemExit(f"could not find the caseload's last page ({response.status_code})")
    return max(numbers)


def _pages(people: TeamPeople, last_page: int) -> list[tuple[str, str, str]]:
    return [
        ("Caseload (first page)", "caseworker", "/casework/"),
        ("Caseload, overdue filter", "caseworker", "/casework/?overdue=y"),
        ("Caseload, family not reached filter", "caseworker", "/casework/?not_reached=y"),
        (f"Caseload, search by name ({FRAGMENT})", "caseworker", f"/casework/?q={FRAGMENT}"),
        ("Caseload, search by a child's full name", "caseworker", f"/casework/?q={quote(people.full_name)}"),
        ("Caseload, sorted by stage", "caseworker", "/casework/?sort=stage"),
        ("Caseload, sorted by date received", "caseworker", "/casework/?sort=received"),
        ("Caseload, last page", "caseworker", f"/casework/?page={last_page}"),
        ("Caseworker case summary", "caseworker", f"/casework/cases/{people.staff_case}"),
        ("Family dashboard", "family", "/family/"),
        ("Family case page", "family", f"/family/cases/{people.family_case}"),
    ]


def _statements(counts: list[int]) -> str:
    return str(counts[0]) if min(counts) == max(counts) else f"{min(counts)}-{max(counts)}"


def measure(name: str, targets: list[tuple[object, str]], requests: int, seconds: float) -> Row:
    """The teams' requests alternate (small first, then large first, and so on)."""
    current: list[int] = [0]

    def count(*args: object) -> None:
        current[0] += 1

    timings: list[list[float]] = [[] for _ in targets]
    statements: list[list[int]] = [[] for _ in targets]
    for client, url in targets:
        for _ in range(2):  # warm up
            _get(client, url)
    event.listen(db.engine, "before_cursor_execute", count)
    deadline = time.monotonic() + seconds
    try:
        for round_ in range(requests):
            if round_ >= 10 and time.monotonic() > deadline:
                break
            order = range(len(targets)) if round_ % 2 == 0 else reversed(range(len(targets)))
            for side in order:
                client, url = targets[side]
                current[0] = 0
                started = time.perf_counter()
                response = _get(client, url)
                timings[side].append((time.perf_counter() - started) * 1000)
                statements[side].append(current[0])
                if response.status_code != 200:
                    raise SystemExit(f"{name}: {url} answered {response.status_code}")
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    small, large = timings
    return Row(
        name,
        (len(small), len(large)),
        (statistics.median(small), statistics.median(large)),
        (statistics.quantiles(small, n=20)[18], statistics.quantiles(large, n=20)[18]),
        (_statements(statements[0]), _statements(statements[1])),
    )


def table(rows: list[Row]) -> str:
    a, b = (f"{size:,}" for size in SIZES)
    lines = [
        f"| page | p50 ms, {a} | p95 ms, {a} | p50 ms, {b} | p95 ms, {b} | ratio of p50s | "
        f"SQL statements, {a} | SQL statements, {b} | result |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r.name} | {r.p50[0]:.1f} | {r.p95[0]:.1f} | {r.p50[1]:.1f} | {r.p95[1]:.1f} | {r.ratio:.2f} | "
            f"{r.statements[0]} | {r.statements[1]} | {'PASS' if r.passed else 'FAIL'} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=200, help="requests a page for each team (default 200)")
    parser.add_argument("--seconds", type=float, default=60,
                        help="time limit for each page, both teams together, after at least 10 requests "
                             "each (default 60)")
    parser.add_argument("--only", default="", help="measure only the pages whose name contains this")
    parser.add_argument("--refill", action="store_true", help="make the two teams again even if already there")
    arguments = parser.parse_args()
    url = os.environ.get("BENCH_GROWTH_DATABASE_URL", DEFAULT_URL)
    ensure_database(url)
    app = create_app(_config(url))
    with app.app_context():
        upgrade()
        if arguments.refill or not _filled():
            fill()
        people = [_people(team_id, size) for team_id, size in enumerate(SIZES, 1)]
        clients = [
            {"caseworker": _signed_in_client(app, p.caseworker), "family": _signed_in_client(app, p.family)}
            for p in people
        ]
        db.session.rollback()  # no transaction left open while the pages are timed
        last_pages = [_last_page(c["caseworker"]) for c in clients]
        pages = [_pages(p, last) for p, last in zip(people, last_pages, strict=True)]
        rows = []
        for position, (name, who, _) in enumerate(pages[0]):
            if arguments.only.lower() not in name.lower():
                continue
            targets = [(clients[side][who], pages[side][position][2]) for side in range(len(SIZES))]
            row = measure(name, targets, arguments.requests, arguments.seconds)
            print(f"{name}: {row.p50[0]:.1f} / {row.p50[1]:.1f} ms, ratio {row.ratio:.2f}, "
                  f"{row.requests[0]} requests", file=sys.stderr)
            rows.append(row)
    done = min(min(r.requests) for r in rows) if rows else 0
    print(f"Teams of {SIZES[0]:,} and {SIZES[1]:,} cases, PostgreSQL, in-process (Flask test client); "
          f"{arguments.requests} requests a page a team after a warm-up"
          + (f" (at least {done} where --seconds cut a page short)" if done < arguments.requests else "")
          + f"; {os.cpu_count()} CPUs; {date.today().day} {date.today():%B %Y}")
    print(f"Last page of the caseload: page {last_pages[0]} and page {last_pages[1]}")
    print(table(rows))
    passed = sum(r.passed for r in rows)
    print(f"\n{passed} of {len(rows)} pages pass (p50 ratio at most {RATIO} and the same SQL statements).")
    if passed < len(rows):
        sys.exit(1)


if __name__ == "__main__":
    main()
