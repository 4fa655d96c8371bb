"""Pages as users meet them: gunicorn with the production settings on PostgreSQL, driven by wrk
from its own process over 127.0.0.1, with the bare /healthz route in the same run as the ceiling.

    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1/portal_bench .venv/bin/python -m bench.load

It reuses the data set made by bench/generate.py (or makes one with --cases if the database has
fewer), starts `gunicorn --workers 3 --threads 1 wsgi:app` with PORTAL_ENV=production (a random
SECRET_KEY and Fernet key, Redis rate limits, HTTPS behind one proxy: wrk sends
X-Forwarded-Proto), and signs in a family member, a caseworker and a manager by giving wrk the
session cookie the app itself signs. Each page is checked once (200, and not the sign-in page)
before it is measured at each connection count for --duration seconds. It prints requests a
second, the share of the bare route's, p50/p95/p99 and errors, as a Markdown table for
docs/benchmarks.md. Needs Debian's `wrk` (apt-get install wrk). Bounded: pages x connection
counts x duration, plus start-up.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from flask_migrate import upgrade
from sqlalchemy import func, select

from bench.generate import _config, generate
from bench.worker import ensure_database
from portal import create_app
from portal.conversations.models import Conversation, ConversationStatus
from portal.ehcp.models import Case
from portal.extensions import db
from portal.models import FamilyLink, Role, User

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_URL = "postgresql://postgres@127.0.0.1/portal_bench"
# gunicorn as the README runs it in production.
WORKERS, THREADS = 3, 1
COOKIE = "portal_session"  # config.Config.SESSION_COOKIE_NAME
WRK_SCRIPT = """
done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
                 + summary.errors.status + summary.errors.timeout
  io.write(string.format(
    '{"requests": %d, "seconds": %f, "errors": %d, "p50": %f, "p95": %f, "p99": %f}\\n',
    summary.requests, summary.duration / 1e6, errors,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000))
