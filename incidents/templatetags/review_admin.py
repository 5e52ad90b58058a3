"""The review change list's date drill-down, drawn from the calendar instead of the data.

Django's own date hierarchy asks the database for MIN/MAX and the DISTINCT years, months
or days of the filtered rows on every page load: a scan of the whole table at a million
reports. The choices here are the years, months of a year or days of a month that hold a
report the reviewer may see (one probe each, incident_periods_for_staff); choosing one
filters by a date range, which the (force, date) and date indexes serve.
"""

from __future__ import annotations

import calendar
import datetime
from typing import Any

from django import template
from django.utils import formats, timezone
from django.utils.text import capfirst

register = template.Library()


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@register.inclusion_tag("admin/date_hierarchy.html")
def calendar_date_hierarchy(cl: Any, periods: list[int]) -> dict[str, Any]:
    """``periods``: the years, the months of the chosen year or the days of the chosen month
    that hold reports (incident_periods_for_staff)."""
    if not cl.date_hierarchy:
        return {"show": False}
    today = timezone.localdate()
    field = cl.date_hierarchy
    year_field, month_field, day_field = f"{field}__year", f"{field}__month", f"{field}__day"
    year, month, day = (_int(cl.params.get(name)) for name in (year_field, month_field, day_field))

    def link(filters: dict[str, Any]) -> str:
        return cl.get_query_string(filters, [f"{field}__"])

    if year and month and day:
        try:
            chosen = datetime.date(year, month, day)
        except ValueError:
            return {"show": False}
        return {
            "show": True,
            "back": {
                "link": link({year_field: year, month_field: month}),
                "title": capfirst(formats.date_format(chosen, "YEAR_MONTH_FORMAT")),
            },
            "choices": [{"title": capfirst(formats.date_format(chosen, "MONTH_DAY_FORMAT"))}],
        }
    if year and month and 1 <= month <= 12:
        last = calendar.monthrange(year, month)[1]
        days = [datetime.date(year, month, n) for n in range(1, last + 1)]
        return {
            "show": True,
            "back": {"link": link({year_field: year}), "title": str(year)},
            "choices": [
                {
                    "link": link({year_field: year, month_field: month, day_field: d.day}),
                    "title": capfirst(formats.date_format(d, "MONTH_DAY_FORMAT")),
                }
                for d in days
                if d <= today and d.day in periods
            ],
        }
    if year:
        months = [datetime.date(year, n, 1) for n in range(1, 13)]
        return {
            "show": True,
            "back": {"link": link({}), "title": "All dates"},
            "choices": [
                {
                    "link": link({year_field: year, month_field: m.month}),
                    "title": capfirst(formats.date_format(m, "YEAR_MONTH_FORMAT")),
                }
                for m in months
                if m <= today and m.month in periods
            ],
        }
    return {
        "show": True,
        "back": None,
        "choices": [{"link": link({year_field: y}), "title": str(y)} for y in periods],
    }
