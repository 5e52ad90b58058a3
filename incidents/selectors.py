"""Reads. Every path to an incident goes through the access gate here."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import AnonymousUser
from django.db import models
from django.db.models import Case, Exists, Q, QuerySet, When
from django.http import Http404
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext, pgettext_lazy

from incidents.choices import (
    AWAITING_REVIEW_STATUSES,
    NATIONAL_GROUP,
    Answer,
    AssaultKind,
    BackupWait,
    Duty,
    EventKind,
    Injury,
    NotReportedReason,
    Outcome,
    RecordedAsCrime,
    RejectionReason,
    ReportedToForce,
    Setting,
    Status,
    SupportOffered,
)
from incidents.models import (
    EARLIEST_INCIDENT_DATE,
    FREE_TEXT_FIELDS,
    INCIDENT_FIELDS,
    Force,
    ForceEmailDomain,
    Incident,
    IncidentAssault,
    IncidentNotReportedReason,
    IncidentQuestion,
    OfficerProfile,
    ReviewedAssault,
    User,
    WelfareContact,
    choice_mask,
)

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def email_domain_candidates(email: str) -> list[str]:
    """The address's domain and each parent, so old pnn subdomains still match."""
    domain = email.rpartition("@")[2].strip().lower().rstrip(".")
    parts = domain.split(".")
    return [".".join(parts[i:]) for i in range(len(parts) - 1)]


def force_domain_for_email(email: str) -> ForceEmailDomain | None:
    candidates = email_domain_candidates(email)
    if not candidates:
        return None
    matches = ForceEmailDomain.objects.filter(domain__in=candidates).select_related("force")
    # The most specific domain wins.
    return max(matches, key=lambda match: len(match.domain), default=None)


def officer_profile_for_user(user: User | AnonymousUser) -> OfficerProfile | None:
    if not user.is_authenticated:
        return None
    # The signed-in user arrives with it (incidents/backends.py); any other user is asked
    # once, with the force (every officer page and every filing needs it).
    related = OfficerProfile.user.field.remote_field
    if related.is_cached(user):
        cached = related.get_cached_value(user)
        return cached if isinstance(cached, OfficerProfile) else None
    profile = OfficerProfile.objects.select_related("force").filter(user_id=user.pk).first()
    related.set_cached_value(user, profile)
    return profile


def incident_list_for_officer(user: User) -> QuerySet[Incident]:
    return (
        Incident.objects.filter(officer=user)
        .select_related("force")
        .prefetch_related("assaults")
        .order_by("-created_at", "-id")
    )


def incident_waiting_for_officer(user: User, *, limit: int = 10) -> list[Incident]:
    """What the officer has to do: reports a rep has a question about, then drafts to finish."""
    questions_first = Case(When(status=Status.NEEDS_INFO, then=0), default=1)
    return list(
        Incident.objects.filter(officer=user, status__in=[Status.NEEDS_INFO, Status.DRAFT]).order_by(
            questions_first, "-created_at", "-id"
        )[:limit]
    )


def incident_get_for_user(user: User | AnonymousUser, reference: str) -> Incident:
    """The officer's own incident, or 404 whether it is missing or simply not theirs.

    Staff reach reports only through the admin, gated by incident_queryset_for_staff.
    """
    if not user.is_authenticated:
        raise Http404("No such report.")
    try:
        return (
            Incident.objects.select_related("force")
            .prefetch_related("assaults", "not_reported_reasons")
            .get(reference=reference.upper(), officer=user)
        )
    except Incident.DoesNotExist:
        raise Http404("No such report.") from None


def _yes_no(value: str) -> str:
    return _label(Answer, value)


def _label(choices: type[models.TextChoices], value: str) -> str:
    return str(choices(value).label) if value else ""


@dataclass(frozen=True)
class SummarySection:
    title: str
    step: int
    rows: list[tuple[str, str]]


def _number(value: int | None) -> str:
    return "" if value is None else str(value)


