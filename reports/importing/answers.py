"""Reading a recording check's sheet back from the force's crime registrar (issue 20).

The registrar fills in the last four columns of the sheet we sent (reports.services.checks.
SHEET_COLUMNS): found (yes/no), offence code (8S, 104 or other), which offence if other, and
the date it was recorded. The file may come back as CSV or as a workbook (XLSX, ODS), with
columns added or moved and rows above the header: the header is found by its column names,
whatever their case and spacing. Only the row id and the four answers are read; the crime
reference and the date of the assault are ours already, and are never kept from the file.

Every problem names its place the same way, whether found while reading a row or against the
check: the sheet (for a workbook), the line, and the column as the sheet we sent names it
(Problem's "sheet 'Recording check', line 6, column 'Date recorded': ..."). The caller imports
nothing from a file with any (reports.services.check_answers).
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field

from django.utils import timezone

from reports.choices import CheckFound, CheckOffence
from reports.importing.rows import Problem, shown
from reports.importing.sheets import (
    HEADER_SEARCH_ROWS,
    NotASpreadsheet,
    Sheet,
    UnreadableLine,
    normal,
    read_sheets,
)
from reports.models import RecordingCheck
from reports.services.checks import SHEET_COLUMNS

ROW_ID, FOUND, OFFENCE, OTHER, RECORDED = (
    SHEET_COLUMNS[0],
    SHEET_COLUMNS[3],
    SHEET_COLUMNS[4],
    SHEET_COLUMNS[5],
    SHEET_COLUMNS[6],
)
# The columns read, each by the sheet's own name or a shorter one a registrar may retype.
COLUMN_NAMES: dict[str, tuple[str, ...]] = {
    ROW_ID: (ROW_ID,),
    FOUND: (FOUND, "Found"),
    OFFENCE: (OFFENCE, "Offence code", "Offence"),
    OTHER: (OTHER, "Which offence", "Other offence"),
    RECORDED: (RECORDED, "Recorded on"),
}
ANSWER_COLUMNS = (FOUND, OFFENCE, OTHER, RECORDED)
FOUND_WORDS = {"yes": CheckFound.YES, "y": CheckFound.YES, "no": CheckFound.NO, "n": CheckFound.NO}
OFFENCE_WORDS = {
    "8s": CheckOffence.WITH_INJURY,
    "104": CheckOffence.WITHOUT_INJURY,
    "other": CheckOffence.OTHER,
}
OTHER_MAX_LENGTH = 60  # RecordingCheckItem.offence_other
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")
# A workbook's date cell with a time of day, as the readers write it (2018-06-03T10:05:00).
DATE_TIME = re.compile(r"^(\d{4}-\d{2}-\d{2})T[\d:.]+$")


def column_key(name: str) -> str:
    """A column's name as matched: letters and digits only, in lower case."""
    return re.sub(r"[^a-z0-9]", "", normal(name))


KEYS = {column_key(name): column for column, names in COLUMN_NAMES.items() for name in names}


@dataclass(frozen=True)
class Answer:
    """The registrar's answer for one row of the check, and the line it came from."""

    row_id: str
    found: str
    offence: str = ""
    offence_other: str = ""
    recorded_on: datetime.date | None = None
    line: int = 0
    sheet: str = ""  # a workbook's sheet it was read from ("" for CSV), to name its place


@dataclass
class ParsedAnswers:
    answers: list[Answer] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    # Rows of the check whose four answer cells are all blank: left unanswered.
    blank: int = 0


def parse_answers_file(content: bytes, check: RecordingCheck, *, today: datetime.date | None = None) -> ParsedAnswers:
    """The answers in a filled-in sheet of ``check``, with every problem found.

    A file that is not a spreadsheet, a missing column, an unreadable line: each is a
    problem that says what it is, never an error.
    """
    parsed = ParsedAnswers()
    try:
        table = _table(read_sheets(content), parsed)
        if table is not None:
            _read_rows(*table, parsed)
    except NotASpreadsheet as error:
        parsed.problems.append(Problem(1, "", str(error)))
    except UnreadableLine as error:
        parsed.problems.append(Problem(error.line, "", error.message))
    # The rows read cleanly, against the check: with the others' problems, in line order.
    parsed.problems += answers_problems(check, parsed.answers, today=today)
    parsed.problems.sort(key=lambda problem: problem.line)
    return parsed


@dataclass(frozen=True)
class Header:
    line: int
    places: dict[str, int]  # each column read -> its place in the row


def _table(sheets: list[Sheet], parsed: ParsedAnswers) -> tuple[Sheet, Header] | None:
    """The first sheet with the check's header among its first rows, and that header (the
    rows after it are left to read); or None, with a problem saying what is missing."""
    likeliest: tuple[Sheet, int, set[str]] | None = None
    for sheet in sheets:
        for line, cells in sheet.rows:
            columns = [KEYS.get(column_key(cell)) for cell in cells]
            found = {column for column in columns if column is not None}
            if found == set(COLUMN_NAMES):
                twice = [column for column in COLUMN_NAMES if columns.count(column) > 1]
                for column in twice:
                    parsed.problems.append(Problem(line, column, "this column is in the header twice", sheet.name))
                if twice:
                    return None
                return sheet, Header(line, {column: columns.index(column) for column in COLUMN_NAMES})
            if found and (likeliest is None or len(found) > len(likeliest[2])):
                likeliest = (sheet, line, found)
            if line >= HEADER_SEARCH_ROWS:
                break
        sheet.rows.close()
    if likeliest is None:
        parsed.problems.append(Problem(1, "", f"no row looks like the sheet's header. {_expected()}"))
        return None
    sheet, line, found = likeliest
    missing = ", ".join(f"'{column}'" for column in COLUMN_NAMES if column not in found)
    parsed.problems.append(Problem(line, "", f"the header lacks {missing}. {_expected()}", sheet.name))
    return None


