"""The four formats' rows, read into figures and officer strength, every problem kept.

Recorded crime: a force's offence (8S or 104) counts for a year only when each of quarters
1-4 is there exactly once. A quarterly release always carries the current, partial year: it
is reported in the summary and never stored as that year's figure. The same force, year,
quarter and offence twice is an error with both lines. Where a file holds every force's whole
year, England and Wales is their sum (and checked against a national figure in the file).
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from incidents.models import Force
from reports.choices import FIRST_8S_YEAR, FigureBasis, SourceKind
from reports.importing.formats import PRC, SIMPLE, STRENGTH, WORKFORCE, header_score, recognise, unrecognised_header
from reports.importing.sheets import (
    HEADER_SEARCH_ROWS,
    NotASpreadsheet,
    Sheet,
    UnreadableLine,
    normal,
    read_sheets,
)
from reports.models import NATIONAL
from reports.periods import financial_year_label, parse_financial_year

NOT_READABLE = "Not a readable spreadsheet"
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


def _shown(value: str) -> str:
    """A cell as a message quotes it: short, and with no control characters."""
    text = "".join(char if char.isprintable() else "?" for char in value[:40])
    return text + ("…" if len(value) > 40 else "")


def _number(value: str) -> Decimal | None:
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
        number = _number(text)
        if number is None or number != number.to_integral_value():
            self.problem(column, f"'{_shown(text)}' is not a whole number")
            return None
        if number < 0:
            self.problem(column, f"{number} is negative")
            return None
        if number > MAX_COUNT:
            self.problem(column, f"{number} is implausibly large")
            return None
        return int(number)

    def year(self, column: str) -> int | None:
        try:
            return parse_financial_year(self.get(column))
        except ValueError:
            self.problem(column, f"'{_shown(self.get(column))}' is not a financial year like 2019/20")
            return None

    def area(self, column: str, names: ForceNames, *, value: str | None = None) -> str | None:
        text = self.get(column) if value is None else value
        code = names.code(text)
        if code is None:
            self.problem(column, f"'{_shown(text)}' is not a force we know")
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
        self.problem(column, f"'{_shown(text)}' is not a 31 March date")
        return None


# -- the file ---------------------------------------------------------------------------


def parse_official_file(content: bytes | str) -> ParsedFile:
    """Find each sheet's table by its header and read every row, collecting problems.

    A file that is not a spreadsheet at all, a header no format matches, an unreadable line:
    each is a problem that says what it is, never an error.
    """
    try:
        sheets = read_sheets(content.encode() if isinstance(content, str) else content)
        return _parse_sheets(sheets)
    except NotASpreadsheet as error:
        return ParsedFile(NOT_READABLE, problems=[Problem(1, "", str(error))])
    except UnreadableLine as error:
        return ParsedFile(NOT_READABLE, problems=[Problem(error.line, "", error.message)])


@dataclass
class Header:
    """A sheet's header row, or (kind None) the row likeliest to have been meant as one."""

    kind: str | None
    columns: list[str]  # normalised, in the sheet's order
    line: int
    score: int = 0


def _parse_sheets(sheets: list[Sheet]) -> ParsedFile:
    names = ForceNames()
    tables: list[tuple[Sheet, Header]] = []
    likeliest: tuple[Sheet, Header] | None = None
    notes = []
    for sheet in sheets:
        header = _find_header(sheet)
        if header.kind is not None:
            tables.append((sheet, header))
            continue
        if header.columns and (likeliest is None or header.score > likeliest[1].score):
            likeliest = (sheet, header)
        if sheet.name:
            notes.append(f"Sheet '{sheet.name}' holds no table of a known format: left out.")
    if not tables:
        if likeliest is None:
            return ParsedFile("empty", problems=[Problem(1, "", "the file is empty, or holds no table")])
        sheet, header = likeliest
        message = unrecognised_header(set(header.columns) - {""})
        return ParsedFile("unknown", problems=[Problem(header.line, "", message, sheet.name)])
    kinds = sorted({header.kind for _, header in tables if header.kind})
    parsed = ParsedFile(kinds[0], notes=notes)
    if len(kinds) > 1:
        parsed.problems.append(
            Problem(1, "", f"the sheets hold tables of different formats ({', '.join(kinds)}): import each alone")
        )
        return parsed
    rows = (
        Row(sheet.name, line, dict(zip(header.columns, cells, strict=False)), parsed.problems)
        for sheet, header in tables
        for line, cells in sheet.rows
        if any(cells)
    )
    parser = {PRC: _parse_prc, WORKFORCE: _parse_workforce, SIMPLE: _parse_simple, STRENGTH: _parse_strength}
    parser[parsed.kind](rows, names, parsed)
    if parsed.kind in (PRC, SIMPLE) and not parsed.problems:
        _derive_national(parsed, names)
    return parsed


