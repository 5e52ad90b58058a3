"""Financial years, as the statistics count them: 1 April to 1 April, Europe/London.

Here, not in reports, because a change to a report marks the financial year it counts in
(incidents.services.events.statistics_changed), and incidents never imports reports."""

from __future__ import annotations

import datetime
import zoneinfo

LONDON = zoneinfo.ZoneInfo("Europe/London")


def financial_year_of(moment: datetime.date | datetime.datetime) -> int:
    """The financial year (by its starting calendar year) a date or aware datetime falls in."""
    if isinstance(moment, datetime.datetime):
        if moment.tzinfo is None:
            raise ValueError("an aware datetime is needed")
        moment = moment.astimezone(LONDON).date()
    return moment.year if moment.month >= 4 else moment.year - 1
