"""The review list's filters, and the parameters its links and exports accept: an allow-list.

Django's admin lets a link filter on any of the model's own fields, declared as a filter or
not: ``?officer=<id>`` would group "statistics only" reports by who filed them, and the
officer's named reports would then name the withheld ones. So every admin here accepts
lookups on its declared filters only (``DeclaredFiltersOnly``), and the review list and its
exports go further: each parameter is taken by name from ``REVIEW_LIST_PARAMETERS`` with its
value checked, and a link with anything else is refused with a message before it reaches a
query (a force the rep does not cover, a year that cannot exist, a stray field name).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from typing import Any, ClassVar

from django.contrib import admin, messages
from django.contrib.admin.exceptions import DisallowedModelAdminToField
from django.contrib.admin.views.main import ALL_VAR, ERROR_FLAG, ORDER_VAR, PAGE_VAR, SEARCH_VAR
from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone

from incidents.choices import AWAITING_REVIEW_STATUSES, Answer, AssaultKind, Injury, ReportedToForce, Status
from incidents.models import EARLIEST_INCIDENT_DATE, Force, Incident, IncidentAssault, signed_in_user
from incidents.selectors import staff_force_ids, staff_is_national

# A report staff can see has been sent: it is anything but a draft.
SENT_STATUSES = frozenset(Status.values) - {Status.DRAFT}


def latest_financial_year() -> int:
    today = timezone.localdate()
    return today.year if today.month >= 4 else today.year - 1


class StatusFilter(admin.SimpleListFilter):
    """The statuses a sent report can have: Django's own filter would offer "Draft" too,
    which staff never see. The parameter keeps the name Django's filter gives it."""

    title = "status"
    parameter_name = "status__exact"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(value, str(label)) for value, label in Status.choices if value in SENT_STATUSES]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Incident]) -> QuerySet[Incident]:
        return queryset.filter(status=self.value()) if self.value() in SENT_STATUSES else queryset


class ScopedForceFilter(admin.SimpleListFilter):
    title = "force"
    parameter_name = "force"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        user = signed_in_user(request)
        forces = Force.objects.order_by("short_name")
        if not staff_is_national(user):
            forces = forces.filter(pk__in=staff_force_ids(user))
        return [(str(force.pk), force.short_name) for force in forces]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Incident]) -> QuerySet[Incident]:
        value = self.value()
        if not value:
            return queryset
        # Checked by review_list_problems before any query; a stray value still finds nothing.
        force_id = _whole_number(value, 1, 2**31 - 1)
        return queryset.filter(force_id=force_id) if force_id else queryset.none()


class WhatHappenedFilter(admin.SimpleListFilter):
    title = "what happened"
    parameter_name = "assault"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(value, str(label)) for value, label in AssaultKind.choices]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Incident]) -> QuerySet[Incident]:
        if not self.value():
            return queryset
        # EXISTS, not a join: one row per report, served by the (kind, incident) index.
        return queryset.filter(Exists(IncidentAssault.objects.filter(incident=OuterRef("pk"), kind=self.value())))


class FinancialYearFilter(admin.SimpleListFilter):
    """Financial years (1 April to 1 April), as the official statistics count them."""

    title = "financial year"
    parameter_name = "year"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(str(year), f"{year}/{str(year + 1)[-2:]}") for year in range(latest_financial_year(), 2016, -1)]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Incident]) -> QuerySet[Incident]:
        value = self.value()
        if not value:
            return queryset
        year = _whole_number(value, FIRST_YEAR, latest_financial_year())
        if year is None:
            return queryset.none()
        start = datetime.date(year, 4, 1)
        return queryset.filter(occurred_on__gte=start, occurred_on__lt=start.replace(year=year + 1))


class AssignedFilter(admin.SimpleListFilter):
    title = "assigned rep"
    parameter_name = "assigned"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("me", "Assigned to me"), ("none", "Unassigned"), ("others", "Assigned to others")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Incident]) -> QuerySet[Incident]:
        user = signed_in_user(request)
        if self.value() == "me":
            return queryset.filter(assigned_rep=user)
        if self.value() == "none":
            return queryset.filter(assigned_rep__isnull=True)
        if self.value() == "others":
            return queryset.filter(assigned_rep__isnull=False).exclude(assigned_rep=user)
        return queryset


class WaitingFilter(admin.SimpleListFilter):
    title = "waiting"
    parameter_name = "waiting"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("over_7_days", "Waiting more than 7 days")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Incident]) -> QuerySet[Incident]:
        if self.value() == "over_7_days":
            return queryset.filter(
                status__in=AWAITING_REVIEW_STATUSES, submitted_at__lt=timezone.now() - datetime.timedelta(days=7)
            )
        return queryset


