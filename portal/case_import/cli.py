"""`flask cases import FILE.csv [--dry-run] [--notify]`: load cases from the council's
case-management system (docs/case-import.md)."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from portal.case_import.apply import import_cases
from portal.conversations.reply_by import today_in_england

cases = AppGroup("cases", help="Cases loaded from the council's case-management system.")


@cases.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check the file and say what would change, saving nothing.")
@click.option("--notify", is_flag=True, help="Email each family whose case changes stage (default: no email).")
def import_command(file: Path, dry_run: bool, notify: bool) -> None:
    """Add and update cases from a CSV file, by the case-management system's reference. A file
    with any problem saves nothing; importing the same file again changes nothing."""
    result = import_cases(file.read_bytes(), None, today_in_england(), dry_run=dry_run, notify=notify,
                          file_name=file.name)
    if result.problems:
        for problem in result.problems:
            click.echo(str(problem), err=True)
        count = len(result.problems)
        raise click.ClickException(f"Nothing was imported: the file has {count} problem{'s' if count != 1 else ''}")
    summary = result.plan.summary()
    if dry_run:
        click.echo(f"Dry run, nothing saved. The import would make {summary}.")
    else:
        emails = " Families were emailed about stage changes." if notify else " No family was emailed."
        click.echo(f"Imported: {summary}.{emails}")
