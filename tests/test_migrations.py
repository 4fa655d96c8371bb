"""The schema comes only from the migrations, and they match the models."""

import warnings

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError

from portal.extensions import db
from portal.models import Role, User


def test_migrations_match_the_models(app):
    with db.engine.connect() as connection, warnings.catch_warnings():
        # SQLite cannot reflect expression indexes; the next test checks that one directly.
        warnings.filterwarnings("ignore", message=".*expression-based index.*")
        dialect = connection.dialect.name

        def for_this_database(obj, name, type_, reflected, compare_to) -> bool:
            """An index the models make on one database only (`Index.ddl_if`) is compared there."""
            only_on = getattr(getattr(obj, "_ddl_if", None), "dialect", None)
            return only_on in (None, dialect)

        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_object": for_this_database}
        )
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_email_is_unique_whatever_its_case(app):
    row = {"name": "A", "role": Role.FAMILY, "active": True, "failed_sign_ins": 0, "session_version": 1}
    db.session.execute(insert(User).values(email="same@example.org", **row))
    db.session.commit()
    with pytest.raises(IntegrityError):
        db.session.execute(insert(User).values(email="SAME@example.org", **row))
        db.session.commit()
    db.session.rollback()
