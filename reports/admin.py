"""Official figures and officer strength in the admin, with an import page for national staff."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from incidents.admin.filters import DeclaredFiltersOnly
from reports.importing import parse_official_file
from reports.models import OfficerStrength, OfficialFigure, RecomputeRun
from reports.selectors import official_figures_current
from reports.services import ImportRefused, official_figures_import

MAX_UPLOAD_BYTES = 20 * 1024 * 1024


class ImportForm(forms.Form):
    file = forms.FileField(
        help_text="CSV: the Home Office recorded-crime or workforce open data table, or a simple sheet."
    )
    source_title = forms.CharField(
        max_length=200, help_text="The release, e.g. 'Police workforce, England and Wales, 31 March 2024'."
    )
    source_url = forms.URLField(required=False, max_length=500, assume_scheme="https")
    published_on = forms.DateField(
        initial=timezone.localdate,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="When the release was published.",
    )
    confirm = forms.BooleanField(
        required=False, label="Import now", help_text="Leave unticked to see what would change first (a dry run)."
    )

    def clean_file(self) -> bytes:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError("The file is larger than 20 MB.")
        return upload.read()


@admin.register(OfficialFigure)
class OfficialFigureAdmin(DeclaredFiltersOnly, admin.ModelAdmin):
    list_display = (
        "area",
        "year",
        "with_injury",
        "without_injury",
        "total",
        "comparable",
        "source_title",
        "published_on",
        "current",
    )
    list_filter = ("financial_year", "comparable", "source_title")
    search_fields = ("=area", "source_title")
    readonly_fields = [field.name for field in OfficialFigure._meta.fields]
    change_list_template = "admin/reports/officialfigure/change_list.html"

    def get_queryset(self, request: HttpRequest) -> QuerySet[OfficialFigure]:
        self._current = {figure.pk for figure in official_figures_current().values()}
        return super().get_queryset(request)

    @admin.display(description="year", ordering="financial_year")
    def year(self, figure: OfficialFigure) -> str:
        return f"{figure.financial_year}/{str(figure.financial_year + 1)[-2:]}"

    @admin.display(description="current", boolean=True)
    def current(self, figure: OfficialFigure) -> bool:
        return figure.pk in getattr(self, "_current", set())

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # figures come in through the import, with their source

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a superseded release stays on record

    def get_urls(self) -> list[Any]:
        return [
            path("import/", self.admin_site.admin_view(self.import_view), name="reports_officialfigure_import"),
            *super().get_urls(),
        ]

    def import_view(self, request: HttpRequest) -> HttpResponse:
        if not request.user.has_perm("reports.add_officialfigure"):
            raise PermissionDenied
        form = ImportForm(request.POST or None, request.FILES or None)
        context: dict[str, Any] = {
            **self.admin_site.each_context(request),
            "title": "Import official figures",
            "form": form,
        }
        if request.method == "POST" and form.is_valid():
            parsed = parse_official_file(form.cleaned_data["file"])
            context["parsed"] = parsed
            if not parsed.problems:
                try:
                    plan = official_figures_import(
                        parsed=parsed,
                        source_title=form.cleaned_data["source_title"],
                        source_url=form.cleaned_data["source_url"],
                        published_on=form.cleaned_data["published_on"],
                        dry_run=not form.cleaned_data["confirm"],
                    )
                except ImportRefused as error:
                    messages.error(request, str(error))
                else:
                    if form.cleaned_data["confirm"]:
                        messages.success(
                            request,
                            f"Imported {len(plan.new)} new and {len(plan.updated)} updated figures "
                            f"({plan.unchanged} unchanged). The statistics are being recomputed.",
                        )
                        return redirect(reverse("admin:reports_officialfigure_changelist"))
                    context["plan"] = plan
        return TemplateResponse(request, "admin/reports/officialfigure/import.html", context)


@admin.register(OfficerStrength)
class OfficerStrengthAdmin(DeclaredFiltersOnly, admin.ModelAdmin):
    list_display = ("area", "as_at", "officers_fte", "officers_headcount", "source_title", "published_on")
    list_filter = ("as_at",)
    search_fields = ("=area",)
    readonly_fields = [field.name for field in OfficerStrength._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(RecomputeRun)
class RecomputeRunAdmin(DeclaredFiltersOnly, admin.ModelAdmin):
    list_display = ("pk", "started_by", "started_at", "finished_at", "areas_done", "areas_total")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