def _find_header(sheet: Sheet) -> Header:
    """The sheet's header among its first rows (the rows after it are left to read)."""
    likeliest = Header(None, [], 1)
    for line, cells in sheet.rows:
        columns = [normal(cell) for cell in cells]
        if not any(columns):
            continue
        known = recognise(set(columns) - {""})
        if known is not None:
            return Header(known.kind, columns, line)
        score = header_score(set(columns))
        # The first row with anything in it, or a later one more like a known header.
        if not likeliest.columns or score > likeliest.score:
            likeliest = Header(None, columns, line, score)
        if line >= HEADER_SEARCH_ROWS:
            break
    return likeliest


# -- Home Office recorded crime ---------------------------------------------------------


def _parse_prc(rows: Iterator[Row], names: ForceNames, parsed: ParsedFile) -> None:
    # (area, year, code) -> quarter -> (count, where)
    quarters: dict[tuple[str, int, str], dict[int, tuple[int, str]]] = defaultdict(dict)
    for row in rows:
        code = row.get("offence code").strip().upper()
        if code not in (WITH_INJURY_CODE, WITHOUT_INJURY_CODE):
            parsed.skipped += 1
            continue
        force_name = row.get("force name")
        if normal(force_name) in NOT_FORCES:
            parsed.skipped += 1
            continue
        area = row.area("force name", names)
        year = row.year("financial year")
        quarter_text = row.get("financial quarter").strip()
        quarter = int(quarter_text) if quarter_text in ("1", "2", "3", "4") else None
        if quarter is None:
            row.problem("Financial Quarter", f"'{_shown(quarter_text)}' is not a quarter 1 to 4")
        count = row.count("number of offences", required=True)
        if area is None or year is None or quarter is None or count is None:
            continue
        where = f"sheet '{row.sheet}' line {row.line}" if row.sheet else f"line {row.line}"
        seen = quarters[(area, year, code)]
        if quarter in seen:
            row.problem(
                "Financial Quarter",
                f"{names.label(area, year)} quarter {quarter} of offence {code} is already on {seen[quarter][1]}",
            )
            continue
        seen[quarter] = (count, where)
    by_year: dict[tuple[str, int], dict[str, int]] = defaultdict(dict)
    partial: dict[tuple[str, int], list[str]] = defaultdict(list)
    for (area, year, code), counts in quarters.items():
        if set(counts) == QUARTERS:
            by_year[(area, year)][code] = sum(count for count, _ in counts.values())
        else:
            partial[(area, year)].append(f"{code} quarters {_quarters_text(set(counts))} only")
    for area, year in sorted(partial):
        parsed.notes.append(f"{names.label(area, year)}: {'; '.join(sorted(partial[(area, year)]))}, not imported.")
    for (area, year), counts in sorted(by_year.items()):
        with_injury, without_injury = counts.get(WITH_INJURY_CODE), counts.get(WITHOUT_INJURY_CODE)
        if with_injury is not None and without_injury is not None:
            row = FigureRow(area, year, with_injury, without_injury, with_injury + without_injury)
        elif with_injury is not None:
            row = FigureRow(area, year, with_injury, None, None, basis=FigureBasis.EIGHT_S_ONLY)
        else:
            row = FigureRow(area, year, None, without_injury, None, basis=FigureBasis.ONLY_104)
        parsed.figures.append(row)


