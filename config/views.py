"""Project-wide views: the health check for monitoring and the error page for an outage."""

from __future__ import annotations

import json
import logging
import re
import sys
from urllib.parse import urlsplit

import redis
from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, InterfaceError, OperationalError
from django.db.models import Max
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST
from django.views.defaults import server_error as django_server_error

from reports.models import Snapshot

logger = logging.getLogger(__name__)

BROKER_TIMEOUT = 1.0


def _database() -> tuple[bool, int | None]:
    """Whether the database answers, and the age in seconds of the newest snapshot."""
    try:  # one query answers both
        newest = Snapshot.objects.aggregate(newest=Max("computed_at"))["newest"]
    except DatabaseError:
        return False, None
    return True, None if newest is None else int((timezone.now() - newest).total_seconds())


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
    database_ok, snapshot_age = _database()
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
    }
    return JsonResponse(body, status=503 if not database_ok else 200)


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: a database or cache outage is a 503 "briefly unavailable" page, not an error.

    Django calls this inside its exception handler, from a view or from any middleware
    (the session and user lookups run before the view), so sys.exc_info() is the cause.
    """
    error = sys.exc_info()[1]
    if isinstance(error, OperationalError | InterfaceError):
        cause = "database"
    elif isinstance(error, redis.RedisError):
        # The cache (sign-in and export rate limits); filing carries on without it
        # (incidents/ratelimits.py).
        cause = "cache"
    else:
        return django_server_error(request)
    logger.warning("%s unavailable path=%s", cause, request.path)
    response = HttpResponse(loader.get_template("503.html").render({"cause": cause}), status=503)
    response["Retry-After"] = "30"
    return response


# allauth's own limits (sign-in, sign-up, password reset, reauthentication) count attempts
# over a minute: by then the oldest has left the window.
ALLAUTH_RETRY_AFTER_SECONDS = 60


def too_many_attempts(request: HttpRequest) -> HttpResponse:
    """handler429, which allauth calls when one of its rate limits refuses a request: the
    site's page, and a Retry-After saying when to try again."""
    response = HttpResponse(loader.render_to_string("429.html", request=request), status=429)
    response["Retry-After"] = str(ALLAUTH_RETRY_AFTER_SECONDS)
    return response


CSP_REPORT_MAX_BYTES = 16_384
csp_logger = logging.getLogger("config.csp")


@csrf_exempt  # browsers post reports without a token
@require_POST
def csp_report(request: HttpRequest) -> HttpResponse:
    """Log a Content-Security-Policy violation the browser reports: the directive, the
    blocked origin and the page's path (references at most), never query strings or samples."""
    if len(request.body) > CSP_REPORT_MAX_BYTES:
        return HttpResponse(status=413)
    try:
        report = json.loads(request.body).get("csp-report", {})
    except (ValueError, AttributeError):
        return HttpResponse(status=400)
    if not isinstance(report, dict):
        return HttpResponse(status=400)
    blocked = str(report.get("blocked-uri", ""))
    blocked_origin = urlsplit(blocked).netloc or blocked.split(":")[0][:40]
    # A directive is a token ("script-src-elem"): anything else a script sent is not logged
    # as sent (the log formatters escape control characters in every message as well).
    directive = str(report.get("effective-directive") or report.get("violated-directive", ""))
    csp_logger.warning(
        "csp violation directive=%s blocked=%s page=%s",
        re.sub(r"[^A-Za-z0-9-]", "?", directive[:60]),
        blocked_origin[:100],
        urlsplit(str(report.get("document-uri", ""))).path[:200],
    )
    return HttpResponse(status=204)
