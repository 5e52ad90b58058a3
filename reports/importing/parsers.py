"""The four formats' rows, read into figures and officer strength, every problem kept.

Recorded crime: a force's offence (8S or 104) counts for a year only when each of quarters
1-4 is there exactly once. A quarterly release always carries the current, partial year: it
is reported in the summary and never stored as that year's figure. The same force, year,
quarter and offence twice is an error with both lines. Where a file holds every force's whole
year, England and Wales is their sum (and checked against a national figure in the file).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from itertools import chain

from reports.choices import FigureBasis
from reports.importing.formats import PRC, SIMPLE, STRENGTH, WORKFORCE, header_score, recognise, unrecognised_header
from reports.importing.rows import (
    MAX_COUNT,
    NOT_FORCES,
    QUARTERS,
    WITH_INJURY_CODE,
    WITHOUT_INJURY_CODE,
    FigureRow,
    ForceNames,
    ParsedFile,
    Problem,
    Row,
    StrengthRow,
    number,
    shown,
)
from reports.importing.sheets import (
    HEADER_SEARCH_ROWS,
    NotASpreadsheet,
    Sheet,
    UnreadableLine,
    normal,
    read_sheets,
)
from reports.importing.simple import parse_simple
from reports.models import NATIONAL

NOT_READABLE = "Not a readable spreadsheet"


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
    """Sheet by sheet: each one's header is found when it is reached, and its rows read before
    the next sheet is opened, so a workbook of many years holds one sheet in memory at a time."""
    names = ForceNames()
    remaining = iter(sheets)
    notes: list[str] = []
    likeliest: tuple[Sheet, Header] | None = None
    first: tuple[Sheet, Header] | None = None
    for sheet in remaining:
        header = _find_header(sheet)
        if header.kind is not None:
            first = (sheet, header)
            break
        if header.columns and (likeliest is None or header.score > likeliest[1].score):
            likeliest = (sheet, header)
        _left_out(sheet, notes)
    if first is None:
        if likeliest is None:
            return ParsedFile("empty", problems=[Problem(1, "", "the file is empty, or holds no table")])
        sheet, header = likeliest
        message = unrecognised_header(set(header.columns) - {""})
        return ParsedFile("unknown", problems=[Problem(header.line, "", message, sheet.name)])
    parsed = ParsedFile(first[1].kind or "", notes=notes)

    def rows() -> Iterator[Row]:
        later = ((sheet, _find_header(sheet)) for sheet in remaining)
        for sheet, header in chain([first], later):
            if header.kind is None:
                _left_out(sheet, parsed.notes)
                continue
            if header.kind != parsed.kind:
                parsed.problems.append(
                    Problem(
                        header.line,
                        "",
                        f"this sheet is a {header.kind} table, the first a {parsed.kind}: import each alone",
                        sheet.name,
                    )
                )
                sheet.rows.close()
                continue
            for line, cells in sheet.rows:
                if any(cells):
                    yield Row(sheet.name, line, dict(zip(header.columns, cells, strict=False)), parsed.problems)

    parser = {PRC: _parse_prc, WORKFORCE: _parse_workforce, SIMPLE: parse_simple, STRENGTH: _parse_strength}
    parser[parsed.kind](rows(), names, parsed)
    if parsed.kind in (PRC, SIMPLE) and not parsed.problems:
        _derive_national(parsed, names)
    return parsed


def _left_out(sheet: Sheet, notes: list[str]) -> None:
    """A sheet with no table (a cover, notes): said in the summary, and let go of at once."""
    sheet.rows.close()
    if sheet.name:
        notes.append(f"Sheet '{sheet.name}' holds no table of a known format: left out.")


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
            row.problem("Financial Quarter", f"'{shown(quarter_text)}' is not a quarter 1 to 4")
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
    for (area, year), totals in sorted(by_year.items()):
        with_injury, without_injury = totals.get(WITH_INJURY_CODE), totals.get(WITHOUT_INJURY_CODE)
        if with_injury is not None and without_injury is not None:
            figure = FigureRow(area, year, with_injury, without_injury, with_injury + without_injury)
        elif with_injury is not None:
            figure = FigureRow(area, year, with_injury, None, None, basis=FigureBasis.EIGHT_S_ONLY)
        else:
            figure = FigureRow(area, year, None, without_injury, None, basis=FigureBasis.ONLY_104)
        parsed.figures.append(figure)


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
        with_injury = _sum_or_none([row.with_injury for row in rows])
        without_injury = _sum_or_none([row.without_injury for row in rows])
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


def _sum_or_none(counts: list[int | None]) -> int | None:
    """The counts' sum, or None if any of them is missing."""
    known = [count for count in counts if count is not None]
    return sum(known) if len(known) == len(counts) else None


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
        fte = number(row.get("total fte") or "0")
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
    for (area, as_at), (fte_total, headcount_total) in sorted(sums.items()):
        parsed.strengths.append(
            StrengthRow(area, as_at, fte_total, int(headcount_total) or None, line=lines[(area, as_at)])
        )


# -- officer strength (the simple sheet of it) ------------------------------------------


def _parse_strength(rows: Iterator[Row], names: ForceNames, parsed: ParsedFile) -> None:
    for row in rows:
        area = row.area("code", names)
        as_at = row.as_at("as at")
        fte = number(row.get("officers fte"))
        if fte is None:
            row.problem("officers_fte", f"'{shown(row.get('officers fte'))}' is not a number")
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
