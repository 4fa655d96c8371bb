"""A request that only read ends its PostgreSQL transaction with COMMIT, so the statements psycopg
prepared stay prepared (portal/read_only_commit.py); a request that wrote is rolled back as
before. PostgreSQL only: on SQLite the app leaves transactions as they were."""

from __future__ import annotations

import pytest
from flask import Flask, abort
from sqlalchemy import select, text

from portal.extensions import db
from portal.models import Role, User
from tests.helpers import Factory, sign_in_fast

# One connection, so the test reads the server's state of the connection its requests used.
ONE_CONNECTION = {"pool_size": 1, "max_overflow": 0, "pool_recycle": 1800, "hide_parameters": True}


@pytest.fixture
def one_connection_app(app: Flask, new_app) -> Flask:
    if db.engine.dialect.name != "postgresql":
        pytest.skip("prepared statements and this COMMIT are PostgreSQL's")
    db.session.commit()
    extra = new_app(SQLALCHEMY_ENGINE_OPTIONS=ONE_CONNECTION)

    @extra.route("/test/rename-then-fail/<int:user_id>")
    def rename_then_fail(user_id: int):
        db.session.get(User, user_id).name = "Renamed And Flushed"
        db.session.flush()
        abort(500)

    @extra.route("/test/rename-without-saving/<int:user_id>")
    def rename_without_saving(user_id: int):
        db.session.get(User, user_id).name = "Renamed Not Saved"
        db.session.flush()
        return "done"

    @extra.route("/test/change-not-flushed/<int:user_id>")
    def change_not_flushed(user_id: int):
        db.session.get(User, user_id).name = "Changed In The Session Only"
        return "done"

    return extra


def _prepared(app: Flask) -> list[str]:
    with app.app_context():
        statements = db.session.scalars(text("SELECT statement FROM pg_prepared_statements")).all()
        db.session.remove()
    return statements


def test_a_page_that_only_reads_keeps_its_statements_prepared(one_connection_app: Flask, make: Factory) -> None:
    parent = make.user(Role.FAMILY)
    make.case(child=make.child(family=[parent]))
    client = one_connection_app.test_client()
    sign_in_fast(client, parent)
    for _ in range(12):  # psycopg prepares a statement on its fifth run on a connection
        assert client.get("/family/messages").status_code == 200
    prepared = _prepared(one_connection_app)
    assert any("FROM user_account" in statement for statement in prepared), prepared
    assert any("FROM conversation" in statement for statement in prepared), prepared


@pytest.mark.parametrize(
    ("path", "status"),
    [("/test/rename-then-fail", 500), ("/test/rename-without-saving", 200), ("/test/change-not-flushed", 200)],
)
def test_a_request_that_changed_something_without_committing_saves_nothing(
    one_connection_app: Flask, make: Factory, path: str, status: int
) -> None:
    person_id = make.user(Role.FAMILY, name="Original Name").id
    client = one_connection_app.test_client()
    assert client.get(f"{path}/{person_id}").status_code == status
    with one_connection_app.app_context():
        assert db.session.scalar(select(User.name).where(User.id == person_id)) == "Original Name"
        db.session.remove()
