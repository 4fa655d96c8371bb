"""What one request costs in CPU, through the whole production stack, in this process: the
production settings (PORTAL_ENV=production: security headers, Redis rate limits, HTTPS behind one
proxy, secure session cookie) on the PostgreSQL data set, each page requested as the person
bench/load.py signs in, one request at a time, with the CPU time (`time.process_time`) and wall
time per request. With --profile, cProfile's view of the same requests. Profile before you
optimise: this says where a page's time goes; bench/load.py says what users meet.

    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1/portal_bench .venv/bin/python -m bench.cost
    .venv/bin/python -m bench.cost --only dashboard --profile cumulative
    BENCH_PROFILE_LINES=400 BENCH_PROFILE_FILTER='macro.html|pages.py' .venv/bin/python -m bench.cost \
        --only "family conversation page" --profile cumulative   # only the GOV.UK macros and views

Production settings are read when `config` is imported, so the script sets them in the
environment and starts itself again before importing the app.
"""

from __future__ import annotations

import argparse
import contextvars
import cProfile
import io
import os
import pstats
import secrets
import sys
import tempfile
import time

DEFAULT_URL = "postgresql://postgres@127.0.0.1/portal_bench"


def _restart_with_production_settings(url: str) -> None:
    from bench.load import _production_env

    key = secrets.token_urlsafe(48)
    env = _production_env(url, key, tempfile.mkdtemp())
    env["BENCH_COST_SECRET_KEY"] = key
    os.execve(sys.executable, [sys.executable, "-m", "bench.cost", *sys.argv[1:]], env)  # noqa: S606


def _pages(
    family_case: int, staff_case: int, family_conversation: int, staff_conversation: int,
) -> list[tuple[str, str, str | None]]:
    return [
        ("bare route (/healthz)", "/healthz", None),
        ("bare route, signed in", "/healthz", "family"),
        ("your account", "/account", "family"),
        ("family dashboard", "/family/", "family"),
        ("family case page", f"/family/cases/{family_case}", "family"),
        ("caseload", "/casework/", "caseworker"),
        ("caseload, search", "/casework/?q=Ada", "caseworker"),
        ("caseworker case summary", f"/casework/cases/{staff_case}", "caseworker"),
        ("team inbox", "/casework/inbox", "caseworker"),
        ("team inbox, closed", "/casework/inbox?show=closed", "caseworker"),
        ("staff conversation page", f"/casework/conversations/{staff_conversation}", "caseworker"),
        ("family conversations", "/family/messages", "family"),
        ("family conversation page", f"/family/messages/{family_conversation}", "family"),
        ("co-production overview", "/coproduction/", "coproduction"),
        ("co-production comments", "/coproduction/comments", "coproduction"),
        ("co-production comments, search", "/coproduction/comments?q=waiting", "coproduction"),
        ("co-production comments, stage and theme", "/coproduction/comments?stage=assessing&theme=1",
         "coproduction"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=300, help="requests a page, after 20 to warm up")
    parser.add_argument("--only", default="", help="only the pages whose name contains this")
    parser.add_argument("--profile", choices=("cumulative", "tottime"), help="profile, sorted this way")
    arguments = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    if os.environ.get("PORTAL_ENV") != "production" or "BENCH_COST_SECRET_KEY" not in os.environ:
        _restart_with_production_settings(url)
    key = os.environ["BENCH_COST_SECRET_KEY"]

    from bench.load import _conversations, _cookie, _people
    from portal import create_app

    app = create_app()
    with app.app_context():
        people, family_case, staff_case = _people()
        family_conversation, staff_conversation = _conversations(family_case, people["caseworker"].team_id)
        cookies = {who: _cookie(key, user) for who, user in people.items()}
    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "127.0.0.1"}
    print(f"{'page':<28} {'CPU ms':>8} {'wall ms':>8}")
    for name, path, who in _pages(family_case, staff_case, family_conversation, staff_conversation):
        if arguments.only.lower() not in name:
            continue
        client = app.test_client()
        if who:
            cookie, _, value = cookies[who].partition("=")
            client.set_cookie(cookie, value, domain="localhost", secure=True)

        def get(client=client, path=path):
            return contextvars.Context().run(client.get, path, headers=headers, base_url="https://localhost")

        response = get()
        if response.status_code != 200:
            raise SystemExit(f"{name}: {response.status_code} {response.headers.get('Location', '')}")
        for _ in range(20):
            get()
        profiler = cProfile.Profile() if arguments.profile else None
        if profiler:
            profiler.enable()
        cpu, wall = time.process_time(), time.perf_counter()
        for _ in range(arguments.requests):
            get()
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        if profiler:
            profiler.disable()
            out = io.StringIO()
            lines, only = int(os.environ.get("BENCH_PROFILE_LINES", "40")), os.environ.get("BENCH_PROFILE_FILTER")
            stats = pstats.Stats(profiler, stream=out).sort_stats(arguments.profile)
            stats.print_stats(lines, *([only] if only else []))
            print(out.getvalue())
        print(f"{name:<28} {cpu / arguments.requests * 1000:8.2f} {wall / arguments.requests * 1000:8.2f}")


if __name__ == "__main__":
    main()
