"""Test fixtures: one migrated database per run (SQLite, or PostgreSQL with TEST_DATABASE_URL),
emptied after every test; an app per test; factories and a signed-in client helper."""

from __future__ import annotations

import contextvars
import os
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from flask_sqlalchemy import SQLAlchemy
from jinja2 import FileSystemBytecodeCache
from sqlalchemy import Engine, create_engine, event, text
from werkzeug.routing import Rule

from config import TestConfig, database_url
from portal import create_app
from portal.extensions import db, limiter
from tests.helpers import Factory


def _share_url_builders() -> None:
    """Every test makes a new app, and Werkzeug compiles Python code for each of its URL rules
    (about 200) every time: most of the cost of making an app. The code depends only on the
    rule's text, its parts and its defaults, so apps made by the tests share it. Tests only."""
    original = Rule._compile_builder
    built: dict[tuple, object] = {}

    def compile_builder(rule: Rule, append_unknown: bool = True):
        key = (rule.rule, tuple(rule._trace), repr(sorted((rule.defaults or {}).items())), append_unknown)
        if key not in built:
            built[key] = original(rule, append_unknown)
        return built[key]

    Rule._compile_builder = compile_builder


_share_url_builders()


def _share_engines() -> None:
    """Apps made by the tests with the same database settings share one engine, and so keep their
    connections from test to test: PostgreSQL starts a process for each new connection and reads
    its catalogue again on the first statements, a large part of a short test. Tests only."""
    original = SQLAlchemy._make_engine
    made: dict[str, object] = {}

    def make_engine(self, bind_key, options, app):
        key = repr((bind_key, sorted(options.items(), key=lambda item: item[0])))
        if key not in made:
            made[key] = original(self, bind_key, options, app)
        return made[key]

    SQLAlchemy._make_engine = make_engine


_share_engines()


@event.listens_for(Engine, "connect")
def _sqlite_without_waiting_for_the_disk(connection, _record) -> None:
    """The SQLite test database is thrown away after the run: a commit need not wait for the
    disk (a fifth of the run's time, some thousands of commits). Only these connections: the
    processes some tests start (a worker, a server) keep the usual settings. Not on PostgreSQL:
    without waiting, VACUUM cannot mark the rows visible to all, and the index tests need that
    (and it saved nothing measurable). Tests only."""
    if type(connection).__module__ == "sqlite3":
        cursor = connection.cursor()
        cursor.execute("PRAGMA synchronous = OFF")
        cursor.execute("PRAGMA journal_mode = MEMORY")
        cursor.close()


class IsolatedClient(FlaskClient):
    """A test client whose every request gets its own app context, `g` and database session,
    as in production, even while the test itself holds an app context for its factories.
    The test's own session is expired afterwards so that it reads what the request saved."""

    def open(self, *args, **kwargs):
        response = contextvars.Context().run(super().open, *args, **kwargs)
        db.session.expire_all()
        return response


