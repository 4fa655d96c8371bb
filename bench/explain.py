"""Print the query plans of the caseload's slowest queries on the benchmark database, as the app
issues them: each query function in portal.casework.queries is called, the SQL it sends is
captured, and that SQL is run again under EXPLAIN (ANALYZE, BUFFERS) with the same parameters.

    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1/portal_bench .venv/bin/python -m bench.explain

Only reads (EXPLAIN ANALYZE of SELECT statements). With --summary, only each plan's top lines,
its scans and its execution time are printed. Results go in docs/benchmarks.md (the caseload's query plans).
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from dataclasses import replace

from sqlalchemy import event, select

from bench.generate import _config
from portal import create_app
from portal.casework import queries
from portal.extensions import db
from portal.models import Role, User

PAGE_SIZE = 25  # as portal.casework.routes.PAGE_SIZE


def _captured(call: Callable[[], object]) -> list[tuple[str, object]]:
    """The statements (and their parameters) that `call` sends to the database."""
    statements: list[tuple[str, object]] = []

    def capture(conn, cursor, statement, parameters, context, executemany) -> None:
        statements.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", capture)
    try:
        call()
    finally:
        event.remove(db.engine, "before_cursor_execute", capture)
    return statements


def _explain(statement: str, parameters: object) -> list[str]:
    connection = db.session.connection()
    rows = connection.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters).all()
    return [row[0] for row in rows]


def _summary(plan: list[str]) -> list[str]:
    """The top node, every scan and sort, and the execution time."""
    keep = [plan[0]]
    for line in plan[1:]:
        words = line.strip()
        if any(word in words for word in ("Scan", "Sort", "Join", "Limit", "Execution Time", "Heap Fetches")):
            keep.append(line)
    return keep


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--summary", action="store_true", help="print only the plans' key lines")
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1/portal_bench")
    app = create_app(_config(url))
    with app.app_context():
        caseworker = db.session.scalar(select(User).where(User.role == Role.CASEWORKER).order_by(User.id))
        team, user = caseworker.team_id, caseworker.id
        on = queries.today()
        plain = queries.CaseloadFilters()

        def page(filters: queries.CaseloadFilters, number: int = 1) -> Callable[[], object]:
            return lambda: queries.caseload(team, user, filters, on, number, PAGE_SIZE)

        runs = [
            ("Team counts", lambda: queries.team_counts(team, on), ["team counts"]),
            ("Caseload, first page (by deadline)", page(plain), ["count of matches", "page of cases"]),
            ("Caseload, by stage", page(replace(plain, sort="stage")), ["count of matches", "page of cases"]),
            ("Caseload, by received", page(replace(plain, sort="received")), ["count of matches", "page of cases"]),
            ("Caseload, page 200", page(plain, 200), ["count of matches", "page of cases"]),
            ("Caseload, search 'Ada'", page(replace(plain, search="Ada")), ["count of matches", "page of cases"]),
            (
                "Caseload, search a reference fragment '01234'",
                page(replace(plain, search="01234")),
                ["count of matches", "page of cases"],
            ),
            ("Caseload, overdue filter", page(replace(plain, overdue=True)), ["count of matches", "page of cases"]),
        ]
        for title, call, labels in runs:
            call()  # warm the cache, as a busy server's would be
            statements = _captured(call)
            assert len(statements) == len(labels), (title, statements)
            for label, (statement, parameters) in zip(labels, statements, strict=True):
                plan = _explain(statement, parameters)
                print(f"### {title}: {label}")
                if not args.summary:
                    print(statement, parameters, sep="\n", end="\n\n")
                print("\n".join(_summary(plan) if args.summary else plan), end="\n\n")
        db.session.rollback()


if __name__ == "__main__":
    main()
