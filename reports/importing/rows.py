"""A file's rows as the parsers read them: cells by column, counts, years, forces, and the
problems they raise, each with its sheet, line and column."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal

from incidents.models import Force
from reports.choices import FigureBasis
from reports.importing.sheets import normal
from reports.models import NATIONAL
from reports.periods import financial_year_label, parse_financial_year

WITH_INJURY_CODE = "8S"
WITHOUT_INJURY_CODE = "104"
QUARTERS = frozenset({1, 2, 3, 4})
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
    "hampshire": "E23000030",
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
    sheet: str = ""

    def __str__(self) -> str:
        where = f"sheet '{self.sheet}', " if self.sheet else ""
        column = f", column '{self.column}'" if self.column else ""
        return f"{where}line {self.line}{column}: {self.message}"


@dataclass
class FigureRow:
    area: str
    financial_year: int
    with_injury: int | None
    without_injury: int | None
    total: int | None
    basis: str = FigureBasis.EIGHT_S_AND_104
    source_kind: str = ""  # "": the release's own
    missing_areas: list[str] = field(default_factory=list)
    derived: bool = False
    source_title: str = ""  # "": the release's own
    published_on: datetime.date | None = None  # None: the release's own
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
    # For the import summary: partial years not imported, sheets without a table, how
    # England and Wales was derived and checked.
    notes: list[str] = field(default_factory=list)
    skipped: int = 0


class ForceNames:
    """Force names, codes and known variants to force codes, and codes back to names."""

    def __init__(self) -> None:
        self.codes: dict[str, str] = dict(VARIANTS)
        self.names: dict[str, str] = {NATIONAL: "England and Wales"}
        for force in Force.objects.all():
            self.names[force.code] = force.short_name
            for name in (force.code, force.ons_name, force.official_name, force.short_name, force.slug):
                if name:
                    self.codes[normal(name)] = force.code
                    self.codes[normal(name).replace(" and ", " & ")] = force.code
                    self.codes[normal(name).replace(" & ", " and ")] = force.code
        for name in NATIONAL_NAMES:
            self.codes[name] = NATIONAL
        self.codes[NATIONAL.lower()] = NATIONAL

    def code(self, name: str) -> str | None:
        return self.codes.get(normal(name).rstrip("."))

    def force_codes(self) -> set[str]:
        return set(self.names) - {NATIONAL}

    def label(self, area: str, year: int) -> str:
        return f"{self.names.get(area, area)} {financial_year_label(year)}"


# -- cells -----------------------------------------------------------------------------


def shown(value: str) -> str:
    """A cell as a message quotes it: short, and with no control characters."""
    text = "".join(char if char.isprintable() else "?" for char in value[:40])
    return text + ("…" if len(value) > 40 else "")


def number(value: str) -> Decimal | None:
    """A plain number as tables write it ("1,234", "-3", "1234.5"), or None.

    Decimal alone would take "NaN", "Infinity" and "1e999999999" (whose int() is a billion
    digits): a count in a table is never written so.
    """
    text = (value or "").strip().replace(",", "")
    if len(text) > 30 or not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", text):
        return None
    return Decimal(text)


class Row:
    """One data row: its cells by normalised column name, and where it is, for problems."""

    def __init__(self, sheet: str, line: int, cells: dict[str, str], problems: list[Problem]) -> None:
        self.sheet, self.line, self.cells, self._problems = sheet, line, cells, problems

    def get(self, name: str) -> str:
        return self.cells.get(name, "")

    def starting(self, *prefixes: str) -> tuple[str, str]:
        """The column whose name starts with the first prefix any does (``with injury 8S``),
        and its cell."""
        for prefix in prefixes:
            for name, value in self.cells.items():
                if name.startswith(prefix):
                    return name, value
        return "", ""

    def problem(self, column: str, message: str) -> None:
        self._problems.append(Problem(self.line, column, message, self.sheet))

    def count(self, column: str, *, value: str | None = None, required: bool = False) -> int | None:
        text = (self.get(column) if value is None else value).strip()
        if not text:
            if required:
                self.problem(column, "a count is needed here")
            return None
        count = number(text)
        if count is None or count != count.to_integral_value():
            self.problem(column, f"'{shown(text)}' is not a whole number")
            return None
        if count < 0:
            self.problem(column, f"{count} is negative")
            return None
        if count > MAX_COUNT:
            self.problem(column, f"{count} is implausibly large")
            return None
        return int(count)

    def year(self, column: str) -> int | None:
        try:
            return parse_financial_year(self.get(column))
        except ValueError:
            self.problem(column, f"'{shown(self.get(column))}' is not a financial year like 2019/20")
            return None

    def area(self, column: str, names: ForceNames, *, value: str | None = None) -> str | None:
        text = self.get(column) if value is None else value
        code = names.code(text)
        if code is None:
            self.problem(column, f"'{shown(text)}' is not a force we know")
        return code

    def as_at(self, column: str) -> datetime.date | None:
        text = self.get(column).strip()
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
        self.problem(column, f"'{shown(text)}' is not a 31 March date")
        return None
