"""The officer's writes: signing up, filing, adding detail, answering a question."""

from __future__ import annotations

import datetime
import logging
import secrets
import uuid
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from incidents.choices import (
    OFFICER_EDITABLE_STATUSES,
    SERIOUS_INJURIES,
    Answer,
    AssaultKind,
    EventKind,
    NotReportedReason,
    RecordedAsCrime,
    ReportedToForce,
    Status,
)
from incidents.models import (
    ANSWER_MAX_LENGTH,
    FREE_TEXT_FIELDS,
    INCIDENT_FIELDS,
    MULTI_FIELDS,
    Incident,
    IncidentAssault,
    IncidentNotReportedReason,
    IncidentQuestion,
    OfficerProfile,
    User,
    choice_mask,
    incident_rule_errors,
)
from incidents.selectors import force_domain_for_email, incident_values, officer_profile_for_user
from incidents.services.events import (
    NOTIFY_REPS_TASK,
    RECEIPT_TASK,
    audit_value,
    dispatch_on_commit,
    record_event,
    statistics_changed,
)
from incidents.services.transitions import incident_transition

logger = logging.getLogger(__name__)

# Crockford's base32 without I, L, O, U: easy to read out over a radio, and
# 32**6 (about a billion) codes a year make a guessed reference worthless.
REFERENCE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
REFERENCE_LENGTH = 6


# The one-time key sent is another officer's (a copied page, a script): the form gets a new one.
SUBMISSION_KEY_TAKEN = "submission_key_taken"


class IncidentNotEditable(Exception):
    """Review has started (or the report was withdrawn): the officer can no longer change it."""


def officer_register(
    *, user: User, display_name: str, collar_number: str, usual_duty: str, service_band: str
) -> OfficerProfile:
    """Make a newly signed-up user an officer of the force their e-mail domain belongs to."""
    match = force_domain_for_email(user.email)
    if match is None:
        raise ValidationError({"email": _("That e-mail domain does not belong to a police force we know.")})
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
    # The officer's language (ProfileForm offers settings.LANGUAGES only); blank: unchanged.
    account_language_set(user=profile.user, language=data.get("language") or "")
    return profile


def account_language_set(*, user: User, language: str) -> bool:
    """Keep ``language`` on the account: its pages after signing in, on any device, and its
    e-mails use it. Anything but one of settings.LANGUAGES changes nothing. Returns whether it
    changed."""
    if language not in dict(settings.LANGUAGES) or language == user.language:
        return False
    user.language = language
    User.objects.filter(pk=user.pk).update(language=language)
    return True


def new_reference(now: datetime.datetime) -> str:
    code = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))
    return f"AL-{timezone.localtime(now).year}-{code}"


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
    if values.get("backup_requested") == Answer.NO:
        values["backup_wait"] = ""


def _validate(values: Mapping[str, Any]) -> None:
    errors = incident_rule_errors(values, now=timezone.localtime())
    if errors:
        raise ValidationError(errors)


def _set_multi(incident: Incident, field: str, new: Iterable[str], *, fresh: bool) -> None:
    """Make the report's rows for ``field`` exactly ``new``; a ``fresh`` report has none yet."""
    rows = incident.assaults if field == "assaults" else incident.not_reported_reasons
    column = "kind" if field == "assaults" else "reason"
    new = set(new)
    existing: set[str] = set()
    if not fresh:
        rows.exclude(**{f"{column}__in": new}).delete()
        existing = set(rows.values_list(column, flat=True))
    missing = sorted(new - existing)  # bulk_create of none sends nothing
    if field == "assaults":
        IncidentAssault.objects.bulk_create([IncidentAssault(incident=incident, kind=value) for value in missing])
    else:
        IncidentNotReportedReason.objects.bulk_create(
            [IncidentNotReportedReason(incident=incident, reason=value) for value in missing]
        )


