"""Administrators load cases from the council's case-management system (registered on the admin
blueprint): upload a CSV file, see what it would change or every problem in it, then import it.

The checked file is not sent again. Once a file passes the check it is kept on the server, under
a random name (32 random bytes) in CASE_IMPORT_DIR (by default a folder in ATTACHMENT_DIR:
outside the web root, and shared by the app servers), and the name is kept in the
administrator's session. "Import" sends that name back; it counts only with the same session,
for CHECKED_FILE_LIFETIME, and the file is checked again before anything is saved (the portal
may have changed since). The file is deleted once imported; files left over are deleted at the
next check.
"""

from __future__ import annotations

import os
import re
import secrets
import time
from pathlib import Path

from flask import abort, current_app, flash, redirect, render_template, session, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxInput, GovFileInput, GovSubmitInput
from wtforms import BooleanField, HiddenField, SubmitField
from wtforms.validators import InputRequired, Regexp

from portal.access import roles
from portal.admin.routes import bp
from portal.case_import.apply import ImportResult, import_cases
from portal.case_import.parse import COLUMNS
from portal.conversations.attachments import chosen, clean_name
from portal.conversations.reply_by import today_in_england
from portal.models import Role
from portal.request_guard import CASE_IMPORT_MAX_BYTES

CHECKED_FILE_LIFETIME = 60 * 60  # seconds
SHOWN_PROBLEMS = 500
SESSION_KEY = "case_import"
TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")


class UploadForm(FlaskForm):
    file = FileField(
        "Upload a CSV file", widget=GovFileInput(),
        description=f"Smaller than {CASE_IMPORT_MAX_BYTES // (1024 * 1024)}MB. Nothing is saved until you "
        "have checked the file and chosen to import it.",
    )
    submit = SubmitField("Check the file", widget=GovSubmitInput())

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.content = b""

    def validate_file(self, field) -> None:
        files = chosen([field.data])
        if not files:
            field.errors.append("Choose a CSV file to check")
            return
        self.content = files[0].stream.read(CASE_IMPORT_MAX_BYTES + 1)
        if len(self.content) > CASE_IMPORT_MAX_BYTES:
            field.errors.append(f"The file must be smaller than {CASE_IMPORT_MAX_BYTES // (1024 * 1024)}MB")
        elif not self.content.strip():
            field.errors.append("The file is empty")


class ConfirmForm(FlaskForm):
    upload = HiddenField(validators=[InputRequired(), Regexp(TOKEN)])
    notify = BooleanField(
        "Email each family whose case moves to a new stage", widget=GovCheckboxInput(),
        description="Families with an account get the same email as when staff change the stage. Leave this "
        "unticked when loading cases for the first time.",
    )


def _folder() -> Path:
    config = current_app.config
    folder = Path(config.get("CASE_IMPORT_DIR") or Path(config["ATTACHMENT_DIR"]) / "case-imports")
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder


def _keep(content: bytes) -> str:
    """Keep a checked file under a new random name, and delete any left over."""
    folder = _folder()
    for old in folder.glob("*.csv"):
        if time.time() - old.stat().st_mtime > CHECKED_FILE_LIFETIME:
            old.unlink(missing_ok=True)
    token = secrets.token_urlsafe(32)
    descriptor = os.open(folder / f"{token}.csv", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(content)
    return token


def _kept(token: str) -> Path | None:
    """The checked file, if this session checked it and it has not expired."""
    if session.get(SESSION_KEY, {}).get("token") != token:
        return None
    path = _folder() / f"{token}.csv"
    if not path.is_file() or time.time() - path.stat().st_mtime > CHECKED_FILE_LIFETIME:
        return None
    return path


def _page(form: UploadForm, result: ImportResult | None = None, confirm: ConfirmForm | None = None,
          status: int = 200):
    return render_template(
        "admin/case_import.html", form=form, result=result, confirm=confirm, columns=COLUMNS,
        shown=SHOWN_PROBLEMS, file_name=session.get(SESSION_KEY, {}).get("file_name"),
    ), status


def _refused(form: UploadForm, result: ImportResult):
    count = len(result.problems)
    form.file.errors = [f"The file has {count:,} problem{'s' if count != 1 else ''}. Nothing was imported. Fix "
                        f"{'them' if count != 1 else 'it'} and check the file again"]
    return _page(form, result, status=400)


@bp.route("/case-import", methods=["GET", "POST"], endpoint="case_import")
@roles(Role.ADMIN)
def case_import():
    form = UploadForm()
    if not form.validate_on_submit():
        return _page(form, status=400 if form.errors else 200)
    name = clean_name(form.file.data.filename)
    result = import_cases(form.content, current_user, today_in_england(), dry_run=True, file_name=name)
    if result.problems:
        return _refused(form, result)
    token = _keep(form.content)
    session[SESSION_KEY] = {"token": token, "file_name": name}
    return _page(form, result, ConfirmForm(upload=token, formdata=None))


@bp.route("/case-import/confirm", methods=["POST"], endpoint="confirm_case_import")
@roles(Role.ADMIN)
def confirm_case_import():
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    path = _kept(form.upload.data)
    if path is None:
        upload = UploadForm(formdata=None)
        upload.file.errors = ["The checked file is no longer kept. Upload it and check it again"]
        return _page(upload, status=400)
    name = session[SESSION_KEY].get("file_name")
    result = import_cases(path.read_bytes(), current_user, today_in_england(), notify=form.notify.data,
                          file_name=name)
    if result.problems:
        return _refused(UploadForm(formdata=None), result)
    path.unlink(missing_ok=True)
    session.pop(SESSION_KEY, None)
    emails = "Families were emailed about stage changes." if form.notify.data else "No family was emailed."
    flash(f"Imported {name}: {result.plan.summary()}. {emails}", "success")
    return redirect(url_for("admin.case_import"))