def _quarters_text(quarters: set[int]) -> str:
    ordered = sorted(quarters)
    if ordered == list(range(ordered[0], ordered[-1] + 1)) and len(ordered) > 1:
        return f"{ordered[0]}-{ordered[-1]}"
    return ", ".join(str(quarter) for quarter in ordered)


# -- England and Wales from the forces --------------------------------------------------


def _derive_national(parsed: ParsedFile, names: ForceNames) -> None:
    """Where the file holds every force's whole-year 8S + 104 count, England and Wales is their
    sum; a national figure in the file is checked against it instead. A year with most but not
    all forces says which are missing."""
    forces = names.force_codes()
    national = {row.financial_year: row for row in parsed.figures if row.area == NATIONAL}
    by_year: dict[int, list[FigureRow]] = defaultdict(list)
    for row in parsed.figures:
        if row.area != NATIONAL and row.basis == FigureBasis.EIGHT_S_AND_104:
            by_year[row.financial_year].append(row)
    for year, rows in sorted(by_year.items()):
        covered = {row.area for row in rows}
        label = names.label(NATIONAL, year)
        if covered != forces:
            if len(covered) * 2 > len(forces):
                missing = ", ".join(sorted(names.names[code] for code in forces - covered))
                parsed.notes.append(
                    f"{label}: not summed from the forces ({len(covered)} of {len(forces)}; missing {missing})."
                )
            continue
        parts = [row.with_injury for row in rows], [row.without_injury for row in rows]
        with_injury = sum(parts[0]) if None not in parts[0] else None  # type: ignore[arg-type]
        without_injury = sum(parts[1]) if None not in parts[1] else None  # type: ignore[arg-type]
        total = sum(row.total or 0 for row in rows)
        published = national.get(year)
        if published is not None:
            published_count = published.total
            difference = "agrees" if published_count == total else f"differs by {abs((published_count or 0) - total):,}"
            parsed.notes.append(
                f"{label}: the {len(forces)} forces add up to {total:,}; the file's national figure is "
                f"{published_count if published_count is None else format(published_count, ',')} ({difference})."
            )
            continue
        parsed.figures.append(
            FigureRow(
                NATIONAL,
                year,
                with_injury,
                without_injury,
                total,
                derived=True,
                note=f"The sum of the {len(forces)} forces in this release.",
            )
        )
        parsed.notes.append(f"{label}: {total:,}, the sum of the {len(forces)} forces.")


# -- Home Office workforce --------------------------------------------------------------


def _parse_workforce(rows: Iterator[Row], names: ForceNames, parsed: ParsedFile) -> None:
    sums: dict[tuple[str, datetime.date], list[Decimal]] = {}
    lines: dict[tuple[str, datetime.date], int] = {}
    for row in rows:
        if normal(row.get("worker type")) != "police officer":
            parsed.skipped += 1
            continue
        area = row.area("force name", names)
        as_at = row.as_at("as at 31 march")
        fte = _number(row.get("total fte") or "0")
        if fte is None:
            row.problem("Total (FTE)", "not a number")
            continue
        headcount = row.count("total headcount")
        if not 0 <= fte <= MAX_COUNT:
            row.problem("Total (FTE)", f"{fte} is not a number of officers")
        if area and as_at:
            totals = sums.setdefault((area, as_at), [Decimal(0), Decimal(0)])
            totals[0] += fte
            totals[1] += headcount or 0
            lines.setdefault((area, as_at), row.line)
    for (area, as_at), (fte, headcount) in sorted(sums.items()):
        parsed.strengths.append(StrengthRow(area, as_at, fte, int(headcount) or None, line=lines[(area, as_at)]))


# -- officer strength (the simple sheet of it) ------------------------------------------