end
"""


@dataclass(frozen=True)
class Page:
    name: str
    path: str
    who: str | None  # "family", "caseworker", "manager", "coproduction" or None (no session)


@dataclass(frozen=True)
class Result:
    page: Page
    connections: int
    per_second: float
    p50: float
    p95: float
    p99: float
    errors: int


def pages(family_case: int, staff_case: int, family_conversation: int, staff_conversation: int) -> list[Page]:
    return [
        Page("Bare route (/healthz)", "/healthz", None),
        # The same route with a family member's session: what signing in costs every page (the
        # session read and written again, the account read), the ceiling for any signed-in page.
        Page("Bare route, signed in (/healthz as a family member)", "/healthz", "family"),
        Page("Family dashboard", "/family/", "family"),
        Page("Family case page", f"/family/cases/{family_case}", "family"),
        Page("Caseload (first page)", "/casework/", "caseworker"),
        Page("Caseload, overdue filter", "/casework/?overdue=y", "caseworker"),
        Page("Caseload, family not reached filter", "/casework/?not_reached=y", "caseworker"),
        Page("Caseload, search by name", "/casework/?q=Ada", "caseworker"),
        Page("Caseload, manager", "/casework/", "manager"),
        Page("Caseworker case summary", f"/casework/cases/{staff_case}", "caseworker"),
        Page("Email settings", "/account/emails", "family"),
        Page("Team inbox", "/casework/inbox", "caseworker"),
        Page("Team inbox, closed", "/casework/inbox?show=closed", "caseworker"),
        Page("Staff conversation page", f"/casework/conversations/{staff_conversation}", "caseworker"),
        Page("Family conversations", "/family/messages", "family"),
        Page("Family conversation page", f"/family/messages/{family_conversation}", "family"),
        Page("Overview (co-production)", "/coproduction/", "coproduction"),
        Page("Comments (co-production, first page)", "/coproduction/comments", "coproduction"),
        Page("Comments (co-production), search", "/coproduction/comments?q=waiting", "coproduction"),
        Page("Comments (co-production), stage and theme", "/coproduction/comments?stage=assessing&theme=1",
             "coproduction"),
    ]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _webhook_key() -> str:
    key = ec.generate_private_key(ec.SECP256R1()).public_key()
    der = key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return base64.b64encode(der).decode()


def _production_env(url: str, secret_key: str, instance: str) -> dict[str, str]:
    return {
        **os.environ, "PORTAL_ENV": "production", "DATABASE_URL": url, "SECRET_KEY": secret_key,
        "ENCRYPTION_KEYS": Fernet.generate_key().decode(), "INSTANCE_PATH": instance,
        "EMAIL_BACKEND": "sendgrid", "SENDGRID_API_KEY": "SG.bench-not-a-key", "SENDGRID_HOST": "http://127.0.0.1:9",
        "SENDGRID_WEBHOOK_PUBLIC_KEY": _webhook_key(), "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/15",
        "PROXY_FIX_HOPS": "1", "PORTAL_BASE_URL": "https://portal.example.org",
    }


def _cookie(secret_key: str, user: User) -> str:
    """The session cookie the app signs at the end of a sign-in (portal/sessions.py)."""
    signer = Flask("bench")
    signer.secret_key = secret_key
    now = time.time()
    session = {"_user_id": user.get_id(), "_fresh": True, "signed_in_at": now, "last_active_at": now}
    value = SecureCookieSessionInterface().get_signing_serializer(signer).dumps(session)
    return f"{COOKIE}={value}"


def _people() -> tuple[dict[str, User], int, int]:
    """A family member with a case, a caseworker and a manager of the busiest team, and a member
    of the co-production team."""
    family_case = db.session.execute(
        select(FamilyLink.user_id, Case.id).join(Case, Case.child_id == FamilyLink.child_id).order_by(Case.id).limit(1)
    ).one()
    team_id = db.session.execute(
        select(Case.team_id).where(Case.closed.is_(False)).group_by(Case.team_id)
        .order_by(func.count().desc()).limit(1)
    ).scalar_one()
    caseworker = db.session.scalars(
        select(User).where(User.role == Role.CASEWORKER, User.team_id == team_id).order_by(User.id)
    ).first()
    staff_case = db.session.scalar(
        select(Case.id).where(Case.team_id == team_id, Case.closed.is_(False)).order_by(Case.id).limit(1)
    )
    manager = db.session.scalars(
        select(User).where(User.role == Role.MANAGER, User.team_id == team_id).order_by(User.id)
    ).first()
    if manager is None:  # bench/generate.py makes caseworkers only: promote one, for this run's data
        manager = db.session.scalars(
            select(User).where(User.role == Role.CASEWORKER, User.team_id == team_id, User.id != caseworker.id)
            .order_by(User.id.desc())
        ).first()
        manager.role = Role.MANAGER
        db.session.commit()
    coproduction = db.session.scalars(select(User).where(User.role == Role.COPRODUCTION).order_by(User.id)).first()
    if coproduction is None:  # nor a co-production team member: add one, for this run's data
        coproduction = User(email="coproduction@example.org", name="Bench co-production", role=Role.COPRODUCTION,
                            password_hash="not used: the session cookie is signed here")  # noqa: S106
        db.session.add(coproduction)
        db.session.commit()
    people = {"family": db.session.get(User, family_case[0]), "caseworker": caseworker, "manager": manager,
              "coproduction": coproduction}
    return people, family_case[1], staff_case


def _conversations(family_case: int, team_id: int) -> tuple[int, int]:
    """The family's most recent conversation (the top of their list), and the first conversation
    of the team inbox (waiting for the council: urgent first, then the nearest reply-by date)."""
    family_conversation = db.session.scalar(
        select(Conversation.id).where(Conversation.case_id == family_case)
        .order_by(Conversation.last_message_at.desc(), Conversation.id.desc()).limit(1)
    )
    staff_conversation = db.session.scalar(
        select(Conversation.id).join(Case, Case.id == Conversation.case_id)
        .where(Case.team_id == team_id, Conversation.status == ConversationStatus.WAITING_FOR_COUNCIL)
        .order_by(Conversation.urgent.desc(), Conversation.reply_due_on, Conversation.id).limit(1)
    )
    if family_conversation is None or staff_conversation is None:
        raise SystemExit("The data set has no conversations: make it again with bench/generate.py")
    return family_conversation, staff_conversation


def _start(env: dict[str, str], port: int, workers: int, threads: int) -> subprocess.Popen:
    gunicorn = [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--threads", str(threads),
                "--bind", f"127.0.0.1:{port}", "--log-level", "warning", "wsgi:app"]
    process = subprocess.Popen(gunicorn, cwd=ROOT, env=env)  # noqa: S603 - fixed arguments
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("gunicorn stopped: see its output above")
        try:
            ready = urllib.request.Request(f"http://127.0.0.1:{port}/readyz", headers=_headers(None))
            with urllib.request.urlopen(ready, timeout=2):  # noqa: S310 - loopback
                return process
        except OSError:
            time.sleep(0.3)
    process.kill()
    raise SystemExit("gunicorn did not answer /readyz within 60 s")


def _headers(cookie: str | None) -> dict[str, str]:
    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "127.0.0.1"}
    if cookie:
        headers["Cookie"] = cookie
    return headers


def _check(base: str, page: Page, cookie: str | None) -> None:
    """The page answers 200 as the signed-in person, not a redirect to sign in."""
    # A signed-in /healthz has no heading: the same cookie must open the person's account page.
    paths = [page.path] if not (page.who and page.path == "/healthz") else [page.path, "/account"]
    for path in paths:
        request = urllib.request.Request(base + path, headers=_headers(cookie))  # noqa: S310 - loopback
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - loopback
            signed_in = path == "/healthz" or "<h1" in response.read().decode()
            if response.status != 200 or response.url != base + path or (page.who and not signed_in):
                raise SystemExit(f"{page.name}: {response.status} at {response.url}, not the page")


def _wrk(base: str, page: Page, cookie: str | None, connections: int, seconds: int, script: str) -> Result:
    command = ["wrk", "--threads", "2", "--connections", str(connections), "--duration", f"{seconds}s",
               "--timeout", "10s", "--script", script]
    for name, value in _headers(cookie).items():
        command += ["--header", f"{name}: {value}"]
    output = subprocess.run([*command, base + page.path], capture_output=True, text=True, check=True).stdout  # noqa: S603
    figures = json.loads(output.strip().splitlines()[-1])
    return Result(page, connections, figures["requests"] / figures["seconds"], figures["p50"], figures["p95"],
                  figures["p99"], figures["errors"])


def _median(runs: list[Result]) -> Result:
    """A page's runs as one: the median of each figure, and every error."""
    return Result(
        runs[0].page, runs[0].connections, statistics.median(r.per_second for r in runs),
        statistics.median(r.p50 for r in runs), statistics.median(r.p95 for r in runs),
        statistics.median(r.p99 for r in runs), sum(r.errors for r in runs),
    )


