"""Create the PostgreSQL test database if the server is reachable.

Exit 0 when the database is ready, 3 when no server answers (make test then skips the
PostgreSQL run, unless REQUIRE_POSTGRES=1, as in CI).
"""

import os
import sys

import psycopg
from psycopg import sql

url = os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/portal_test")
info = psycopg.conninfo.conninfo_to_dict(url.replace("postgresql+psycopg://", "postgresql://"))
name = info.pop("dbname", "portal_test")
try:
    with psycopg.connect(**{**info, "dbname": "postgres"}, autocommit=True, connect_timeout=3) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
except psycopg.OperationalError as error:
    print(f"PostgreSQL is not reachable at {url}: {error}", file=sys.stderr)
    sys.exit(3)
print(f"PostgreSQL test database ready: {name}")
