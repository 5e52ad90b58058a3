"""The simple sheet of figures a rep or national staff type by hand: force (or code), financial
year, with injury, without injury, total, and optionally basis, source kind, missing, source
and note. A missing basis is the one the counts show; a given one is checked against them."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from typing import Literal

from reports.choices import FIRST_8S_YEAR, FigureBasis, SourceKind
from reports.importing.rows import FigureRow, ForceNames, ParsedFile, Row, shown
from reports.models import NATIONAL
from reports.periods import financial_year_label


def _compact(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def _choice_names(choices: type[FigureBasis] | type[SourceKind]) -> dict[str, str]:
    """Each choice by its stored value and its label, written any way (spaces, case, "+")."""
    found: dict[str, str] = {}
    for value, label in choices.choices:
        name = str(label)
        for text in (value, name, name.split(",")[0], name.split("(")[0]):
            found.setdefault(_compact(text), value)
    return found


BASES = _choice_names(FigureBasis) | {"8s104wholeyear": FigureBasis.EIGHT_S_AND_104, "8s": FigureBasis.EIGHT_S_ONLY}
SOURCE_KINDS = _choice_names(SourceKind) | {"homeoffice": SourceKind.HOME_OFFICE}


def parse_simple(rows: Iterator[Row], names: ForceNames, parsed: ParsedFile) -> None:
    # One figure per area, year and source: a sheet may hold a year's figures from several
    # sources, each row naming its own, but not the same one twice.
    seen: dict[tuple[str, int, str, object], int] = {}
    inferred = False
    for row in rows:
        figure = _simple_figure(row, names)
        if figure is None:
            continue
        inferred = inferred or not row.get("basis").strip()
        key = (figure.area, figure.financial_year, figure.source_title, figure.published_on)
        if key in seen:
            row.problem(
                "financial year", f"{names.label(figure.area, figure.financial_year)} is already on line {seen[key]}"
            )
            continue
        seen[key] = row.line
        parsed.figures.append(figure)
    if inferred:
        parsed.notes.append(
            "Where a row gives no basis it is taken from its counts: both parts, 8S + 104 whole year; a total "
            "alone, total only; one part, that offence only. Add a basis column to say otherwise "
            "(emergency_workers, pre_2017_estimate, partial_coverage, ...)."
        )


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
            row.problem("source kind", f"'{shown(row.get('source kind'))}' is not one of {kinds}")
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
    # A row may name its own source (a "source" column: a title, or an address) and the day it
    # was published; otherwise it is the release's, given when the file is imported.
    source = row.get("source").strip()
    address = row.starting("source url")[1].strip() or (source if source.startswith("http") else "")
    published = _published(row)
    if published is False:
        return None
    return FigureRow(
        area,
        year,
        with_injury,
        without_injury,
        total,
        basis=basis,
        source_kind=source_kind,
        missing_areas=missing,
        source_title="" if source.startswith("http") else source[:200],
        published_on=published or None,
        source_url=address.split(" ; ")[0].strip()[:500],
        note=(row.get("note") or row.get("notes")).strip(),
        line=row.line,
    )


def _published(row: Row) -> datetime.date | None | Literal[False]:
    """The row's own publication date, None if it gives none, False (and a problem) if unreadable."""
    text = row.get("published").strip()
    if not text:
        return None
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d %B %Y", "%d %b %Y"):
        try:
            return datetime.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    row.problem("published", f"'{shown(text)}' is not a date like 2022-07-27")
    return False


def _basis(row: Row, year: int, with_injury: int | None, without_injury: int | None, total: int | None) -> str | None:
    """The basis the sheet gives, or the one its counts show; checked against those counts."""
    given = row.get("basis").strip()
    if given:
        basis = BASES.get(_compact(given))
        if basis is None:
            bases = ", ".join(FigureBasis.values)
            row.problem("basis", f"'{shown(given)}' is not a basis we know: use one of {bases}")
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
    if (
        with_injury is not None
        and without_injury is not None
        and total is not None
        and basis != FigureBasis.PRE_2017_ESTIMATE
        and total != with_injury + without_injury
    ):
        return f"{total} is not {with_injury} + {without_injury} = {with_injury + without_injury}"
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
