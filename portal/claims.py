"""Claiming a row with a conditional update: the one safe way for a single-use thing (a link, a
security code, a request) to be used once, however many requests try at the same moment."""

from __future__ import annotations

from typing import Any

from sqlalchemy import update

from portal.extensions import db


def claim(model: type, *conditions: Any, **values: Any) -> bool:
    """UPDATE model SET values WHERE conditions, in the caller's transaction. True if exactly one
    row changed; otherwise the transaction is rolled back (nothing the caller added is kept) and
    False: another request got there first, or the row no longer qualifies."""
    result = db.session.execute(
        update(model).where(*conditions).values(**values).execution_options(synchronize_session=False)
    )
    if result.rowcount == 1:
        return True
    db.session.rollback()
    return False