def _write(incident: Incident, values: Mapping[str, Any]) -> None:
    for field in INCIDENT_FIELDS:
        if field in values:
            setattr(incident, field, values[field])
    incident.assault_mask = choice_mask(AssaultKind, values.get("assaults", set()))
    incident.reason_mask = choice_mask(NotReportedReason, values.get("not_reported_reasons", set()))
    # Field validators here; the rules across fields were checked by _validate and
    # _check_complete. Not validate_constraints: Django checks each CheckConstraint with its
    # own query and savepoint (42 queries, half the time of filing a report, see
    # docs/performance.md), and the database enforces every one of them on save anyway.
    incident.full_clean(
        exclude=["reference", "officer", "force", "submission_key"], validate_unique=False, validate_constraints=False
    )
    fresh = incident.pk is None  # a new report: no rows of its answers to replace yet
    incident.save()
    for field in MULTI_FIELDS:
        _set_multi(incident, field, values.get(field, set()), fresh=fresh)


def _create(
    *,
    officer: User,
    submission_key: uuid.UUID,
    status: str,
    values: Mapping[str, Any],
    on_created: Callable[[Incident], None],
) -> Incident:
    """Insert a report once per submission key; a repeat returns the first one.

    The unique key decides, not a look first: a repeat fails its insert and finds the
    original (a concurrent one waits for it to commit), so a first send costs no lookup by key.
    The insert and what follows it (``on_created``: the audit event, the statistics mark,
    the tasks queued on commit) are one transaction, not a savepoint inside a bigger one: a
    lost race rolls all of it back and leaves nothing to undo, and a first send costs two
    statements fewer (docs/performance.md). Inside a caller's transaction it is a savepoint.
    """
    profile = officer_profile_for_user(officer)
    if profile is None:
        raise ValueError("only an officer, with a profile, files a report")  # the views admit officers only
    now = timezone.now()
    for _attempt in range(5):
        incident = Incident(
            reference=new_reference(now),
            officer=officer,
            force=profile.force,
            submission_key=submission_key,
            status=status,
            submitted_at=now if status == Status.SUBMITTED else None,
        )
        try:
            with transaction.atomic():
                _write(incident, values)
                on_created(incident)
            return incident
        except IntegrityError:
            existing = Incident.objects.filter(submission_key=submission_key).first()
            if existing is not None:
                # A resubmit, or a concurrent double submit that committed first.
                if existing.officer_id != officer.pk:
                    raise ValidationError(
                        _("This form has expired. Check your answers and send it again."), code=SUBMISSION_KEY_TAKEN
                    ) from None
                return existing
            if not Incident.objects.filter(reference=incident.reference).exists():
                raise  # not a repeat and not a reference collision: a real error
            # The reference collided: draw another.
    raise RuntimeError("Could not allocate a unique report reference.")


def _dispatch_submitted(incident: Incident) -> None:
    dispatch_on_commit(RECEIPT_TASK, incident.pk)
    if incident.injury in SERIOUS_INJURIES:
        dispatch_on_commit(NOTIFY_REPS_TASK, incident.pk)


def incident_quick_log(*, officer: User, submission_key: uuid.UUID, data: Mapping[str, Any]) -> Incident:
    """File a complete, submitted report from the quick-log page (one transaction, see _create)."""
    values = _normalise(data)
    _apply_defaults(values)
    _check_complete(values)
    _validate(values)

    def submitted(incident: Incident) -> None:
        record_event(incident=incident, actor=officer, kind=EventKind.SUBMITTED, changes={"via": "quick log"})
        statistics_changed(force_id=incident.force_id, occurred_on=incident.occurred_on)
        _dispatch_submitted(incident)
        logger.info("incident submitted id=%s via=quick", incident.pk)

    return _create(
        officer=officer, submission_key=submission_key, status=Status.SUBMITTED, values=values, on_created=submitted
    )


