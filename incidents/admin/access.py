"""The staff access log (who viewed which report, who exported what), for national staff."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Q, QuerySet
from django.http import HttpRequest

from incidents.admin.filters import DeclaredFiltersOnly
from incidents.admin.incident import CappedCountPaginator
from incidents.models import StaffAccess


@admin.register(StaffAccess)
class StaffAccessAdmin(DeclaredFiltersOnly, admin.ModelAdmin):
    list_display = ("created_at", "actor", "action", "incident", "detail")
    list_filter = ("action",)
    list_select_related = ("actor", "incident")
    # Exact matches only (a report's reference, a staff member's address): the log grows by
    # one row per page view, so a substring search or a full count would scan all of it.
    search_fields = ("=incident__reference", "=actor__email")
    search_help_text = "An exact report reference or staff e-mail address."
    paginator = CappedCountPaginator
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[StaffAccess], search_term: str
    ) -> tuple[QuerySet[StaffAccess], bool]:
        # Plain equality on the indexed columns (references are stored upper case, addresses
        # lower case); Django's "=" would be a case-insensitive match that no index serves.
        term = search_term.strip()
        if not term:
            return queryset, False
        return queryset.filter(Q(incident__reference=term.upper()) | Q(actor__email=term.lower())), False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: StaffAccess | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: StaffAccess | None = None) -> bool:
        return False