def _expected() -> str:
    return "The file needs the columns " + ", ".join(f"'{column}'" for column in COLUMN_NAMES) + "."


def _read_rows(sheet: Sheet, header: Header, parsed: ParsedAnswers) -> None:
    seen: dict[str, int] = {}
    for line, cells in sheet.rows:
        row = AnswerRow(sheet.name, line, header, cells, parsed.problems)
        row_id = row.text(ROW_ID).upper()
        if not any(row.text(column) for column in ANSWER_COLUMNS):
            if row_id:
                parsed.blank += 1
            continue  # a blank line, or a row the registrar left unanswered
        if not row_id:
            row.problem(ROW_ID, "the row id is missing: copy it from the sheet we sent")
            continue
        if row_id in seen:
            row.problem(ROW_ID, f"{shown(row_id)} is already on line {seen[row_id]}")
            continue
        seen[row_id] = line
        answer = row.answer(row_id)
        if answer is not None:
            parsed.answers.append(answer)


class AnswerRow:
    """One line of the table: its answer cells read and checked, problems kept."""

    def __init__(self, sheet: str, line: int, header: Header, cells: list[str], problems: list[Problem]) -> None:
        self.sheet, self.line, self.header, self.cells, self.problems = sheet, line, header, cells, problems

    def text(self, column: str) -> str:
        place = self.header.places[column]
        return self.cells[place].strip() if place < len(self.cells) else ""

    def problem(self, column: str, message: str) -> None:
        self.problems.append(Problem(self.line, column, message, self.sheet))

    def answer(self, row_id: str) -> Answer | None:
        found = FOUND_WORDS.get(self.text(FOUND).lower())
        offence = OFFENCE_WORDS.get(self.text(OFFENCE).lower())
        other, recorded = self.text(OTHER), self.text(RECORDED)
        before = len(self.problems)
        if found is None:
            said = self.text(FOUND)
            self.problem(FOUND, f"'{shown(said)}' is not yes or no" if said else "say yes or no")
        elif found == CheckFound.NO:
            for column in (OFFENCE, OTHER, RECORDED):
                if self.text(column):
                    self.problem(column, "leave this blank: the crime was not found")
        else:
            if offence is None:
                said = self.text(OFFENCE)
                self.problem(OFFENCE, f"'{shown(said)}' is not 8S, 104 or other" if said else "give 8S, 104 or other")
            elif offence == CheckOffence.OTHER and not other:
                self.problem(OTHER, "say which offence it was recorded as")
            elif offence != CheckOffence.OTHER and other:
                self.problem(OTHER, "leave this blank unless the offence code is other")
            if len(other) > OTHER_MAX_LENGTH:
                self.problem(OTHER, f"write the offence in at most {OTHER_MAX_LENGTH} characters")
            if not recorded:
                self.problem(RECORDED, "give the date the crime was recorded")
        recorded_on = self.date(RECORDED) if recorded and found == CheckFound.YES else None
        if len(self.problems) > before or found is None:
            return None
        if found == CheckFound.NO:
            return Answer(row_id, found, line=self.line, sheet=self.sheet)
        return Answer(row_id, found, offence or "", other, recorded_on, line=self.line, sheet=self.sheet)

    def date(self, column: str) -> datetime.date | None:
        text = self.text(column)
        match = DATE_TIME.match(text)
        text = match.group(1) if match else text
        for pattern in DATE_FORMATS:
            try:
                return datetime.datetime.strptime(text, pattern).date()
            except ValueError:
                continue
        self.problem(column, f"'{shown(self.text(column))}' is not a date like 03/06/2018 or 2018-06-03")
        return None


def answers_problems(
    check: RecordingCheck, answers: list[Answer], *, today: datetime.date | None = None
) -> list[Problem]:
    """What the answers get wrong about the check itself: a row that is not one of its rows, a
    report it no longer holds, a date recorded in the future or before the assault. Checked
    when a file is read and again when it is imported."""
    today = today or timezone.localdate()
    occurred = dict(check.items.values_list("row_id", "incident__occurred_on"))
    problems = []
    for answer in answers:
        column, message = ROW_ID, ""
        if answer.row_id not in occurred:
            message = f"{shown(answer.row_id)} is not a row of this check (check {check.pk})"
        elif occurred[answer.row_id] is None:
            message = "this row's report is no longer held, so its answer cannot be kept: leave it blank"
        elif answer.recorded_on is not None and answer.recorded_on > today:
            column, message = RECORDED, f"{_day(answer.recorded_on)} is in the future"
        elif answer.recorded_on is not None and answer.recorded_on < occurred[answer.row_id]:
            column = RECORDED
            message = f"{_day(answer.recorded_on)} is before the assault ({_day(occurred[answer.row_id])})"
        if message:
            problems.append(Problem(answer.line, column, message, answer.sheet))
    return problems


def _day(day: datetime.date) -> str:
    return f"{day.day} {day:%B %Y}"