REVIEW_LIST_FILTERS = (
    StatusFilter,
    ScopedForceFilter,
    WhatHappenedFilter,
    "injury",
    "reported_to_force",
    AssignedFilter,
    FinancialYearFilter,
    "single_crewed",
    WaitingFilter,
)
DATE_HIERARCHY = "occurred_on"


# -- the allow-list ---------------------------------------------------------------------

# A report's date is never before 2010, so its financial year starts in 2009 at the earliest.
FIRST_YEAR = EARLIEST_INCIDENT_DATE.year - 1
SEARCH_MAX_LENGTH = 100
Check = Callable[[HttpRequest, str, dict[str, str]], str | None]


def _whole_number(value: str, low: int, high: int) -> int | None:
    """``value`` as an int in [low, high], or None: "1.5", "abc" and 20-digit numbers are not."""
    if not re.fullmatch(r"[0-9]{1,9}", value):
        return None
    number = int(value)
    return number if low <= number <= high else None


def one_of(values: list[str] | tuple[str, ...] | frozenset[str], what: str) -> Check:
    allowed = frozenset(values)

    def check(request: HttpRequest, value: str, params: dict[str, str]) -> str | None:
        return None if value in allowed else f"“{_shown(value)}” is not one of the {what} this list offers."

    return check


def _force(request: HttpRequest, value: str, params: dict[str, str]) -> str | None:
    force_id = _whole_number(value, 1, 2**31 - 1)
    if force_id is None or not Force.objects.filter(pk=force_id).exists():
        return "That force is not one we know."
    user = signed_in_user(request)
    if not staff_is_national(user) and force_id not in staff_force_ids(user):
        return "That force is not one you cover."
    return None


def _financial_year(request: HttpRequest, value: str, params: dict[str, str]) -> str | None:
    if _whole_number(value, FIRST_YEAR, latest_financial_year()) is None:
        return f"Choose a financial year from {FIRST_YEAR}/{str(FIRST_YEAR + 1)[-2:]} to the current one."
    return None


def _date_part(request: HttpRequest, value: str, params: dict[str, str], part: str) -> str | None:
    year = _whole_number(params.get(f"{DATE_HIERARCHY}__year", ""), EARLIEST_INCIDENT_DATE.year, 9999)
    month = _whole_number(params.get(f"{DATE_HIERARCHY}__month", ""), 1, 12)
    if part == "year":
        if year is None or year > timezone.localdate().year:
            return f"Choose a year from {EARLIEST_INCIDENT_DATE.year} to this year."
        return None
    if year is None:
        return "A month or day needs a year."
    if part == "month":
        return None if month is not None else "Choose a month from 1 to 12."
    day = _whole_number(value, 1, 31)
    if month is None or day is None:
        return "A day needs a month from 1 to 12 and a day from 1 to 31."
    try:
        datetime.date(year, month, day)
    except ValueError:
        return f"There is no {day} in that month."
    return None


def search_term(request: HttpRequest, value: str, params: dict[str, str]) -> str | None:
    if len(value) > SEARCH_MAX_LENGTH:
        return f"Search for at most {SEARCH_MAX_LENGTH} characters: a report or crime reference."
    return None


# The list sorts by its queue order, or by the assault's date (o=2: the date is the second
# column after the checkbox, IncidentAdmin.sortable_by): a sort by any other column would
# sort the whole table, which no index serves (0.8 s at a million reports).
ORDER_VALUES = frozenset({"2", "-2"})


def _order(request: HttpRequest, value: str, params: dict[str, str]) -> str | None:
    return None if value in ORDER_VALUES else "The list sorts by its queue or by date only."


def page_number(request: HttpRequest, value: str, params: dict[str, str]) -> str | None:
    return None if _whole_number(value, 0, 10**6) is not None else "That page number is not one we offer."


