"""Financial years: 1 April to 1 April, Europe/London, half-open [start, end)."""

from __future__ import annotations

import datetime
import re

from django.db.models import Case, ExpressionWrapper, IntegerField, Value, When
from django.db.models.functions import ExtractYear

from incidents.periods import LONDON, financial_year_of

__all__ = [
    "LONDON",
    "financial_year_bounds",
    "financial_year_expression",
    "financial_year_label",
    "financial_year_of",
    "parse_financial_year",
]

YEAR_PATTERN = re.compile(r"^\s*(\d{4})\s*[/_-]\s*(\d{2}|\d{4})\s*$")


def financial_year_bounds(year: int) -> tuple[datetime.datetime, datetime.datetime]:
    """[1 April ``year`` 00:00, 1 April ``year + 1`` 00:00) in London time."""
    return (
        datetime.datetime(year, 4, 1, tzinfo=LONDON),
        datetime.datetime(year + 1, 4, 1, tzinfo=LONDON),
    )


def financial_year_label(year: int) -> str:
    return f"{year}/{str(year + 1)[-2:]}"


def parse_financial_year(text: str) -> int:
    """'2019/20', '2019-20', '2019_20' (or with the full second year) -> 2019."""
    match = YEAR_PATTERN.match(str(text))
    if not match:
        raise ValueError(f"not a financial year like 2019/20: {text!r}")
    start, end = int(match.group(1)), match.group(2)
    end_year = int(end) if len(end) == 4 else (start // 100) * 100 + int(end)
    if end_year != start + 1 or not 1990 <= start <= 2100:
        raise ValueError(f"not a financial year like 2019/20: {text!r}")
    return start


def financial_year_expression(field: str) -> ExpressionWrapper:
    """The financial year of a date column, computed by the database (for GROUP BY)."""
    return ExpressionWrapper(
        ExtractYear(field) - Case(When(**{f"{field}__month__lt": 4}, then=Value(1)), default=Value(0)),
        output_field=IntegerField(),
    )
