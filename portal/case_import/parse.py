"""Reading a case-management system's CSV export into typed rows. Plain Python: no Flask, no database.

Every problem names its line (the header is line 1) and its column, in plain words. The file is
read as a spreadsheet saves it: UTF-8 with or without a byte order mark, Windows or Unix line
endings, commas or semicolons, dates as 2026-12-01 or 01/12/2026 (day first). The checks here
need only the row itself; the ones that need the portal's teams, staff and cases are in `plan`.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from portal.ehcp.milestones import long_date
from portal.ehcp.stages import Stage
from portal.forms import EMAIL_MAX, NAME_MAX, name_problem

REFERENCE_MAX = 40  # Case.external_reference
TEAM_MAX = 120  # Team.name
REFERENCE_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9 /_.:#-]*")
EMAIL_PATTERN = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+")


@dataclass(frozen=True)
class Column:
    name: str
    what: str  # "the date the request was received": follows "Enter"
    required: bool = True
    example: str = ""


COLUMNS = (
    Column("reference", "the case’s reference in the case-management system", example="CMS-004512"),
    Column("child_first_name", "the child’s first name", example="Ada"),
    Column("child_last_name", "the child’s last name", example="Example"),
    Column("child_date_of_birth", "the child’s date of birth", example="14/03/2016"),
    Column("team", "the team, named as in the portal", example="North SEND team"),
    Column("caseworker_email", "the caseworker’s email address", required=False, example="casey@example.org"),
    Column("request_received_on", "the date the request was received", example="01/09/2026"),
    Column("stage", "the stage", example="assessing"),
    Column("stage_since", "the date the case reached its stage", example="13/10/2026"),
    Column("draft_served_on", "the date the draft plan was sent", required=False),
    Column("final_plan_on", "the date the latest final plan was issued", required=False),
    Column("first_final_plan_on", "the date the first final plan was issued", required=False),
    Column("review_meeting_on", "the date of the annual review meeting", required=False),
    Column("amendments_proposed_on", "the date the changes to the plan were proposed", required=False),
    Column("is_reassessment", "whether the request is for a re-assessment", required=False, example="no"),
)
BY_NAME = {column.name: column for column in COLUMNS}
DATE_COLUMNS = (
    "child_date_of_birth", "request_received_on", "stage_since", "draft_served_on", "final_plan_on",
    "first_final_plan_on", "review_meeting_on", "amendments_proposed_on",
)
# Dates a case has only once it has reached a stage, and the stages before that.
BEFORE_DRAFT = frozenset({
    Stage.REQUEST_RECEIVED, Stage.DECIDING_TO_ASSESS, Stage.NOT_ASSESSING, Stage.ASSESSING,
    Stage.DECIDING_TO_ISSUE, Stage.NOT_ISSUING,
})
BEFORE_FINAL = BEFORE_DRAFT | {Stage.DRAFT_PLAN}
YES, NO = frozenset({"yes", "y", "true", "1"}), frozenset({"no", "n", "false", "0", ""})


@dataclass(frozen=True)
class Problem:
    """Why a line (or, with no line, the whole file) cannot be imported."""

    line: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        if self.line is None:
            return self.message
        where = f"Line {self.line}"
        return f"{where}, column {self.column}: {self.message}" if self.column else f"{where}: {self.message}"


@dataclass(frozen=True)
class Row:
    line: int
    reference: str
    child_first_name: str
    child_last_name: str
    child_date_of_birth: date
    team: str
    caseworker_email: str | None
    request_received_on: date
    stage: Stage
    stage_since: date
    draft_served_on: date | None
    final_plan_on: date | None
    first_final_plan_on: date | None
    review_meeting_on: date | None
    amendments_proposed_on: date | None
    is_reassessment: bool


class _LineProblems(list):
    def add(self, line: int, column: str | None, message: str) -> None:
        self.append(Problem(line, column, message))


def _stage_names() -> dict[str, Stage]:
    names = {}
    for stage in Stage:
        names[stage.value] = stage
        names[_folded(stage.label)] = stage
    return names


def _folded(value: str) -> str:
    return " ".join(value.replace("’", "'").split()).casefold()


STAGES = _stage_names()


def parse_date(value: str) -> date | str:
    """The date, or why it is not one. Day first (UK), as Excel writes them; an Excel time of
    midnight after it is ignored."""
    value = re.sub(r"[ T]00:00(:00)?$", "", value)
    iso = re.fullmatch(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})", value)
    uk = re.fullmatch(r"([0-9]{1,2})[/.-]([0-9]{1,2})[/.-]([0-9]{4})", value)
    if iso:
        year, month, day = (int(part) for part in iso.groups())
    elif uk:
        day, month, year = (int(part) for part in uk.groups())
    elif re.fullmatch(r"[0-9]{1,2}[/.-][0-9]{1,2}[/.-][0-9]{2}", value):
        return f"‘{value}’ has a 2-digit year. Write the year in full, like 01/12/2026"
    else:
        return f"‘{_shown(value)}’ is not a date. Write it like 01/12/2026 or 2026-12-01"
    try:
        return date(year, month, day)
    except ValueError:
        return f"‘{value}’ is not a real date"


def _shown(value: str, limit: int = 40) -> str:
    """A value quoted in a message: printable characters only, cut short."""
    clean = "".join(char if unicodedata.category(char)[0] != "C" else "?" for char in value)
    return clean if len(clean) <= limit else clean[: limit - 1] + "…"


def _decode(content: bytes, problems: _LineProblems) -> str | None:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = content[: error.start].count(b"\n") + 1
        problems.add(line, None, "This line is not UTF-8 text. In Excel, save the file as "
                     "‘CSV UTF-8 (Comma delimited)’")
        return None


def _header(cells: list[str], problems: _LineProblems) -> list[str | None]:
    """The columns' names, in the file's order (None for a column to refuse)."""
    if not any(re.sub(r"[\s-]+", "_", cell.strip().casefold()) in BY_NAME for cell in cells):
        problems.add(1, None, "The first line must name the columns, such as reference and stage, and it names "
                     "none of them. Check that the file is a CSV file with the columns in the column list")
        return []
    names: list[str | None] = []
    for cell in cells:
        name = re.sub(r"[\s-]+", "_", cell.strip().casefold())
        if name in names:
            problems.add(1, name, "This column is in the file twice")
        elif name and name not in BY_NAME:
            problems.add(1, _shown(cell), "This is not a column the import reads. Check its spelling against "
                         "the column list")
        names.append(name if name in BY_NAME else None)
    for column in COLUMNS:
        if column.required and column.name not in names:
            problems.add(1, column.name, f"The file has no {column.name} column. Add it, with {column.what}")
    return names


def read(content: bytes, today: date) -> tuple[list[Row], list[Problem]]:
    """Every row the file holds, and every problem found (the rows count only with no problems)."""
    problems = _LineProblems()
    text = _decode(content, problems)
    if text is None:
        return [], problems
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = next(reader, None)
        if header is None:
            problems.append(Problem(None, None, "The file is empty. Choose a CSV file with a line of column names"))
            return [], problems
        names = _header(header, problems)
        if problems:
            return [], problems
        rows, seen = [], {}
        line = reader.line_num + 1
        for cells in reader:
            if any(cell.strip() for cell in cells):
                row = _row(line, names, cells, problems, today)
                if row is not None:
                    first = seen.get(row.reference.casefold())
                    if first is not None:
                        problems.add(line, "reference", f"{row.reference} is also on line {first}. Put each case on "
                                     "one line only")
                    else:
                        seen[row.reference.casefold()] = line
                        rows.append(row)
            line = reader.line_num + 1
    except csv.Error:
        problems.add(reader.line_num, None, "The line cannot be read: check its quotation marks")
        return [], problems
    if not rows and not problems:
        problems.append(Problem(None, None, "The file has no cases in it: only the line of column names"))
    return rows, problems


def _row(line: int, names: list[str | None], cells: list[str], problems: _LineProblems, today: date) -> Row | None:
    if len(cells) > len(names) and any(cell.strip() for cell in cells[len(names):]):
        problems.add(line, None, f"This line has {len(cells)} values but the file has {len(names)} columns")
        return None
    raw = {name: cell.strip() for name, cell in zip(names, cells, strict=False) if name}
    values: dict[str, object] = {}
    before = len(problems)
    for column in COLUMNS:
        value = unicodedata.normalize("NFC", raw.get(column.name, ""))
        if not value:
            if column.required:
                problems.add(line, column.name, f"Enter {column.what}")
            values[column.name] = None if column.name != "is_reassessment" else False
            continue
        result = _value(column.name, value)
        if isinstance(result, _Refused):
            problems.add(line, column.name, result.message)
        else:
            values[column.name] = result
    if len(problems) > before:
        return None
    row = Row(line=line, **values)  # type: ignore[arg-type]
    for column, message in row_problems(row, today):
        problems.add(line, column, message)
    return row if len(problems) == before else None


@dataclass(frozen=True)
class _Refused:
    message: str


def _value(name: str, value: str) -> object:
    if name in DATE_COLUMNS:
        parsed = parse_date(value)
        return _Refused(parsed) if isinstance(parsed, str) else parsed
    if name == "stage":
        stage = STAGES.get(_folded(value))
        if stage is None:
            return _Refused(f"‘{_shown(value)}’ is not a stage. Use a stage from the column list, like assessing "
                            "or Assessing")
        return stage
    if name == "is_reassessment":
        answer = value.casefold()
        if answer not in YES | NO:
            return _Refused(f"‘{_shown(value)}’ is not yes or no")
        return answer in YES
    if name == "reference":
        if len(value) > REFERENCE_MAX:
            return _Refused(f"The reference must be {REFERENCE_MAX} characters or fewer")
        if not REFERENCE_PATTERN.fullmatch(value):
            return _Refused("The reference must only include letters, numbers, spaces and - / _ . : #")
        return value
    if name in ("child_first_name", "child_last_name"):
        problem = name_problem(value)
        if len(value) > NAME_MAX:
            problem = f"Name must be {NAME_MAX} characters or fewer"
        return _Refused(problem) if problem else value
    if name == "caseworker_email":
        email = value.lower()
        if len(email) > EMAIL_MAX or not EMAIL_PATTERN.fullmatch(email):
            return _Refused(f"‘{_shown(value)}’ is not an email address")
        return email
    if name == "team":
        if len(value) > TEAM_MAX or any(unicodedata.category(char)[0] == "C" for char in value):
            return _Refused(f"‘{_shown(value)}’ is not the name of a team in the portal")
        return value
    raise AssertionError(name)  # pragma: no cover - every column is read above


def row_problems(row: Row, today: date) -> list[tuple[str, str]]:
    """(column, message) for each rule of the timeline the row breaks."""
    found: list[tuple[str, str]] = []
    received = row.request_received_on
    for name in DATE_COLUMNS:
        value = getattr(row, name)
        what = BY_NAME[name].what
        if value is None:
            continue
        if value > today:
            found.append((name, f"{_capital(what)} must be today or in the past"))
        elif name == "child_date_of_birth" and value > received:
            found.append((name, f"{_capital(what)} must be on or before the date the request was received, "
                                f"{long_date(received)}"))
        elif name not in ("child_date_of_birth", "request_received_on") and value < received:
            found.append((name, f"{_capital(what)} must be on or after the date the request was received, "
                                f"{long_date(received)}"))
    stage = row.stage
    label = stage.label
    if stage is Stage.DRAFT_PLAN and row.draft_served_on is None:
        found.append(("draft_served_on", f"Enter the date the draft plan was sent: a case at ‘{label}’ needs it"))
    if stage in (Stage.FINAL_PLAN, Stage.ANNUAL_REVIEW) and row.final_plan_on is None:
        found.append(("final_plan_on", f"Enter the date the latest final plan was issued: a case at ‘{label}’ "
                                       "needs it"))
    if stage in BEFORE_DRAFT and row.draft_served_on is not None:
        found.append(("draft_served_on", f"Leave this empty: a case at ‘{label}’ has no draft plan yet"))
    for name in ("final_plan_on", "first_final_plan_on"):
        if stage in BEFORE_FINAL and getattr(row, name) is not None:
            found.append((name, f"Leave this empty: a case at ‘{label}’ has no final plan yet"))
    if stage is not Stage.ANNUAL_REVIEW:
        for name in ("review_meeting_on", "amendments_proposed_on"):
            if getattr(row, name) is not None:
                found.append((name, "Leave this empty: review dates are only for a case at "
                                    f"‘{Stage.ANNUAL_REVIEW.label}’"))
    elif row.amendments_proposed_on is not None:
        if row.review_meeting_on is None:
            found.append(("review_meeting_on", "Enter the date of the review meeting: the changes were proposed "
                                               "after it"))
        elif row.amendments_proposed_on < row.review_meeting_on:
            found.append(("amendments_proposed_on", "The changes must be proposed on or after the review meeting"))
    if row.draft_served_on and row.final_plan_on and row.final_plan_on < row.draft_served_on:
        found.append(("final_plan_on", "The final plan must be issued on or after the draft plan was sent"))
    if row.first_final_plan_on and row.final_plan_on and row.first_final_plan_on > row.final_plan_on:
        found.append(("first_final_plan_on", "The first final plan must be issued on or before the latest one"))
    return found


def _capital(words: str) -> str:
    return words[0].upper() + words[1:]

