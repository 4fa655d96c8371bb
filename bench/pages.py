"""Time the busiest pages at benchmark scale, through the whole Flask stack (test client, no
network), on the PostgreSQL data set made by bench/generate.py.

    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1/portal_bench .venv/bin/python bench/pages.py --requests 200

Prints p50, p95 and the SQL statements per request for each page. Results go in docs/benchmarks.md.

With --profile, each chosen page is run under cProfile instead and the functions that take the
most time (their own, and with what they call) are printed: profile before you optimise.

    .venv/bin/python -m bench.pages --only "Family dashboard" --profile --requests 200
"""

from __future__ import annotations

import argparse
import contextvars
import cProfile
import io
import os
import pstats
import statistics
import time

from sqlalchemy import event, select

from bench.generate import _config
from portal import create_app
from portal.conversations.models import Conversation, ConversationStatus
from portal.ehcp.models import Case
from portal.extensions import db
from portal.models import FamilyLink, Role, User


def _get(client, url: str):
    """Each request in a fresh context, with its own app context, `g` and session, as in production."""
    return contextvars.Context().run(client.get, url)


def _signed_in_client(app, user: User):
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["signed_in_at"] = session["last_active_at"] = time.time()
    return client


def _measure(client, url: str, requests: int) -> tuple[list[float], int]:
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append("x")

    _get(client, url)  # warm up
    timings = []
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        for _ in range(requests):
            started = time.perf_counter()
            response = _get(client, url)
            timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (url, response.status_code)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return timings, len(statements) // requests


def _profile(client, url: str, requests: int, top: int) -> str:
    _get(client, url)  # warm up
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(requests):
        _get(client, url)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--only", default="", help="time only the pages whose name starts with this")
    parser.add_argument("--profile", action="store_true", help="profile the chosen pages instead of timing them")
    parser.add_argument("--top", type=int, default=30, help="functions to list with --profile")
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1/portal_bench")
    app = create_app(_config(url))
    with app.app_context():
        caseworker = db.session.scalar(select(User).where(User.role == Role.CASEWORKER).order_by(User.id))
        family_link = db.session.scalar(select(FamilyLink).order_by(FamilyLink.id.desc()))
        family = db.session.get(User, family_link.user_id)
        family_case = db.session.scalar(select(Case).where(Case.child_id == family_link.child_id))
        team_case = db.session.scalar(select(Case).where(Case.team_id == caseworker.team_id).order_by(Case.id))
        total = db.session.scalar(select(db.func.count()).select_from(Case))
        family_conversation = db.session.scalar(
            select(Conversation.id).where(Conversation.case_id == family_case.id)
            .order_by(Conversation.last_message_at.desc(), Conversation.id.desc()).limit(1)
        )
        staff_conversation = db.session.scalar(
            select(Conversation.id).join(Case, Case.id == Conversation.case_id)
            .where(Case.team_id == caseworker.team_id, Conversation.status == ConversationStatus.WAITING_FOR_COUNCIL)
            .order_by(Conversation.urgent.desc(), Conversation.reply_due_on, Conversation.id).limit(1)
        )
        pages = [
            ("Family dashboard", family, "/family/"),
            ("Family case page", family, f"/family/cases/{family_case.id}"),
            ("Caseload (first page)", caseworker, "/casework/"),
            ("Caseload, overdue filter", caseworker, "/casework/?overdue=y"),
            ("Caseload, search", caseworker, "/casework/?q=Benchname12"),
            ("Caseload, stage filter", caseworker, "/casework/?stage=assessing"),
            ("Caseload, page 200", caseworker, "/casework/?page=200"),
            ("Caseload, late no reason", caseworker, "/casework/?late_without_reason=y"),
            ("Caseload, unassigned", caseworker, "/casework/?unassigned=y"),
            ("Caseload, by stage", caseworker, "/casework/?sort=stage"),
            ("Caseload, by received", caseworker, "/casework/?sort=received"),
            ("Caseworker case page", caseworker, f"/casework/cases/{team_case.id}"),
            ("Case: change the stage", caseworker, f"/casework/cases/{team_case.id}/stage"),
            ("Your account", family, "/account"),
            ("Email settings", family, "/account/emails"),
            ("Team inbox", caseworker, "/casework/inbox"),
            ("Team inbox, closed", caseworker, "/casework/inbox?show=closed"),
            ("Staff conversation page", caseworker, f"/casework/conversations/{staff_conversation}"),
            ("Family conversations", family, "/family/messages"),
            ("Family conversation page", family, f"/family/messages/{family_conversation}"),
        ]
        # A data set without conversations (made before they existed) has no conversation pages.
        pages = [page for page in pages if not page[2].endswith("/None")]
        print(f"{total} cases; {args.requests} requests a page")
        print(f"{'page':<28} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'queries':>8}")
        for name, user, path in [page for page in pages if page[0].startswith(args.only)]:
            if args.profile:
                print(f"# {name}\n" + _profile(_signed_in_client(app, user), path, args.requests, args.top))
                continue
            timings, queries = _measure(_signed_in_client(app, user), path, args.requests)
            p95 = statistics.quantiles(timings, n=20)[18]
            print(f"{name:<28} {statistics.median(timings):8.1f} {p95:8.1f} {max(timings):8.1f} {queries:8d}")


if __name__ == "__main__":
    main()
