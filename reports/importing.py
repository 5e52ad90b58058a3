"""Reading official figures from the files a user brings (DOMAIN.md, "machine-readable sources").

The format is recognised from the header. Parsing never writes: it returns rows and
problems, each problem with its line and column, and the caller imports nothing
from a file with any problem.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from incidents.models import Force
from reports.models import NATIONAL
from reports.periods import is_comparable, parse_financial_year

PRC = "Home Office police recorded crime open data"
WORKFORCE = "Home Office police workforce open data"
SIMPLE = "Simple sheet of figures"
STRENGTH = "Officer strength sheet"

WITH_INJURY_CODE = "8S"
WITHOUT_INJURY_CODE = "104"
# Rows of the recorded-crime tables that are not police forces.
NOT_FORCES = {"action fraud", "cifas", "uk finance"}
NATIONAL_NAMES = {"england and wales", "england & wales", "national", "total", "england and wales total"}
# Names seen in official tables for forces whose short name differs.
VARIANTS = {
    "london, city of": "E23000034",
    "city of london": "E23000034",
    "metropolitan": "E23000001",
    "metropolitan police": "E23000001",
    "metropolitan police service": "E23000001",
    "devon & cornwall": "E23000035",
    "hampshire and isle of wight": "E23000030",
    "hampshire & isle of wight": "E23000030",
    "british transport police": "BTP",
    "btp": "BTP",
}
MAX_COUNT = 1_000_000


@dataclass(frozen=True)
class Problem:
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line}, column '{self.column}': {self.message}"


@dataclass
class FigureRow:
    area: str
    financial_year: int
    with_injury: int | None
    without_injury: int | None
    total: int | None
    basis: str = ""
    source_url: str = ""
    note: str = ""
    line: int = 0


@dataclass
class StrengthRow:
    area: str
    as_at: datetime.date
    officers_fte: Decimal
    officers_headcount: int | None
    source_url: str = ""
    line: int = 0


@dataclass
class ParsedFile:
    kind: str
    figures: list[FigureRow] = field(default_factory=list)
    strengths: list[StrengthRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    skipped: int = 0


def _normal(name: str) -> str:
    text = re.sub(r"[()_]", " ", (name or "").replace("\ufeff", "")).strip().lower()
    return re.sub(r"\s+", " ", text)


class ForceNames:
    """Force names, codes and known variants to force codes."""

    def __init__(self) -> None:
        self.codes: dict[str, str] = dict(VARIANTS)
        for force in Force.objects.all():
            for name in (force.code, force.ons_name, force.official_name, force.short_name, force.slug):
                if name:
                    self.codes[_normal(name)] = force.code
                    self.codes[_normal(name).replace(" and ", " & ")] = force.code
                    self.codes[_normal(name).replace(" & ", " and ")] = force.code
        for name in NATIONAL_NAMES:
            self.codes[name] = NATIONAL
        self.codes[NATIONAL.lower()] = NATIONAL

    def code(self, name: str) -> str | None:
        return self.codes.get(_normal(name).rstrip("."))


def _number(value: str) -> Decimal | None:
    """A plain number as tables write it ("1,234", "-3", "1234.5"), or None.

    Decimal alone would take "NaN", "Infinity" and "1e999999999" (whose int() is a billion
    digits): a count in a table is never written so.
    """
    text = (value or "").strip().replace(",", "")
    if len(text) > 30 or not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", text):
        return None
    return Decimal(text)


def _count(value: str, line: int, column: str, problems: list[Problem], *, required: bool = False) -> int | None:
    text = (value or "").strip()
    if not text:
        if required:
            problems.append(Problem(line, column, "a count is needed here"))
        return None
    number = _number(text)
    if number is None or number != number.to_integral_value():
        problems.append(Problem(line, column, f"'{_shown(value)}' is not a whole number"))
        return None
    if number < 0:
        problems.append(Problem(line, column, f"{number} is negative"))
        return None
    if number > MAX_COUNT:
        problems.append(Problem(line, column, f"{number} is implausibly large"))
        return None
    return int(number)


def _shown(value: str) -> str:
    """A cell as a message quotes it: short, and with no control characters."""
    text = "".join(char if char.isprintable() else "?" for char in value[:40])
    return text + ("…" if len(value) > 40 else "")


def _year(value: str, line: int, column: str, problems: list[Problem]) -> int | None:
    try:
        return parse_financial_year(value)
    except ValueError:
        problems.append(Problem(line, column, f"'{_shown(value)}' is not a financial year like 2019/20"))
        return None


def _area(value: str, names: ForceNames, line: int, column: str, problems: list[Problem]) -> str | None:
    code = names.code(value)
    if code is None:
        problems.append(Problem(line, column, f"'{_shown(value)}' is not a force we know"))
    return code


def _detect(header: list[str]) -> str | None:
    columns = {_normal(name) for name in header}
    if {"offence code", "number of offences", "force name", "financial year"} <= columns:
        return PRC
    if {"worker type", "force name", "total fte"} <= columns:
        return WORKFORCE
    if {"as at", "officers fte"} <= columns:
        return STRENGTH
    if "financial year" in columns and any(c.startswith(("with injury", "without injury", "total")) for c in columns):
        return SIMPLE
    return None


# The first bytes of files that are not text: a workbook saved as-is, or renamed ".csv".
NOT_TEXT = {
    b"PK\x03\x04": "a spreadsheet workbook (XLSX or ODS)",
    b"\xd0\xcf\x11\xe0": "an old Excel workbook (XLS)",
    b"%PDF": "a PDF document",
}
NOT_CSV = "Not a CSV file"
SAVE_AS_CSV = "Open it in a spreadsheet program and save the sheet as “CSV UTF-8 (comma delimited)”, then import that."


def _not_csv(content: bytes) -> Problem | None:
    for signature, what in NOT_TEXT.items():
        if content.startswith(signature):
            return Problem(1, "", f"this file is {what}, not a CSV file. {SAVE_AS_CSV}")
    if b"\x00" in content[:65536]:
        # Binary, or text in UTF-16 (Excel's "Unicode text"): a CSV never holds a NUL byte.
        return Problem(1, "", f"this file is not CSV text. {SAVE_AS_CSV}")
    return None


def _unreadable(error: csv.Error) -> str:
    if "field larger than field limit" in str(error):
        return (
            f"a cell runs on for more than {csv.field_size_limit():,} characters: is a quotation mark left open above?"
        )
    return f"this line cannot be read as CSV ({error})"


def parse_official_file(content: bytes | str) -> ParsedFile:
    """Recognise the format from the header and read every row, collecting problems.

    A file that is not CSV text (a workbook, a binary file, an unclosed quotation mark that
    swallows the rest of the file) is one problem that says what it is, never an error.
    """
    if isinstance(content, bytes):
        problem = _not_csv(content)
        if problem:
            return ParsedFile(NOT_CSV, problems=[problem])
        content = content.decode("utf-8-sig", errors="replace")
    reader = csv.reader(io.StringIO(content))
    try:
        header = next(reader)
    except StopIteration:
        return ParsedFile("empty", problems=[Problem(1, "", "the file is empty")])
    except csv.Error as error:
        return ParsedFile(NOT_CSV, problems=[Problem(reader.line_num, "", _unreadable(error))])
    kind = _detect(header)
    if kind is None:
        return ParsedFile(
            "unknown",
            problems=[Problem(1, "", "the header matches none of the known formats (see the import page)")],
        )
    columns = [_normal(name) for name in header]
    try:
        rows = [dict(zip(columns, row, strict=False)) for row in reader]
    except csv.Error as error:
        return ParsedFile(kind, problems=[Problem(reader.line_num, "", _unreadable(error))])
    names = ForceNames()
    parser = {PRC: _parse_prc, WORKFORCE: _parse_workforce, SIMPLE: _parse_simple, STRENGTH: _parse_strength}[kind]
    parsed = ParsedFile(kind)
    parser(rows, names, parsed)
    return parsed


def _parse_prc(rows: list[dict[str, str]], names: ForceNames, parsed: ParsedFile) -> None:
    sums: dict[tuple[str, int], dict[str, int]] = defaultdict(dict)
    lines: dict[tuple[str, int], int] = {}
    for line, row in enumerate(rows, start=2):
        code = (row.get("offence code") or "").strip().upper()
        if code not in (WITH_INJURY_CODE, WITHOUT_INJURY_CODE):
            parsed.skipped += 1
            continue
        force_name = row.get("force name", "")
        if _normal(force_name) in NOT_FORCES:
            parsed.skipped += 1
            continue
        area = _area(force_name, names, line, "Force Name", parsed.problems)
        year = _year(row.get("financial year", ""), line, "Financial Year", parsed.problems)
        quarter = (row.get("financial quarter") or "").strip()
        if quarter not in ("1", "2", "3", "4"):
            parsed.problems.append(Problem(line, "Financial Quarter", f"'{quarter}' is not a quarter 1 to 4"))
        count = _count(row.get("number of offences", ""), line, "Number of Offences", parsed.problems, required=True)
        if area and year is not None and count is not None:
            sums[(area, year)][code] = sums[(area, year)].get(code, 0) + count
            lines.setdefault((area, year), line)
    for (area, year), by_code in sorted(sums.items()):
        with_injury, without_injury = by_code.get(WITH_INJURY_CODE), by_code.get(WITHOUT_INJURY_CODE)
        total = with_injury + without_injury if with_injury is not None and without_injury is not None else None
        parsed.figures.append(
            FigureRow(
                area,
                year,
                with_injury,
                without_injury,
                total,
                basis="PRC 8S+104, four quarters",
                line=lines[(area, year)],
            )
        )


def _as_at(value: str, line: int, column: str, problems: list[Problem]) -> datetime.date | None:
    text = (value or "").strip()
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d-%b-%y", "%d-%b-%Y", "%d %B %Y", "%Y"):
        try:
            parsed = datetime.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
        if pattern == "%Y":
            parsed = parsed.replace(month=3, day=31)
        if (parsed.month, parsed.day) != (3, 31):
            break
        return parsed
    problems.append(Problem(line, column, f"'{_shown(value)}' is not a 31 March date"))
    return None


def _parse_workforce(rows: list[dict[str, str]], names: ForceNames, parsed: ParsedFile) -> None:
    sums: dict[tuple[str, datetime.date], list[Decimal]] = {}
    lines: dict[tuple[str, datetime.date], int] = {}
    for line, row in enumerate(rows, start=2):
        if _normal(row.get("worker type", "")) != "police officer":
            parsed.skipped += 1
            continue
        area = _area(row.get("force name", ""), names, line, "Force name", parsed.problems)
        as_at = _as_at(row.get("as at 31 march", ""), line, "As at 31 March", parsed.problems)
        fte = _number(row.get("total fte") or "0")
        if fte is None:
            parsed.problems.append(Problem(line, "Total (FTE)", "not a number"))
            continue
        headcount = _count(row.get("total headcount", "") or "", line, "Total (Headcount)", parsed.problems)
        if not 0 <= fte <= MAX_COUNT:
            parsed.problems.append(Problem(line, "Total (FTE)", f"{fte} is not a number of officers"))
        if area and as_at:
            totals = sums.setdefault((area, as_at), [Decimal(0), Decimal(0)])
            totals[0] += fte
            totals[1] += headcount or 0
            lines.setdefault((area, as_at), line)
    for (area, as_at), (fte, headcount) in sorted(sums.items()):
        parsed.strengths.append(StrengthRow(area, as_at, fte, int(headcount) or None, line=lines[(area, as_at)]))


def _column(row: dict[str, str], *prefixes: str) -> tuple[str, str]:
    for name, value in row.items():
        if name is not None and name.startswith(prefixes):
            return name, value or ""
    return "", ""


def _parse_simple(rows: list[dict[str, str]], names: ForceNames, parsed: ParsedFile) -> None:
    seen: dict[tuple[str, int], int] = {}
    for line, row in enumerate(rows, start=2):
        if not any((value or "").strip() for value in row.values()):
            continue
        code_column, code_value = _column(row, "code")
        force_column, force_value = _column(row, "force", "area")
        if code_value.strip():
            area = _area(code_value, names, line, code_column, parsed.problems)
        elif force_column:
            area = _area(force_value, names, line, force_column, parsed.problems)
        else:
            area = NATIONAL  # a sheet with no force column holds England and Wales figures
        year = _year(row.get("financial year", ""), line, "financial year", parsed.problems)
        with_column, with_value = _column(row, "with injury")
        without_column, without_value = _column(row, "without injury")
        with_injury = _count(with_value, line, with_column, parsed.problems)
        without_injury = _count(without_value, line, without_column, parsed.problems)
        total = _count(row.get("total", ""), line, "total", parsed.problems)
        if total is None and with_injury is None and without_injury is None:
            parsed.problems.append(Problem(line, "total", "no count at all on this line"))
        # Before 2017/18 the total was an estimate and its parts came from other bases
        # (DOMAIN.md): only a comparable year must add up.
        comparable = year is not None and is_comparable(year)
        if comparable and None not in (total, with_injury, without_injury) and total != with_injury + without_injury:
            parsed.problems.append(
                Problem(
                    line, "total", f"{total} is not {with_injury} + {without_injury} = {with_injury + without_injury}"
                )
            )
        if area and year is not None:
            if (area, year) in seen:
                parsed.problems.append(
                    Problem(line, "financial year", f"the same figure is already on line {seen[(area, year)]}")
                )
            seen[(area, year)] = line
        source_column, source = _column(row, "source")
        url = source.split(" ; ")[0].strip() if source.strip().startswith("http") else ""
        if area and year is not None:
            parsed.figures.append(
                FigureRow(
                    area,
                    year,
                    with_injury,
                    without_injury,
                    total,
                    basis=(row.get("basis") or "").strip()[:200],
                    source_url=url[:500],
                    note=(row.get("note") or row.get("notes") or ("" if url else source)).strip(),
                    line=line,
                )
            )


def _parse_strength(rows: list[dict[str, str]], names: ForceNames, parsed: ParsedFile) -> None:
    for line, row in enumerate(rows, start=2):
        area = _area(row.get("code", ""), names, line, "code", parsed.problems)
        as_at = _as_at(row.get("as at", ""), line, "as_at", parsed.problems)
        fte = _number(row.get("officers fte") or "")
        if fte is None:
            shown = _shown(row.get("officers fte") or "")
            parsed.problems.append(Problem(line, "officers_fte", f"'{shown}' is not a number"))
            continue
        if not 0 < fte <= MAX_COUNT:
            parsed.problems.append(Problem(line, "officers_fte", f"{fte} is not a positive number of officers"))
            continue
        headcount = _count(row.get("officers headcount", ""), line, "officers_headcount", parsed.problems)
        source = (row.get("source url") or "").strip()
        if area and as_at:
            parsed.strengths.append(
                StrengthRow(area, as_at, fte, headcount, source_url=source.split(" ")[0][:500], line=line)
            )
