"""The federation's review of reports, scoped to the reviewer's forces.

Every path (change list, change page, search, actions, history, export) starts
from incident_queryset_for_staff; a report outside it is a 404. Reps never edit
what the officer said: the page's form feeds the review services only.
"""

from __future__ import annotations

import re
from functools import cached_property
from typing import Any, ClassVar, cast

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import TO_FIELD_VAR, IncorrectLookupParameters
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import SEARCH_VAR
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import ExpressionWrapper, F, Q, QuerySet, SmallIntegerField
from django.db.models.options import Options
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, QueryDict
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from incidents import services
from incidents.admin.filters import (
    DATE_HIERARCHY,
    REVIEW_LIST_FILTERS,
    REVIEW_LIST_LOOKUPS,
    DeclaredFiltersOnly,
    refused_parameters,
    review_list_problems,
)
from incidents.admin.sections import review_page_sections
from incidents.choices import (
    AWAITING_REVIEW_STATUSES,
    AssaultKind,
    Injury,
    RejectionReason,
    StaffAction,
    Status,
    SupportOffered,
)
from incidents.fields import search_digests
from incidents.models import Incident, User, signed_in_user
from incidents.ratelimits import EXPORT, rate_limited
from incidents.selectors import (
    assignable_reps,
    incident_export_rows,
    incident_latest_event_id,
    incident_periods_for_staff,
    incident_queryset_for_staff,
    incident_review_record,
    officer_identity,
)
from incidents.services.review import STALE_REVIEW, UNCHANGED, WelfareFollowUp
from incidents.services.transitions import STAFF, TRANSITIONS, transition_problems
from incidents.spreadsheets import csv_response, xlsx_response

