"""Writes. Every change to a report goes through here, in one transaction with
its audit event; follow-up work is dispatched only after commit."""

from __future__ import annotations

import datetime
import logging
import secrets
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from incidents.choices import (
    OFFICER_EDITABLE_STATUSES,
    EventKind,
    RecordedAsCrime,
    ReportedToForce,
    Status,
)
from incidents.models import (
    FREE_TEXT_FIELDS,
    INCIDENT_FIELDS,
    MULTI_FIELDS,
    Incident,
    IncidentAssault,
    IncidentEvent,
    IncidentNotReportedReason,
    OfficerProfile,
    incident_rule_errors,
)
from incidents.selectors import force_domain_for_email, incident_values

logger = logging.getLogger(__name__)

# Crockford's base32 without I, L, O, U: easy to read out over a radio, and
# 32**6 (about a billion) codes a year make a guessed reference worthless.
REFERENCE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
REFERENCE_LENGTH = 6


class IncidentNotEditable(Exception):
    """Review has started (or the report was withdrawn): the officer can no longer change it."""


def officer_register(
    *, user: AbstractBaseUser, display_name: str, collar_number: str, usual_duty: str, service_band: str
) -> OfficerProfile:
    """Make a newly signed-up user an officer of the force their e-mail domain belongs to."""
    match = force_domain_for_email(user.email)  # type: ignore[attr-defined]
    if match is None:
        raise ValidationError({"email": "That e-mail domain does not belong to a police force we know."})
    return OfficerProfile.objects.create(
        user=user,
        force=match.force,
        display_name=display_name,
        collar_number=collar_number,
        usual_duty=usual_duty,
        service_band=service_band,
    )


def officer_profile_update(*, profile: OfficerProfile, data: Mapping[str, Any]) -> OfficerProfile:
    for field in ("display_name", "collar_number", "usual_duty", "service_band"):
        if field in data:
            setattr(profile, field, data[field])
    profile.full_clean()
    profile.save()
    return profile


def _new_reference(now: datetime.datetime) -> str:
    code = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))
    return f"AL-{timezone.localtime(now).year}-{code}"


def _audit_value(field: str, value: Any) -> Any:
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, set | frozenset | list | tuple):
        return sorted(value)
    return value


def _record_event(
    *, incident: Incident, actor: AbstractBaseUser | None, kind: str, changes: Mapping[str, Any] | None = None
) -> IncidentEvent:
    return IncidentEvent.objects.create(incident=incident, actor=actor, kind=kind, changes=dict(changes or {}))


def _normalise(data: Mapping[str, Any]) -> dict[str, Any]:
    unknown = set(data) - set(INCIDENT_FIELDS) - set(MULTI_FIELDS)
    if unknown:
        raise ValueError(f"Unknown incident fields: {sorted(unknown)}")
    clean = dict(data)
    for field in MULTI_FIELDS:
        if field in clean:
            clean[field] = set(clean[field] or ())
    return clean


def _apply_defaults(values: dict[str, Any]) -> None:
    """Fill answers the officer was not asked, so the statistics can count the report.

    An assault the officer did not report (or not yet) is taken as not recorded
    as a crime: the official count is recorded crime, reached only by reporting.
    One the officer did report is "don't know" until they say otherwise.
    """
    reported = values.get("reported_to_force")
    if reported and not values.get("recorded_as_crime"):
        values["recorded_as_crime"] = (
            RecordedAsCrime.DONT_KNOW if reported == ReportedToForce.YES else RecordedAsCrime.NO
        )
    if values.get("backup_requested") is False:
        values["backup_wait"] = ""


def _validate(values: Mapping[str, Any]) -> None:
    errors = incident_rule_errors(values, now=timezone.localtime())
    if errors:
        raise ValidationError(errors)