def incident_summary(incident: Incident) -> list[SummarySection]:
    """What the report says, section by section, as the officer's pages show it."""
    assaults = ", ".join(str(row.get_kind_display()) for row in sorted(incident.assaults.all(), key=lambda r: r.kind))
    reasons = ", ".join(str(row.get_reason_display()) for row in incident.not_reported_reasons.all())
    return [
        SummarySection(
            _("When and where"),
            1,
            [
                (_("Date"), date_format(incident.occurred_on, "j F Y") if incident.occurred_on else ""),
                (_("Time"), incident.occurred_at.strftime("%H:%M") if incident.occurred_at else ""),
                (_("Where"), _label(Setting, incident.setting)),
                (_("Place"), incident.place),
            ],
        ),
        SummarySection(
            _("What happened"),
            2,
            [
                (_("What happened"), assaults),
                (_("Injury"), _label(Injury, incident.injury)),
                (_("Days off work"), _number(incident.days_off_work)),
                (_("Other officers assaulted"), _number(incident.other_officers_assaulted)),
            ],
        ),
        SummarySection(
            _("Circumstances"),
            3,
            [
                (_("Duty"), _label(Duty, incident.duty_type)),
                (_("Single-crewed"), _yes_no(incident.single_crewed)),
                (_("During an arrest"), _yes_no(incident.during_arrest)),
                (_("Back-up requested"), _yes_no(incident.backup_requested)),
                (_("Back-up took"), _label(BackupWait, incident.backup_wait)),
                (_("Body-worn video running"), _yes_no(incident.body_worn_video)),
            ],
        ),
        SummarySection(
            _("The offender"),
            4,
            [
                (_("Number of offenders"), _number(incident.offender_count)),
                (_("Alcohol or drugs"), _yes_no(incident.offender_intoxicated)),
                (_("Mental-health crisis"), _yes_no(incident.offender_mental_health)),
                (_("Under 18"), _yes_no(incident.offender_under_18)),
            ],
        ),
        SummarySection(
            _("Reporting it"),
            5,
            [
                (_("Reported to your force"), _label(ReportedToForce, incident.reported_to_force)),
                (_("Recorded as a crime"), _label(RecordedAsCrime, incident.recorded_as_crime)),
                (_("Crime reference"), incident.crime_reference),
                (_("Why not reported"), reasons),
                (_("Outcome so far"), _label(Outcome, incident.outcome)),
            ],
        ),
        SummarySection(
            _("In your words"),
            6,
            [
                (pgettext("the officer's own words", "Your account"), incident.narrative),
                (
                    _("Who can see it's yours"),
                    _("Your federation reps") if incident.share_identity else _("Nobody: statistics only"),
                ),
            ],
        ),
    ]


@dataclass(frozen=True)
class HistoryEntry:
    when: datetime.datetime
    title: str
    detail: str
    by: str


# The answers an officer changes, as their report's history names them ("Changed: date, injury").
HISTORY_FIELD_LABELS = {
    "occurred_on": pgettext_lazy("changed answer", "date"),
    "occurred_at": pgettext_lazy("changed answer", "time"),
    "setting": pgettext_lazy("changed answer", "setting"),
    "place": pgettext_lazy("changed answer", "place"),
    "injury": pgettext_lazy("changed answer", "injury"),
    "days_off_work": pgettext_lazy("changed answer", "days off work"),
    "other_officers_assaulted": pgettext_lazy("changed answer", "other officers assaulted"),
    "duty_type": pgettext_lazy("changed answer", "duty type"),
    "single_crewed": pgettext_lazy("changed answer", "single crewed"),
    "backup_requested": pgettext_lazy("changed answer", "backup requested"),
    "backup_wait": pgettext_lazy("changed answer", "backup wait"),
    "during_arrest": pgettext_lazy("changed answer", "during arrest"),
    "body_worn_video": pgettext_lazy("changed answer", "body-worn video running"),
    "offender_count": pgettext_lazy("changed answer", "offender count"),
    "offender_intoxicated": pgettext_lazy("changed answer", "offender intoxicated"),
    "offender_mental_health": pgettext_lazy("changed answer", "offender mental health"),
    "offender_under_18": pgettext_lazy("changed answer", "offender under 18"),
    "reported_to_force": pgettext_lazy("changed answer", "reported to force"),
    "recorded_as_crime": pgettext_lazy("changed answer", "recorded as crime"),
    "crime_reference": pgettext_lazy("changed answer", "crime reference"),
    "outcome": pgettext_lazy("changed answer", "outcome"),
    "narrative": pgettext_lazy("changed answer", "narrative"),
    "share_identity": pgettext_lazy("changed answer", "share identity"),
    "assaults": pgettext_lazy("changed answer", "what happened"),
    "not_reported_reasons": pgettext_lazy("changed answer", "why not reported"),
}


