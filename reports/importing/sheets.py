"""Reading the files users bring: CSV, XLSX, ODS (and old XLS), into rows of text cells.

A workbook is read sheet by sheet with python-calamine (XLSX, ODS and XLS, in Rust, one
sheet in memory at a time); a CSV is decoded (UTF-8, UTF-16 with its mark, else Windows-1252,
as Excel writes it) and its delimiter sniffed. Every cell becomes text: whole numbers without
".0", dates as ISO dates, so the parsers read one kind of value whatever the file.

Above the header the Home Office puts a title, notes and blank rows, and in the header note
markers (``Number of Offences [note 2]``): the header is found by its columns among the first
rows of each sheet, and markers and stray spaces are dropped before it is matched.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections.abc import Generator
from dataclasses import dataclass

import python_calamine

# How many rows above the header a sheet may have (title, notes, blank lines).
HEADER_SEARCH_ROWS = 30
ZIP = b"PK\x03\x04"
OLE2 = b"\xd0\xcf\x11\xe0"  # old Excel (.xls)
NOTE_MARKER = re.compile(r"\[[^\]]*\]")
SAVE_AS = "Save it from a spreadsheet program as CSV, XLSX or ODS, then import that."


class NotASpreadsheet(Exception):
    """The file is not one the importer can read: the message says what it is."""


@dataclass
class Sheet:
    """One sheet (a CSV file is one sheet with no name): its rows as (line number, cells)."""

    name: str
    rows: Generator[tuple[int, list[str]], None, None]


def normal(name: object) -> str:
    """A header cell as matched: no note markers, no BOM, lower case, one space between words."""
    text = NOTE_MARKER.sub(" ", str(name or "").replace("\ufeff", ""))
    text = re.sub(r"[()_]", " ", text).strip().lower()
    return re.sub(r"\s+", " ", text)


def cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


def read_sheets(content: bytes) -> list[Sheet]:
    """The sheets of a workbook, or the one sheet of a CSV file."""
    if content.startswith((ZIP, OLE2)):
        return _workbook_sheets(content)
    if content.startswith(b"%PDF"):
        raise NotASpreadsheet(f"this file is a PDF document, not a spreadsheet. {SAVE_AS}")
    return [Sheet("", _csv_rows(_decode(content)))]


def _workbook_sheets(content: bytes) -> list[Sheet]:
    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(content))
    except (python_calamine.CalamineError, ValueError) as error:
        what = "a ZIP archive" if content.startswith(ZIP) else "an Office file"
        raise NotASpreadsheet(f"this file is {what} that is not a readable workbook ({error}). {SAVE_AS}") from error
    sheets = []
    for name in workbook.sheet_names:

        def rows(name: str = name) -> Generator[tuple[int, list[str]], None, None]:
            sheet = workbook.get_sheet_by_name(name)
            for number, row in enumerate(sheet.iter_rows(), start=1):
                yield number, [cell_text(value) for value in row]

        sheets.append(Sheet(name, rows()))
    return sheets


def _decode(content: bytes) -> str:
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        return content.decode("utf-16")  # Excel's "Unicode text"
    if b"\x00" in content[:65536]:
        raise NotASpreadsheet(f"this file is not a spreadsheet or CSV text. {SAVE_AS}")
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel's "CSV (comma delimited)" on Windows.
        return content.decode("cp1252", errors="replace")


def _csv_rows(text: str) -> Generator[tuple[int, list[str]], None, None]:
    sample = text[:20_000]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        for row in reader:
            yield reader.line_num, [cell.strip() for cell in row]
    except csv.Error as error:
        raise UnreadableLine(reader.line_num, _unreadable(error)) from error


class UnreadableLine(Exception):
    """A CSV line the csv module cannot read (an unclosed quotation mark, most often)."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def _unreadable(error: csv.Error) -> str:
    if "field larger than field limit" in str(error):
        return (
            f"a cell runs on for more than {csv.field_size_limit():,} characters: is a quotation mark left open above?"
        )
    return f"this line cannot be read as CSV ({error})"
