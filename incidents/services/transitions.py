"""The one place a report's status changes: who may move it from what to what."""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from incidents.choices import EventKind, RejectionReason, Status
from incidents.models import QUESTION_MAX_LENGTH, Incident, IncidentQuestion, User
from incidents.selectors import incident_can_review
from incidents.services.events import NOTIFY_OFFICER_TASK, dispatch_on_commit, record_event, statistics_changed

logger = logging.getLogger(__name__)

OFFICER = "officer"
STAFF = "staff"

# (from, to) -> who may make the move.
TRANSITIONS: dict[tuple[str, str], frozenset[str]] = {
    (Status.DRAFT, Status.SUBMITTED): frozenset({OFFICER}),
    (Status.DRAFT, Status.WITHDRAWN): frozenset({OFFICER}),
    (Status.SUBMITTED, Status.WITHDRAWN): frozenset({OFFICER}),
    (Status.SUBMITTED, Status.IN_REVIEW): frozenset({STAFF}),
    (Status.SUBMITTED, Status.REJECTED): frozenset({STAFF}),
    (Status.IN_REVIEW, Status.VERIFIED): frozenset({STAFF}),
    (Status.IN_REVIEW, Status.NEEDS_INFO): frozenset({STAFF}),
    (Status.IN_REVIEW, Status.REJECTED): frozenset({STAFF}),
    # The officer's answer puts it back in review; a rep may too (answer by phone).
    (Status.NEEDS_INFO, Status.IN_REVIEW): frozenset({OFFICER, STAFF}),
    (Status.NEEDS_INFO, Status.REJECTED): frozenset({STAFF}),
}
EVENT_KINDS: dict[str, EventKind] = {Status.SUBMITTED: EventKind.SUBMITTED, Status.WITHDRAWN: EventKind.WITHDRAWN}


class TransitionNotAllowed(ValidationError):
    """The move is impossible from where the report is, or not this person's to make."""


def _role(actor: User, incident: Incident) -> str:
    if actor.pk == incident.officer_id and not actor.is_staff:
        return OFFICER
    if incident_can_review(actor, incident):
        return STAFF
    raise PermissionDenied("Not yours to change.")


def transition_problems(
    incident: Incident, to: str, *, rejection_reason: str = "", duplicate_of: Incident | None = None, question: str = ""
) -> dict[str, str]:
    """What is missing or wrong in a move to ``to``, by field ({} when nothing is).

    The service refuses on any of these; the review form asks the same before it posts, so a
    rep gets each one beside the field with what they typed kept.
    """
    problems: dict[str, str] = {}
    if to == Status.REJECTED:
        if rejection_reason not in RejectionReason.values:
            problems["rejection_reason"] = "Choose why the report is rejected."
        elif rejection_reason == RejectionReason.DUPLICATE:
            if duplicate_of is None:
                problems["duplicate_of"] = "Give the reference of the report this one duplicates."
            elif duplicate_of.pk == incident.pk or duplicate_of.force_id != incident.force_id:
                problems["duplicate_of"] = "A duplicate must point to another report of the same force."
        elif duplicate_of is not None:
            problems["duplicate_of"] = "Only a duplicate links to another report."
    if to == Status.NEEDS_INFO:
        if not question.strip():
            problems["question"] = "Write the question for the officer."
        elif len(question.strip()) > QUESTION_MAX_LENGTH:
            problems["question"] = f"Keep the question to {QUESTION_MAX_LENGTH:,} characters."
    return problems


@transaction.atomic
def incident_transition(
    *,
    incident: Incident,
    actor: User,
    to: str,
    rejection_reason: str = "",
    duplicate_of: Incident | None = None,
    question: str = "",
) -> Incident:
    """Move a report to status ``to``, or refuse with a clear message and change nothing."""
    locked = Incident.objects.select_for_update().get(pk=incident.pk)
    role = _role(actor, locked)
    previous = locked.status
    if role not in TRANSITIONS.get((previous, to), frozenset()):
        raise TransitionNotAllowed(
            f"{locked.reference} is {Status(previous).label.lower()}: it can't be moved to "
            f"{Status(to).label.lower() if to in Status.values else to!r}"
            + ("." if (previous, to) not in TRANSITIONS else " by you.")
        )
    problems = transition_problems(
        locked, to, rejection_reason=rejection_reason, duplicate_of=duplicate_of, question=question
    )
    if problems:
        raise ValidationError(problems)
    changes: dict[str, object] = {"status": [previous, to]}
    if to == Status.REJECTED:
        locked.rejection_reason = rejection_reason
        locked.duplicate_of = duplicate_of
        changes["rejection_reason"] = rejection_reason
        if duplicate_of is not None:
            changes["duplicate_of"] = duplicate_of.reference
    question = question.strip()
    # When it was sent: a draft withdrawn before it was sent keeps none, and so stays the
    # officer's alone (staff see only reports that were sent).
    if to == Status.SUBMITTED and locked.submitted_at is None:
        locked.submitted_at = timezone.now()
    locked.status = to
    locked.save(update_fields=["status", "submitted_at", "rejection_reason", "duplicate_of", "updated_at"])
    statistics_changed(force_id=locked.force_id, occurred_on=locked.occurred_on)
    event = record_event(
        incident=locked, actor=actor, kind=EVENT_KINDS.get(to, EventKind.STATUS_CHANGED), changes=changes
    )
    if role == STAFF:
        dispatch_on_commit(NOTIFY_OFFICER_TASK, event.pk)
    if to == Status.NEEDS_INFO:
        asked = IncidentQuestion.objects.create(incident=locked, asked_by=actor, question=question)
        record_event(incident=locked, actor=actor, kind=EventKind.QUESTION_ASKED, changes={"question_id": asked.pk})
    logger.info("incident status id=%s from=%s to=%s", locked.pk, previous, to)
    return locked
