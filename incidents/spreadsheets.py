"""CSV and XLSX downloads (the review export, an officer's own data, a recording check's sheet),
safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import xlsxwriter
from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone

# A text cell starting with one of these is run as a formula by spreadsheet programs
# (also in their full-width forms, which some normalise): neutralise with a quote.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")


def spreadsheet_safe(value: Any) -> Any:
    """Prefix formula-looking text with an apostrophe; leave numbers as numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


# How an XLSX shows a date cell (a British date, whatever the reader's locale).
DATE_FORMAT = "dd/mm/yyyy"


@dataclass(frozen=True)
class ColumnStyle:
    """How an XLSX shows one column of the data: its width in characters, its cells as dates
    (typed ones too), and a check on what may be typed in it (xlsxwriter's data_validation
    options, over the data rows)."""

    width: float | None = None
    date: bool = False
    validation: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class TextSheet:
    """A sheet of text after the data (instructions, notes): rows of cells, the first row bold,
    long text wrapped in columns of ``widths`` characters."""

    name: str
    rows: Sequence[Sequence[str]]
    widths: Sequence[float] = ()


class _Echo:
    def write(self, value: str) -> str:
        return value


def _filename(extension: str, stem: str = "assault-log", file_name: str | None = None) -> str:
    """``file_name`` as given, or the stem and the time of the download."""
    return file_name or f"{stem}-{timezone.localtime():%Y%m%d-%H%M}.{extension}"


def csv_response(
    header: Sequence[str],
    rows: Iterable[list[Any]],
    *,
    stem: str = "assault-log",
    file_name: str | None = None,
) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        yield "\ufeff"  # BOM, so Excel reads UTF-8
        yield writer.writerow(header)
        for row in rows:
            yield writer.writerow([spreadsheet_safe(value) for value in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename("csv", stem, file_name)}"'
    return response


def xlsx_response(
    header: Sequence[str],
    rows: Iterable[list[Any]],
    *,
    sheet_name: str = "Reports",
    stem: str = "assault-log",
    file_name: str | None = None,
    columns: Sequence[ColumnStyle] = (),
    notes: Sequence[TextSheet] = (),
) -> HttpResponse:
    """The rows as the first sheet of a workbook under a bold, frozen header: text as text
    (formula-safe), numbers as numbers, dates as date cells. ``columns`` styles the data's
    columns in order; ``notes`` are sheets added after it."""
    buffer = io.BytesIO()
    # constant_memory: each row goes to a temporary file as it is written, so ten thousand
    # rows cost one row of memory (the zipped file is assembled in the buffer at the end).
    workbook = xlsxwriter.Workbook(
        buffer, {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    sheet = workbook.add_worksheet(sheet_name)
    bold = workbook.add_format({"bold": True})
    date = workbook.add_format({"num_format": DATE_FORMAT})
    for column, style in enumerate(columns):
        sheet.set_column(column, column, style.width, date if style.date else None)
    sheet.write_row(0, 0, header, bold)
    sheet.freeze_panes(1, 0)
    last = 0
    for last, row in enumerate(rows, start=1):
        for column, value in enumerate(row):
            value = spreadsheet_safe(value)
            if value is None:
                continue  # a blank cell (the CSV writes None as an empty field too)
            if isinstance(value, int | float) and not isinstance(value, bool):
                sheet.write_number(last, column, value)
            elif isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
                sheet.write_datetime(last, column, value, date)
            else:
                sheet.write_string(last, column, str(value))
    for column, style in enumerate(columns):
        if style.validation and last:
            sheet.data_validation(1, column, last, column, dict(style.validation))
    wrapped = workbook.add_format({"text_wrap": True, "valign": "top"})
    for note in notes:
        notes_sheet = workbook.add_worksheet(note.name)
        for column, width in enumerate(note.widths):
            notes_sheet.set_column(column, column, width, wrapped)
        for number, cells in enumerate(note.rows):
            notes_sheet.write_row(number, 0, [str(cell) for cell in cells], bold if number == 0 else wrapped)
    workbook.close()
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename("xlsx", stem, file_name)}"'
    return response
