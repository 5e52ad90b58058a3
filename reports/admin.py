"""Official figures and officer strength in the admin, with an import page for national staff."""

from __future__ import annotations

import datetime
from typing import Any, cast

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.views.main import ALL_VAR, ERROR_FLAG, ORDER_VAR, PAGE_VAR, SEARCH_VAR, ChangeList
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from incidents.admin.filters import (
    SEARCH_MAX_LENGTH,
    Check,
    DeclaredFiltersOnly,
    list_problems,
    one_of,
    page_number,
    refused_parameters,
)
from incidents.models import signed_in_user
from reports.admin_lists import FinancialYearFilter, order_parameter, year_parameter
from reports.choices import FigureBasis, SourceKind
from reports.importing import ForceNames, parse_official_file
from reports.models import OfficerStrength, OfficialFigure, PendingImport, RecomputeRun
from reports.periods import financial_year_label
from reports.selectors import area_names, figure_not_compared, figure_source_text, official_figures_ranked
from reports.services import ImportRefused, Release, official_figures_import

# The full Home Office recorded-crime table (every offence, every quarter) as a workbook.
MAX_UPLOAD_BYTES = 100 * 1024 * 1024
# A checked file waits this long for its uploader to confirm it.
PENDING_FOR = datetime.timedelta(days=1)


class ImportForm(forms.Form):
    required_css_class = "required"  # the admin's bold label for a field that must be filled
    file = forms.FileField(
        help_text="CSV, XLSX or ODS: the Home Office recorded-crime or workforce open data table (one sheet "
        "per year or one long sheet), or a simple sheet."
    )
    source_kind = forms.ChoiceField(
        label="Kind of source",
        choices=[("", "Choose…"), *SourceKind.choices],
        help_text="For one force and year the most authoritative kind is used: Home Office, then the force, "
        "the Police Federation, the press. A simple sheet may give each row its own in a 'source kind' column.",
    )
    source_title = forms.CharField(
        max_length=200, help_text="The release, e.g. 'Police workforce, England and Wales, 31 March 2024'."
    )
    source_url = forms.URLField(
        label="Source address", required=False, max_length=500, assume_scheme="https", help_text="Optional."
    )
    published_on = forms.DateField(
        initial=timezone.localdate,
        # A date field shows and sends ISO dates: the site's 02/12/2026 would leave it blank.
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="When the release was published.",
    )

    def clean_file(self) -> bytes:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(f"The file is larger than {MAX_UPLOAD_BYTES // 1024 // 1024} MB.")
        return bytes(upload.read())

    def release(self) -> Release:
        data = self.cleaned_data
        return Release(data["source_title"], data["published_on"], data["source_kind"], data["source_url"])


class ConfirmForm(forms.Form):
    token = forms.UUIDField(widget=forms.HiddenInput)


class NamedAreaChangeList(ChangeList):
    """Each row's area by its name (one query for the page)."""

    def get_results(self, request: HttpRequest) -> None:
        super().get_results(request)
        self.names = area_names()
        for row in self.result_list:
            row.area_name = self.names.get(row.area, row.area)


class FigureChangeList(NamedAreaChangeList):
    """The list, and how each figure on the page stands: in use for its area and year, or not
    and why (one query for the page's areas and years)."""

    def get_results(self, request: HttpRequest) -> None:
        super().get_results(request)
        ranked = official_figures_ranked({(f.area, f.financial_year) for f in self.result_list})
        for figure in self.result_list:
            figure.standing = _standing(figure, ranked.get((figure.area, figure.financial_year), []), self.names)


def _standing(figure: OfficialFigure, candidates: list[OfficialFigure], names: dict[str, str]) -> str:
    used = candidates[0] if candidates else None
    reason = figure_not_compared(figure, names)
    if used is None or used.pk == figure.pk:
        return "In use" + (f"; shown, not compared: {reason}" if reason else "")
    if used.basis == figure.basis:
        return f"Superseded by {figure_source_text(used)}"
    return f"Not used: {used.get_basis_display()} from {figure_source_text(used)} is preferred"


def _figures_search(request: HttpRequest, value: str, params: dict[str, str]) -> str | None:
    return None if len(value) <= SEARCH_MAX_LENGTH else f"Search for at most {SEARCH_MAX_LENGTH} characters."


FIGURE_COLUMNS = (
    "area_label",
    "year",
    "with_injury",
    "without_injury",
    "total",
    "basis",
    "source_kind",
    "source_title",
    "published_on",
    "standing",
)

# The official figures list's parameters, each value checked, as the review list's are.
FIGURE_LIST_PARAMETERS: dict[str, Check] = {
    "year": year_parameter,
    "basis__exact": one_of(FigureBasis.values, "bases"),
    "source_kind__exact": one_of(SourceKind.values, "kinds of source"),
    SEARCH_VAR: _figures_search,
    ORDER_VAR: order_parameter(len(FIGURE_COLUMNS)),
    PAGE_VAR: page_number,
    ERROR_FLAG: lambda request, value, params: "That page of the list is not there any more.",
    ALL_VAR: one_of(("",), "list options"),
}


