"""CSV and XLSX downloads (the review export, an officer's own data), safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
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
) -> HttpResponse:
    buffer = io.BytesIO()
    # constant_memory: each row goes to a temporary file as it is written, so ten thousand
    # rows cost one row of memory (the zipped file is assembled in the buffer at the end).
    workbook = xlsxwriter.Workbook(
        buffer, {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    sheet = workbook.add_worksheet(sheet_name)
    bold = workbook.add_format({"bold": True})
    sheet.write_row(0, 0, header, bold)
    sheet.freeze_panes(1, 0)
    for number, row in enumerate(rows, start=1):
        for column, value in enumerate(row):
            value = spreadsheet_safe(value)
            if value is None:
                continue  # a blank cell (the CSV writes None as an empty field too)
            if isinstance(value, int | float) and not isinstance(value, bool):
                sheet.write_number(number, column, value)
            else:
                sheet.write_string(number, column, str(value))
    workbook.close()
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename("xlsx", stem, file_name)}"'
    return response