def _set_multi(incident: Incident, field: str, new: Iterable[str]) -> None:
    model, column = (IncidentAssault, "kind") if field == "assaults" else (IncidentNotReportedReason, "reason")
    new = set(new)
    model.objects.filter(incident=incident).exclude(**{f"{column}__in": new}).delete()
    existing = set(model.objects.filter(incident=incident).values_list(column, flat=True))
    model.objects.bulk_create([model(incident=incident, **{column: value}) for value in sorted(new - existing)])


def _write(incident: Incident, values: Mapping[str, Any]) -> None:
    for field in INCIDENT_FIELDS:
        if field in values:
            setattr(incident, field, values[field])
    incident.full_clean(exclude=["reference", "officer", "force", "submission_key"], validate_unique=False)
    incident.save()
    for field in MULTI_FIELDS:
        _set_multi(incident, field, values.get(field, set()))


def _create(
    *, officer: AbstractBaseUser, submission_key: uuid.UUID, status: str, values: Mapping[str, Any]
) -> tuple[Incident, bool]:
    """Insert a report once per submission key; a repeat returns the first one."""
    existing = Incident.objects.filter(submission_key=submission_key).first()
    if existing is not None:
        if existing.officer_id != officer.pk:
            raise ValidationError("This form has expired. Reload the page and try again.")
        return existing, False
    profile = officer.officer_profile  # type: ignore[attr-defined]
    now = timezone.now()
    for _attempt in range(5):
        incident = Incident(
            reference=_new_reference(now),
            officer=officer,
            force=profile.force,
            submission_key=submission_key,
            status=status,
            submitted_at=now if status == Status.SUBMITTED else None,
        )
        try:
            # A savepoint, so a lost race on the unique key leaves the outer
            # transaction usable for reading the winner.
            with transaction.atomic():
                _write(incident, values)
            return incident, True
        except IntegrityError:
            existing = Incident.objects.filter(submission_key=submission_key).first()
            if existing is not None:
                # A concurrent double submit committed first.
                return existing, False
            # Otherwise the reference collided: draw another.
    raise RuntimeError("Could not allocate a unique report reference.")


def _dispatch_receipt(incident: Incident) -> None:
    from incidents.tasks import incident_send_receipt

    incident_id = incident.pk

    # A named function, not functools.partial: robust on_commit logs a broker
    # failure using the callback's __qualname__, which a partial lacks.
    def send_receipt() -> None:
        incident_send_receipt.delay(incident_id)

    # robust: a broker outage is logged, never shown to an officer whose report is saved.
    transaction.on_commit(send_receipt, robust=True)


@transaction.atomic
def incident_quick_log(*, officer: AbstractBaseUser, submission_key: uuid.UUID, data: Mapping[str, Any]) -> Incident:
    """File a complete, submitted report from the quick-log page."""
    values = _normalise(data)
    _apply_defaults(values)
    _check_complete(values)
    _validate(values)
    incident, created = _create(officer=officer, submission_key=submission_key, status=Status.SUBMITTED, values=values)
    if created:
        _record_event(incident=incident, actor=officer, kind=EventKind.SUBMITTED, changes={"via": "quick log"})
        _dispatch_receipt(incident)
        logger.info("incident submitted id=%s via=quick", incident.pk)
    return incident


@transaction.atomic
def incident_draft_start(*, officer: AbstractBaseUser, submission_key: uuid.UUID, data: Mapping[str, Any]) -> Incident:
    """Save the first step of a full report as a draft."""
    values = _normalise(data)
    _apply_defaults(values)
    _validate(values)
    incident, created = _create(officer=officer, submission_key=submission_key, status=Status.DRAFT, values=values)
    if created:
        _record_event(incident=incident, actor=officer, kind=EventKind.CREATED)
        logger.info("incident draft started id=%s", incident.pk)
    return incident


def _lock_editable(incident: Incident) -> Incident:
    locked = Incident.objects.select_for_update().get(pk=incident.pk)
    if locked.status not in OFFICER_EDITABLE_STATUSES:
        raise IncidentNotEditable(locked.reference)
    return locked


