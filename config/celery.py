from __future__ import annotations

import os
import time
from typing import Any

from celery import Celery
from kombu.exceptions import OperationalError

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

# Every Celery option lives in settings.py under the CELERY_ prefix, so the eager
# embedded default and the real Redis broker are one configuration read two ways.
app = Celery("assaultlog")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# After a failed publish the broker is not tried again for a few seconds: a request that
# dispatches several tasks pays for one broker timeout at most (the officer's confirmation
# is due within 3 s), and the requests right behind it for none. What was not sent stays
# marked in the database, and the sweeps send it.
BROKER_RETRY_AFTER = 5.0
_broker_down_until: dict[str, float] = {}


def publish(task: Any, *args: int, countdown: float | None = None) -> None:
    """task.delay(*args), or to start ``countdown`` seconds from now, failing at once while
    the broker has just failed."""
    url = app.conf.broker_url
    if time.monotonic() < _broker_down_until.get(url, 0.0):
        raise OperationalError("broker failed moments ago; left to the sweep")
    try:
        if countdown is None:
            task.delay(*args)
        else:
            task.apply_async(args, countdown=countdown)
    except OperationalError:
        _broker_down_until[url] = time.monotonic() + BROKER_RETRY_AFTER
        raise