ACTION_LABELS: dict[str, str] = {
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


# The list's injury column, short enough to leave room for the status and the rep.
INJURY_SHORT: dict[str, str] = {
    Injury.NONE: "No injury",
    Injury.MINOR: "Minor",
    Injury.MEDICAL: "Medical",
    Injury.SERIOUS: "Serious",
}


def reference_prefix(term: str) -> str:
    """What a rep typed as the start of a report reference: "al-2026-7k" and "2026-7K" both
    mean "AL-2026-7K"."""
    term = term.upper()
    return term if term.startswith("AL") or not term[:1].isdigit() else f"AL-{term}"


# The change list's date filters: the financial year and the calendar drill-down.
DATE_PARAMETERS = ("year", "occurred_on__year")


class CappedCountPaginator(Paginator):
    """Counts at most CAP rows, so a page of a million-row list never runs a full COUNT(*).

    Past CAP the list says "More than 1,000" and offers its first 20 pages: a rep with more
    to look through narrows the list with its filters, or exports it. Counting to 10,000
    instead cost up to 0.35 s for filters that match one report in fifty or so (the count
    reads on until it has found CAP + 1), at a million reports (docs/performance.md).
    """

    CAP = 1_000
    object_list: QuerySet[Any]  # the admin's change list pages a queryset

    @cached_property
    def count(self) -> int:
        # Without ORDER BY: ordered, the count walked the queue index past every row the
        # filters skip (1.6 s for "verified" at a million reports); unordered, the database
        # takes the first 10,001 matches any way it likes (3 to 30 ms).
        return self.object_list.order_by()[: self.CAP + 1].count()


class CoveringPagePaginator(CappedCountPaginator):
    """A page in two steps: its ids, then its rows.

    The ids come from one of the review list's covering indexes alone (incidents/models.py):
    every column a filter or the order tests is in the index, so PostgreSQL skips the rows
    the filters leave out without reading the table. Fetched whole, with the page's columns,
    each skipped row was a read of the table: 0.5 s for "single-crewed: no", whose matches
    all sit behind the unreviewed reports in the queue, at a million reports
    (docs/performance.md). Then the page's 50 rows are read by id.
    """

    def page(self, number: int | str) -> Page[Any]:
        page = super().page(number)
        window = cast("QuerySet[Any]", page.object_list)  # its slice of the list, not yet read
        ids = list(window.select_related(None).prefetch_related(None).values_list("pk", flat=True))
        rows = self.object_list.in_bulk(ids)
        page.object_list = [rows[pk] for pk in ids if pk in rows]
        return page


OUT_OF_DATE = "This page is out of date. Check the report below, then make your change again."


def check_status_change(form: forms.ModelForm[Incident], cleaned: dict[str, Any]) -> None:
    """The review form's status change, checked as the service will check it, and text typed
    for a change not chosen: each refused beside its field, with what the rep typed kept."""
    to = cleaned.get("action") or ""
    typed = {
        "question": (cleaned.get("question") or "").strip() and to != Status.NEEDS_INFO,
        "rejection_reason": cleaned.get("rejection_reason") and to != Status.REJECTED,
        "duplicate_of_reference": (cleaned.get("duplicate_of_reference") or "").strip() and to != Status.REJECTED,
    }
    needs = {
        "question": "To send this question, choose “Ask the officer a question” under Change status.",
        "rejection_reason": "To reject the report, choose “Reject” under Change status.",
        "duplicate_of_reference": "To reject the report as a duplicate, choose “Reject” under Change status.",
    }
    for name, stray in typed.items():
        if stray:
            form.add_error(name, needs[name])
    if not to or form.has_error("duplicate_of_reference"):
        return
    problems = transition_problems(
        form.instance,
        to,
        rejection_reason=cleaned.get("rejection_reason") or "",
        duplicate_of=cleaned.get("duplicate_of"),
        question=cleaned.get("question") or "",
    )
    for name, problem in problems.items():
        form.add_error("duplicate_of_reference" if name == "duplicate_of" else name, problem)


def review_done(form: forms.ModelForm[Incident], reviewed: Incident) -> str:
    """What a saved review did, in the rep's words, for the message after it."""
    data = form.cleaned_data
    done = []
    if "assigned_rep" in form.changed_data:
        done.append(f"assigned to {reviewed.assigned_rep.email}" if reviewed.assigned_rep else "no rep assigned")
    if data.get("action"):
        done.append(f"now {Status(reviewed.status).label.lower()}")
        if data["action"] == Status.NEEDS_INFO:
            done.append("question sent to the officer")
    if {"reviewed_injury", "reviewed_assaults"} & set(form.changed_data):
        done.append("reviewed classification saved")
    if data.get("note", "").strip():
        done.append("internal note added")
    if data.get("welfare"):
        done.append("welfare follow-up recorded")
    return "; ".join(done) if done else "nothing to change"


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

    welfare_contacted_on = forms.DateField(
        label="Welfare follow-up: date",
        required=False,
        # A date field shows and sends ISO dates.
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="Fill in with the support offered to record a follow-up with the officer.",
    )
    welfare_contact_made = forms.BooleanField(label="Contact made", required=False)
    welfare_support_offered = forms.ChoiceField(
        label="Support offered", required=False, choices=[("", "---------"), *SupportOffered.choices]
    )

    # The newest audit event when the page was drawn: if another rep (or the officer) has
    # changed the report since, the review is refused rather than silently overwriting.
    seen_event = forms.IntegerField(required=False, widget=forms.HiddenInput)

    # Set by IncidentAdmin.get_form on the class it makes for each request.
    reviewer: ClassVar[User]

    class Meta:
        model = Incident
        fields = ["assigned_rep", "reviewed_injury"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        incident = self.instance
        self.initial["seen_event"] = incident_latest_event_id(incident)
        # The field Django makes for a foreign key, and the choice field declared above.
        assigned_rep = cast("forms.ModelChoiceField[User]", self.fields["assigned_rep"])
        action = cast(forms.ChoiceField, self.fields["action"])
        assigned_rep.queryset = assignable_reps(incident.force_id)
        self.initial["reviewed_assaults"] = list(incident.reviewed_assaults.values_list("kind", flat=True))
        possible = [to for (start, to), who in TRANSITIONS.items() if start == incident.status and STAFF in who]
        action.choices = [("", "No change")] + [(to, ACTION_LABELS[to]) for to in possible]

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        latest = incident_latest_event_id(self.instance)
        if cleaned.get("seen_event") != latest:
            # Shown again with what the rep typed, the report as it now stands and the new
            # version, so the rep can check the other change and send theirs again. A form
            # without a version (an old page, a script) is refused the same way.
            self.add_error(None, STALE_REVIEW if cleaned.get("seen_event") is not None else OUT_OF_DATE)
            # Bound to request.POST (review_view, Django's change view): a QueryDict.
            data = cast(QueryDict, self.data).copy()
            data["seen_event"] = str(latest)
            self.data = data
        reference = cleaned.get("duplicate_of_reference", "").strip().upper()
        cleaned["duplicate_of"] = None
        if reference:
            cleaned["duplicate_of"] = incident_queryset_for_staff(self.reviewer).filter(reference=reference).first()
            if cleaned["duplicate_of"] is None:
                self.add_error("duplicate_of_reference", "No report with that reference in your forces.")
        check_status_change(self, cleaned)
        cleaned["welfare"] = None
        contacted_on, support = cleaned.get("welfare_contacted_on"), cleaned.get("welfare_support_offered")
        if contacted_on and support:
            if contacted_on > timezone.localdate():
                self.add_error("welfare_contacted_on", "A follow-up cannot be in the future.")
            else:
                cleaned["welfare"] = WelfareFollowUp(contacted_on, cleaned.get("welfare_contact_made", False), support)
        elif contacted_on:
            self.add_error("welfare_support_offered", "Choose the support offered, or clear the date.")
        elif support:
            self.add_error("welfare_contacted_on", "Give the date of the follow-up, or clear the support.")
        return cleaned


@admin.register(Incident)
class IncidentAdmin(DeclaredFiltersOnly, admin.ModelAdmin):
    """The review list and a report's review page.

    The page's form posts to ``review_view`` (its own URL, from ``get_urls``), which calls the
    review service once and redirects; the page's record (questions, notes, welfare, possible
    duplicates, timeline, who viewed it) comes from ``incident_review_record`` and is drawn by
    templates/admin/incidents/incident/change_form.html.
    """

    form = IncidentReviewForm
    list_display = (
        "reference",
        "occurred_on",
        "force_name",
        "what_happened",
        "injury_short",
        "status",
        "rep",
        "days_waiting",
    )
    list_filter = REVIEW_LIST_FILTERS
    # Sorting by anything but the queue or the date sorts the whole table (ORDER_VALUES).
    sortable_by = ("occurred_on",)
    search_fields = ("reference", "crime_reference")
    search_help_text = "The start of a report reference (AL-2026-7K…), or a whole crime reference."
    # Drawn from the years that hold reports by templates/admin/incidents/incident/change_list.html,
    # never from a scan of the rows (see incidents/templatetags/review_admin.py).
    date_hierarchy = DATE_HIERARCHY
    # Filter facet counts would run a COUNT per choice over the whole list: never offered.
    show_facets = admin.ShowFacets.NEVER
    # The queue; "-id" makes it total (Django would add "-pk" anyway), as the indexes hold it.
    ordering = ("review_rank", "-submitted_at", "-id")
    list_select_related = ("force", "assigned_rep")
    list_per_page = 50
    paginator = CoveringPagePaginator
    show_full_result_count = False
    actions = ["assign_to_me", "start_review", "verify"]
    # The report's record runs long below the form: its buttons at the top as well.
    save_on_top = True
    readonly_fields = (
        "reference",
        "status",
        "rejection",
        "force",
        "officer_identity",
        "submitted_at",
        "days_waiting",
        *OFFICER_FIELDS,
    )

    def get_fieldsets(  # type: ignore[override]  # Django's fieldset options type is private to its stubs
        self, request: HttpRequest, obj: Incident | None = None
    ) -> list[tuple[str, dict[str, Any]]]:
        return [
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
                "Welfare follow-up",
                {"fields": (("welfare_contacted_on", "welfare_contact_made", "welfare_support_offered"),)},
            ),
            (
                "The report, as the officer filed it",
                {"fields": ("officer_identity", "force", "submitted_at", *OFFICER_FIELDS)},
            ),
        ]

    # -- order -----------------------------------------------------------------

    def get_ordering(self, request: HttpRequest) -> Any:
        """The queue order, in the form the database serves fastest for the filters in use.

        The queue indexes find a page's ids by walking the queue, skipping in the index what
        the filters leave out (a million entries in 140 ms at worst). A date range holds at
        most a year of reports, which the date index reads and sorts faster (measured at a
        million reports, docs/performance.md):
        """
        if any(request.GET.get(name) for name in DATE_PARAMETERS):
            # An old financial year lies behind every newer report in the queue. "+ 0" keeps
            # the order and stops the planner walking the queue index: it reads the period
            # from the date index and keeps the first page as it sorts (top-N).
            return (
                ExpressionWrapper(F("review_rank") + 0, output_field=SmallIntegerField()).asc(),
                "-submitted_at",
                "-id",
            )
        return self.ordering

    # -- scope -----------------------------------------------------------------

    def lookup_allowed(self, lookup: str, value: str, request: HttpRequest | None = None) -> bool:
        # Behind review_list_problems, which refuses anything else with a message first.
        return lookup in REVIEW_LIST_LOOKUPS

    def refuse_parameters(self, request: HttpRequest, problems: dict[str, str], *, exporting: bool) -> HttpResponse:
        """Back to the list with the parameters it can take, saying what was left out and why."""
        verb = "Nothing was exported" if exporting else "The list is shown without part of that link"
        return refused_parameters(request, problems, url=reverse("admin:incidents_incident_changelist"), verb=verb)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Incident]:
        return incident_queryset_for_staff(request.user).prefetch_related("assaults")

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Incident], search_term: str
    ) -> tuple[QuerySet[Incident], bool]:
        # A report reference by its start, on the reference's pattern index (LIKE 'AL-2026-7K%');
        # a crime reference whole, as it is stored encrypted and found by its keyed digest.
        # Never a substring: that would scan every row.
        term = search_term.strip()
        if not term:
            return queryset, False
        return queryset.filter(
            Q(reference__startswith=reference_prefix(term)) | Q(crime_reference_digest__in=search_digests(term))
        ), False

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

    def get_form(
        self, request: HttpRequest, obj: Incident | None = None, change: bool = False, **kwargs: Any
    ) -> type[IncidentReviewForm]:
        # A new subclass of self.form (IncidentReviewForm) per request.
        form = cast("type[IncidentReviewForm]", super().get_form(request, obj, change, **kwargs))
        form.reviewer = signed_in_user(request)
        return form

    # -- the report's page and its review ----------------------------------------

    def get_urls(self) -> list[Any]:
        return [
            path(
                "export/<str:file_format>/",
                self.admin_site.admin_view(
                    rate_limited(EXPORT, rate_setting="EXPORT_RATE", method="GET")(self.export_view)
                ),
                name="incidents_incident_export",
            ),
            path(
                "<path:object_id>/review/",
                self.admin_site.admin_view(self.review_view),
                name="incidents_incident_review",
            ),
            *super().get_urls(),
        ]

    def reviewable(self, request: HttpRequest, object_id: str) -> Incident:
        """The report, if it is in the reviewer's forces (get_queryset); another force's
        report and one that does not exist are the same 404, never Django's "perhaps it was
        deleted?" redirect, which would tell the two apart."""
        # Django's view takes "_to_field" from the query; an empty one is refused (a 400) by
        # DeclaredFiltersOnly.get_object, here as there.
        empty_to_field = "" if request.GET.get(TO_FIELD_VAR) == "" else None
        incident = self.get_object(request, unquote(object_id), empty_to_field)
        if incident is None:
            raise Http404("No such report.")
        return incident

    def history_view(self, request: HttpRequest, object_id: str, extra_context: Any = None) -> HttpResponse:
        self.reviewable(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        incident = self.reviewable(request, object_id)
        if request.method == "POST":
            return self.review_view(request, object_id)  # a page drawn before the review view
        response = super().change_view(
            request, object_id, reverse("admin:incidents_incident_review", args=[incident.pk]), extra_context
        )
        if response.status_code == 200:
            user = signed_in_user(request)
            services.staff_access_record(actor=user, action=StaffAction.VIEWED, incident=incident)
        return response

    def render_change_form(
        self,
        request: HttpRequest,
        context: dict[str, Any],
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: Incident | None = None,
    ) -> HttpResponse:
        if obj is not None:
            user = signed_in_user(request)
            context["record"] = incident_review_record(obj, user)
            context["sections"] = review_page_sections(obj, user)  # other apps' (incidents.admin.sections)
            context["title"] = "Review report"
        return super().render_change_form(request, context, add, change, form_url, obj)

    def review_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """The review page's form: the review service, called once, then back to the page."""
        incident = self.reviewable(request, object_id)
        if request.method != "POST":
            # A reload of the page drawn after a refused review: the report's page again.
            return redirect(reverse("admin:incidents_incident_change", args=[incident.pk]))
        if not self.has_change_permission(request, incident):
            raise PermissionDenied
        form = self.get_form(request, incident, fields=None)(request.POST, instance=incident)
        if not form.is_valid():
            # The page again, with what the rep typed and what is wrong with it (Django's
            # change view draws an invalid form and writes nothing; see save_model).
            return self.changeform_view(
                request, object_id, reverse("admin:incidents_incident_review", args=[incident.pk])
            )
        data = form.cleaned_data
        user = signed_in_user(request)
        try:
            reviewed = services.incident_review(
                incident=incident,
                actor=user,
                assigned_rep=data["assigned_rep"] if "assigned_rep" in form.changed_data else UNCHANGED,
                reviewed_injury=data["reviewed_injury"],
                reviewed_assaults=data["reviewed_assaults"],
                note=data["note"],
                to=data["action"],
                question=data["question"],
                rejection_reason=data["rejection_reason"],
                duplicate_of=data["duplicate_of"],
                seen_event=data["seen_event"],
                welfare=data["welfare"],
            )
        except (ValidationError, PermissionDenied) as error:
            text = "; ".join(error.messages) if isinstance(error, ValidationError) else str(error)
            self.message_user(request, f"Nothing was changed: {text}", messages.ERROR)
            return redirect(reverse("admin:incidents_incident_change", args=[incident.pk]))
        self.log_change(request, reviewed, [{"changed": {"fields": ["review"]}}])
        self.message_user(request, f"{reviewed.reference}: {review_done(form, reviewed)}.", messages.SUCCESS)
        if "_continue" not in request.POST:
            return self.response_post_save_change(request, reviewed)  # the list, its filters kept
        page = reverse("admin:incidents_incident_change", args=[reviewed.pk])
        preserved: dict[str, Options[Any] | str] = {
            "preserved_filters": self.get_preserved_filters(request),
            "opts": self.opts,
        }
        return redirect(add_preserved_filters(preserved, page))

    def save_model(self, request: HttpRequest, obj: Incident, form: forms.ModelForm[Incident], change: bool) -> None:
        # Never reached: review_view writes through the review service, and hands Django's
        # change view only a form that failed validation, which it draws and does not save.
        raise PermissionDenied("A review is saved by the review service.")

    # -- columns and read-only fields -----------------------------------------

    @admin.display(description="force")
    def force_name(self, incident: Incident) -> str:
        return incident.force.short_name

    @admin.display(description="what happened")
    def what_happened(self, incident: Incident) -> str:
        return ", ".join(sorted(row.get_kind_display() for row in incident.assaults.all()))

    @admin.display(description="injury")
    def injury_short(self, incident: Incident) -> str:
        return INJURY_SHORT.get(incident.injury, incident.get_injury_display())

    @admin.display(description="rep")
    def rep(self, incident: Incident) -> str:
        if incident.assigned_rep is None:
            return "–"
        # May break before the "@" and each "." in a narrow column.
        parts = re.split(r"(?=[@.])", incident.assigned_rep.email)
        return format_html_join(mark_safe("<wbr>"), "{}", ((part,) for part in parts))

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

    # -- bulk actions ------------------------------------------------------------

    @admin.action(description="Assign to me", permissions=["review"])
    def assign_to_me(self, request: HttpRequest, queryset: QuerySet[Incident]) -> None:
        user = signed_in_user(request)
        result = services.incidents_bulk_assign_to_me(incidents=queryset, actor=user)
        self.message_user(request, result.message("assigned to you"), messages.INFO)

    @admin.action(description="Start review", permissions=["review"])
    def start_review(self, request: HttpRequest, queryset: QuerySet[Incident]) -> None:
        user = signed_in_user(request)
        result = services.incidents_bulk_transition(incidents=queryset, actor=user, to=Status.IN_REVIEW)
        self.message_user(request, result.message("moved to in review"), messages.INFO)

    @admin.action(description="Verify", permissions=["review"])
    def verify(self, request: HttpRequest, queryset: QuerySet[Incident]) -> None:
        user = signed_in_user(request)
        result = services.incidents_bulk_transition(incidents=queryset, actor=user, to=Status.VERIFIED)
        self.message_user(request, result.message("verified"), messages.INFO)

    def has_review_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("incidents.review_incident")

    # -- the list and its export ---------------------------------------------------

    def export_view(self, request: HttpRequest, file_format: str) -> HttpResponseBase:
        """The change list as filtered and searched, as a file. Its own permission, logged."""
        if not request.user.has_perm("incidents.export_incident"):
            raise PermissionDenied
        if file_format not in ("csv", "xlsx"):
            raise Http404
        problems = review_list_problems(request)
        if problems:
            return self.refuse_parameters(request, problems, exporting=True)
        try:
            queryset = self.get_changelist_instance(request).get_queryset(request)
        except IncorrectLookupParameters:
            # The change list shows such a link as "?e=1"; the export says what went wrong.
            self.message_user(request, "Nothing was exported. The filters in the link are not valid.", messages.ERROR)
            return redirect(reverse("admin:incidents_incident_changelist"))
        user = signed_in_user(request)
        header, rows = incident_export_rows(queryset, user)
        # The filters, but never the search term: it may be a crime reference, which is
        # stored only encrypted and must not sit readable in the access log.
        filters = {key: value for key, value in request.GET.items() if key != SEARCH_VAR}
        services.staff_access_record(
            actor=user,
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
            return self.refuse_parameters(request, problems, exporting=False)
        extra_context = extra_context or {}
        extra_context["title"] = "Reports"
        # Checked by review_list_problems: whole numbers, a month only with a year.
        year, month = (request.GET.get(f"{DATE_HIERARCHY}__{part}") for part in ("year", "month"))
        extra_context["dates_with_reports"] = incident_periods_for_staff(
            request.user, year=int(year) if year else None, month=int(month) if year and month else None
        )
        if request.user.has_perm("incidents.export_incident"):
            query = request.GET.urlencode()
            for file_format in ("csv", "xlsx"):
                url = reverse("admin:incidents_incident_export", args=[file_format])
                extra_context[f"export_{file_format}_url"] = f"{url}?{query}" if query else url
        return super().changelist_view(request, extra_context)