@admin.register(OfficialFigure)
class OfficialFigureAdmin(DeclaredFiltersOnly, admin.ModelAdmin):
    list_display = FIGURE_COLUMNS
    list_filter = (FinancialYearFilter, "basis", "source_kind")
    search_fields = ("=area", "source_title")
    search_help_text = "A force's name or code, or words of a release's title."
    readonly_fields = [field.name for field in OfficialFigure._meta.fields]
    change_list_template = "admin/reports/officialfigure/change_list.html"
    list_per_page = 100

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[ChangeList]:
        return FigureChangeList

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied  # before its parameters: reps may not see this list at all
        problems = list_problems(request, FIGURE_LIST_PARAMETERS)
        if problems:
            url = reverse("admin:reports_officialfigure_changelist")
            return refused_parameters(request, problems, url=url, verb="The list is shown without part of that link")
        return super().changelist_view(request, extra_context)

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[OfficialFigure], search_term: str
    ) -> tuple[QuerySet[OfficialFigure], bool]:
        # A force's name ("Cumbria", "Devon & Cornwall") finds its figures, as its code does.
        area = ForceNames().code(search_term) if search_term.strip() else None
        if area is not None:
            return queryset.filter(area=area), False
        return super().get_search_results(request, queryset, search_term)

    @admin.display(description="area", ordering="area")
    def area_label(self, figure: OfficialFigure) -> str:
        return getattr(figure, "area_name", figure.area)

    @admin.display(description="year", ordering="financial_year")
    def year(self, figure: OfficialFigure) -> str:
        return financial_year_label(figure.financial_year)

    @admin.display(description="in use?")
    def standing(self, figure: OfficialFigure) -> str:
        return getattr(figure, "standing", "")

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
        """Choose a file and say where it comes from; see what it would change, with the values;
        then import it with one more press (the file is kept meanwhile, not chosen again)."""
        if not request.user.has_perm("reports.add_officialfigure"):
            raise PermissionDenied
        PendingImport.objects.filter(uploaded_at__lt=timezone.now() - PENDING_FOR).delete()
        if request.method == "POST" and "token" in request.POST:
            return self._confirm(request)
        form = ImportForm(request.POST or None, request.FILES or None)
        context: dict[str, Any] = {
            **self.admin_site.each_context(request),
            "title": "Import official figures",
            "opts": self.opts,
        }
        if request.method == "POST" and form.is_valid():
            parsed = parse_official_file(form.cleaned_data["file"])
            context["parsed"] = parsed
            if not parsed.problems:
                try:
                    context["plan"] = official_figures_import(parsed=parsed, release=form.release(), dry_run=True)
                except ImportRefused as error:
                    messages.error(request, str(error))
                else:
                    upload = cast(UploadedFile, request.FILES["file"])  # the one file the form took, not a list
                    pending = PendingImport.objects.create(
                        uploaded_by=signed_in_user(request),
                        file_name=(upload.name or "")[:200],  # never empty: the form refuses a file without a name
                        content=form.cleaned_data["file"],
                        source_title=form.cleaned_data["source_title"],
                        source_url=form.cleaned_data["source_url"],
                        source_kind=form.cleaned_data["source_kind"],
                        published_on=form.cleaned_data["published_on"],
                    )
                    context["confirm"] = ConfirmForm(initial={"token": pending.token})
                    context["pending"] = pending
        context["form"] = form
        return TemplateResponse(request, "admin/reports/officialfigure/import.html", context)

    def _confirm(self, request: HttpRequest) -> HttpResponse:
        confirm = ConfirmForm(request.POST)
        pending = (
            PendingImport.objects.filter(
                token=confirm.cleaned_data["token"], uploaded_by=signed_in_user(request)
            ).first()
            if confirm.is_valid()
            else None
        )
        if pending is None:
            messages.error(
                request,
                "That checked file is no longer waiting (a day has passed, or it was imported). Choose it again.",
            )
            return redirect(reverse("admin:reports_officialfigure_import"))
        parsed = parse_official_file(bytes(pending.content))
        release = Release(pending.source_title, pending.published_on, pending.source_kind, pending.source_url)
        try:
            plan = official_figures_import(parsed=parsed, release=release)
        except ImportRefused as error:
            messages.error(request, str(error))
            return redirect(reverse("admin:reports_officialfigure_import"))
        pending.delete()
        messages.success(
            request,
            f"Imported {pending.file_name}: {len(plan.new)} new and {len(plan.changed)} changed figures "
            f"({len(plan.unchanged)} unchanged). The statistics are being recomputed.",
        )
        return redirect(reverse("admin:reports_officialfigure_changelist"))


@admin.register(OfficerStrength)
class OfficerStrengthAdmin(DeclaredFiltersOnly, admin.ModelAdmin):
    list_display = ("area_label", "as_at", "officers_fte", "officers_headcount", "source_title", "published_on")
    list_filter = ("as_at",)
    search_fields = ("=area",)
    readonly_fields = [field.name for field in OfficerStrength._meta.fields]

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[ChangeList]:
        return NamedAreaChangeList

    @admin.display(description="area", ordering="area")
    def area_label(self, strength: OfficerStrength) -> str:
        return getattr(strength, "area_name", strength.area)

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


from reports import admin_checks  # noqa: E402, F401  registers the recording check's admin
