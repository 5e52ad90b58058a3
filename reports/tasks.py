"""Celery entry points for the statistics. Idempotent: snapshots are upserted under
their natural key and unchanged ones are left alone, so acks_late is safe.
The services queue these tasks by name (config.celery.publish), so they are imported here
at the top."""

from __future__ import annotations

from celery import shared_task
from django.db import InterfaceError, OperationalError

from config.celery import TaskOptions
from reports.services import snapshots_recompute_all as recompute_all
from reports.services import statistics_refresh as refresh

# A database that drops out (a failover, a restart) is retried a few times with growing,
# jittered waits; anything else is a bug and fails at once. The marks stay in the
# database, so a refresh that gives up is repaired by the next one.
IDEMPOTENT: TaskOptions = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": (OperationalError, InterfaceError),
    "max_retries": 3,
    "retry_backoff": 5,
    "retry_backoff_max": 120,
    "retry_jitter": True,
}


@shared_task(**IDEMPOTENT)
def statistics_refresh() -> None:
    refresh()


@shared_task(**IDEMPOTENT)
def snapshots_recompute_all(run_id: int | None = None) -> None:
    recompute_all(run_id=run_id)
