"""Command-line tasks: `flask seed-demo`, `flask create-admin`, `flask notifications ...` and
`flask cases import` (portal/case_import/cli.py)."""

import click
from flask import Flask, current_app

from portal import demo, demo_governance
from portal.auth.services import find_user_by_email
from portal.extensions import db
from portal.forms import clean_name, name_problem
from portal.models import Role, User
from portal.passwords import hash_password, password_problem


def init_app(app: Flask) -> None:
    from portal.case_import.cli import cases
    from portal.notifications.cli import notifications
    from portal.reports.cli import reports

    app.cli.add_command(notifications)
    app.cli.add_command(cases)
    app.cli.add_command(reports)

    @app.cli.command("seed-demo")
    def seed_demo() -> None:
        """Load synthetic demo data (safe to run again) and print the demo sign-ins."""
        if current_app.config["ENV_NAME"] == "production":
            raise click.ClickException(
                "seed-demo is for development only: it creates accounts with a published password"
            )
        accounts = demo.seed()
        click.echo("Demo sign-ins (synthetic data). Every account's password is:")
        click.echo(f"  {demo.DEMO_PASSWORD}")
        for account in accounts:
            team = f", {account.team}" if account.team else ""
            click.echo(f"  {account.role.label:<20} {account.email}{team}")
        click.echo(demo.case_summary())
        click.echo(demo_governance.history_summary())
        if current_app.config["DEV_SKIP_TWO_FACTOR"]:
            click.echo("Staff two-factor sign-in is skipped (DEV_SKIP_TWO_FACTOR=1, development only).")
        else:
            click.echo("Staff set up two-factor sign-in with an authenticator app at first sign-in.")

    @app.cli.command("create-admin")
    @click.option("--email", prompt=True)
    @click.option("--name", prompt=True)
    @click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
    def create_admin(email: str, name: str, password: str) -> None:
        """Create the first administrator account."""
        email = email.strip().lower()
        if find_user_by_email(email) is not None:
            raise click.ClickException("An account already exists for this email address")
        name = clean_name(name) or ""
        problem = (
            ("Enter a name" if not name else None)
            or name_problem(name)
            or password_problem(password, [email, name])
        )
        if problem:
            raise click.ClickException(problem)
        db.session.add(User(email=email, name=name, role=Role.ADMIN, password_hash=hash_password(password)))
        db.session.commit()
        click.echo(f"Administrator {email} created. They set up two-factor sign-in at first sign-in.")
