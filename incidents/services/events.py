"""The audit trail and after-commit dispatch, shared by every service."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone

from config.celery import publish
from incidents.models import Incident, IncidentEvent, StatisticsMark, User
from incidents.periods import financial_year_of
from incidents.signals import statistics_marked


def audit_value(value: Any) -> Any:
    """A JSON-friendly form of a field value for an event's {field: [old, new]}."""
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, set | frozenset | list | tuple):
        return sorted(value)
    return value


def record_event(
    *,
    incident: Incident,
    actor: User | None,
    kind: str,
    changes: Mapping[str, Any] | None = None,
    visible_to_officer: bool = True,
) -> IncidentEvent:
    return IncidentEvent.objects.create(
        incident=incident,
        actor=actor,
        kind=kind,
        changes=dict(changes or {}),
        visible_to_officer=visible_to_officer,
    )


def statistics_changed(
    *, force_id: int, occurred_on: datetime.date, previously_on: datetime.date | None = None
) -> None:
    """A report of this force changed in a way the statistics count: mark its financial year
    (and the year it counted in before, if its date moved) in the caller's transaction. The
    reports app picks the marks up (reports.services.snapshots.statistics_refresh); incidents
    never calls it."""
    years = sorted({financial_year_of(day) for day in (occurred_on, previously_on) if day})
    now = timezone.now()
    # One upsert, the years in order, so two changes at once cannot deadlock on the marks.
    StatisticsMark.objects.bulk_create(
        [StatisticsMark(force_id=force_id, financial_year=year, marked_at=now) for year in years],
        update_conflicts=True,
        unique_fields=["force", "financial_year"],
        update_fields=["marked_at"],
    )
    statistics_marked.send(sender=StatisticsMark)


# The tasks the services queue, by name (config.celery.publish).
RECEIPT_TASK = "incidents.tasks.incident_send_receipt"
NOTIFY_REPS_TASK = "incidents.tasks.incident_notify_reps"
NOTIFY_OFFICER_TASK = "incidents.tasks.incident_notify_officer"


def dispatch_on_commit(task_name: str, *args: int) -> None:
    """Queue the task ``task_name`` with plain ids once the transaction commits.

    robust=True: a broker outage is logged, never shown to someone whose change is
    saved; publish() fails fast while the broker is known to be down. A named function,
    not functools.partial: Django's robust on_commit logs the callback's __qualname__,
    which a partial lacks.
    """

    def enqueue() -> None:
        publish(task_name, *args)

    enqueue.__qualname__ = f"enqueue {task_name}"
    transaction.on_commit(enqueue, robust=True)