def _parse_strength(rows: Iterator[Row], names: ForceNames, parsed: ParsedFile) -> None:
    for row in rows:
        area = row.area("code", names)
        as_at = row.as_at("as at")
        fte = _number(row.get("officers fte"))
        if fte is None:
            row.problem("officers_fte", f"'{_shown(row.get('officers fte'))}' is not a number")
            continue
        if not 0 < fte <= MAX_COUNT:
            row.problem("officers_fte", f"{fte} is not a positive number of officers")
            continue
        headcount = row.count("officers headcount")
        source = row.get("source url").strip()
        if area and as_at:
            parsed.strengths.append(
                StrengthRow(area, as_at, fte, headcount, source_url=source.split(" ")[0][:500], line=row.line)
            )


# -- the simple sheet of figures --------------------------------------------------------


def _compact(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def _choice_names(choices: type[FigureBasis] | type[SourceKind]) -> dict[str, str]:
    """Each choice by its stored value and its label, written any way (spaces, case, "+")."""
    found: dict[str, str] = {}
    for value, label in choices.choices:
        for text in (value, label, label.split(",")[0], label.split("(")[0]):
            found.setdefault(_compact(text), value)
    return found


BASES = _choice_names(FigureBasis) | {"8s104wholeyear": FigureBasis.EIGHT_S_AND_104, "8s": FigureBasis.EIGHT_S_ONLY}
SOURCE_KINDS = _choice_names(SourceKind) | {"homeoffice": SourceKind.HOME_OFFICE}


def _parse_simple(rows: Iterator[Row], names: ForceNames, parsed: ParsedFile) -> None:
    seen: dict[tuple[str, int], int] = {}
    for row in rows:
        figure = _simple_figure(row, names)
        if figure is None:
            continue
        key = (figure.area, figure.financial_year)
        if key in seen:
            row.problem("financial year", f"{names.label(*key)} is already on line {seen[key]}")
            continue
        seen[key] = row.line
        parsed.figures.append(figure)


def _simple_figure(row: Row, names: ForceNames) -> FigureRow | None:
    code_column, code_value = row.starting("code")
    force_column, force_value = row.starting("force", "area")
    if code_value.strip():
        area = row.area(code_column, names, value=code_value)
    elif force_column:
        area = row.area(force_column, names, value=force_value)
    else:
        area = NATIONAL  # a sheet with no force column holds England and Wales figures
    year = row.year("financial year")
    with_column, with_value = row.starting("with injury")
    without_column, without_value = row.starting("without injury")
    with_injury = row.count(with_column, value=with_value)
    without_injury = row.count(without_column, value=without_value)
    total = row.count("total")
    if total is None and with_injury is None and without_injury is None:
        row.problem("total", "no count at all on this line")
        return None
    source_kind = ""
    if row.get("source kind").strip():
        source_kind = SOURCE_KINDS.get(_compact(row.get("source kind")), "")
        if not source_kind:
            kinds = ", ".join(SourceKind.values)
            row.problem("source kind", f"'{_shown(row.get('source kind'))}' is not one of {kinds}")
    if area is None or year is None:
        return None
    basis = _basis(row, year, with_injury, without_injury, total)
    if basis is None:
        return None
    missing = _missing(row, names, area, basis)
    if missing is None:
        return None
    if basis == FigureBasis.EIGHT_S_ONLY:
        total = None  # a total beside the 8S count alone is that count
    elif basis == FigureBasis.ONLY_104:
        total = None
    source = row.starting("source url")[1] or row.get("source")
    url = source.split(" ; ")[0].strip() if source.strip().startswith("http") else ""
    return FigureRow(
        area,
        year,
        with_injury,
        without_injury,
        total,
        basis=basis,
        source_kind=source_kind,
        missing_areas=missing,
        source_url=url[:500],
        note=(row.get("note") or row.get("notes") or ("" if url else source)).strip(),
        line=row.line,
    )


def _basis(row: Row, year: int, with_injury: int | None, without_injury: int | None, total: int | None) -> str | None:
    """The basis the sheet gives, or the one its counts show; checked against those counts."""
    given = row.get("basis").strip()
    if given:
        basis = BASES.get(_compact(given))
        if basis is None:
            bases = ", ".join(FigureBasis.values)
            row.problem("basis", f"'{_shown(given)}' is not a basis we know: use one of {bases}")
            return None
    elif year < FIRST_8S_YEAR:
        row.problem("basis", f"say what a {financial_year_label(year)} figure counts: there was no offence 8S yet")
        return None
    elif with_injury is not None and without_injury is None and total in (None, with_injury):
        basis = FigureBasis.EIGHT_S_ONLY
    elif without_injury is not None and with_injury is None and total in (None, without_injury):
        basis = FigureBasis.ONLY_104
    elif with_injury is None and without_injury is None:
        basis = FigureBasis.TOTAL_ONLY
    else:
        basis = FigureBasis.EIGHT_S_AND_104
    problem = _basis_problem(basis, year, with_injury, without_injury, total)
    if problem:
        row.problem("basis" if given else "total", problem)
        return None
    return basis


def _basis_problem(
    basis: str, year: int, with_injury: int | None, without_injury: int | None, total: int | None
) -> str | None:
    label = financial_year_label(year)
    if basis in (FigureBasis.EIGHT_S_AND_104, FigureBasis.TOTAL_ONLY, FigureBasis.EIGHT_S_ONLY) and (
        year < FIRST_8S_YEAR
    ):
        return f"offence 8S began on 1 April 2017: a {label} figure cannot count it (pre_2017_estimate or 104_only?)"
    if basis == FigureBasis.PRE_2017_ESTIMATE and year >= FIRST_8S_YEAR:
        return f"a {label} figure is not a pre-2017 estimate"
    if basis == FigureBasis.EIGHT_S_ONLY and (with_injury is None or without_injury is not None):
        return "an 8S-only figure has a with-injury count and no without-injury count"
    if basis == FigureBasis.EIGHT_S_ONLY and total not in (None, with_injury):
        return f"an 8S-only figure's total would be its with-injury count, {with_injury}, not {total}"
    if basis == FigureBasis.ONLY_104 and (without_injury is None or with_injury is not None):
        return "a 104-only figure has a without-injury count and no with-injury count"
    if basis == FigureBasis.ONLY_104 and total not in (None, without_injury):
        return f"a 104-only figure's total would be its without-injury count, {without_injury}, not {total}"
    if basis == FigureBasis.TOTAL_ONLY and (total is None or with_injury is not None or without_injury is not None):
        return "a total-only figure has a total and no parts (with both parts, its basis is 8s_104)"
    if basis == FigureBasis.EIGHT_S_AND_104 and total is None and (with_injury is None or without_injury is None):
        return "an 8S + 104 figure needs its total, or both its parts"
    both = with_injury is not None and without_injury is not None and total is not None
    if both and basis != FigureBasis.PRE_2017_ESTIMATE and total != with_injury + without_injury:  # type: ignore[operator]
        return f"{total} is not {with_injury} + {without_injury} = {with_injury + without_injury}"  # type: ignore[operator]
    return None


def _missing(row: Row, names: ForceNames, area: str, basis: str) -> list[str] | None:
    """The forces a figure of partial coverage leaves out (named in a "missing" column)."""
    column, text = row.starting("missing")
    codes = []
    for name in filter(None, (part.strip() for part in re.split(r"[;,]| and ", text))):
        code = row.area(column, names, value=name)
        if code is None:
            return None
        codes.append(code)
    if basis == FigureBasis.PARTIAL_COVERAGE:
        if area != NATIONAL:
            row.problem("basis", "partial coverage is for England and Wales figures that leave out some forces")
            return None
        if not codes:
            row.problem(column or "missing", "name the forces a figure of partial coverage leaves out")
            return None
    elif codes:
        row.problem(column, "only a figure of partial coverage names missing forces")
        return None
    return sorted(set(codes))