def incident_draft_start(*, officer: User, submission_key: uuid.UUID, data: Mapping[str, Any]) -> Incident:
    """Save the first step of a full report as a draft (one transaction, see _create)."""
    values = _normalise(data)
    _apply_defaults(values)
    _validate(values)

    def started(incident: Incident) -> None:
        record_event(incident=incident, actor=officer, kind=EventKind.CREATED)
        logger.info("incident draft started id=%s", incident.pk)

    return _create(
        officer=officer, submission_key=submission_key, status=Status.DRAFT, values=values, on_created=started
    )


def _lock_editable(incident: Incident) -> Incident:
    locked = Incident.objects.select_for_update().get(pk=incident.pk)
    if locked.status not in OFFICER_EDITABLE_STATUSES:
        raise IncidentNotEditable(locked.reference)
    return locked


@transaction.atomic
def incident_update(*, incident: Incident, actor: User, data: Mapping[str, Any]) -> Incident:
    """Change what the officer said, before review starts. Records what changed."""
    locked = _lock_editable(incident)
    before = incident_values(locked)
    values = {**before, **_normalise(data)}
    _apply_defaults(values)
    _validate(values)
    changes = {
        field: (
            {"changed": True} if field in FREE_TEXT_FIELDS else [audit_value(before[field]), audit_value(values[field])]
        )
        for field in (*INCIDENT_FIELDS, *MULTI_FIELDS)
        if values[field] != before[field]
    }
    if changes:
        if locked.status != Status.DRAFT:
            # The year it counts in may change with the date: both go stale.
            statistics_changed(
                force_id=locked.force_id, occurred_on=values["occurred_on"], previously_on=before["occurred_on"]
            )
        _write(locked, values)
        record_event(incident=locked, actor=actor, kind=EventKind.UPDATED, changes=changes)
        logger.info("incident updated id=%s fields=%s", locked.pk, ",".join(sorted(changes)))
    return locked


def _check_complete(values: Mapping[str, Any]) -> None:
    missing = {
        "occurred_on": _("Enter the date it happened."),
        "assaults": _("Choose at least one thing that happened."),
        "injury": _("Choose the injury, or 'No injury'."),
        "reported_to_force": _("Say whether you reported it to your force."),
    }
    errors = {field: message for field, message in missing.items() if not values.get(field)}
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def incident_submit(*, incident: Incident, actor: User) -> Incident:
    """Submit a draft. Submitting one already submitted changes nothing (double tap)."""
    locked = Incident.objects.select_for_update().get(pk=incident.pk)
    if locked.status != Status.DRAFT:
        return locked
    values = incident_values(locked)
    _check_complete(values)
    _validate(values)
    submitted = incident_transition(incident=locked, actor=actor, to=Status.SUBMITTED)
    _dispatch_submitted(submitted)
    return submitted


@transaction.atomic
def incident_withdraw(*, incident: Incident, actor: User) -> Incident:
    """The officer takes a report back before review. It stays, out of the statistics."""
    _lock_editable(incident)
    return incident_transition(incident=incident, actor=actor, to=Status.WITHDRAWN)


@transaction.atomic
def incident_answer_question(*, incident: Incident, actor: User, answer: str) -> IncidentQuestion:
    """The officer answers the open question; the report goes back into review."""
    locked = Incident.objects.select_for_update().get(pk=incident.pk)
    question = locked.questions.filter(answered_at__isnull=True).order_by("-asked_at").first()
    answer = answer.strip()
    if locked.status != Status.NEEDS_INFO or question is None:
        raise IncidentNotEditable(locked.reference)
    if not answer:
        raise ValidationError({"answer": _("Write your answer.")})
    if len(answer) > ANSWER_MAX_LENGTH:
        raise ValidationError(
            {"answer": _("Keep your answer to %(limit)s characters.") % {"limit": f"{ANSWER_MAX_LENGTH:,}"}}
        )
    question.answer = answer
    question.answered_at = timezone.now()
    question.save(update_fields=["answer", "answered_at"])
    record_event(incident=locked, actor=actor, kind=EventKind.QUESTION_ANSWERED, changes={"question_id": question.pk})
    incident_transition(incident=locked, actor=actor, to=Status.IN_REVIEW)
    return question
