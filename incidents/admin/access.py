"""The staff access log (who viewed which report, who exported what), for national staff."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from incidents.models import StaffAccess


@admin.register(StaffAccess)
class StaffAccessAdmin(admin.ModelAdmin):
    list_display = ("created_at", "actor", "action", "incident", "detail")
    list_filter = ("action",)
    date_hierarchy = "created_at"
    list_select_related = ("actor", "incident")
    search_fields = ("=incident__reference", "actor__email")
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: StaffAccess | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: StaffAccess | None = None) -> bool:
        return False
