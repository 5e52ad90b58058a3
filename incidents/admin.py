"""Admin for reference data and accounts. The review workflow for incidents is
its own piece of work; until it lands incidents are read-only here."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpRequest

from incidents.models import Force, ForceEmailDomain, Incident, IncidentEvent, OfficerProfile, User


class ForceEmailDomainInline(admin.TabularInline):
    model = ForceEmailDomain
    extra = 1


@admin.register(Force)
class ForceAdmin(admin.ModelAdmin):
    list_display = ("short_name", "code", "region", "domains")
    search_fields = ("official_name", "short_name", "code", "email_domains__domain")
    list_filter = ("region",)
    readonly_fields = ("code", "slug")
    inlines = [ForceEmailDomainInline]

    def get_queryset(self, request: HttpRequest):  # type: ignore[no-untyped-def]
        return super().get_queryset(request).prefetch_related("email_domains")

    @admin.display(description="E-mail domains")
    def domains(self, force: Force) -> str:
        return ", ".join(domain.domain for domain in force.email_domains.all())

    def has_delete_permission(self, request: HttpRequest, obj: Force | None = None) -> bool:
        return False


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ("email",)
    list_display = ("email", "first_name", "last_name", "is_staff", "is_active", "last_login")
    search_fields = ("email", "first_name", "last_name")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Name", {"fields": ("first_name", "last_name")}),
        ("Permissions", {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)


@admin.register(OfficerProfile)
class OfficerProfileAdmin(admin.ModelAdmin):
    list_display = ("display_name", "force", "usual_duty", "service_band")
    list_filter = ("force", "usual_duty")
    search_fields = ("display_name", "user__email", "collar_number")
    list_select_related = ("force",)
    raw_id_fields = ("user",)


class IncidentEventInline(admin.TabularInline):
    model = IncidentEvent
    fields = ("created_at", "kind", "actor", "changes")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Incident | None = None) -> bool:
        return False


@admin.register(Incident)
class IncidentAdmin(admin.ModelAdmin):
    list_display = ("reference", "occurred_on", "force", "injury", "reported_to_force", "status")
    list_filter = ("status", "force", "injury")
    search_fields = ("reference",)
    list_select_related = ("force",)
    show_full_result_count = False
    inlines = [IncidentEventInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Incident | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Incident | None = None) -> bool:
        return False
