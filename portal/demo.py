"""Synthetic demo data: made-up people at reserved example.org addresses. Never real data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from portal.extensions import db
from portal.models import Child, FamilyLink, Relationship, Role, Team, User
from portal.passwords import hash_password

DEMO_PASSWORD = "demo harbour kettle lantern"

TEAMS = ("North SEND team", "South SEND team")


@dataclass(frozen=True)
class DemoAccount:
    email: str
    name: str
    role: Role
    team: str | None = None


ACCOUNTS = (
    DemoAccount("admin@example.org", "Alex Admin", Role.ADMIN),
    DemoAccount("manager.north@example.org", "Morgan Manager", Role.MANAGER, "North SEND team"),
    DemoAccount("caseworker.north@example.org", "Casey Worker", Role.CASEWORKER, "North SEND team"),
    DemoAccount("caseworker.south@example.org", "Sam Southern", Role.CASEWORKER, "South SEND team"),
    DemoAccount("coproduction@example.org", "Chris Coproduction", Role.COPRODUCTION),
    DemoAccount("parent.two.children@example.org", "Pat Parentson", Role.FAMILY),
    DemoAccount("carer.one@example.org", "Jordan Carerton", Role.FAMILY),
    DemoAccount("carer.two@example.org", "Riley Carerton", Role.FAMILY),
    DemoAccount("young.person@example.org", "Taylor Youngperson", Role.FAMILY),
)

# (first name, last name, date of birth, team, [(family email, relationship)])
CHILDREN = (
    ("Amara", "Parentson", date(2016, 3, 14), "North SEND team",
     [("parent.two.children@example.org", Relationship.PARENT)]),
    ("Ben", "Parentson", date(2019, 9, 2), "North SEND team",
     [("parent.two.children@example.org", Relationship.PARENT)]),
    ("Cleo", "Carerton", date(2012, 6, 30), "North SEND team",
     [("carer.one@example.org", Relationship.CARER), ("carer.two@example.org", Relationship.CARER)]),
    ("Taylor", "Youngperson", date(2007, 1, 20), "South SEND team",
     [("young.person@example.org", Relationship.YOUNG_PERSON)]),
    ("Dev", "Nofamily", date(2014, 11, 5), "South SEND team", []),
)


def seed() -> list[DemoAccount]:
    """Create or update the demo data. Safe to run again: nothing is duplicated."""
    teams = {}
    for name in TEAMS:
        team = db.session.scalar(select(Team).where(Team.name == name)) or Team(name=name)
        db.session.add(team)
        teams[name] = team
    password_hash = hash_password(DEMO_PASSWORD)
    users = {}
    for account in ACCOUNTS:
        user = db.session.scalar(select(User).where(User.email == account.email))
        if user is None:
            user = User(email=account.email, name=account.name, role=account.role, password_hash=password_hash)
            db.session.add(user)
        user.team = teams[account.team] if account.team else None
        users[account.email] = user
    db.session.flush()
    for first, last, born, team_name, family in CHILDREN:
        child = db.session.scalar(
            select(Child).where(Child.first_name == first, Child.last_name == last, Child.date_of_birth == born)
        )
        if child is None:
            child = Child(first_name=first, last_name=last, date_of_birth=born, team=teams[team_name])
            db.session.add(child)
            db.session.flush()
        for email, relationship in family:
            user = users[email]
            exists = db.session.scalar(
                select(FamilyLink).where(FamilyLink.user_id == user.id, FamilyLink.child_id == child.id)
            )
            if exists is None:
                db.session.add(FamilyLink(user=user, child=child, relationship_to_child=relationship))
    db.session.commit()
    return list(ACCOUNTS)
