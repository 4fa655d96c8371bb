"""A request that only read from PostgreSQL ends its transaction with COMMIT, not ROLLBACK, so
that the database keeps the plans of its queries.

psycopg prepares a statement on the server once a connection has run it 5 times, and PostgreSQL
then stops planning it again. But psycopg forgets every prepared statement on ROLLBACK (a
rolled-back transaction may have dropped what they refer to), and Flask-SQLAlchemy ends every
request with one. So every query on every page was planned again: for the family's pages 0.4 to
0.7 ms of the database's time a statement, four to six times the time to run it.

A transaction that sent nothing but SELECT statements changes nothing, so COMMIT and ROLLBACK
end it the same way. Any other statement (an INSERT, UPDATE or DELETE the ORM flushed, a
SAVEPOINT, anything else) marks the transaction as one that wrote, and it is rolled back as
before: a view that saved something and then failed still loses what it saved. Changes held in
the session and never flushed never reach the database either way. Only PostgreSQL transactions
that are open and not failed are committed; SQLite is left as it is.
"""

from __future__ import annotations

from flask import Flask
from sqlalchemy import Connection, event
from sqlalchemy.orm import Session

from portal.extensions import db

WROTE = "transaction_wrote"
CONNECTION = "read_only_commit_connection"


def _began(connection: Connection) -> None:
    connection.info[WROTE] = False


def _statement(connection: Connection, cursor, statement: str, parameters, context, executemany) -> None:
    if statement.lstrip()[:6].upper() != "SELECT":
        connection.info[WROTE] = True


def _session_began(session: Session, transaction, connection: Connection) -> None:
    # One database, so one connection at a time: the session's latest transaction is its last.
    session.info[CONNECTION] = connection


def _commit_if_read_only(_exception: BaseException | None = None) -> None:
    if not db.session.registry.has():
        return
    from psycopg.pq import TransactionStatus

    connection = db.session().info.pop(CONNECTION, None)
    if connection is None or connection.closed or not connection.in_transaction() or connection.info.get(WROTE, True):
        return
    driver_connection = connection.connection.driver_connection
    if driver_connection.info.transaction_status is TransactionStatus.INTRANS:
        driver_connection.commit()


def init_app(app: Flask) -> None:
    """Call after db.init_app: Flask runs teardown functions last registered first, so this runs
    before Flask-SQLAlchemy closes the session (and rolls back what is left open)."""
    with app.app_context():
        engine = db.engine
    if engine.dialect.name != "postgresql":
        return
    # Engines may be shared between apps (the tests do): listen once.
    if not event.contains(engine, "begin", _began):
        event.listen(engine, "begin", _began)
        event.listen(engine, "before_cursor_execute", _statement)
    if not event.contains(Session, "after_begin", _session_began):
        event.listen(Session, "after_begin", _session_began)
    app.teardown_appcontext(_commit_if_read_only)
