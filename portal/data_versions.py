"""Versions of the data that pages keep rendered parts of (portal/render_cache.py).

A database trigger adds one to a version in the same transaction as every insert, update and
delete of the tables behind it, however the change is made (a service, a merge of themes, an
import, the retention job), so a part kept under an old version is never shown again once the
change is committed (migration 0016). Read the version before the data it stands for: a change
committed between the two reads then gives newer data under the older version, which the next
request replaces, never older data under the newer one.

- FEEDBACK: feedback, its themes, the themes themselves, and the name and email of the people
  who gave it (the comments show them when they agreed to be contacted).
"""

from sqlalchemy import BigInteger, Column, String, Table, select

from portal.extensions import db

FEEDBACK = "feedback"

data_version = Table(
    "data_version",
    db.metadata,
    Column("name", String(40), primary_key=True),
    Column("version", BigInteger, nullable=False),
)


def current(name: str) -> int:
    """The version now (0 before the first change)."""
    return db.session.scalar(select(data_version.c.version).where(data_version.c.name == name)) or 0
