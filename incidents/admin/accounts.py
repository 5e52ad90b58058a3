"""Admin for reference data and accounts: forces and their e-mail domains, users
with the forces a rep covers, officers' profiles."""

from __future__ import annotations

from allauth.account.models import EmailAddress, EmailConfirmation
from allauth.mfa.models import Authenticator
from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.contrib.auth.models import Group
from django.db.models import QuerySet
from django.http import HttpRequest

from incidents.admin.filters import DeclaredFiltersOnly
from incidents.models import Force, ForceEmailDomain, OfficerProfile, RepForce, User


# Stacked, not tabular: a tabular inline's fields are labelled by its table's header alone,
# and its first header is empty (axe: "label", "empty-table-header").
class ForceEmailDomainInline(admin.StackedInline):
    model = ForceEmailDomain
    extra = 1


@admin.register(Force)
class ForceAdmin(DeclaredFiltersOnly, admin.ModelAdmin):
    list_display = ("short_name", "code", "region", "domains")
    search_fields = ("official_name", "short_name", "code", "email_domains__domain")
    list_filter = ("region",)
    readonly_fields = ("code", "slug")
    inlines = [ForceEmailDomainInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Force]:
        return super().get_queryset(request).prefetch_related("email_domains")

    @admin.display(description="E-mail domains")
    def domains(self, force: Force) -> str:
        return ", ".join(domain.domain for domain in force.email_domains.all())

    def has_delete_permission(self, request: HttpRequest, obj: Force | None = None) -> bool:
        return False


class RepForceInline(admin.StackedInline):
    model = RepForce
    extra = 0
    verbose_name = "force this rep covers"
    verbose_name_plural = "forces this rep covers"


class StaffUserForm(UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User
        fields = "__all__"

    def clean_is_staff(self) -> bool:
        is_staff = self.cleaned_data["is_staff"]
        if is_staff and self.instance.pk and OfficerProfile.objects.filter(user=self.instance).exists():
            raise forms.ValidationError("An officer who files reports cannot also be staff: use a separate account.")
        return is_staff


class StaffUserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email",)


@admin.register(User)
class UserAdmin(DeclaredFiltersOnly, BaseUserAdmin):
    form = StaffUserForm
    add_form = StaffUserCreationForm
    inlines = [RepForceInline]
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
    # Recorded by the sign-in, never typed in; a date and a time field under one label.
    readonly_fields = ("last_login", "date_joined")
    # Plain multiple selects: the two-box widget's search icons carry an aria-label their
    # element may not have (axe: aria-prohibited-attr).
    filter_horizontal = ()


@admin.register(OfficerProfile)
class OfficerProfileAdmin(DeclaredFiltersOnly, admin.ModelAdmin):
    list_display = ("display_name", "force", "usual_duty", "service_band")
    list_filter = ("force", "usual_duty")
    search_fields = ("display_name", "user__email", "collar_number")
    list_select_related = ("force",)
    raw_id_fields = ("user",)


# The libraries' own admins (superuser only): the same limits as ours, so a link takes only
# their declared filters and an empty "?_to_field=" on an object page is a 400, not a 500.
# Their admin modules are loaded before this one (INSTALLED_APPS order).
for library_model in (Group, EmailAddress, EmailConfirmation, Authenticator):
    if admin.site.is_registered(library_model):
        library_admin = type(admin.site.get_model_admin(library_model))
        admin.site.unregister(library_model)
        # filter_horizontal: plain multiple selects, as on the user page.
        attributes = {"__module__": __name__, "filter_horizontal": ()}
        admin.site.register(
            library_model, type(library_admin.__name__, (DeclaredFiltersOnly, library_admin), attributes)
        )
