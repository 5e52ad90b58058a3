"""Privacy writes: anonymising reports, the nightly retention job, closing an account.

Anonymising keeps every categorical answer (so the statistics do not move) and
removes what can identify someone: the free text, the link to the officer, the
questions and answers exchanged with reps and reps' internal notes. The audit trail
keeps a record that it happened and why, never what was removed.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from incidents.choices import CLOSED_STATUSES, AnonymisedBecause, EventKind
from incidents.models import Incident, IncidentEvent, OfficerProfile, StaffAccess, User
from incidents.selectors import SENT
from incidents.services.events import record_event, statistics_changed

logger = logging.getLogger(__name__)

BATCH = 500
# A closed report is kept whole at least this long after its last change.
CLOSED_GRACE = datetime.timedelta(days=30)


def _years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def incident_anonymise(*, incident: Incident, because: str) -> bool:
    """Strip a report of everything that identifies anyone. False if it already was."""
    if because not in AnonymisedBecause.values:
        raise ValueError(because)
    with transaction.atomic():
        locked = Incident.objects.select_for_update().get(pk=incident.pk)
        if locked.anonymised_at is not None:
            return False
        officer_id = locked.officer_id
        locked.place = ""
        locked.narrative = ""
        locked.crime_reference = ""
        locked.officer = None
        locked.share_identity = False
        locked.submission_key = None
        locked.anonymised_at = timezone.now()
        locked.save(
            update_fields=[
                "place",
                "narrative",
                "crime_reference",
                "crime_reference_digest",
                "officer",
                "share_identity",
                "submission_key",
                "anonymised_at",
                "updated_at",
            ]
        )
        locked.questions.all().delete()
        locked.notes.all().delete()
        # The estimate counts each officer's reports together; this one now stands alone.
        statistics_changed(force_id=locked.force_id, occurred_on=locked.occurred_on)
        if officer_id is not None:
            # The officer's own entries in the history no longer point at them.
            IncidentEvent.objects.filter(incident=locked, actor_id=officer_id).update(actor=None)
        record_event(
            incident=locked,
            actor=None,
            kind=EventKind.ANONYMISED,
            changes={"because": because},
            visible_to_officer=False,
        )
    return True


@dataclass(frozen=True)
class RetentionResult:
    anonymised: int
    drafts_deleted: int
    events_deleted: int
    access_deleted: int


def retention_apply(*, today: datetime.date | None = None) -> RetentionResult:
    """The nightly retention job. Each report is its own transaction, so a stop loses nothing."""
    today = today or timezone.localdate()
    cutoff = _years_before(today, settings.RETENTION_REPORT_YEARS)
    # Officers may log assaults from years back: a report closed only days ago about an old
    # assault is left for the grace period, so its officer can still see how it ended.
    closed_before = timezone.now() - CLOSED_GRACE
    anonymised = 0
    while True:
        batch = list(
            Incident.objects.filter(
                SENT,
                occurred_on__lt=cutoff,
                status__in=CLOSED_STATUSES,
                anonymised_at__isnull=True,
                updated_at__lt=closed_before,
            ).only("pk")[:BATCH]
        )
        if not batch:
            break
        for incident in batch:
            anonymised += incident_anonymise(incident=incident, because=AnonymisedBecause.RETENTION)
    # A report never sent (a draft, or a draft withdrawn before it was sent) is not a
    # statistic: left untouched for the same period (counted from its last save, not from the
    # assault, which may be years older) it is deleted.
    untouched_since = timezone.now() - datetime.timedelta(days=365 * settings.RETENTION_REPORT_YEARS)
    _, deleted = Incident.objects.exclude(SENT).filter(updated_at__lt=untouched_since).delete()
    drafts_deleted = deleted.get(Incident._meta.label, 0)

    audit_cutoff = timezone.now() - datetime.timedelta(days=365 * settings.RETENTION_AUDIT_YEARS)
    events_deleted, _ = (
        IncidentEvent.objects.filter(created_at__lt=audit_cutoff).exclude(kind=EventKind.ANONYMISED).delete()
    )
    LogEntry.objects.filter(action_time__lt=audit_cutoff).delete()
    access_cutoff = timezone.now() - datetime.timedelta(days=settings.RETENTION_ACCESS_LOG_DAYS)
    access_deleted, _ = StaffAccess.objects.filter(created_at__lt=access_cutoff).delete()
    result = RetentionResult(anonymised, drafts_deleted, events_deleted, access_deleted)
    logger.info(
        "retention applied anonymised=%s drafts_deleted=%s events_deleted=%s access_deleted=%s",
        result.anonymised,
        result.drafts_deleted,
        result.events_deleted,
        result.access_deleted,
    )
    return result


@transaction.atomic
def officer_account_close(*, officer: User) -> int:
    """Erase the officer's identity; their reports stay only as anonymous statistics.

    Reports never sent (drafts, withdrawn or not; never statistics) are deleted. The account,
    its profile, e-mail addresses and two-factor devices go with the user row. Returns the
    number of reports kept.
    """
    if officer.is_staff:
        raise ValueError("Staff accounts are closed by an administrator.")
    user = User.objects.select_for_update().get(pk=officer.pk)
    profile_ids = [str(pk) for pk in OfficerProfile.objects.filter(user=user).values_list("pk", flat=True)]
    Incident.objects.filter(officer=user).exclude(SENT).delete()  # never sent: drafts, withdrawn or not
    kept = 0
    for incident in Incident.objects.filter(officer=user).only("pk"):
        incident_anonymise(incident=incident, because=AnonymisedBecause.ACCOUNT_CLOSED)
        kept += 1
    # Anything else the officer did in the audit trail (answers on reports) keeps no link.
    IncidentEvent.objects.filter(actor=user).update(actor=None)
    # The admin's history of the account and profile is labelled with the e-mail and name.
    LogEntry.objects.filter(
        Q(content_type=ContentType.objects.get_for_model(User), object_id=str(user.pk))
        | Q(content_type=ContentType.objects.get_for_model(OfficerProfile), object_id__in=profile_ids)
    ).delete()
    user_id = user.pk
    user.delete()
    logger.info("officer account closed user=%s reports_kept=%s", user_id, kept)
    return kept
