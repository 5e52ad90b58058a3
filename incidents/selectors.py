"""Reads. Every path to an incident goes through the access gate here."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import models
from django.db.models import QuerySet
from django.http import Http404
from django.utils.formats import date_format

from incidents.choices import (
    BackupWait,
    Duty,
    EventKind,
    Injury,
    Outcome,
    RecordedAsCrime,
    ReportedToForce,
    Setting,
)
from incidents.models import INCIDENT_FIELDS, ForceEmailDomain, Incident, OfficerProfile


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


def officer_profile_for_user(user: AbstractBaseUser | AnonymousUser) -> OfficerProfile | None:
    if not user.is_authenticated:
        return None
    try:
        return user.officer_profile  # type: ignore[union-attr]
    except OfficerProfile.DoesNotExist:
        return None


def incident_list_for_officer(user: AbstractBaseUser) -> QuerySet[Incident]:
    return (
        Incident.objects.filter(officer=user)
        .select_related("force")
        .prefetch_related("assaults")
        .order_by("-created_at", "-id")
    )


def incident_get_for_user(user: AbstractBaseUser | AnonymousUser, reference: str) -> Incident:
    """The incident, or 404 whether it is missing or simply not this user's.

    Staff access arrives with the review workflow; until then only the officer
    who filed a report can reach it.
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


def _yes_no(value: bool | None) -> str:
    return {True: "Yes", False: "No", None: ""}[value]


def _label(choices: type[models.TextChoices], value: str) -> str:
    return choices(value).label if value else ""


@dataclass(frozen=True)
class SummarySection:
    title: str
    step: int
    rows: list[tuple[str, str]]


def incident_summary(incident: Incident) -> list[SummarySection]:
    """What the report says, section by section, as the officer's pages show it."""
    assaults = ", ".join(row.get_kind_display() for row in sorted(incident.assaults.all(), key=lambda r: r.kind))
    reasons = ", ".join(row.get_reason_display() for row in incident.not_reported_reasons.all())
    number = lambda value: "" if value is None else str(value)  # noqa: E731
    return [
        SummarySection(
            "When and where",
            1,
            [
                ("Date", date_format(incident.occurred_on, "j F Y") if incident.occurred_on else ""),
                ("Time", incident.occurred_at.strftime("%H:%M") if incident.occurred_at else ""),
                ("Where", _label(Setting, incident.setting)),
                ("Place", incident.place),
            ],
        ),
        SummarySection(
            "What happened",
            2,
            [
                ("What happened", assaults),
                ("Injury", _label(Injury, incident.injury)),
                ("Days off work", number(incident.days_off_work)),
                ("Other officers assaulted", number(incident.other_officers_assaulted)),
            ],
        ),
        SummarySection(
            "Circumstances",
            3,
            [
                ("Duty", _label(Duty, incident.duty_type)),
                ("Single-crewed", _yes_no(incident.single_crewed)),
                ("During an arrest", _yes_no(incident.during_arrest)),
                ("Back-up requested", _yes_no(incident.backup_requested)),
                ("Back-up took", _label(BackupWait, incident.backup_wait)),
                ("Body-worn video running", _yes_no(incident.body_worn_video)),
            ],
        ),
        SummarySection(
            "The offender",
            4,
            [
                ("Number of offenders", number(incident.offender_count)),
                ("Alcohol or drugs", _yes_no(incident.offender_intoxicated)),
                ("Mental-health crisis", _yes_no(incident.offender_mental_health)),
                ("Under 18", _yes_no(incident.offender_under_18)),
            ],
        ),
        SummarySection(
            "Reporting it",
            5,
            [
                ("Reported to your force", _label(ReportedToForce, incident.reported_to_force)),
                ("Recorded as a crime", _label(RecordedAsCrime, incident.recorded_as_crime)),
                ("Crime reference", incident.crime_reference),
                ("Why not reported", reasons),
                ("Outcome so far", _label(Outcome, incident.outcome)),
            ],
        ),
        SummarySection(
            "In your words",
            6,
            [
                ("Your account", incident.narrative),
                (
                    "Who can see it's yours",
                    "Your federation reps" if incident.share_identity else "Nobody: statistics only",
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


def incident_history_for_officer(incident: Incident) -> list[HistoryEntry]:
    """The events meant for the officer, oldest first, in plain words."""
    labels = {
        field.name: str(field.verbose_name) for field in Incident._meta.get_fields() if hasattr(field, "verbose_name")
    }
    labels.update(assaults="what happened", not_reported_reasons="why not reported")
    entries = []
    for event in incident.events.filter(visible_to_officer=True).order_by("created_at", "id"):
        detail = ""
        if event.kind == EventKind.UPDATED:
            detail = "Changed: " + ", ".join(labels.get(name, name).replace("_", " ") for name in sorted(event.changes))
        by = "You" if event.actor_id == incident.officer_id else "Your federation"
        entries.append(HistoryEntry(event.created_at, EventKind(event.kind).label, detail, by))
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
