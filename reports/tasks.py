"""Celery entry points for the statistics. Idempotent: snapshots are upserted under
their natural key and unchanged ones are left alone, so acks_late is safe.
Services are imported inside each task: they enqueue these tasks themselves."""

from __future__ import annotations

from celery import shared_task

IDEMPOTENT = {"acks_late": True, "reject_on_worker_lost": True, "max_retries": 3, "retry_backoff": True}


@shared_task(**IDEMPOTENT)
def snapshots_recompute_marked() -> None:
    from reports.services import snapshots_recompute_marked as sweep

    sweep()


@shared_task(**IDEMPOTENT)
def snapshots_recompute_all(run_id: int | None = None) -> None:
    from reports.services import snapshots_recompute_all as recompute_all

    recompute_all(run_id=run_id)