def incident_history_for_officer(incident: Incident) -> list[HistoryEntry]:
    """The events meant for the officer, oldest first, in plain words."""
    labels = {
        field.name: str(field.verbose_name) for field in Incident._meta.get_fields() if hasattr(field, "verbose_name")
    }
    labels.update({name: str(label) for name, label in HISTORY_FIELD_LABELS.items()})
    entries = []
    # From events.all(), so a list of reports can prefetch them (the data download does).
    events = sorted((e for e in incident.events.all() if e.visible_to_officer), key=lambda e: (e.created_at, e.id))
    for event in events:
        detail = ""
        if event.kind == EventKind.UPDATED:
            fields = ", ".join(labels.get(name, name).replace("_", " ") for name in sorted(event.changes))
            detail = _("Changed: %(fields)s") % {"fields": fields}
        elif event.kind == EventKind.STATUS_CHANGED:
            status = str(Status(event.changes["status"][1]).label)
            if event.changes.get("rejection_reason"):
                reason = str(RejectionReason(event.changes["rejection_reason"]).label).lower()
                detail = _("Now: %(status)s (%(reason)s)") % {"status": status, "reason": reason}
            else:
                detail = _("Now: %(status)s") % {"status": status}
        by = _("You") if event.actor_id == incident.officer_id else _("Your federation")
        entries.append(HistoryEntry(event.created_at, str(EventKind(event.kind).label), detail, by))
    return entries


def incident_values(incident: Incident) -> dict[str, Any]:
    """The officer's answers as one dict, multi-choice answers as sets."""
    values: dict[str, Any] = {field: getattr(incident, field) for field in INCIDENT_FIELDS}
    if incident.pk:
        values["assaults"] = {row.kind for row in incident.assaults.all()}
        values["not_reported_reasons"] = {row.reason for row in incident.not_reported_reasons.all()}
    else:
        values["assaults"] = set()
        values["not_reported_reasons"] = set()
    return values


# A report with the same answers as one the same officer filed this recently was most likely
# sent twice (Back, then the button again): the officer is asked before a second one is filed.
SAME_ANSWERS_WINDOW = datetime.timedelta(minutes=15)
# An officer files a handful a week; a client sending dozens alike in 15 minutes is asked
# about the newest, and the look stays bounded.
SAME_ANSWERS_LOOKED_AT = 20


def incident_recent_with_same_answers(
    officer: User, data: Mapping[str, Any], *, submission_key: uuid.UUID, drafts: bool
) -> Incident | None:
    """The officer's newest report created in the last 15 minutes whose answers to the
    questions in ``data`` are the same: among their drafts (``drafts``, a full report started
    again) or among the reports they filed (a quick log sent again). None when the one-time
    key has been sent already: that is a repeat, which the report it made answers.

    The answers stored in the clear (and the choices of several, through their masks) are
    compared by the database, so usually no row comes back; free text is encrypted, so it is
    compared here, on the few rows that match the rest."""
    since = timezone.now() - SAME_ANSWERS_WINDOW
    status = Q(status=Status.DRAFT) if drafts else ~Q(status__in=[Status.DRAFT, Status.WITHDRAWN])
    candidates = (
        Incident.objects.filter(officer=officer, created_at__gte=since)
        .filter((status & _same_stored_answers(data)) | Q(submission_key=submission_key))
        .order_by("-created_at")[:SAME_ANSWERS_LOOKED_AT]
    )
    same = None
    for incident in candidates:
        if incident.submission_key == submission_key:
            return None
        if same is None and all(
            (getattr(incident, name) or "") == (data[name] or "") for name in FREE_TEXT_FIELDS & data.keys()
        ):
            same = incident
    return same


def _same_stored_answers(data: Mapping[str, Any]) -> Q:
    """The answers in ``data`` that are stored in the clear, as a filter; blank matches blank."""
    same = Q()
    for name, value in data.items():
        if name == "assaults":
            same &= Q(assault_mask=choice_mask(AssaultKind, value or ()))
        elif name == "not_reported_reasons":
            same &= Q(reason_mask=choice_mask(NotReportedReason, value or ()))
        elif name in FREE_TEXT_FIELDS:
            continue
        elif value in (None, ""):
            blank = Q(**{f"{name}__isnull": True})
            same &= blank if Incident._meta.get_field(name).null else Q(**{name: ""})
        else:
            same &= Q(**{name: value})
    return same


def incident_questions_for_officer(incident: Incident) -> list[IncidentQuestion]:
    return list(incident.questions.order_by("asked_at", "id"))


def incident_open_question(incident: Incident) -> IncidentQuestion | None:
    if incident.status != Status.NEEDS_INFO:
        return None
    return incident.questions.filter(answered_at__isnull=True).order_by("-asked_at").first()