REVIEW_LIST_PARAMETERS: dict[str, Check] = {
    "status__exact": one_of(SENT_STATUSES, "statuses"),
    "force": _force,
    "assault": one_of(AssaultKind.values, "kinds of assault"),
    "injury__exact": one_of(Injury.values, "injuries"),
    "reported_to_force__exact": one_of(ReportedToForce.values, "answers to “reported to the force”"),
    "assigned": one_of(("me", "none", "others"), "choices of assigned rep"),
    "year": _financial_year,
    "single_crewed__exact": one_of(Answer.values, "single-crewed answers"),
    "waiting": one_of(("over_7_days",), "waiting times"),
    f"{DATE_HIERARCHY}__year": lambda request, value, params: _date_part(request, value, params, "year"),
    f"{DATE_HIERARCHY}__month": lambda request, value, params: _date_part(request, value, params, "month"),
    f"{DATE_HIERARCHY}__day": lambda request, value, params: _date_part(request, value, params, "day"),
    SEARCH_VAR: search_term,
    ORDER_VAR: _order,
    PAGE_VAR: page_number,
    # The admin sends a link it cannot show (a page past the end) back to "?e=1" with no
    # other parameter, and would answer that with a page about a broken database installation:
    # the whole list, with a message, is what the rep needs instead.
    ERROR_FLAG: lambda request, value, params: "That page of the list is not there any more.",
    # "all" shows every row of a short list (the admin allows it under list_max_show_all rows).
    ALL_VAR: one_of(("",), "list options"),
}
# The lookups among them, which the admin hands to ``lookup_allowed``.
REVIEW_LIST_LOOKUPS = frozenset(REVIEW_LIST_PARAMETERS) - {SEARCH_VAR, ORDER_VAR, PAGE_VAR, ERROR_FLAG, ALL_VAR}


def _shown(value: str) -> str:
    return value if len(value) <= 40 else value[:40] + "…"


def review_list_problems(request: HttpRequest) -> dict[str, str]:
    """Each parameter of the request the review list cannot take, with what is wrong with it."""
    return list_problems(request, REVIEW_LIST_PARAMETERS)


def refused_parameters(request: HttpRequest, problems: dict[str, str], *, url: str, verb: str) -> HttpResponse:
    """Back to the list at ``url`` with the parameters it can take, saying what was left out
    and why."""
    messages.error(request, f"{verb}. {' '.join(dict.fromkeys(problems.values()))}")
    kept = request.GET.copy()
    for name in problems:
        kept.pop(name, None)
    return redirect(f"{url}?{kept.urlencode()}" if kept else url)


def list_problems(request: HttpRequest, parameters: dict[str, Check]) -> dict[str, str]:
    """Each parameter of the request a list cannot take (``parameters``: the names it takes,
    each with the check of its value), with what is wrong with it.

    An unknown name (a model field the list does not offer as a filter, the admin's popup
    parameters) is refused by name; a known one is refused for a value it cannot hold.
    A parameter given twice is refused too: the admin would use only the last.
    """
    params = {name: request.GET[name] for name in request.GET}
    problems: dict[str, str] = {}
    for name in request.GET:
        check = parameters.get(name)
        if check is None:
            problems[name] = f"“{_shown(name)}” is not a filter of this list."
        elif len(request.GET.getlist(name)) > 1:
            problems[name] = f"“{_shown(name)}” is given more than once."
        else:
            problem = check(request, params[name], params)
            if problem:
                problems[name] = problem
    return problems


class DeclaredFiltersOnly:
    """For every ModelAdmin here: lookups from a link are allowed on declared filters only.

    Django allows a lookup on any of the model's own fields (``?officer=3``) whether it is a
    filter or not; here a lookup must name a declared list filter (a field filter's own
    ``__exact``/``__isnull`` forms included) or the date drill-down, so a field added to a
    model never becomes a filter by accident.
    """

    # Class attributes of the ModelAdmin this is mixed into.
    list_filter: ClassVar[Any]
    date_hierarchy: ClassVar[str | None]

    # The forms Django's own field filters put in their links: choices and booleans
    # (__exact, __isnull), related objects (__id__exact), dates (__gte, __lt).
    FIELD_FILTER_FORMS = ("exact", "isnull", "id__exact", "gte", "lt")

    def get_object(self, request: HttpRequest, object_id: str, from_field: str | None = None) -> Any:
        # An empty "?_to_field=" reaches here as a field named "" (Django checks the parameter
        # only when it is not empty) and was a 500: refused as any field it does not allow is.
        if from_field == "":
            raise DisallowedModelAdminToField("An empty _to_field is not a field.")
        return super().get_object(request, object_id, from_field)  # type: ignore[misc]  # mixin: ModelAdmin has it

    def lookup_allowed(self, lookup: str, value: str, request: HttpRequest | None = None) -> bool:
        allowed: set[str] = set()
        for entry in self.list_filter:
            field = entry[0] if isinstance(entry, tuple | list) else entry
            if isinstance(field, str):
                allowed.add(field)  # a filter of every value in the column links by the bare name
                allowed.update(f"{field}__{form}" for form in self.FIELD_FILTER_FORMS)
            elif getattr(field, "parameter_name", None):
                allowed.add(field.parameter_name)
        if self.date_hierarchy:
            allowed.update(f"{self.date_hierarchy}__{part}" for part in ("year", "month", "day"))
        return lookup in allowed
