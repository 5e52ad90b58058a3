"""Pieces the reports app's admin lists share: a financial-year filter and the checks of the
year and sort-order parameters (incidents.admin.filters.list_problems)."""

from __future__ import annotations

import re
from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from incidents.admin.filters import Check
from reports.periods import financial_year_label


class FinancialYearFilter(admin.SimpleListFilter):
    """The years the model admin's rows have, as they are written (2018/19), newest first."""

    title = "financial year"
    parameter_name = "year"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        years = model_admin.model.objects.order_by("-financial_year").values_list("financial_year", flat=True)
        return [(str(year), financial_year_label(year)) for year in dict.fromkeys(years)]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value() or ""
        return queryset.filter(financial_year=int(value)) if value.isascii() and value.isdigit() else queryset


def year_parameter(request: HttpRequest, value: str, params: dict[str, str]) -> str | None:
    return None if re.fullmatch(r"20[0-9]{2}", value) else "Choose a financial year from the list."


def order_parameter(columns: int) -> Check:
    """A sort order ("2.-1") over at most ``columns`` columns, each one of them."""

    def check(request: HttpRequest, value: str, params: dict[str, str]) -> str | None:
        parts = value.split(".")
        ok = all(re.fullmatch(r"-?[0-9]{1,2}", part) and 0 <= int(part.lstrip("-")) <= columns for part in parts)
        return None if ok and len(parts) <= columns else "That sort order is not one we offer."

    return check
