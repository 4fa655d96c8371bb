"""flask seed-demo and flask create-admin."""

import re

from sqlalchemy import func, select

from portal import demo_governance
from portal.ehcp.models import AdviceRequest, Case, CaseNote, StageChange, TimelineException
from portal.extensions import db
from portal.models import Child, FamilyLink, Role, Team, User
from portal.outbox import OutboxEmail, OutboxStatus

STRONG = "tangerine piano river cloud"


def _counts():
    return tuple(
        db.session.scalar(select(func.count()).select_from(model)) for model in (User, Team, Child, FamilyLink)
    )


def _printed_sign_ins(output: str) -> tuple[str, list[str]]:
    password = output.splitlines()[1].strip()
    emails = re.findall(r"\S+@example\.org", output)
    return password, emails


def test_seed_demo_is_idempotent_and_prints_every_role(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    counts = _counts()
    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0, second.output
    assert _counts() == counts
    for role in Role:
        assert role.label in first.output


def test_every_printed_demo_sign_in_works(app):
    output = app.test_cli_runner().invoke(args=["seed-demo"]).output
    password, emails = _printed_sign_ins(output)
    assert len(emails) >= 5
    for email in emails:
        client = app.test_client()
        response = client.post("/sign-in", data={"email": email, "password": password})
        user = db.session.scalar(select(User).where(User.email == email))
        assert response.status_code == 302, email
        if user.is_staff:
            assert response.location.endswith("/sign-in/set-up-two-factor"), email
        else:
            assert response.location.endswith("/family/"), email
            assert client.get("/family/").status_code == 200


def test_demo_staff_skip_two_factor_only_when_the_development_setting_is_on(app):
    app.config["DEV_SKIP_TWO_FACTOR"] = True
    output = app.test_cli_runner().invoke(args=["seed-demo"]).output
    assert "DEV_SKIP_TWO_FACTOR" in output
    password, _ = _printed_sign_ins(output)
    client = app.test_client()
    response = client.post("/sign-in", data={"email": "caseworker.north@example.org", "password": password})
    assert response.location.endswith("/casework/")
    assert client.get("/casework/").status_code == 200


def test_demo_has_a_family_with_two_children_and_a_child_with_two_carers(app):
    app.test_cli_runner().invoke(args=["seed-demo"])
    parent = db.session.scalar(select(User).where(User.email == "parent.two.children@example.org"))
    assert len(parent.child_links) == 2
    carers = db.session.scalar(
        select(func.count()).select_from(FamilyLink).join(Child).where(Child.first_name == "Cleo")
    )
    assert carers == 2


def test_seed_demo_adds_cases_once_and_queues_no_email(app):
    runner = app.test_cli_runner()
    models = (Case, StageChange, AdviceRequest, TimelineException, CaseNote)
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    counts = [db.session.scalar(select(func.count()).select_from(model)) for model in models]
    assert all(counts), counts
    summary = re.search(r"^(\d+) demo cases across 12 stages\.$", first.output, re.MULTILINE)
    assert summary, first.output
    assert int(summary.group(1)) == db.session.scalar(
        select(func.count()).select_from(Case).join(Child, Child.id == Case.child_id)
        .where(~demo_governance.history_child())
    )
    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0, second.output
    assert [db.session.scalar(select(func.count()).select_from(model)) for model in models] == counts
    assert summary.group(0) in second.output
    # One email for the worker to send (the request to link Cleo), not one more for seeding again.
    pending = db.session.scalars(select(OutboxEmail.template).where(OutboxEmail.status == OutboxStatus.PENDING))
    assert list(pending) == ["link_request"]
    _, emails = _printed_sign_ins(first.output)
    every_email = set(emails) | set(db.session.scalars(select(User.email)))
    assert all(email.endswith("@example.org") for email in every_email)


def test_demo_parent_signs_in_and_sees_both_children_with_cases(app):
    output = app.test_cli_runner().invoke(args=["seed-demo"]).output
    password, _ = _printed_sign_ins(output)
    parent = db.session.scalar(select(User).where(User.email == "parent.two.children@example.org"))
    names = set()
    for link in parent.child_links:
        assert db.session.scalar(select(func.count()).select_from(Case).where(Case.child_id == link.child_id))
        names.add(link.child.first_name)
    assert names == {"Amara", "Ben"}
    client = app.test_client()
    response = client.post("/sign-in", data={"email": parent.email, "password": password})
    assert response.status_code == 302
    dashboard = client.get("/family/")
    assert dashboard.status_code == 200
    text = dashboard.get_data(as_text=True)
    for name in names:
        assert name in text


def test_create_admin(app):
    result = app.test_cli_runner().invoke(
        args=["create-admin", "--email", "Boss@Example.org", "--name", "Bo Ss", "--password", STRONG]
    )
    assert result.exit_code == 0, result.output
    admin = db.session.scalar(select(User).where(User.email == "boss@example.org"))
    assert admin.role is Role.ADMIN
    assert admin.password_hash.startswith("$argon2id$")


def test_create_admin_refuses_a_weak_password_and_a_duplicate(app, make):
    runner = app.test_cli_runner()
    weak = runner.invoke(args=["create-admin", "--email", "a@example.org", "--name", "A", "--password", "password1234"])
    assert weak.exit_code != 0
    assert "too easy to guess" in weak.output
    make.user(Role.ADMIN, email="taken@example.org")
    duplicate = runner.invoke(
        args=["create-admin", "--email", "TAKEN@example.org", "--name", "A", "--password", STRONG]
    )
    assert duplicate.exit_code != 0
    assert "already exists" in duplicate.output


def test_create_admin_judges_passwords_longer_than_zxcvbn_takes(app):
    """zxcvbn refuses more than 72 characters; create-admin still gives an answer, never a traceback."""
    runner = app.test_cli_runner()
    words = "tangerine piano river cloud " * 10
    for number, length in enumerate((73, 100, 256)):
        email = f"long{number}@example.org"
        result = runner.invoke(args=["create-admin", "--email", email, "--name", "Lo Ng", "--password", words[:length]])
        assert result.exit_code == 0, (length, result.output, result.exception)
        assert db.session.scalar(select(User).where(User.email == email)).role is Role.ADMIN
    for password, message in (("a" * 100, "too easy to guess"), (words[:257], "256 characters or fewer")):
        result = runner.invoke(args=["create-admin", "--email", "x@example.org", "--name", "X", "--password", password])
        assert result.exit_code == 1, (result.output, result.exception)
        assert isinstance(result.exception, SystemExit)  # a ClickException, not a crash
        assert message in result.output
    assert db.session.scalar(select(User).where(User.email == "x@example.org")) is None
