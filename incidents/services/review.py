"""Federation staff's writes: review, assignment, notes, classification, welfare, access log."""

from __future__ import annotations

import datetime
import logging
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from incidents.choices import AssaultKind, EventKind, StaffAction, Status, SupportOffered
from incidents.models import (
    NOTE_MAX_LENGTH,
    Incident,
    IncidentNote,
    ReviewedAssault,
    StaffAccess,
    User,
    WelfareContact,
    choice_mask,
)
from incidents.selectors import incident_can_review, incident_latest_event_id, rep_can_be_assigned
from incidents.services.events import audit_value, record_event, statistics_changed
from incidents.services.transitions import TransitionNotAllowed, incident_transition

logger = logging.getLogger(__name__)

UNCHANGED: Any = object()
STALE_REVIEW = "Someone else changed this report after you opened it. Check their change below, then make yours again."


@dataclass
class BulkResult:
    changed: int = 0
    skipped: Counter[str] = field(default_factory=Counter)

    def message(self, verb: str) -> str:
        text = f"{self.changed} report{'s' if self.changed != 1 else ''} {verb}."
        if self.skipped:
            reasons = "; ".join(f"{count} {reason}" for reason, count in sorted(self.skipped.items()))
            text += f" Skipped: {reasons}."
        return text


@dataclass(frozen=True)
class WelfareFollowUp:
    """A welfare follow-up recorded with a review."""

    contacted_on: datetime.date
    contact_made: bool
    support_offered: str


def _require_reviewer(actor: User, incident: Incident) -> None:
    if not incident_can_review(actor, incident):
        raise PermissionDenied("Not a report you can review.")


@transaction.atomic
def incident_assign(*, incident: Incident, actor: User, rep: User | None) -> Incident:
    locked = Incident.objects.select_for_update().get(pk=incident.pk)
    _require_reviewer(actor, locked)
    if rep is not None and not rep_can_be_assigned(rep, locked):
        raise ValidationError({"assigned_rep": f"{rep.email} is not a rep of {locked.force.short_name}."})
    if locked.assigned_rep_id == (rep.pk if rep else None):
        return locked
    before = locked.assigned_rep.email if locked.assigned_rep else None
    locked.assigned_rep = rep
    locked.save(update_fields=["assigned_rep", "updated_at"])
    record_event(
        incident=locked,
        actor=actor,
        kind=EventKind.ASSIGNED,
        changes={"assigned_rep": [before, rep.email if rep else None]},
        visible_to_officer=False,
    )
    return locked


@transaction.atomic
def incident_classify(
    *, incident: Incident, actor: User, reviewed_injury: str, reviewed_assaults: Iterable[str]
) -> Incident:
    """The rep's classification, kept beside the officer's (which is never changed)."""
    locked = Incident.objects.select_for_update().get(pk=incident.pk)
    _require_reviewer(actor, locked)
    before_kinds = set(locked.reviewed_assaults.values_list("kind", flat=True))
    after_kinds = set(reviewed_assaults)
    changes: dict[str, object] = {}
    if reviewed_injury != locked.reviewed_injury:
        changes["reviewed_injury"] = [locked.reviewed_injury, reviewed_injury]
        locked.reviewed_injury = reviewed_injury
        locked.full_clean(validate_unique=False, validate_constraints=False)
        locked.save(update_fields=["reviewed_injury", "updated_at"])
    if after_kinds != before_kinds:
        changes["reviewed_assaults"] = [audit_value(before_kinds), audit_value(after_kinds)]
        locked.reviewed_assaults.exclude(kind__in=after_kinds).delete()
        ReviewedAssault.objects.bulk_create(
            [ReviewedAssault(incident=locked, kind=kind) for kind in sorted(after_kinds - before_kinds)]
        )
        locked.reviewed_assault_mask = choice_mask(AssaultKind, after_kinds)
        locked.save(update_fields=["reviewed_assault_mask", "updated_at"])
    if changes:
        statistics_changed(force_id=locked.force_id, occurred_on=locked.occurred_on)
        record_event(
            incident=locked,
            actor=actor,
            kind=EventKind.CLASSIFICATION_REVIEWED,
            changes=changes,
            visible_to_officer=False,
        )
    return locked


@transaction.atomic
def incident_note_add(*, incident: Incident, actor: User, text: str) -> IncidentNote:
    _require_reviewer(actor, incident)
    text = text.strip()
    if not text:
        raise ValidationError({"note": "Write the note."})
    if len(text) > NOTE_MAX_LENGTH:
        raise ValidationError({"note": f"Keep a note to {NOTE_MAX_LENGTH:,} characters."})
    note = IncidentNote.objects.create(incident=incident, author=actor, text=text)
    record_event(
        incident=incident,
        actor=actor,
        kind=EventKind.NOTE_ADDED,
        changes={"note_id": note.pk},
        visible_to_officer=False,
    )
    return note


