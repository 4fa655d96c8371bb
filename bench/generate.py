"""Build the benchmark data set on PostgreSQL: teams, staff, children, family accounts and
EHC cases with their stage history. Synthetic data only.

    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1/portal_bench .venv/bin/python bench/generate.py --cases 100000

With --team-sizes 1000,12500 it makes one team per size with exactly that many cases instead of
spreading --cases across 8 teams (bench/growth.py uses this).

The schema comes from the migrations; the rows are written with COPY-sized batched inserts.
"""

from __future__ import annotations

import argparse
import os
import random
import time
from datetime import UTC, date, datetime, timedelta

from flask_migrate import upgrade
from sqlalchemy import insert, text

from config import TestConfig, database_url
from portal import create_app
from portal.ehcp import milestones
from portal.ehcp.models import Case, StageChange
from portal.ehcp.stages import PATH, Stage
from portal.extensions import db
from portal.models import Child, FamilyLink, Relationship, Role, Team, User
from portal.passwords import hash_password

BATCH = 5_000
TEAMS = 8
CASEWORKERS_PER_TEAM = 20
FIRST_NAMES = ["Ada", "Ben", "Cleo", "Dev", "Eli", "Fay", "Gus", "Hana", "Ivo", "Jun", "Kai", "Lia", "Mo", "Nia"]


def _config(url: str) -> type[TestConfig]:
    class Bench(TestConfig):
        SQLALCHEMY_DATABASE_URI = database_url(url)
        PASSWORD_HASH_FAST = True

    return Bench


def _batched(rows: list[dict], table) -> None:
    for start in range(0, len(rows), BATCH):
        db.session.execute(insert(table), rows[start : start + BATCH])


