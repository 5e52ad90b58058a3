"""The recording check in the admin (issue 20), for national staff: the list, the draw page
(how many reports are eligible, the precision a size gives and the checks the force and year
have already, then the draw), a check's page (its facts, what it found, its items and history,
with buttons that move it on), and the registrar's sheet.

Nothing here edits a check: the draw, every change of status and the answers go through the
services in reports.services.checks; the answers page is reports.admin_check_answers.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import ALL_VAR, ERROR_FLAG, ORDER_VAR, PAGE_VAR, ChangeList
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from incidents import services as incident_services
from incidents.admin.filters import (
    Check,
    DeclaredFiltersOnly,
    latest_financial_year,
    list_problems,
    one_of,
    page_number,
    refused_parameters,
)
from incidents.choices import RecordedAsCrime, StaffAction
from incidents.models import Force, signed_in_user
from incidents.spreadsheets import ColumnStyle, TextSheet, csv_response, xlsx_response
from reports.admin_check_answers import answers_import_page
from reports.admin_lists import FinancialYearFilter, order_parameter, year_parameter
from reports.choices import FIRST_8S_YEAR, CheckFound, CheckOffence, CheckStatus
from reports.models import RecordingCheck, RecordingCheckEvent, RecordingCheckItem
from reports.periods import financial_year_label
from reports.selectors import area_names, counted_in_year
from reports.services.checks import (
    FILLED_BY_REGISTRAR,
    MAX_SIZE,
    NEXT_STATUSES,
    SHEET_COLUMNS,
    check_eligible,
    check_margin,
    open_checks,
    recording_check_draw,
    recording_check_transition,
)

SHEET_FORMATS = ("xlsx", "csv")


def force_choices() -> list[tuple[str, str]]:
    """Forces by name, the value their code (a check's area)."""
    return [("", "Choose…"), *Force.objects.order_by("short_name").values_list("code", "short_name")]


def year_choices() -> list[tuple[int | str, str]]:
    """The financial years a check can be drawn for, newest first: offence 8S, which the
    registrar's answers are counted against, began in 2017/18."""
    years = range(latest_financial_year(), FIRST_8S_YEAR - 1, -1)
    return [("", "Choose…"), *((year, financial_year_label(year)) for year in years)]


class DrawForm(forms.Form):
    required_css_class = "required"  # the admin's bold label for a field that must be filled
    area = forms.ChoiceField(
        label="Force", choices=force_choices, error_messages={"invalid_choice": "Choose a force from the list."}
    )
    financial_year = forms.TypedChoiceField(
        label="Financial year",
        choices=year_choices,
        coerce=int,
        error_messages={"invalid_choice": "Choose a financial year from the list."},
        help_text="1 April to 31 March.",
    )
    size = forms.IntegerField(
        label="Number of crime references",
        initial=100,
        min_value=1,
        max_value=MAX_SIZE,
        error_messages={
            "min_value": f"Choose between 1 and {MAX_SIZE:,} crime references.",
            "max_value": f"Choose between 1 and {MAX_SIZE:,} crime references.",
            "invalid": f"Enter a whole number between 1 and {MAX_SIZE:,}.",
        },
        help_text=f"Between 1 and {MAX_SIZE:,}. If fewer reports are eligible, all of them are drawn.",
    )
    stratified = forms.BooleanField(
        label="Stratify by the officer's answer",
        required=False,
        help_text="Draw within each answer officers gave to “recorded as a crime?” (yes, don't know, no), "
        "in proportion to how many gave it.",
    )


class DrawTokenForm(forms.Form):
    """The draw's one-time token, made when the preview is shown: the same draw sent twice (a
    double click, back and resubmit) draws one check (recording_check_draw)."""

    token = forms.UUIDField(widget=forms.HiddenInput)


DRAW_NOT_PREPARED = "This draw was not prepared by this page: show how many are eligible again, then draw."


@dataclass(frozen=True)
class Move:
    to: CheckStatus
    label: str  # the button on the check's page
    question: str  # its confirmation's title, of check {pk}
    confirm: str  # the button on its confirmation


MOVES = {
    "use": Move(
        CheckStatus.USED, "Use in the figures", "Use recording check {pk} in the figures?", "Yes, use it in the figures"
    ),
    "stop": Move(
        CheckStatus.ANSWERED, "Stop using", "Stop using recording check {pk} in the figures?", "Yes, stop using it"
    ),
    "cancel": Move(CheckStatus.CANCELLED, "Cancel check", "Cancel recording check {pk}?", "Yes, cancel this check"),
}


class TransitionForm(forms.Form):
    """A button on a check's page: the move it asks for, and on its confirmation a note."""

    action = forms.ChoiceField(choices=[(key, move.label) for key, move in MOVES.items()])
    note = forms.CharField(
        label="Note for the check's history (optional)",
        max_length=200,
        required=False,
        error_messages={"max_length": "Keep the note to 200 characters (it has %(show_value)d)."},
    )


# What the confirmation's button sends: a move is made only with exactly this.
CONFIRMED = "yes"


def precision_text(size: int, eligible: int) -> str:
    """What a draw of ``size`` will give, e.g. "100 of 412 crime references give the rate the
    registrar confirms to about ±10 points, 95%"."""
    margin = check_margin(size, eligible)
    shown = f"{margin:.0f}" if margin >= 1 else f"{margin:.1f}"
    if size >= eligible:
        plural = "s" if eligible != 1 else ""
        return (
            f"All {eligible:,} eligible crime reference{plural} will be drawn: they give the rate the registrar "
            f"confirms to about ±{shown} points, 95%."
        )
    return (
        f"{size:,} of {eligible:,} crime references give the rate the registrar confirms to about ±{shown} points, 95%."
    )


def sheet_rows(check: RecordingCheck) -> Iterator[list[Any]]:
    """The registrar's sheet, a row per item: the row id, the crime reference and the date of
    the assault (a date: the CSV writes it 2018-09-01, the XLSX as a date cell), and the
    registrar's four columns blank. Nothing else about the report or the officer. An item
    whose report is gone keeps its row id only."""
    items = check.items.order_by("row_id").values_list("row_id", "incident__crime_reference", "incident__occurred_on")
    for row_id, crime_reference, occurred_on in items.iterator():
        yield [row_id, crime_reference or None, occurred_on, *[None] * len(FILLED_BY_REGISTRAR)]


def sheet_columns(check: RecordingCheck) -> list[ColumnStyle]:
    """The XLSX sheet's columns (SHEET_COLUMNS): widths, and drop-downs and a date check on
    the registrar's, worded as the importer reads them (reports.importing.answers)."""
    start = datetime.date(check.financial_year, 4, 1)  # no crime of the year's assaults is recorded before it
    return [
        ColumnStyle(width=12),
        ColumnStyle(width=22),
        ColumnStyle(width=15, date=True),
        ColumnStyle(width=15, validation={"validate": "list", "source": ["yes", "no"]}),
        ColumnStyle(width=30, validation={"validate": "list", "source": ["8S", "104", "other"]}),
        ColumnStyle(width=30),
        ColumnStyle(
            width=15,
            date=True,
            validation={
                "validate": "date",
                "criteria": ">=",
                "minimum": start,
                "input_title": "Date recorded",
                "input_message": "The date the crime was recorded, such as 03/06/2018. Blank if not found.",
                "error_title": "Date recorded",
                "error_message": f"Enter a date, such as 03/06/2018, on or after {start:%d/%m/%Y}.",
            },
        ),
    ]


# The sheet's second sheet: what the registrar is asked to do, in plain words. Nothing about
# the check's force or its officers.
SHEET_HOW_TO = TextSheet(
    name="How to fill in",
    widths=(32, 48, 48),
    rows=[
        ("How to fill in the sheet “Recording check”",),
        (
            "Each row is a crime reference a police officer gave for an assault on duty. Please look each one "
            "up in the force's crime records and fill in the last four columns.",
        ),
        ("",),
        ("Column", "What it is", "What to enter"),
        (SHEET_COLUMNS[0], "Our number for the row.", "Nothing. Do not change it: it matches your answer to the row."),
        (SHEET_COLUMNS[1], "The crime reference the officer gave.", "Nothing: look it up."),
        (SHEET_COLUMNS[2], "The date the officer gave for the assault.", "Nothing."),
        (
            SHEET_COLUMNS[3],
            "Whether you found the crime reference in the force's records.",
            "yes or no. If no, leave the next three columns blank.",
        ),
        (
            SHEET_COLUMNS[4],
            "The offence the crime was recorded as.",
            "8S (assault with injury on a constable), 104 (assault without injury on a constable) or other. "
            "Blank if not found.",
        ),
        (
            SHEET_COLUMNS[5],
            "The offence, when the code is other.",
            "The offence, such as “Public order”. Otherwise blank.",
        ),
        (SHEET_COLUMNS[6], "The date the crime was recorded.", "A date, such as 03/06/2018. Blank if not found."),
        ("",),
        ("Leave a row blank if you did not look it up.",),
        ("Do not change the row ids, the column headings or their order.",),
        ("Save the file as it is (XLSX) and send it back to whoever sent it to you.",),
    ],
)


def sheet_file_name(check: RecordingCheck, file_format: str) -> str:
    """recording-check-12-thames-valley-2018-19.xlsx"""
    slug = Force.objects.filter(code=check.area).values_list("slug", flat=True).first() or check.area.lower()
    year = financial_year_label(check.financial_year).replace("/", "-")
    return f"recording-check-{check.pk}-{slug}-{year}.{file_format}"


@dataclass(frozen=True)
class ItemLine:
    """An item as a check's page shows it: national staff only, who may open its report."""

    row_id: str
    report_gone: bool
    report_url: str
    crime_reference: str
    officer_said: str
    found: str
    offence: str
    recorded_on: datetime.date | None
    counted: str


def item_line(item: RecordingCheckItem, year: int) -> ItemLine:
    said = RecordedAsCrime(item.officer_said).label if item.officer_said in RecordedAsCrime.values else "Not answered"
    offence = CheckOffence(item.offence).label if item.offence else ""
    if item.offence == CheckOffence.OTHER and item.offence_other:
        offence = f"{offence}: {item.offence_other}"
    counted = counted_in_year(item, year)
    report = item.incident
    return ItemLine(
        row_id=item.row_id,
        report_gone=report is None,
        report_url=reverse("admin:incidents_incident_change", args=[report.pk]) if report else "",
        crime_reference=report.crime_reference if report else "",
        officer_said=str(said),
        found=CheckFound(item.found).label if item.found else "",
        offence=offence,
        recorded_on=item.recorded_on,
        counted="" if counted is None else ("Yes" if counted else "No"),
    )


@dataclass(frozen=True)
class FoundLine:
    """What a check found among the reports of one answer the officer gave (or all of them)."""

    said: str
    drawn: int
    answered: int  # by the registrar
    counted: int  # in 8S or 104 in the check's year (counted_in_year)

    @property
    def unanswered(self) -> int:
        return self.drawn - self.answered

    @property
    def rate(self) -> str:
        return f"{100 * self.counted / self.answered:.0f}%" if self.answered else "–"


@dataclass(frozen=True)
class Findings:
    lines: list[FoundLine]  # said recorded, said not recorded, don't know or not answered
    total: FoundLine
    unanswerable: int  # rows with no answer whose report is gone: they can never be answered

    @property
    def unanswered(self) -> int:
        return self.total.unanswered


# The officer's answers as the figures group them (reports.selectors.used_checks).
FINDING_GROUPS = (
    ("Said recorded", (RecordedAsCrime.YES,)),
    ("Said not recorded", (RecordedAsCrime.NO,)),
    ("Don't know or not answered", None),
)
# What a check's page and its findings read of each item.
ITEM_FIELDS = (
    "recording_check",
    "row_id",
    "incident",
    "officer_said",
    "found",
    "offence",
    "offence_other",
    "recorded_on",
)
# Fewer answered references than this leave the estimate a little high and its interval wide
# (docs/method.md 8.11: the bias of a small check).
FEW_ANSWERS = 50


def check_findings(items: Iterable[RecordingCheckItem], year: int) -> Findings:
    """What a check's answers say, by the officer's answer: how many the registrar answered and
    how many were counted in 8S or 104 in ``year``, and how many rows have no answer."""
    tallies = {said: [0, 0, 0] for said, _ in FINDING_GROUPS}
    unanswerable = 0
    for item in items:
        said = next(label for label, answers in FINDING_GROUPS if answers is None or item.officer_said in answers)
        counted = counted_in_year(item, year)
        tally = tallies[said]
        tally[0] += 1
        tally[1] += counted is not None
        tally[2] += bool(counted)
        unanswerable += counted is None and item.incident_id is None
    lines = [FoundLine(said, *tally) for said, tally in tallies.items()]
    total = FoundLine("All", *(sum(line[i] for line in tallies.values()) for i in range(3)))
    return Findings(lines, total, unanswerable)


class CheckChangeList(ChangeList):
    """Each row's force by its name (one query for the page)."""

    def get_results(self, request: HttpRequest) -> None:
        super().get_results(request)
        names = area_names()
        for row in self.result_list:
            row.area_name = names.get(row.area, row.area)


CHECK_COLUMNS = (
    "number",
    "area_label",
    "year",
    "drawn",
    "eligible",
    "stratified",
    "status",
    "created_by",
    "created_at",
)

# The list's parameters, each value checked, as the other lists' are.
CHECK_LIST_PARAMETERS: dict[str, Check] = {
    "status__exact": one_of(CheckStatus.values, "statuses"),
    "year": year_parameter,
    ORDER_VAR: order_parameter(len(CHECK_COLUMNS)),
    PAGE_VAR: page_number,
    ERROR_FLAG: lambda request, value, params: "That page of the list is not there any more.",
    ALL_VAR: one_of(("",), "list options"),
}


@admin.register(RecordingCheck)
class RecordingCheckAdmin(DeclaredFiltersOnly, admin.ModelAdmin):
    list_display = CHECK_COLUMNS
    list_filter = ("status", FinancialYearFilter)
    list_select_related = ("created_by",)
    change_list_template = "admin/reports/recordingcheck/change_list.html"
    list_per_page = 100

    def get_queryset(self, request: HttpRequest) -> QuerySet[RecordingCheck]:
        return super().get_queryset(request).annotate(drawn_count=Count("items"))

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[ChangeList]:
        return CheckChangeList

    @admin.display(description="check", ordering="pk")
    def number(self, check: RecordingCheck) -> int:
        return check.pk

    @admin.display(description="force", ordering="area")
    def area_label(self, check: RecordingCheck) -> str:
        return getattr(check, "area_name", check.area)

    @admin.display(description="year", ordering="financial_year")
    def year(self, check: RecordingCheck) -> str:
        return financial_year_label(check.financial_year)

    @admin.display(description="drawn", ordering="drawn_count")
    def drawn(self, check: RecordingCheck) -> int:
        return int(getattr(check, "drawn_count", 0))

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a check stays on record; it can be cancelled

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied  # before its parameters: reps may not see this list at all
        problems = list_problems(request, CHECK_LIST_PARAMETERS)
        if problems:
            url = reverse("admin:reports_recordingcheck_changelist")
            return refused_parameters(request, problems, url=url, verb="The list is shown without part of that link")
        return super().changelist_view(request, {**(extra_context or {}), "title": "Recording checks"})

    def get_urls(self) -> list[Any]:
        view = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/sheet/<str:file_format>/",
                view(self.sheet_view),
                name="reports_recordingcheck_sheet",
            ),
            path("<path:object_id>/status/", view(self.status_view), name="reports_recordingcheck_status"),
            path("<path:object_id>/answers/", view(self.answers_view), name="reports_recordingcheck_answers"),
            *super().get_urls(),
        ]

    def check_or_404(self, request: HttpRequest, object_id: str) -> RecordingCheck:
        check = self.get_object(request, unquote(object_id))
        if check is None:
            raise Http404("No such recording check.")
        return check

    def context(self, request: HttpRequest, title: str, **values: Any) -> dict[str, Any]:
        return {**self.admin_site.each_context(request), "title": title, "opts": self.opts, **values}

    # -- the draw --------------------------------------------------------------------

    def add_view(self, request: HttpRequest, form_url: str = "", extra_context: Any = None) -> HttpResponse:
        """Choose a force, a year and a size; see how many reports are eligible, the precision
        the size gives and the checks the force and year have already; then draw with a second
        press, which carries the preview's one-time token."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = DrawForm(request.POST if request.method == "POST" else None)
        context = self.context(request, "Draw a recording check", form=form)
        if request.method != "POST" or not form.is_valid():
            return TemplateResponse(request, "admin/reports/recordingcheck/draw.html", context)
        area, year = form.cleaned_data["area"], form.cleaned_data["financial_year"]
        if "draw" in request.POST:
            token = DrawTokenForm(request.POST)
            if not token.is_valid():
                form.add_error(None, DRAW_NOT_PREPARED)
            elif (drawn := self.draw(request, form, token.cleaned_data["token"])) is not None:
                return drawn
        else:
            eligible = check_eligible(area, year).count()
            force, label = area_names().get(area, area), financial_year_label(year)
            context["preview"] = {
                "where": f"{force} in {label}",
                "force_year": f"{force} {label}",
                "eligible": eligible,
                "text": precision_text(form.cleaned_data["size"], eligible) if eligible else "",
                "drawn": min(form.cleaned_data["size"], eligible),
                "values": form.cleaned_data,
                "token": uuid.uuid4(),
                "open_checks": [
                    {"pk": check.pk, "status": check.get_status_display().lower()}
                    for check in open_checks(area, year).order_by("pk")
                ],
            }
        return TemplateResponse(request, "admin/reports/recordingcheck/draw.html", context)

    def draw(self, request: HttpRequest, form: DrawForm, token: uuid.UUID) -> HttpResponse | None:
        """The draw itself, or None with the form's error. A token drawn already gives its
        check, drawn before this request began (a double click's second send, or back and
        resubmit); two sends at the same instant both read "drawn", of the one check."""
        values = form.cleaned_data
        began = timezone.now()
        try:
            check = recording_check_draw(
                area=values["area"],
                year=values["financial_year"],
                size=values["size"],
                stratified=values["stratified"],
                actor=signed_in_user(request),
                token=token,
            )
        except ValidationError as error:
            form.add_error(None, error)
            return None
        if check.created_at < began:
            messages.info(request, f"This draw was already made: check {check.pk}. Nothing more was drawn.")
        else:
            messages.success(
                request,
                f"Check {check.pk} drawn: {check.items.count():,} of {check.eligible:,} crime references. "
                "Download its sheet for the force's crime registrar.",
            )
        return redirect(reverse("admin:reports_recordingcheck_change", args=[check.pk]))

    # -- a check's page ----------------------------------------------------------------

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        """The check as it stands: nothing here is a form to edit. Its buttons post to
        sheet_view and status_view; each item links to its report's review page."""
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        if request.method != "GET":
            return HttpResponseNotAllowed(["GET"])
        check = self.check_or_404(request, object_id)
        # The report's crime reference only: its other fields (the narrative among them) are
        # encrypted, and decrypting them for two thousand rows would be for nothing.
        items = list(
            check.items.order_by("row_id").select_related("incident").only(*ITEM_FIELDS, "incident__crime_reference")
        )
        findings = check_findings(items, check.financial_year)
        events = RecordingCheckEvent.objects.filter(recording_check=check).select_related("actor")
        user = request.user
        can_change = self.has_change_permission(request, check)
        context = self.context(
            request,
            f"Recording check {check.pk}",
            check=check,
            force=area_names().get(check.area, check.area),
            year=financial_year_label(check.financial_year),
            items=[item_line(item, check.financial_year) for item in items],
            findings=findings,
            events=events,
            can_download=user.has_perm("reports.export_recordingcheck_sheet") and check.status != CheckStatus.CANCELLED,
            # Answers for rows still blank, until the check is used (stop using it first).
            can_import=user.has_perm("reports.import_recordingcheck_answers")
            and check.status in (CheckStatus.DRAWN, CheckStatus.SENT, CheckStatus.ANSWERED)
            and findings.unanswered > findings.unanswerable,
            can_use=can_change and check.status == CheckStatus.ANSWERED,
            can_stop=can_change and check.status == CheckStatus.USED,
            can_cancel=can_change and check.status != CheckStatus.CANCELLED,
            moves=MOVES,
        )
        # The page lists the check's crime references: who saw them is logged, as for a report.
        incident_services.staff_access_record(
            actor=signed_in_user(request),
            action=StaffAction.VIEWED,
            detail={"recording_check": check.pk, "rows": len(items)},
        )
        return TemplateResponse(request, "admin/reports/recordingcheck/check.html", context)

    def status_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """A button's move: first its confirmation, then, confirmed (``confirm`` exactly
        CONFIRMED, with a valid note), the move itself (recording_check_transition, which
        refuses a move not allowed from the status). Anything short of that moves nothing."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        check = self.check_or_404(request, object_id)
        page = reverse("admin:reports_recordingcheck_change", args=[check.pk])
        form = TransitionForm(request.POST)
        if not form.is_valid() and "action" in form.errors:
            messages.error(request, "That change is not one this page offers. Nothing was changed.")
            return redirect(page)
        action = form.cleaned_data["action"]
        to = MOVES[action].to
        if action == "stop" and check.status != CheckStatus.USED:
            messages.error(request, "Only a check used in the figures can stop being used. Nothing was changed.")
            return redirect(page)
        if request.POST.get("confirm") != CONFIRMED or form.errors:
            if to in NEXT_STATUSES[check.status]:
                return self.confirmation(request, check, action, form)
            status, becomes = check.get_status_display().lower(), CheckStatus(to).label.lower()
            messages.error(request, f"A check that is {status} cannot become {becomes}. Nothing was changed.")
            return redirect(page)
        try:
            recording_check_transition(check, to=to, actor=signed_in_user(request), note=form.cleaned_data["note"])
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, f"{message} Nothing was changed.")
        else:
            messages.success(request, f"Check {check.pk} is now {CheckStatus(to).label.lower()}.")
        return redirect(page)

    def confirmation(
        self, request: HttpRequest, check: RecordingCheck, action: str, form: TransitionForm
    ) -> HttpResponse:
        """The move's confirmation (again, with the note's error, if the note was refused). Using
        a check shows what it found first, and warns of a small or part-answered check."""
        where = f"{area_names().get(check.area, check.area)} {financial_year_label(check.financial_year)}"
        replaced = (
            RecordingCheck.objects.filter(area=check.area, financial_year=check.financial_year, status=CheckStatus.USED)
            .exclude(pk=check.pk)
            .first()
        )
        consequences = {
            "use": [
                f"The figures for {where} will be recomputed with the rates the registrar confirmed in this check, "
                "and federation reps will see its result.",
                *([f"Check {replaced.pk}, used now, goes back to answered."] if replaced else []),
            ],
            "stop": [
                f"The figures for {where} will go back to what officers said, and reps will no longer see this "
                "check's result. You can use it again later.",
            ],
            "cancel": [
                "A cancelled check cannot be sent, answered or used again. This cannot be undone.",
            ],
        }
        findings = None
        if action == "use":
            findings = check_findings(check.items.only(*ITEM_FIELDS), check.financial_year)
        context = self.context(
            request,
            MOVES[action].question.format(pk=check.pk),
            check=check,
            where=where,
            year=financial_year_label(check.financial_year),
            action=action,
            move=MOVES[action],
            consequences=consequences[action],
            findings=findings,
            few_answers=FEW_ANSWERS,
            method_url=reverse("reports:method") + "#recording-check",
            confirmed=CONFIRMED,
            form=form,
        )
        return TemplateResponse(request, "admin/reports/recordingcheck/confirm.html", context)

    # -- the registrar's sheet and the answers ------------------------------------------

    def sheet_view(self, request: HttpRequest, object_id: str, file_format: str) -> HttpResponseBase:
        """The sheet for the force's crime registrar, as XLSX or CSV: its own permission,
        logged (the check, the format, the number of rows; never their content). The first
        download of a drawn check marks it as sent."""
        if not request.user.has_perm("reports.export_recordingcheck_sheet"):
            raise PermissionDenied
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if file_format not in SHEET_FORMATS:
            raise Http404
        check = self.check_or_404(request, object_id)
        if check.status == CheckStatus.CANCELLED:
            messages.error(request, "This check was cancelled: its sheet is not to be sent.")
            return redirect(reverse("admin:reports_recordingcheck_change", args=[check.pk]))
        user = signed_in_user(request)
        if check.status == CheckStatus.DRAWN:
            try:
                check = recording_check_transition(
                    check, to=CheckStatus.SENT, actor=user, note=f"Sheet downloaded ({file_format.upper()})"
                )
            except ValidationError as error:  # cancelled meanwhile, in another tab
                messages.error(request, " ".join(error.messages))
                return redirect(reverse("admin:reports_recordingcheck_change", args=[check.pk]))
        incident_services.staff_access_record(
            actor=user,
            action=StaffAction.EXPORTED,
            detail={"recording_check": check.pk, "format": file_format, "rows": check.items.count()},
        )
        name = sheet_file_name(check, file_format)
        rows = sheet_rows(check)
        if file_format == "csv":
            return csv_response(SHEET_COLUMNS, rows, file_name=name)
        return xlsx_response(
            SHEET_COLUMNS,
            rows,
            sheet_name="Recording check",
            file_name=name,
            columns=sheet_columns(check),
            notes=[SHEET_HOW_TO],
        )

    def answers_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        if not request.user.has_perm("reports.import_recordingcheck_answers"):
            raise PermissionDenied
        return answers_import_page(self, request, self.check_or_404(request, object_id))