@transaction.atomic
def incident_update(*, incident: Incident, actor: AbstractBaseUser, data: Mapping[str, Any]) -> Incident:
    """Change what the officer said, before review starts. Records what changed."""
    locked = _lock_editable(incident)
    before = incident_values(locked)
    values = {**before, **_normalise(data)}
    _apply_defaults(values)
    _validate(values)
    changes = {
        field: (
            {"changed": True}
            if field in FREE_TEXT_FIELDS
            else [_audit_value(field, before[field]), _audit_value(field, values[field])]
        )
        for field in (*INCIDENT_FIELDS, *MULTI_FIELDS)
        if values[field] != before[field]
    }
    if changes:
        _write(locked, values)
        _record_event(incident=locked, actor=actor, kind=EventKind.UPDATED, changes=changes)
        logger.info("incident updated id=%s fields=%s", locked.pk, ",".join(sorted(changes)))
    return locked


def _check_complete(values: Mapping[str, Any]) -> None:
    missing = {
        "occurred_on": "Enter the date it happened.",
        "assaults": "Choose at least one thing that happened.",
        "injury": "Choose the injury, or 'No injury'.",
        "reported_to_force": "Say whether you reported it to your force.",
    }
    errors = {field: message for field, message in missing.items() if not values.get(field)}
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def incident_submit(*, incident: Incident, actor: AbstractBaseUser) -> Incident:
    """Submit a draft. Submitting one already submitted changes nothing (double tap)."""
    locked = Incident.objects.select_for_update().get(pk=incident.pk)
    if locked.status != Status.DRAFT:
        return locked
    values = incident_values(locked)
    _check_complete(values)
    _validate(values)
    locked.status = Status.SUBMITTED
    locked.submitted_at = timezone.now()
    locked.save(update_fields=["status", "submitted_at", "updated_at"])
    _record_event(
        incident=locked, actor=actor, kind=EventKind.SUBMITTED, changes={"status": [Status.DRAFT, Status.SUBMITTED]}
    )
    _dispatch_receipt(locked)
    logger.info("incident submitted id=%s via=full", locked.pk)
    return locked


@transaction.atomic
def incident_withdraw(*, incident: Incident, actor: AbstractBaseUser) -> Incident:
    """The officer takes a report back before review. It stays, out of the statistics."""
    locked = _lock_editable(incident)
    previous = locked.status
    locked.status = Status.WITHDRAWN
    if locked.submitted_at is None:
        locked.submitted_at = timezone.now()
    locked.save(update_fields=["status", "submitted_at", "updated_at"])
    _record_event(
        incident=locked, actor=actor, kind=EventKind.WITHDRAWN, changes={"status": [previous, Status.WITHDRAWN]}
    )
    logger.info("incident withdrawn id=%s", locked.pk)
    return locked


def incident_receipt_send(*, incident_id: int) -> bool:
    """E-mail the officer that their report arrived: reference and link only.

    Claims the receipt with a conditional update first, so a re-delivered task
    sends nothing; a failed send releases the claim for the retry.
    """
    now = timezone.now()
    claimed = (
        Incident.objects.filter(pk=incident_id, receipt_sent_at__isnull=True)
        .exclude(status=Status.DRAFT)
        .update(receipt_sent_at=now)
    )
    if not claimed:
        return False
    incident = Incident.objects.select_related("officer").get(pk=incident_id)
    link = settings.SITE_URL + reverse("incidents:detail", args=[incident.reference])
    try:
        send_mail(
            subject=f"Report {incident.reference} received",
            message=(
                f"Your report {incident.reference} has reached Assault Log.\n\n"
                f"You can add detail, follow it or withdraw it here:\n{link}\n\n"
                "This e-mail holds the reference only; the report itself stays in Assault Log.\n"
            ),
            from_email=None,
            recipient_list=[incident.officer.email],
        )
    except Exception:
        Incident.objects.filter(pk=incident_id, receipt_sent_at=now).update(receipt_sent_at=None)
        raise
    logger.info("incident receipt sent id=%s", incident_id)
    return True