def incident_latest_event_id(incident: Incident) -> int:
    """The report's newest audit event: every change writes one, so it versions the report."""
    return incident.events.order_by("-id").values_list("id", flat=True).first() or 0


IDENTITY_WITHHELD = "Identity withheld"
IDENTITY_ANONYMISED = "Anonymised: no one's identity is held"


def staff_is_national(user: User | AnonymousUser) -> bool:
    if not (user.is_authenticated and user.is_active and user.is_staff):
        return False
    if user.is_superuser:
        return True
    return user.in_national_group


def staff_force_ids(user: User) -> frozenset[int]:
    """The forces a rep covers, read once per request (User.covered_force_ids)."""
    return user.covered_force_ids


# What staff may ever see: reports that were sent. A draft is the officer's own work in
# progress, and so is a draft they withdrew before sending it (it has no submitted_at).
SENT = ~Q(status=Status.DRAFT) & Q(submitted_at__isnull=False)


def incident_was_sent(incident: Incident) -> bool:
    return incident.status != Status.DRAFT and incident.submitted_at is not None


def incident_queryset_for_staff(user: User | AnonymousUser) -> QuerySet[Incident]:
    """The one gate for staff: national staff see every force, a rep only their own, others none.

    Only reports that were sent: never a draft, nor a draft withdrawn before it was sent.
    """
    incidents = Incident.objects.filter(SENT)
    if staff_is_national(user):
        return incidents
    if user.is_authenticated and user.is_active and user.is_staff:
        return incidents.filter(force_id__in=staff_force_ids(user))
    return incidents.none()


