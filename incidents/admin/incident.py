"""The federation's review of reports, scoped to the reviewer's forces.

Every path (change list, change page, search, actions, history, export) starts
from incident_queryset_for_staff; a report outside it is a 404. Reps never edit
what the officer said: the page's form feeds the review services only.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import SEARCH_VAR
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import ExpressionWrapper, F, Q, QuerySet, SmallIntegerField
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from incidents import services
from incidents.admin.filters import (
    DATE_HIERARCHY,
    REVIEW_LIST_FILTERS,
    REVIEW_LIST_LOOKUPS,
    DeclaredFiltersOnly,
    review_list_problems,
)
from incidents.choices import (
    AWAITING_REVIEW_STATUSES,
    AssaultKind,
    EventKind,
    RejectionReason,
    StaffAction,
    Status,
)
from incidents.fields import search_digests
from incidents.models import Incident, WelfareContact
from incidents.ratelimits import EXPORT, rate_limited
from incidents.selectors import (
    assignable_reps,
    incident_export_rows,
    incident_latest_event_id,
    incident_possible_duplicates,
    incident_queryset_for_staff,
    officer_identity,
    staff_is_national,
)
from incidents.services.review import STALE_REVIEW
from incidents.services.transitions import STAFF, TRANSITIONS
from incidents.spreadsheets import csv_response, xlsx_response

ACTION_LABELS = {
    Status.IN_REVIEW: "Start review",
    Status.NEEDS_INFO: "Ask the officer a question",
    Status.VERIFIED: "Verify",
    Status.REJECTED: "Reject",
}
OFFICER_FIELDS = (
    "occurred_on",
    "occurred_at",
    "setting",
    "place",
    "what_happened",
    "injury",
    "days_off_work",
    "other_officers_assaulted",
    "duty_type",
    "single_crewed",
    "backup_requested",
    "backup_wait",
    "during_arrest",
    "body_worn_video",
    "offender_count",
    "offender_intoxicated",
    "offender_mental_health",
    "offender_under_18",
    "reported_to_force",
    "recorded_as_crime",
    "crime_reference",
    "why_not_reported",
    "outcome",
    "narrative",
    "share_identity",
)


# The change list's date filters: the financial year and the calendar drill-down.
DATE_PARAMETERS = ("year", "occurred_on__year")


class CappedCountPaginator(Paginator):
    """Counts at most CAP rows, so a page of a million-row list never runs a full COUNT(*)."""

    CAP = 10_000

    @cached_property
    def count(self) -> int:  # type: ignore[override]
        # Without ORDER BY: ordered, the count walked the queue index past every row the
        # filters skip (1.6 s for "verified" at a million reports); unordered, the database
        # takes the first 10,001 matches any way it likes (3 to 30 ms).
        return self.object_list.order_by()[: self.CAP + 1].count()


OUT_OF_DATE = "This page is out of date. Check the report below, then make your change again."


class IncidentReviewForm(forms.ModelForm):
    """What a rep may change: assignment, the reviewed classification, a note, the status."""

    reviewed_assaults = forms.MultipleChoiceField(
        label="Reviewed: what happened",
        choices=AssaultKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Leave empty to keep the officer's classification for the statistics.",
    )
    action = forms.ChoiceField(label="Change status", required=False)
    question = forms.CharField(
        label="Question for the officer",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Sent with 'Ask the officer a question'. The officer answers on their report page.",
    )
    rejection_reason = forms.ChoiceField(
        label="Reason for rejecting", required=False, choices=[("", "---------"), *RejectionReason.choices]
    )
    duplicate_of_reference = forms.CharField(
        label="Duplicate of (reference)",
        required=False,
        max_length=20,
        help_text="For a duplicate: the original's reference.",
    )
    note = forms.CharField(
        label="Add an internal note",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Seen by federation staff only, never by the officer.",
    )

    # The newest audit event when the page was drawn: if another rep (or the officer) has
    # changed the report since, the review is refused rather than silently overwriting.
    seen_event = forms.IntegerField(required=False, widget=forms.HiddenInput)

    class Meta:
        model = Incident
        fields = ["assigned_rep", "reviewed_injury"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        incident = self.instance
        self.initial["seen_event"] = incident_latest_event_id(incident)
        self.fields["assigned_rep"].queryset = assignable_reps(incident.force_id)
        self.initial["reviewed_assaults"] = list(incident.reviewed_assaults.values_list("kind", flat=True))
        possible = [to for (start, to), who in TRANSITIONS.items() if start == incident.status and STAFF in who]
        self.fields["action"].choices = [("", "No change")] + [(to, ACTION_LABELS[to]) for to in possible]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        latest = incident_latest_event_id(self.instance)
        if cleaned.get("seen_event") != latest:
            # Shown again with what the rep typed, the report as it now stands and the new
            # version, so the rep can check the other change and send theirs again. A form
            # without a version (an old page, a script) is refused the same way.
            self.add_error(None, STALE_REVIEW if cleaned.get("seen_event") is not None else OUT_OF_DATE)
            self.data = self.data.copy()
            self.data["seen_event"] = str(latest)
        reference = cleaned.get("duplicate_of_reference", "").strip().upper()
        cleaned["duplicate_of"] = None
        if reference:
            cleaned["duplicate_of"] = incident_queryset_for_staff(self.reviewer).filter(reference=reference).first()
            if cleaned["duplicate_of"] is None:
                self.add_error("duplicate_of_reference", "No report with that reference in your forces.")
        return cleaned


class WelfareContactInline(admin.TabularInline):
    model = WelfareContact
    fields = ("contacted_on", "contact_made", "support_offered", "recorded_by")
    readonly_fields = ("recorded_by",)
    extra = 0
    can_delete = False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a follow-up, once recorded, is history

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.has_perm("incidents.review_incident")


@admin.register(Incident)
class IncidentAdmin(DeclaredFiltersOnly, admin.ModelAdmin):
    form = IncidentReviewForm
    list_display = (
        "reference",
        "occurred_on",
        "force_name",
        "what_happened",
        "injury",
        "reported_to_force",
        "status",
        "assigned_rep",
        "days_waiting",
    )
    list_filter = REVIEW_LIST_FILTERS
    search_fields = ("reference", "crime_reference")
    search_help_text = "An exact report reference (AL-2026-…) or crime reference."
    # Drawn from the calendar by templates/admin/incidents/incident/change_list.html, never
    # from a scan of the rows (see incidents/templatetags/review_admin.py).
    date_hierarchy = DATE_HIERARCHY
    # Filter facet counts would run a COUNT per choice over the whole list: never offered.
    show_facets = admin.ShowFacets.NEVER
    ordering = ("review_rank", "-submitted_at")
    list_select_related = ("force", "assigned_rep")
    list_per_page = 50
    paginator = CappedCountPaginator
    show_full_result_count = False
    actions = ["assign_to_me", "start_review", "verify"]
    inlines = [WelfareContactInline]
    readonly_fields = (
        "reference",
        "status",
        "rejection",
        "force",
        "officer_identity",
        "submitted_at",
        "days_waiting",
        *OFFICER_FIELDS,
        "questions",
        "internal_notes",
        "possible_duplicates",
        "timeline",
        "access_log",
    )

    def get_fieldsets(self, request: HttpRequest, obj: Incident | None = None) -> list[tuple[str, dict[str, Any]]]:
        fieldsets = [
            (
                "Review",
                {
                    "fields": (
                        ("reference", "status", "days_waiting"),
                        *(("rejection",) if obj is not None and obj.status == Status.REJECTED else ()),
                        "assigned_rep",
                        "action",
                        "question",
                        ("rejection_reason", "duplicate_of_reference"),
                        "note",
                        "seen_event",
                    )
                },
            ),
            (
                "Reviewed classification (the statistics prefer it)",
                {"fields": ("reviewed_injury", "reviewed_assaults")},
            ),
            (
                "The report, as the officer filed it",
                {"fields": ("officer_identity", "force", "submitted_at", *OFFICER_FIELDS)},
            ),
            ("Questions to the officer", {"fields": ("questions",)}),
            ("Internal notes", {"fields": ("internal_notes",)}),
            ("Possible duplicates", {"fields": ("possible_duplicates",)}),
            ("Timeline", {"fields": ("timeline",)}),
        ]
        if staff_is_national(request.user):
            fieldsets.append(("Who viewed this report", {"fields": ("access_log",), "classes": ("collapse",)}))
        return fieldsets

    # -- order -----------------------------------------------------------------

    def get_ordering(self, request: HttpRequest) -> Any:
        """The queue order, in the form the database serves fastest for the filters in use.

        The queue index (review_rank, -submitted_at) finds the first page at once when the
        filters match reports all along the queue. It does not when they match only rows far
        down it (measured at a million reports, docs/performance.md):
        """
        if any(request.GET.get(name) for name in DATE_PARAMETERS):
            # An old financial year or month lies behind every newer report in the queue
            # (1.6 s for 2017/18 and verified). A date range holds at most a year of reports:
            # fetched through the date index and sorted (top-N), 110 to 160 ms. "+ 0" keeps
            # the order and stops the planner walking the queue index.
            return (ExpressionWrapper(F("review_rank") + 0, output_field=SmallIntegerField()).asc(), "-submitted_at")
        if request.GET.get("status__exact"):
            # One status has one rank, so this is the same order, and the (status,
            # -submitted_at) index serves it: "verified" sits behind every rank 0 and 1 report.
            return ("-submitted_at",)
        return self.ordering

    # -- scope -----------------------------------------------------------------

    def lookup_allowed(self, lookup: str, value: str, request: HttpRequest | None = None) -> bool:
        # Behind review_list_problems, which refuses anything else with a message first.
        return lookup in REVIEW_LIST_LOOKUPS

    def _refuse_parameters(self, request: HttpRequest, problems: dict[str, str], *, exporting: bool) -> HttpResponse:
        """Back to the list with the parameters it can take, saying what was left out and why."""
        verb = "Nothing was exported" if exporting else "The list is shown without part of that link"
        self.message_user(request, f"{verb}. {' '.join(dict.fromkeys(problems.values()))}", messages.ERROR)
        kept = request.GET.copy()
        for name in problems:
            kept.pop(name, None)
        url = reverse("admin:incidents_incident_changelist")
        return redirect(f"{url}?{kept.urlencode()}" if kept else url)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Incident]:
        return incident_queryset_for_staff(request.user).prefetch_related("assaults")

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Incident], search_term: str
    ) -> tuple[QuerySet[Incident], bool]:
        # Exact matches on indexed columns: a substring search would scan every row. The
        # crime reference is stored encrypted, so it is found by its keyed digest.
        term = search_term.strip()
        if not term:
            return queryset, False
        return queryset.filter(Q(reference=term.upper()) | Q(crime_reference_digest__in=search_digests(term))), False

    def _get_obj_does_not_exist_redirect(self, request: HttpRequest, opts: Any, object_id: str) -> HttpResponse:
        # Another force's report, or none at all: the same 404 either way.
        raise Http404("No such report.")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # reports come from officers

    def has_delete_permission(self, request: HttpRequest, obj: Incident | None = None) -> bool:
        return False  # nothing is deleted from the admin

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        if not request.user.has_perm("incidents.review_incident"):
            return {}
        return actions

    def get_form(self, request: HttpRequest, obj: Incident | None = None, **kwargs: Any) -> type[forms.ModelForm]:
        form = super().get_form(request, obj, **kwargs)
        form.reviewer = request.user  # type: ignore[attr-defined]
        return form

    # -- the change page -------------------------------------------------------

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        response = super().change_view(request, object_id, form_url, extra_context)
        if request.method == "GET" and response.status_code == 200:
            services.staff_access_record(
                actor=request.user, action=StaffAction.VIEWED, incident=self.get_object(request, object_id)
            )
        return response

    def save_model(self, request: HttpRequest, obj: Incident, form: forms.ModelForm, change: bool) -> None:
        data = form.cleaned_data
        original = Incident.objects.get(pk=obj.pk)
        try:
            services.incident_review(
                incident=original,
                actor=request.user,
                assigned_rep=data["assigned_rep"] if "assigned_rep" in form.changed_data else services.review.UNCHANGED,
                reviewed_injury=data["reviewed_injury"],
                reviewed_assaults=data["reviewed_assaults"],
                note=data["note"],
                to=data["action"],
                question=data["question"],
                rejection_reason=data["rejection_reason"],
                duplicate_of=data["duplicate_of"],
                seen_event=data["seen_event"],
            )
        except (ValidationError, PermissionDenied) as error:
            request._review_failed = True  # type: ignore[attr-defined]
            text = "; ".join(error.messages) if isinstance(error, ValidationError) else str(error)
            self.message_user(request, f"Nothing was changed: {text}", messages.ERROR)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        if getattr(request, "_review_failed", False):
            return
        for formset in formsets:
            for contact in formset.save(commit=False):
                services.welfare_record(
                    incident=form.instance,
                    actor=request.user,
                    contacted_on=contact.contacted_on,
                    contact_made=contact.contact_made,
                    support_offered=contact.support_offered,
                )

    def log_change(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        # A refused review changed nothing, so Django's "Changed ..." history entry would lie.
        if getattr(request, "_review_failed", False):
            return None
        return super().log_change(request, obj, message)

    def response_change(self, request: HttpRequest, obj: Incident) -> HttpResponse:
        if getattr(request, "_review_failed", False):
            return redirect(request.path)
        return super().response_change(request, obj)

    def construct_change_message(self, request: HttpRequest, form: Any, formsets: Any, add: bool = False) -> list[Any]:
        return [{"changed": {"fields": ["review"]}}]

    # -- columns and read-only fields -----------------------------------------

    @admin.display(description="force", ordering="force__short_name")
    def force_name(self, incident: Incident) -> str:
        return incident.force.short_name

    @admin.display(description="what happened")
    def what_happened(self, incident: Incident) -> str:
        return ", ".join(sorted(row.get_kind_display() for row in incident.assaults.all()))

    @admin.display(description="days waiting")
    def days_waiting(self, incident: Incident) -> str:
        if incident.status not in AWAITING_REVIEW_STATUSES or not incident.submitted_at:
            return "–"
        return str((timezone.now() - incident.submitted_at).days)

    @admin.display(description="rejected because")
    def rejection(self, incident: Incident) -> str:
        if incident.status != Status.REJECTED:
            return "–"
        reason = incident.get_rejection_reason_display() or "–"
        original = incident.duplicate_of
        if original is None:
            return reason
        # The original is in a force the rejecting rep covers; for anyone else the link is a 404.
        url = reverse("admin:incidents_incident_change", args=[original.pk])
        return format_html('{}: <a href="{}">{}</a>', reason, url, original.reference)

    @admin.display(description="officer")
    def officer_identity(self, incident: Incident) -> str:
        return officer_identity(incident)

    @admin.display(description="why not reported")
    def why_not_reported(self, incident: Incident) -> str:
        return ", ".join(row.get_reason_display() for row in incident.not_reported_reasons.all()) or "–"

    @admin.display(description="questions")
    def questions(self, incident: Incident) -> str:
        rows = [
            (q.asked_at.strftime("%d %b %Y %H:%M"), q.question, q.answer or "No answer yet")
            for q in incident.questions.all()
        ]
        if not rows:
            return "None asked."
        return format_html_join("", "<p><strong>{}</strong>: {}<br>Answer: {}</p>", rows)

    @admin.display(description="notes")
    def internal_notes(self, incident: Incident) -> str:
        rows = [
            (note.created_at.strftime("%d %b %Y %H:%M"), note.author.email if note.author else "–", note.text)
            for note in incident.notes.select_related("author")
        ]
        return format_html_join("", "<p><strong>{}</strong> {}: {}</p>", rows) if rows else "None."

    @admin.display(description="possible duplicates")
    def possible_duplicates(self, incident: Incident) -> str:
        found = incident_possible_duplicates(incident)
        parts = []
        for label, key in (
            ("Same officer within a day", "same_officer"),
            ("Same force, time and setting", "same_scene"),
        ):
            links = format_html_join(
                ", ",
                '<a href="{}">{}</a>',
                ((reverse("admin:incidents_incident_change", args=[i.pk]), i.reference) for i in found[key]),
            )
            parts.append(format_html("<p>{}: {}</p>", label, links or "none"))
        return format_html_join("", "{}", ((part,) for part in parts))

    @admin.display(description="timeline")
    def timeline(self, incident: Incident) -> str:
        events = incident.events.select_related("actor").exclude(kind=EventKind.CREATED).order_by("created_at", "id")
        rows = [
            (
                timezone.localtime(event.created_at).strftime("%d %b %Y %H:%M"),
                EventKind(event.kind).label,
                self._actor(incident, event.actor),
                ", ".join(f"{field}: {self._change(value)}" for field, value in event.changes.items()),
            )
            for event in events
        ]
        return format_html("<ol>{}</ol>", format_html_join("", "<li>{} · {} · {} {}</li>", rows)) if rows else "–"

    @admin.display(description="viewed by")
    def access_log(self, incident: Incident) -> str:
        rows = [
            (timezone.localtime(a.created_at).strftime("%d %b %Y %H:%M"), a.actor.email if a.actor else "–")
            for a in incident.accesses.select_related("actor")[:100]
        ]
        return format_html_join("", "<p>{} {}</p>", rows) if rows else "–"

    @staticmethod
    def _actor(incident: Incident, actor: Any) -> str:
        if actor is None:
            return "system"
        if actor.pk == incident.officer_id:
            return "officer" if not incident.share_identity else f"officer ({actor.email})"
        return actor.email

    @staticmethod
    def _change(value: Any) -> str:
        if isinstance(value, list) and len(value) == 2:
            return f"{value[0]} → {value[1]}"
        if isinstance(value, dict) and value.get("changed"):
            return "changed"
        return str(value)

    # -- bulk actions ------------------------------------------------------------

    @admin.action(description="Assign to me", permissions=["review"])
    def assign_to_me(self, request: HttpRequest, queryset: QuerySet[Incident]) -> None:
        result = services.incidents_bulk_assign_to_me(incidents=queryset, actor=request.user)
        self.message_user(request, result.message("assigned to you"), messages.INFO)

    @admin.action(description="Start review", permissions=["review"])
    def start_review(self, request: HttpRequest, queryset: QuerySet[Incident]) -> None:
        result = services.incidents_bulk_transition(incidents=queryset, actor=request.user, to=Status.IN_REVIEW)
        self.message_user(request, result.message("moved to in review"), messages.INFO)

    @admin.action(description="Verify", permissions=["review"])
    def verify(self, request: HttpRequest, queryset: QuerySet[Incident]) -> None:
        result = services.incidents_bulk_transition(incidents=queryset, actor=request.user, to=Status.VERIFIED)
        self.message_user(request, result.message("verified"), messages.INFO)

    def has_review_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("incidents.review_incident")

    # -- export ------------------------------------------------------------------

    def get_urls(self) -> list[Any]:
        return [
            path(
                "export/<str:file_format>/",
                self.admin_site.admin_view(
                    rate_limited(EXPORT, rate_setting="EXPORT_RATE", method="GET")(self.export_view)
                ),
                name="incidents_incident_export",
            ),
            *super().get_urls(),
        ]

    def export_view(self, request: HttpRequest, file_format: str) -> HttpResponse:
        """The change list as filtered and searched, as a file. Its own permission, logged."""
        if not request.user.has_perm("incidents.export_incident"):
            raise PermissionDenied
        if file_format not in ("csv", "xlsx"):
            raise Http404
        problems = review_list_problems(request)
        if problems:
            return self._refuse_parameters(request, problems, exporting=True)
        try:
            queryset = self.get_changelist_instance(request).get_queryset(request)
        except IncorrectLookupParameters:
            # The change list shows such a link as "?e=1"; the export says what went wrong.
            self.message_user(request, "Nothing was exported. The filters in the link are not valid.", messages.ERROR)
            return redirect(reverse("admin:incidents_incident_changelist"))
        header, rows = incident_export_rows(queryset, request.user)
        # The filters, but never the search term: it may be a crime reference, which is
        # stored only encrypted and must not sit readable in the access log.
        filters = {key: value for key, value in request.GET.items() if key != SEARCH_VAR}
        services.staff_access_record(
            actor=request.user,
            action=StaffAction.EXPORTED,
            detail={
                "format": file_format,
                "filters": filters,
                "searched": bool(request.GET.get(SEARCH_VAR, "").strip()),
                "rows": queryset.count(),
            },
        )
        return csv_response(header, rows) if file_format == "csv" else xlsx_response(header, rows)

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        problems = review_list_problems(request)
        if problems:
            return self._refuse_parameters(request, problems, exporting=False)
        extra_context = extra_context or {}
        if request.user.has_perm("incidents.export_incident"):
            query = request.GET.urlencode()
            for file_format in ("csv", "xlsx"):
                url = reverse("admin:incidents_incident_export", args=[file_format])
                extra_context[f"export_{file_format}_url"] = f"{url}?{query}" if query else url
        return super().changelist_view(request, extra_context)