def generate(cases: int = 0, seed: int = 2026, team_sizes: list[int] | None = None) -> dict[str, int]:
    """`cases` spread at random across 8 teams or, with `team_sizes`, one team per size with
    exactly that many cases (`cases` is then their sum, or may be left out)."""
    rng = random.Random(seed)
    teams = TEAMS
    team_of: list[int] = []
    if team_sizes is not None:
        if cases not in (0, sum(team_sizes)) or not team_sizes or min(team_sizes) < 1:
            raise ValueError(f"team_sizes {team_sizes} do not make {cases} cases")
        teams, cases = len(team_sizes), sum(team_sizes)
        team_of = [t + 1 for t, size in enumerate(team_sizes) for _ in range(size)]
        rng.shuffle(team_of)  # the teams' cases interleaved by id, as when they arrive over time
    today = date.today()
    now = datetime.now(UTC)
    password_hash = hash_password("bench password not used by people")
    db.session.execute(text("TRUNCATE team, user_account, child, family_link, ehc_case, stage_change CASCADE"))

    team_rows = [{"id": t + 1, "name": f"Bench team {t + 1}", "created_at": now} for t in range(teams)]
    _batched(team_rows, Team.__table__)
    staff_rows = []
    for t in range(teams):
        for c in range(CASEWORKERS_PER_TEAM):
            staff_rows.append(_user(len(staff_rows) + 1, f"caseworker{t}-{c}@example.org", Role.CASEWORKER, t + 1,
                                    password_hash, now))
    families = cases  # one family account per child
    family_rows = [
        _user(len(staff_rows) + i + 1, f"family{i}@example.org", Role.FAMILY, None, password_hash, now)
        for i in range(families)
    ]
    _batched(staff_rows + family_rows, User.__table__)

    child_rows, link_rows, case_rows, change_rows = [], [], [], []
    change_id = 0
    for i in range(cases):
        child_id = i + 1
        team_id = team_of[i] if team_of else rng.randrange(TEAMS) + 1
        child_rows.append({
            "id": child_id, "first_name": rng.choice(FIRST_NAMES), "last_name": f"Benchname{i}",
            "date_of_birth": today - timedelta(days=rng.randrange(2 * 365, 24 * 365)), "team_id": team_id,
            "created_at": now,
        })
        link_rows.append({"id": child_id, "user_id": len(staff_rows) + i + 1, "child_id": child_id,
                          "relationship_to_child": Relationship.PARENT, "created_at": now})
        stage = rng.choice(list(Stage))
        received = today - timedelta(days=rng.randrange(7, 700))
        path = _path_to(stage)
        effective = received
        previous = None
        for step in path:
            change_id += 1
            change_rows.append({
                "id": change_id, "case_id": child_id, "from_stage": previous, "to_stage": step,
                "effective_on": effective, "changed_by_id": None, "family_note": "We have moved your case on.",
                "staff_note": None, "created_at": now,
            })
            previous = step
            effective = min(today, effective + timedelta(days=rng.randrange(5, 40)))
        stage_since = change_rows[-1]["effective_on"]
        dates = milestones.CaseDates(stage=stage, request_received_on=received, stage_since=stage_since,
                                     final_plan_on=stage_since if stage is Stage.FINAL_PLAN else None)
        caseworker = (team_id - 1) * CASEWORKERS_PER_TEAM + rng.randrange(CASEWORKERS_PER_TEAM) + 1
        case_rows.append({
            "id": child_id, "reference": f"EHC-{received.year}-{child_id:06d}", "child_id": child_id,
            "team_id": team_id, "caseworker_id": caseworker, "is_reassessment": False,
            "request_received_on": received, "stage": stage, "stage_position": stage.position,
            "stage_since": stage_since,
            "final_plan_on": dates.final_plan_on, "next_deadline_on": milestones.council_deadline(dates),
            "has_exception": rng.random() < 0.05, "closed": stage.is_closed, "version": 1,
            "created_at": now, "updated_at": now,
        })
    _batched(child_rows, Child.__table__)
    _batched(link_rows, FamilyLink.__table__)
    _batched(case_rows, Case.__table__)
    _batched(change_rows, StageChange.__table__)
    for table in ("team", "user_account", "child", "family_link", "ehc_case", "stage_change"):
        db.session.execute(
            text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        )
    db.session.commit()
    db.session.execute(text("ANALYZE"))
    db.session.commit()
    return {"cases": len(case_rows), "stage changes": len(change_rows), "users": len(staff_rows) + len(family_rows)}


def _user(user_id: int, email: str, role: Role, team_id: int | None, password_hash: str, now: datetime) -> dict:
    return {"id": user_id, "email": email, "name": f"Bench {role.value} {user_id}", "role": role, "team_id": team_id,
            "password_hash": password_hash, "active": True, "failed_sign_ins": 0, "session_version": 1,
            "created_at": now}


def _path_to(stage: Stage) -> list[Stage]:
    """The stages a case passes through to reach `stage`."""
    if stage in PATH:
        return list(PATH[: PATH.index(stage) + 1])
    before = {
        Stage.NOT_ASSESSING: Stage.DECIDING_TO_ASSESS,
        Stage.NOT_ISSUING: Stage.DECIDING_TO_ISSUE,
        Stage.CEASED: Stage.FINAL_PLAN,
        Stage.MOVED_AWAY: Stage.ASSESSING,
        Stage.WITHDRAWN: Stage.DECIDING_TO_ASSESS,
    }[stage]
    return [*_path_to(before), stage]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--team-sizes", default="", help="comma-separated cases a team, e.g. 1000,12500 "
                        "(one team per size; --cases is then ignored)")
    args = parser.parse_args()
    team_sizes = [int(size) for size in args.team_sizes.split(",")] if args.team_sizes else None
    url = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1/portal_bench")
    app = create_app(_config(url))
    with app.app_context():
        upgrade()
        started = time.perf_counter()
        counts = generate(0, team_sizes=team_sizes) if team_sizes else generate(args.cases)
        print(f"Generated {counts} in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