def _table(results: list[Result]) -> str:
    bare = {r.connections: r.per_second for r in results if r.page.who is None}
    lines = ["| page | connections | requests a second | share of the bare route | p50 ms | p95 ms | p99 ms | errors |",
             "|---|---|---|---|---|---|---|---|"]
    for r in results:
        share = r.per_second / bare[r.connections] if bare.get(r.connections) else 0
        lines.append(f"| {r.page.name} | {r.connections} | {r.per_second:,.0f} | {share:.0%} | {r.p50:.1f} | "
                     f"{r.p95:.1f} | {r.p99:.1f} | {r.errors} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=100_000, help="cases the data set must have (made if fewer)")
    parser.add_argument("--duration", type=int, default=10, help="seconds for each page at each connection count")
    parser.add_argument("--connections", default="16,64", help="comma-separated connection counts")
    parser.add_argument("--repeat", type=int, default=1,
                        help="rounds of every page at each connection count; figures are the medians")
    parser.add_argument("--workers", type=int, default=WORKERS, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=THREADS, help="threads in each worker")
    parser.add_argument("--only", default="", help="measure only pages whose name contains this (and the bare routes)")
    arguments = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("bench/load.py needs wrk: apt-get install wrk")
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    ensure_database(url)
    app = create_app(_config(url))
    with app.app_context():
        upgrade()
        if (db.session.scalar(select(func.count()).select_from(Case)) or 0) < arguments.cases:
            print(f"Making the data set: {arguments.cases:,} cases (about a minute per 100,000)")
            generate(arguments.cases, feedback=200_000)
            db.session.commit()
        people, family_case, staff_case = _people()
        family_conversation, staff_conversation = _conversations(family_case, people["caseworker"].team_id)
        secret_key = secrets.token_urlsafe(48)
        cookies = {who: _cookie(secret_key, user) for who, user in people.items()}
        cases = db.session.scalar(select(func.count()).select_from(Case))
    every = pages(family_case, staff_case, family_conversation, staff_conversation)
    chosen = [p for p in every if p.name.startswith("Bare route") or arguments.only.lower() in p.name.lower()]
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    levels = [int(n) for n in arguments.connections.split(",")]
    with tempfile.TemporaryDirectory() as instance:
        script = Path(instance) / "report.lua"
        script.write_text(WRK_SCRIPT)
        server = _start(_production_env(url, secret_key, instance), port, arguments.workers, arguments.threads)
        try:
            for page in chosen:
                _check(base, page, cookies.get(page.who or ""))
            results = []
            for connections in levels:
                # Each round measures every page once; the pages take turns, so that a slow
                # moment on the machine does not land on one page's every run.
                rounds = [
                    [_wrk(base, page, cookies.get(page.who or ""), connections, arguments.duration, str(script))
                     for page in chosen]
                    for _ in range(arguments.repeat)
                ]
                results += [_median([run[index] for run in rounds]) for index in range(len(chosen))]
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
    print(f"{cases:,} cases, PostgreSQL; gunicorn {arguments.workers} workers x {arguments.threads} threads; "
          f"wrk 2 threads, {arguments.duration} s a page, median of {arguments.repeat}; {os.cpu_count()} CPUs")
    print(_table(results))


if __name__ == "__main__":
    main()
