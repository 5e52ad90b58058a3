"""Celery entry points: ids in, a service call, nothing personal in arguments or logs.

The services queue these tasks by name (config.celery.publish) and never import this
module, so it imports them at the top. Every task here is idempotent (its service claims
the work in the database first), which is what makes acks_late safe.
"""

from __future__ import annotations

from smtplib import SMTPException

from celery import shared_task

from config.celery import TaskOptions
from incidents.services import (
    incident_event_notify_officer,
    incident_receipt_send,
    incident_reps_notify,
    reps_waiting_digest_send,
)
from incidents.services import notifications_resend_unsent as resend
from incidents.services.privacy import retention_apply

RETRY: TaskOptions = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": (SMTPException, ConnectionError, TimeoutError),
    "retry_backoff": True,
    "max_retries": 5,
}


@shared_task(**RETRY)
def incident_send_receipt(incident_id: int) -> None:
    incident_receipt_send(incident_id=incident_id)


@shared_task(**RETRY)
def incident_notify_reps(incident_id: int) -> None:
    incident_reps_notify(incident_id=incident_id)


@shared_task(**RETRY)
def incident_notify_officer(event_id: int) -> None:
    incident_event_notify_officer(event_id=event_id)


@shared_task(**RETRY)
def reps_send_waiting_digest() -> None:
    reps_waiting_digest_send()


@shared_task(**RETRY)
def notifications_resend_unsent() -> None:
    resend()


@shared_task(acks_late=True, reject_on_worker_lost=True)
def privacy_apply_retention() -> None:
    retention_apply()
