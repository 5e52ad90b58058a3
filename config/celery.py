from __future__ import annotations

import os
from typing import TypedDict

from celery import Celery
from kombu.exceptions import OperationalError

from config.breaker import Breaker

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

# Every Celery option lives in settings.py under the CELERY_ prefix, so the eager
# embedded default and the real Redis broker are one configuration read two ways.
app = Celery("assaultlog")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# After a failed publish the broker is not tried again for a few seconds (config.breaker): a
# request that dispatches several tasks pays for one broker timeout at most (the officer's
# confirmation is due within 3 s). What was not sent stays marked in the database, and the
# sweeps send it.
broker_breaker = Breaker(
    pause=5.0,
    trips_on=(OperationalError,),
    refused=lambda: OperationalError("broker failed moments ago; left to the sweep"),
)


def publish(task_name: str, *args: int, countdown: float | None = None) -> None:
    """The task registered as ``task_name``, sent with ``args`` (or to start ``countdown``
    seconds from now), failing at once while the broker has just failed.

    By name: a service queues a task without importing its tasks module, which imports the
    service (each tasks module imports its services at the top, and nothing imports it but
    Celery). In-process (task_always_eager, ``make run``) the task runs here and now."""
    task = app.tasks[task_name]
    broker_breaker.call(app.conf.broker_url, task.apply_async, args, countdown=countdown)


class TaskOptions(TypedDict, total=False):
    """The options the tasks modules give @shared_task, as one typed dict (a plain dict of
    them would hide the task's signature from the type checker)."""

    acks_late: bool
    reject_on_worker_lost: bool
    autoretry_for: tuple[type[Exception], ...]
    max_retries: int
    retry_backoff: bool | int
    retry_backoff_max: int
    retry_jitter: bool
