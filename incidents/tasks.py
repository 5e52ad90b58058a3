"""Celery entry points: ids in, a service call, nothing personal in arguments or logs."""

from __future__ import annotations

from smtplib import SMTPException

from celery import shared_task

from incidents import services


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(SMTPException, ConnectionError, TimeoutError),
    retry_backoff=True,
    max_retries=5,
)
def incident_send_receipt(incident_id: int) -> None:
    # Idempotent: the service claims the receipt before sending it.
    services.incident_receipt_send(incident_id=incident_id)