def _fresh_postgres(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def database_uri(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        url = database_url(url)
        _fresh_postgres(url)
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
    return url


@pytest.fixture(scope="session")
def config_class(database_uri: str, tmp_path_factory: pytest.TempPathFactory) -> type[TestConfig]:
    mail_dir = tmp_path_factory.mktemp("mail")

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = database_uri
        EMAIL_FILE_DIR = str(mail_dir)
        PASSWORD_HASH_FAST = True

    return Config


@pytest.fixture(scope="session")
def template_cache(tmp_path_factory: pytest.TempPathFactory) -> FileSystemBytecodeCache:
    """Each test gets a new app; share compiled templates so Jinja compiles each one once."""
    return FileSystemBytecodeCache(str(tmp_path_factory.mktemp("jinja")))


def _test_app(config: type[TestConfig], template_cache: FileSystemBytecodeCache) -> Flask:
    app = create_app(config)
    app.test_client_class = IsolatedClient
    app.jinja_env.bytecode_cache = template_cache
    return app


@pytest.fixture(scope="session")
def _migrated(config_class: type[TestConfig]) -> None:
    """Build the schema the way production does: by running every migration."""
    app = create_app(config_class)
    with app.app_context():
        upgrade()
        db.engine.dispose()


def _empty_database() -> None:
    """Delete every row, children first: on PostgreSQL in one round trip (DELETE is quicker than
    TRUNCATE on tables this small)."""
    db.session.rollback()
    tables = list(reversed(db.metadata.sorted_tables))
    if db.engine.dialect.name == "postgresql":
        # The models' own table names, not input.
        db.session.execute(text(";".join(f'DELETE FROM "{table.name}"' for table in tables)))  # noqa: S608
    else:
        for table in tables:
            db.session.execute(table.delete())
    db.session.commit()


def _serve(app: Flask) -> Iterator[Flask]:
    """Hold an app context for the test's factories; afterwards empty the database, reset the
    rate limits and end the session (its connection goes back to the shared engine's pool)."""
    with app.app_context():
        yield app
        _empty_database()
        limiter.reset()
        db.session.remove()


@pytest.fixture
def app(config_class: type[TestConfig], template_cache: FileSystemBytecodeCache, _migrated: None) -> Iterator[Flask]:
    yield from _serve(_test_app(config_class, template_cache))


@pytest.fixture
def csrf_app(
    config_class: type[TestConfig], template_cache: FileSystemBytecodeCache, _migrated: None
) -> Iterator[Flask]:
    """The app with CSRF protection on, as in production."""

    class WithCsrf(config_class):  # type: ignore[valid-type, misc]
        WTF_CSRF_ENABLED = True

    yield from _serve(_test_app(WithCsrf, template_cache))


@pytest.fixture
def new_app(app: Flask, config_class: type[TestConfig], template_cache: FileSystemBytecodeCache) -> Iterator:
    """Make more apps with changed settings: `new_app(ConfigClass)` or `new_app(NAME=value, ...)`.
    They share the test database (emptied by `app`) and its engine."""
    made: list[Flask] = []

    def factory(config: type[TestConfig] | None = None, **settings: object) -> Flask:
        config = type("ChangedConfig", (config or config_class,), settings)
        extra = _test_app(config, template_cache)
        made.append(extra)
        return extra

    yield factory
    for extra in made:
        with extra.app_context():
            db.session.remove()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def make(app: Flask) -> Factory:
    return Factory()


class QueryCounter:
    """Counts the SQL statements sent while it is active: `with count_queries() as queries:`."""

    def __init__(self) -> None:
        self.statements: list[str] = []

    @property
    def count(self) -> int:
        return len(self.statements)

    def _record(self, conn, cursor, statement, parameters, context, executemany) -> None:
        self.statements.append(statement)

    def __enter__(self) -> QueryCounter:
        event.listen(db.engine, "before_cursor_execute", self._record)
        return self

    def __exit__(self, *exc: object) -> None:
        event.remove(db.engine, "before_cursor_execute", self._record)


@pytest.fixture
def count_queries(app: Flask):
    return QueryCounter


@pytest.fixture
def mail(config_class: type[TestConfig]):
    """The emails sent during the test, read back from the development file backend."""
    from tests.helpers import Mailbox

    box = Mailbox(config_class.EMAIL_FILE_DIR, deliver=send_pending_in_the_test_app)
    box.clear()
    return box


def send_pending_in_the_test_app() -> None:
    """One `flask notifications send-pending` pass with the test's app, in its own app context
    and database session (as the worker has), so that queued emails reach the file backend."""
    from flask import current_app, has_app_context

    from portal.notifications.worker import send_pending

    if not has_app_context():
        return
    app = current_app._get_current_object()

    def one_pass() -> None:
        with app.app_context():
            send_pending()
            db.session.remove()

    contextvars.Context().run(one_pass)
    db.session.expire_all()