@transaction.atomic
def welfare_record(
    *,
    incident: Incident,
    actor: User,
    contacted_on: datetime.date,
    contact_made: bool,
    support_offered: str,
) -> WelfareContact:
    _require_reviewer(actor, incident)
    if support_offered not in SupportOffered.values:
        raise ValidationError({"support_offered": "Choose the support offered."})
    contact = WelfareContact(
        incident=incident,
        recorded_by=actor,
        contacted_on=contacted_on,
        contact_made=contact_made,
        support_offered=support_offered,
    )
    contact.full_clean()
    contact.save()
    record_event(
        incident=incident,
        actor=actor,
        kind=EventKind.WELFARE_RECORDED,
        changes={
            "contacted_on": audit_value(contacted_on),
            "contact_made": contact_made,
            "support_offered": support_offered,
        },
        visible_to_officer=False,
    )
    return contact


@transaction.atomic
def incident_review(
    *,
    incident: Incident,
    actor: User,
    assigned_rep: User | None = UNCHANGED,
    reviewed_injury: str = UNCHANGED,
    reviewed_assaults: Iterable[str] = UNCHANGED,
    note: str = "",
    to: str = "",
    question: str = "",
    rejection_reason: str = "",
    duplicate_of: Incident | None = None,
    seen_event: int | None = None,
    welfare: WelfareFollowUp | None = None,
) -> Incident:
    """Everything a rep does on a report's page, in one transaction: all of it or none.

    ``seen_event`` is the newest audit event the rep's page showed. Under the row lock,
    a newer one means someone else changed the report meanwhile: the review is refused
    and nothing is written, so two reps acting at once never overwrite each other.
    """
    locked = Incident.objects.select_for_update().get(pk=incident.pk)
    _require_reviewer(actor, locked)
    if seen_event is not None and incident_latest_event_id(locked) != seen_event:
        raise ValidationError(STALE_REVIEW)
    if assigned_rep is not UNCHANGED:
        incident_assign(incident=incident, actor=actor, rep=assigned_rep)
    if reviewed_injury is not UNCHANGED or reviewed_assaults is not UNCHANGED:
        current = Incident.objects.get(pk=incident.pk)
        incident_classify(
            incident=incident,
            actor=actor,
            reviewed_injury=current.reviewed_injury if reviewed_injury is UNCHANGED else reviewed_injury,
            reviewed_assaults=(
                set(current.reviewed_assaults.values_list("kind", flat=True))
                if reviewed_assaults is UNCHANGED
                else reviewed_assaults
            ),
        )
    if note.strip():
        incident_note_add(incident=incident, actor=actor, text=note)
    if welfare is not None:
        welfare_record(
            incident=incident,
            actor=actor,
            contacted_on=welfare.contacted_on,
            contact_made=welfare.contact_made,
            support_offered=welfare.support_offered,
        )
    if to:
        incident_transition(
            incident=incident,
            actor=actor,
            to=to,
            question=question,
            rejection_reason=rejection_reason,
            duplicate_of=duplicate_of,
        )
    return Incident.objects.get(pk=incident.pk)


def _bulk(incidents: Iterable[Incident], change: Any) -> BulkResult:
    """Apply ``change`` to each report in its own transaction; count what changed and why not."""
    result = BulkResult()
    for incident in incidents:
        try:
            with transaction.atomic():
                changed = change(incident)
        except TransitionNotAllowed:
            result.skipped[f"not possible from {Status(incident.status).label.lower()}"] += 1
        except PermissionDenied:
            result.skipped["not in your force"] += 1
        except ValidationError as error:
            result.skipped[error.messages[0]] += 1
        else:
            if changed:
                result.changed += 1
            else:
                result.skipped["already so"] += 1
    return result


def incidents_bulk_transition(*, incidents: Iterable[Incident], actor: User, to: str) -> BulkResult:
    return _bulk(incidents, lambda incident: bool(incident_transition(incident=incident, actor=actor, to=to)))


def incidents_bulk_assign_to_me(*, incidents: Iterable[Incident], actor: User) -> BulkResult:
    def assign(incident: Incident) -> bool:
        if Incident.objects.filter(pk=incident.pk, assigned_rep=actor).exists():
            return False
        incident_assign(incident=incident, actor=actor, rep=actor)
        return True

    return _bulk(incidents, assign)


def staff_access_record(
    *, actor: User, action: str, incident: Incident | None = None, detail: dict[str, Any] | None = None
) -> StaffAccess:
    """Log that a staff user viewed a report or exported reports (never their content)."""
    if action not in StaffAction.values:
        raise ValueError(action)
    return StaffAccess.objects.create(actor=actor, action=action, incident=incident, detail=detail or {})
