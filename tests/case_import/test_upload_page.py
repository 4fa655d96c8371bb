"""The administrator's upload page, /admin/case-import: check a file (a dry run), see every
problem by line and column, then import it without sending it again."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from portal.ehcp.models import Case, StageChange
from portal.extensions import db
from portal.models import AuditEvent, Role
from portal.outbox import OutboxEmail
from tests.case_import.helpers import TODAY, csv_bytes, imported, line, state, uk
from tests.helpers import Factory, check_page, get_page, sign_in_fast

URL = "/admin/case-import"


@pytest.fixture
def folder(app: Flask, tmp_path: Path) -> Path:
    app.config["CASE_IMPORT_DIR"] = str(tmp_path / "checked")
    return tmp_path / "checked"


@pytest.fixture
def admin(app: Flask, make: Factory, folder: Path):
    make.team("North SEND team")
    user = make.user(Role.ADMIN, name="Addy Admin")
    client = app.test_client()
    sign_in_fast(client, user)
    client.user = user  # type: ignore[attr-defined]
    return client


def upload(client, content: bytes, name: str = "cases.csv"):
    """The form sent as a browser sends it, built in memory (the test client would spool a large
    body to a temporary file it never closes)."""
    boundary, body = encode_multipart({"file": FileStorage(io.BytesIO(content), name, content_type="text/csv")})
    return client.post(URL, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_the_page_reads_at_most_10_statements(admin, count_queries) -> None:
    with count_queries() as queries:
        page = get_page(admin, URL)
    assert queries.count <= 10, queries.statements
    assert page.h1 == "Import cases"
    assert "reference" in page.text and "caseworker_email" in page.text
    assert page.soup.select_one("input[type=file][name=file]") is not None
    assert "Import cases" in [a.get_text(strip=True) for a in page.soup.select(".govuk-header__navigation a, "
                                                                                ".govuk-service-navigation a")]


def test_checking_a_file_saves_nothing_then_import_saves_it_without_sending_it_again(admin, folder) -> None:
    content = csv_bytes(
        [line("CMS-1"), line("CMS-2", stage="Request received", stage_since=uk(TODAY - timedelta(weeks=10)))],
        newline="\r\n", bom=True,
    )
    page = check_page(upload(admin, content))
    assert "What the import will change" in page.text
    assert "New cases 2" in page.text and "Cases that do not change 0" in page.text
    assert count(Case) == 0 and count(AuditEvent) == 0
    [kept] = list(folder.glob("*.csv"))
    assert kept.read_bytes() == content
    assert oct(kept.stat().st_mode & 0o777) == "0o600"
    button = page.soup.select_one("form[action='/admin/case-import/confirm'] button")
    assert button.get_text(strip=True) == "Import 2 cases"
    token = page.soup.select_one("input[name=upload]")["value"]
    assert token == kept.stem

    response = admin.post("/admin/case-import/confirm", data={"upload": token})
    assert response.status_code == 302 and response.location == URL
    page = get_page(admin, URL)
    assert ("Imported cases.csv: 2 new cases, 0 updated cases (0 stage changes), 0 unchanged cases. No family was "
            "emailed.") in page.text
    assert count(Case) == 2 and imported("CMS-2").stage.value == "request_received"
    assert not list(folder.glob("*.csv"))  # deleted once imported
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "cases-imported")).one()
    assert event.actor_id == admin.user.id
    assert event.detail.startswith("cases.csv: 2 new cases")
    # The same token again: the file is gone.
    page = check_page(admin.post("/admin/case-import/confirm", data={"upload": token}), 400)
    assert page.error_messages() == ["The checked file is no longer kept. Upload it and check it again"]
    assert count(Case) == 2


def test_the_same_file_again_has_nothing_to_import(admin) -> None:
    content = csv_bytes([line("CMS-1")])
    token = check_page(upload(admin, content)).soup.select_one("input[name=upload]")["value"]
    admin.post("/admin/case-import/confirm", data={"upload": token})
    before = state()
    page = check_page(upload(admin, content))
    assert "There is nothing to import" in page.text
    assert page.soup.select_one("input[name=upload]") is None
    assert state() == before


def test_a_file_with_errors_lists_each_by_line_and_column_and_saves_nothing(admin, folder) -> None:
    content = csv_bytes([line("CMS-1"), line("CMS-2", stage="Drafted"), line("CMS-3", team="East SEND team"),
                         line("CMS-4", stage_since=TODAY + timedelta(days=2))])
    page = check_page(upload(admin, content), 400)
    assert page.title.startswith("Error: ")
    assert page.error_messages() == ["The file has 3 problems. Nothing was imported. Fix them and check the file again"]
    assert page.soup.select_one(".govuk-error-summary a")["href"] == "#file"
    rows = [[cell.get_text(" ", strip=True) for cell in row.select("td")]
            for row in page.soup.select("table")[0].select("tbody tr")]
    assert [row[:2] for row in rows] == [["3", "stage"], ["4", "team"], ["5", "stage_since"]]
    assert rows[0][2].startswith("‘Drafted’ is not a stage")
    assert page.soup.select_one("input[name=upload]") is None
    assert count(Case) == 0 and not list(folder.glob("*.csv"))


def test_the_checked_file_counts_only_in_the_session_that_checked_it(app, admin, make) -> None:
    token = check_page(upload(admin, csv_bytes([line("CMS-1")]))).soup.select_one("input[name=upload]")["value"]
    other = app.test_client()
    sign_in_fast(other, make.user(Role.ADMIN))
    page = check_page(other.post("/admin/case-import/confirm", data={"upload": token}), 400)
    assert page.error_messages() == ["The checked file is no longer kept. Upload it and check it again"]
    assert check_page(admin.post("/admin/case-import/confirm", data={"upload": "../../etc/passwd"}), 400)
    assert count(Case) == 0


def test_the_import_is_checked_again_before_saving(admin, make) -> None:
    """The team is renamed between the check and the import: nothing is saved."""
    token = check_page(upload(admin, csv_bytes([line("CMS-1")]))).soup.select_one("input[name=upload]")["value"]
    from portal.models import Team

    db.session.scalars(select(Team)).one().name = "Renamed SEND team"
    db.session.commit()
    page = check_page(admin.post("/admin/case-import/confirm", data={"upload": token}), 400)
    assert "There is no team called ‘North SEND team’ in the portal" in page.text
    assert count(Case) == 0


@pytest.mark.parametrize(("data", "message"), [
    ({}, "Choose a CSV file to check"),
    ({"file": (io.BytesIO(b""), "empty.csv")}, "The file is empty"),
    ({"file": (io.BytesIO(b"%PDF-1.4 <script>alert(1)</script>"), "letter.pdf")},
     "The file has 1 problem. Nothing was imported. Fix it and check the file again"),
])
def test_no_file_an_empty_file_or_not_a_csv_is_a_gov_uk_error(admin, data, message) -> None:
    response = admin.post(URL, data=data, content_type="multipart/form-data")
    page = check_page(response, 400)
    assert page.error_messages()[0].startswith(message)
    assert "<script>alert" not in response.get_data(as_text=True)


def test_a_file_over_the_limit_is_refused(admin) -> None:
    from portal.request_guard import CASE_IMPORT_MAX_BYTES

    response = upload(admin, b"reference\n" + b"x" * CASE_IMPORT_MAX_BYTES)
    assert check_page(response, 400).error_messages() == ["The file must be smaller than 10MB"]
    response = upload(admin, b"x" * (CASE_IMPORT_MAX_BYTES + 2 * 1024 * 1024))
    assert check_page(response, 413).h1 == "Sorry, what you sent was too large"


def test_notify_on_the_page_emails_families_of_stage_changes(admin, make) -> None:
    token = check_page(upload(admin, csv_bytes([line("CMS-1")]))).soup.select_one("input[name=upload]")["value"]
    admin.post("/admin/case-import/confirm", data={"upload": token})
    case = imported("CMS-1")
    from portal.models import FamilyLink, Relationship

    parent = make.user(Role.FAMILY, email="page.parent@example.org")
    db.session.add(FamilyLink(user=parent, child_id=case.child_id, relationship_to_child=Relationship.PARENT))
    db.session.commit()
    moved = csv_bytes([line("CMS-1", stage="deciding_to_issue", stage_since=TODAY)])
    page = check_page(upload(admin, moved))
    assert "Of those, cases that move to a new stage 1" in page.text
    token = page.soup.select_one("input[name=upload]")["value"]
    admin.post("/admin/case-import/confirm", data={"upload": token, "notify": "y"})
    assert [email.to_email for email in db.session.scalars(select(OutboxEmail))] == ["page.parent@example.org"]
    change = db.session.scalars(select(StageChange).order_by(StageChange.id.desc())).first()
    assert (change.source, change.changed_by_id) == ("import", None)


def test_only_administrators_reach_the_page(app, make, folder) -> None:
    for role in (Role.CASEWORKER, Role.MANAGER, Role.FAMILY, Role.COPRODUCTION):
        client = app.test_client()
        sign_in_fast(client, make.user(role))
        assert client.get(URL).status_code == 403
        assert upload(client, csv_bytes([line()])).status_code in (400, 403)
    assert count(Case) == 0
