"""The health check, for monitoring and load balancers."""

from __future__ import annotations

import datetime

import redis
from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError
from django.db.models import Max, Min
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from incidents.models import StatisticsMark
from reports.models import Snapshot

BROKER_TIMEOUT = 1.0


def _seconds_since(moment: datetime.datetime | None) -> int | None:
    return None if moment is None else int((timezone.now() - moment).total_seconds())


def _database() -> tuple[bool, int | None, int | None]:
    """Whether the database answers; the age in seconds of the newest snapshot; and how long
    the oldest change not yet in the statistics has waited (None when there is none: the
    refresh is keeping up)."""
    try:
        newest = Snapshot.objects.aggregate(newest=Max("computed_at"))["newest"]
        waiting = StatisticsMark.objects.aggregate(oldest=Min("marked_at"))["oldest"]
    except DatabaseError:
        return False, None, None
    return True, _seconds_since(newest), _seconds_since(waiting)


def _broker() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "in-process"
    try:
        client = redis.Redis.from_url(
            settings.CELERY_BROKER_URL, socket_connect_timeout=BROKER_TIMEOUT, socket_timeout=BROKER_TIMEOUT
        )
        client.ping()
    except (redis.RedisError, OSError):
        return "unreachable"
    return "ok"


def _cache() -> str:
    """The shared cache, probed with a write as the rate limits use it: a Redis that answers
    reads but refuses writes (out of memory under noeviction, a read-only replica) fails
    sign-in as surely as one that is down. Commands time out after 0.5 s (settings)."""
    try:
        cache.set("healthz", 1, 10)
    except (redis.ConnectionError, redis.TimeoutError):
        return "unreachable"
    except redis.RedisError:
        return "refusing writes"
    return "ok"


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """For monitoring and load balancers: no login, nothing personal, answers within ~2 s.

    503 when the database is down (this process cannot serve). A broker or cache that
    cannot be reached, or a cache that refuses writes, leaves reports being saved (the
    sweeps catch up; the submission limit counts in this process only), so it is 200 with
    status "degraded", for an alert rather than for taking web out of rotation (sign-in
    and exports wait for the cache).
    """
    database_ok, snapshot_age, behind = _database()
    broker = _broker()
    cache_state = _cache()
    if not database_ok:
        status = "down"
    elif broker not in ("ok", "in-process") or cache_state != "ok":
        status = "degraded"
    else:
        status = "ok"
    body = {
        "status": status,
        "database": "ok" if database_ok else "unavailable",
        "broker": broker,
        "cache": cache_state,
        "newest_snapshot_age_seconds": snapshot_age,
        # Over a minute means the statistics refresh is not running (settings: every 30 s).
        "statistics_behind_seconds": behind,
    }
    return JsonResponse(body, status=503 if not database_ok else 200)