def incident_periods_for_staff(
    user: User | AnonymousUser, *, year: int | None = None, month: int | None = None
) -> list[int]:
    """The periods that hold at least one report ``user`` may see: the calendar years since
    the earliest possible date (newest first), or the months of ``year``, or the days of
    ``month`` in ``year`` (in order), for the review list's date drill-down.

    One query with an EXISTS per period: each stops at its first report, found through the
    (force, date) or date index, so the cost does not grow with the table (Django's own
    drill-down asks for the DISTINCT dates of every row).
    """
    scope = incident_queryset_for_staff(user).order_by()

    def month_start(year: int, month: int) -> datetime.date:  # month 13 is next January
        return datetime.date(year + (month - 1) // 12, (month - 1) % 12 + 1, 1)

    if year is None:
        periods = {
            y: (datetime.date(y, 1, 1), datetime.date(y + 1, 1, 1))
            for y in range(timezone.localdate().year, EARLIEST_INCIDENT_DATE.year - 1, -1)
        }
    elif month is None:
        periods = {m: (month_start(year, m), month_start(year, m + 1)) for m in range(1, 13)}
    else:
        first = month_start(year, month)
        days = (month_start(year, month + 1) - first).days
        periods = {
            d: (first + datetime.timedelta(days=d - 1), first + datetime.timedelta(days=d)) for d in range(1, days + 1)
        }
    probes = {
        f"p{key}": Exists(scope.filter(occurred_on__gte=start, occurred_on__lt=end))
        for key, (start, end) in periods.items()
    }
    # Forces are reference data, always there; one row carries the answers.
    found = Force.objects.order_by().annotate(**probes).values(*probes).first() or {}
    return [key for key in periods if found.get(f"p{key}")]


def incident_can_review(user: User | AnonymousUser, incident: Incident) -> bool:
    if not (user.is_authenticated and user.is_staff and user.has_perm("incidents.review_incident")):
        return False
    if not incident_was_sent(incident):
        return False
    return staff_is_national(user) or incident.force_id in staff_force_ids(user)


def reps_of_force(force_id: int) -> QuerySet[User]:
    return User.objects.filter(is_active=True, is_staff=True, rep_forces__force_id=force_id).distinct()


def rep_can_be_assigned(rep: User, incident: Incident) -> bool:
    return rep.is_active and rep.is_staff and (staff_is_national(rep) or incident.force_id in staff_force_ids(rep))


def assignable_reps(force_id: int | None = None) -> QuerySet[User]:
    """Staff a report can be assigned to: the force's reps, and national staff."""
    national = Q(is_superuser=True) | Q(groups__name=NATIONAL_GROUP)
    scope = national | Q(rep_forces__force_id=force_id) if force_id else national | Q(rep_forces__isnull=False)
    return User.objects.filter(scope, is_active=True, is_staff=True).distinct().order_by("email")


def incident_waiting_for_rep(rep: User, *, submitted_before: datetime.datetime) -> QuerySet[Incident]:
    return (
        incident_queryset_for_staff(rep)
        .filter(status__in=AWAITING_REVIEW_STATUSES, submitted_at__lt=submitted_before)
        .order_by("submitted_at")
    )


def officer_identity(incident: Incident) -> str:
    """Who filed the report, as staff may see it: nothing at all for "statistics only"."""
    if incident.anonymised_at is not None:
        return IDENTITY_ANONYMISED
    officer = incident.officer if incident.share_identity and incident.officer_id is not None else None
    if officer is None:
        return IDENTITY_WITHHELD
    profile = getattr(officer, "officer_profile", None)
    parts = [profile.display_name if profile else "", officer.email, profile.collar_number if profile else ""]
    return " · ".join(part for part in parts if part)


def incident_possible_duplicates(incident: Incident) -> dict[str, list[Incident]]:
    """Reports that may be the same assault: by the same officer within a day, or on the same
    day in the same setting (within an hour where both have a time).

    Only the report's own force is searched, so whoever may see this report may see these.
    "Same officer" links two reports to one person, so it is offered only when this report
    shares the officer's identity, and lists only reports that share it too: a "statistics
    only" report is never tied to its officer's named ones.
    """
    visible = Incident.objects.filter(SENT, force_id=incident.force_id).exclude(pk=incident.pk)
    day = datetime.timedelta(days=1)
    same_officer = visible.none()
    if incident.share_identity:
        same_officer = visible.filter(
            officer_id=incident.officer_id,
            share_identity=True,
            occurred_on__range=(incident.occurred_on - day, incident.occurred_on + day),
        )
    # Without a setting there is no "same place" to compare.
    same_scene = visible.filter(occurred_on=incident.occurred_on, setting=incident.setting or None)
    if incident.occurred_at:
        moment = datetime.datetime.combine(incident.occurred_on, incident.occurred_at)
        early = (moment - datetime.timedelta(hours=1)).time()
        late = (moment + datetime.timedelta(hours=1)).time()
        window = (
            Q(occurred_at__range=(early, late))
            if early < late
            else Q(occurred_at__gte=early) | Q(occurred_at__lte=late)
        )
        same_scene = same_scene.filter(window | Q(occurred_at__isnull=True))
    return {
        "same_officer": list(same_officer.order_by("occurred_on")[:20]),
        # The officer's own reports are never "the same scene": that would tie a withheld
        # report to a named one as surely as the list above.
        "same_scene": list(
            (same_scene.exclude(officer_id=incident.officer_id) if incident.officer_id else same_scene).order_by(
                "occurred_at"
            )[:20]
        ),
    }


@dataclass(frozen=True)
class ReviewLine:
    """One line of a report's record for staff: when, what, who, and the detail."""

    when: datetime.datetime
    what: str
    who: str
    detail: str = ""


@dataclass(frozen=True)
class ReviewRecord:
    """What a report's review page shows beside the form: nothing here can be changed."""

    questions: list[IncidentQuestion]
    notes: list[ReviewLine]
    welfare: list[WelfareContact]
    same_officer: list[Incident]
    same_scene: list[Incident]
    timeline: list[ReviewLine]
    # Who viewed the report: national staff only (None for anyone else).
    viewed_by: list[ReviewLine] | None


def _event_actor(incident: Incident, actor: User | None) -> str:
    if actor is None:
        return "system"
    if actor.pk == incident.officer_id:
        # The officer is named only where they chose to share who they are.
        return f"officer ({actor.email})" if incident.share_identity and incident.anonymised_at is None else "officer"
    return actor.email


# Multi-choice answers, stored as lists: a change of one is [old list, new list].
EVENT_LIST_FIELDS = frozenset({"assaults", "reviewed_assaults", "not_reported_reasons"})
# Values stored in events by their code, shown by their label: the report's own choice
# fields, and what is stored beside it. Kept lazy: read in the review admin, which is English.
EVENT_VALUE_LABELS: dict[str, dict[Any, StrOrPromise]] = {
    **{
        field.name: dict(field.flatchoices)
        for field in Incident._meta.get_fields()
        if isinstance(field, models.Field) and field.choices
    },
    "support_offered": dict(SupportOffered.choices),
    "assaults": dict(AssaultKind.choices),
    "reviewed_assaults": dict(AssaultKind.choices),
    "not_reported_reasons": dict(NotReportedReason.choices),
}
EVENT_FIELD_LABELS = {
    "assigned_rep": "rep",
    "assaults": "what happened",
    "reviewed_assaults": "reviewed: what happened",
    "reviewed_injury": "reviewed: injury",
    "not_reported_reasons": "why not reported",
    "contacted_on": "date",
    "duplicate_of": "duplicate of",
}


def _event_value(name: str, value: Any) -> str:
    if value is None or value == "" or value == []:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(_event_value(name, item) for item in value)
    if isinstance(value, dict):
        return "changed" if value.get("changed") else str(value)
    return str(EVENT_VALUE_LABELS.get(name, {}).get(value, value))


def _event_changes(changes: Mapping[str, Any]) -> str:
    """An event's changes in words: "status: Submitted → In review", "rep: none → a@b"."""
    parts = []
    for name, value in changes.items():
        if name.endswith("_id"):
            continue  # a note's or a question's id: the note or question is shown in full above
        label = EVENT_FIELD_LABELS.get(name) or name.replace("_", " ")
        # A change is [before, after]; for a multi-choice answer, two lists.
        pair = isinstance(value, list) and len(value) == 2
        if pair and (name not in EVENT_LIST_FIELDS or all(isinstance(side, list) for side in value)):
            parts.append(f"{label}: {_event_value(name, value[0])} → {_event_value(name, value[1])}")
        else:
            parts.append(f"{label}: {_event_value(name, value)}")
    return "; ".join(parts)


REVIEW_ACCESS_LINES = 100


def incident_review_record(incident: Incident, viewer: User) -> ReviewRecord:
    """A report's questions, notes, welfare follow-ups, possible duplicates and timeline for
    its review page, and for national staff who has viewed it. The caller has checked that
    ``viewer`` may see ``incident`` (it came from incident_queryset_for_staff)."""
    events = incident.events.select_related("actor").exclude(kind=EventKind.CREATED).order_by("created_at", "id")
    duplicates = incident_possible_duplicates(incident)
    viewed_by = None
    if staff_is_national(viewer):
        viewed_by = [
            ReviewLine(access.created_at, "viewed", access.actor.email if access.actor else "–")
            for access in incident.accesses.select_related("actor")[:REVIEW_ACCESS_LINES]
        ]
    return ReviewRecord(
        questions=list(incident.questions.order_by("asked_at", "id")),
        notes=[
            ReviewLine(note.created_at, "note", note.author.email if note.author else "–", note.text)
            for note in incident.notes.select_related("author").order_by("created_at", "id")
        ],
        welfare=list(incident.welfare_contacts.select_related("recorded_by")),
        same_officer=duplicates["same_officer"],
        same_scene=duplicates["same_scene"],
        timeline=[
            ReviewLine(
                event.created_at,
                str(EventKind(event.kind).label),
                _event_actor(incident, event.actor),
                _event_changes(event.changes),
            )
            for event in events
        ],
        viewed_by=viewed_by,
    )


EXPORT_COLUMNS = [
    ("reference", "Reference"),
    ("status", "Status"),
    ("force", "Force"),
    ("occurred_on", "Date"),
    ("occurred_at", "Time"),
    ("setting", "Setting"),
    ("assaults", "What happened"),
    ("injury", "Injury"),
    ("reviewed_assaults", "Reviewed: what happened"),
    ("reviewed_injury", "Reviewed: injury"),
    ("days_off_work", "Days off work"),
    ("other_officers_assaulted", "Other officers assaulted"),
    ("duty_type", "Duty"),
    ("single_crewed", "Single-crewed"),
    ("backup_requested", "Back-up requested"),
    ("backup_wait", "Back-up took"),
    ("during_arrest", "During an arrest"),
    ("body_worn_video", "Body-worn video"),
    ("offender_count", "Offenders"),
    ("offender_intoxicated", "Alcohol or drugs"),
    ("offender_mental_health", "Mental-health crisis"),
    ("offender_under_18", "Under 18"),
    ("reported_to_force", "Reported to force"),
    ("recorded_as_crime", "Recorded as a crime"),
    ("crime_reference", "Crime reference"),
    ("not_reported_reasons", "Why not reported"),
    ("outcome", "Outcome"),
    ("officer", "Officer"),
    ("assigned_rep", "Assigned rep"),
    ("submitted_at", "Submitted"),
    ("place", "Place"),
]
NATIONAL_ONLY_COLUMNS = [("narrative", "Narrative")]


EXPORT_CHUNK = 2000
# The multi-choice answers: (related name, model, column, choices), read per chunk of reports.
EXPORT_MULTI = (
    ("assaults", IncidentAssault, "kind", AssaultKind),
    ("reviewed_assaults", ReviewedAssault, "kind", AssaultKind),
    ("not_reported_reasons", IncidentNotReportedReason, "reason", NotReportedReason),
)


def incident_export_rows(incidents: QuerySet[Incident], viewer: User) -> tuple[list[str], Any]:
    """Header and rows (an iterator) for a spreadsheet of reports, as ``viewer`` may see them.

    Withheld identities stay withheld; the narrative goes to national staff only.
    Values are plain: numbers stay numbers, booleans read Yes/No, choices their label.

    Built for exports of tens of thousands of rows: the reports are read in chunks, and each
    chunk's multi-choice answers in one plain query per kind of answer (prefetch_related
    built a queryset per report and relation, a third of the time), and every label comes
    from a dict made once (get_FOO_display flattens the choices on each call).
    """
    columns = EXPORT_COLUMNS + (NATIONAL_ONLY_COLUMNS if staff_is_national(viewer) else [])
    # prefetch_related(None): the change list's own prefetch of what happened is not needed.
    rows = incidents.prefetch_related(None).select_related("force", "assigned_rep", "officer__officer_profile")
    if not rows.ordered:  # the change list's own order when it comes from there
        rows = rows.order_by("-submitted_at", "pk")
    labels = {field.name: dict(field.flatchoices) for field in Incident._meta.concrete_fields if field.choices}
    multi_names = {name for name, *_ in EXPORT_MULTI}

    def multi_answers(chunk: list[Incident]) -> dict[str, dict[int, list[str]]]:
        answers: dict[str, dict[int, list[str]]] = {}
        ids = [incident.pk for incident in chunk]
        for name, model, column, choices in EXPORT_MULTI:
            by_incident: dict[int, list[str]] = {}
            names = dict(choices.choices)
            for incident_id, value in model.objects.filter(incident_id__in=ids).values_list("incident_id", column):
                by_incident.setdefault(incident_id, []).append(str(names.get(value, value)))
            answers[name] = by_incident
        return answers

    def cell(incident: Incident, name: str, answers: dict[str, dict[int, list[str]]]) -> Any:
        if name == "force":
            return incident.force.short_name
        if name in multi_names:
            return ", ".join(sorted(answers[name].get(incident.pk, [])))
        if name == "officer":
            return officer_identity(incident)
        if name == "assigned_rep":
            return incident.assigned_rep.email if incident.assigned_rep else ""
        value = getattr(incident, name)
        if name in labels and value:
            return str(labels[name].get(value, value))
        if isinstance(value, bool):
            return "Yes" if value else "No"
        if isinstance(value, datetime.datetime):
            return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
        if isinstance(value, datetime.date | datetime.time):
            return value.isoformat()
        return "" if value is None else value

    def emit(chunk: list[Incident]) -> Any:
        answers = multi_answers(chunk)
        for incident in chunk:
            yield [cell(incident, name, answers) for name, _ in columns]

    def generate() -> Any:
        chunk: list[Incident] = []
        for incident in rows.iterator(chunk_size=EXPORT_CHUNK):
            chunk.append(incident)
            if len(chunk) == EXPORT_CHUNK:
                yield from emit(chunk)
                chunk = []
        if chunk:
            yield from emit(chunk)

    return [label for _, label in columns], generate()


def officer_data_export(user: User) -> dict[str, Any]:
    """Everything held about an officer, as they may download it (their right of access).

    Their account, profile, e-mail addresses and two-factor methods (types only, never
    secrets), and each report as their own pages show it: answers, history, questions
    and answers, welfare follow-ups. Reps' internal notes are not included here; a
    formal subject access request reaches them through the data protection officer.
    """
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator

    profile = officer_profile_for_user(user)
    reports = []
    incidents = (
        Incident.objects.filter(officer=user)
        .select_related("force")
        .prefetch_related("assaults", "not_reported_reasons", "questions", "welfare_contacts", "events")
        .order_by("created_at", "id")
    )
    for incident in incidents:
        reports.append(
            {
                "reference": incident.reference,
                "status": str(Status(incident.status).label),
                "force": incident.force.name,
                "started": incident.created_at.isoformat(),
                "submitted": incident.submitted_at.isoformat() if incident.submitted_at else None,
                "answers": {section.title: dict(section.rows) for section in incident_summary(incident)},
                "questions": [
                    {
                        "asked": question.asked_at.isoformat(),
                        "question": question.question,
                        "answered": question.answered_at.isoformat() if question.answered_at else None,
                        "answer": question.answer,
                    }
                    for question in incident.questions.all()
                ],
                "welfare_follow_ups": [
                    {
                        "date": contact.contacted_on.isoformat(),
                        "contact_made": contact.contact_made,
                        "support_offered": str(contact.get_support_offered_display()),
                    }
                    for contact in incident.welfare_contacts.all()
                ],
                "history": [
                    {"when": entry.when.isoformat(), "what": entry.title, "detail": entry.detail, "by": entry.by}
                    for entry in incident_history_for_officer(incident)
                ],
            }
        )
    return {
        "generated": timezone.now().isoformat(),
        "account": {
            "email": user.email,
            "joined": user.date_joined.isoformat(),
            "last_sign_in": user.last_login.isoformat() if user.last_login else None,
            "email_addresses": [
                {"email": address.email, "verified": address.verified, "primary": address.primary}
                for address in EmailAddress.objects.filter(user=user).order_by("email")
            ],
            "two_factor_methods": sorted(
                str(Authenticator.Type(kind).label)
                for kind in Authenticator.objects.filter(user=user).values_list("type", flat=True)
            ),
        },
        "profile": {
            "force": profile.force.name,
            "display_name": profile.display_name,
            "collar_number": profile.collar_number,
            "usual_duty": _label(Duty, profile.usual_duty),
            "length_of_service": str(profile.get_service_band_display()),
        }
        if profile
        else None,
        "reports": reports,
    }


# The export's keys as its spreadsheet names them (the same words in English; JSON keeps the keys).
DATA_ITEM_LABELS = {
    "email": pgettext_lazy("data download item", "email"),
    "joined": pgettext_lazy("data download item", "joined"),
    "last_sign_in": pgettext_lazy("data download item", "last_sign_in"),
    "email_addresses": pgettext_lazy("data download item", "email_addresses"),
    "two_factor_methods": pgettext_lazy("data download item", "two_factor_methods"),
    "force": pgettext_lazy("data download item", "force"),
    "display_name": pgettext_lazy("data download item", "display_name"),
    "collar_number": pgettext_lazy("data download item", "collar_number"),
    "usual_duty": pgettext_lazy("data download item", "usual_duty"),
    "length_of_service": pgettext_lazy("data download item", "length_of_service"),
    "status": pgettext_lazy("data download item", "status"),
    "started": pgettext_lazy("data download item", "started"),
    "submitted": pgettext_lazy("data download item", "submitted"),
    "asked": pgettext_lazy("data download item", "asked"),
    "question": pgettext_lazy("data download item", "question"),
    "answered": pgettext_lazy("data download item", "answered"),
    "answer": pgettext_lazy("data download item", "answer"),
    "date": pgettext_lazy("data download item", "date"),
    "contact_made": pgettext_lazy("data download item", "contact_made"),
    "support_offered": pgettext_lazy("data download item", "support_offered"),
}


def _item(key: str) -> str:
    return str(DATA_ITEM_LABELS.get(key, key))


def officer_data_rows(export: dict[str, Any]) -> list[list[str]]:
    """The same export flattened for a spreadsheet: one row per (section, report, item, value)."""
    rows: list[list[str]] = []
    account = pgettext("data download section", "Account")
    for key, value in export["account"].items():
        if isinstance(value, list):
            rows += [[account, "", _item(key), str(item)] for item in value]
        else:
            rows.append([account, "", _item(key), "" if value is None else str(value)])
    profile = pgettext("data download section", "Profile")
    for key, value in (export["profile"] or {}).items():
        rows.append([profile, "", _item(key), value])
    report_section = pgettext("data download section", "Report")
    history = pgettext("data download section", "History")
    for report in export["reports"]:
        reference = report["reference"]
        for key in ("status", "force", "started", "submitted"):
            rows.append([report_section, reference, _item(key), report[key] or ""])
        for section, answers in report["answers"].items():
            name = pgettext("data download section", "Report: %(section)s") % {"section": section}
            rows += [[name, reference, label, answer] for label, answer in answers.items()]
        for number, question in enumerate(report["questions"], start=1):
            name = pgettext("data download section", "Question %(number)s") % {"number": number}
            rows += [[name, reference, _item(key), value or ""] for key, value in question.items()]
        for number, contact in enumerate(report["welfare_follow_ups"], start=1):
            name = pgettext("data download section", "Welfare follow-up %(number)s") % {"number": number}
            rows += [[name, reference, _item(key), str(value)] for key, value in contact.items()]
        for entry in report["history"]:
            rows.append([history, reference, entry["when"], f"{entry['what']} {entry['detail']} ({entry['by']})"])
    return rows
