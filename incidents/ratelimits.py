"""Per-user rate limits on filing reports and on exports (django-ratelimit, counted in the
shared cache). Sign-in, sign-up and password reset are allauth's own (ACCOUNT_RATE_LIMITS),
which render the same 429 page.

An officer files a handful of reports a week; thirty in an hour is a script or a stuck
client (only reports filed count: a form sent back with an error does not), and an export of
every report of a force twenty times an hour is a leak in progress. A refused request never
reaches the view, so nothing is written and nothing is logged as exported.

When the cache cannot be reached the shared count cannot be kept. Filing a report is then
counted in the web process's own memory at the same rate (a lost report is worse than a
looser limit for a few minutes: each process counts alone); exporting and closing an
account, which the limits protect, fail with the "briefly unavailable" page (config/views.py).
"""

from __future__ import annotations

import logging
import math
import re
import time
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.cache.backends.locmem import LocMemCache
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.utils.translation import gettext_lazy
from django_ratelimit.core import get_usage
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

View = Callable[..., HttpResponseBase]

REPORT_SUBMIT = "report-submit"
EXPORT = "export"
ACCOUNT_CLOSE = "account-close"
# Groups whose requests go ahead, counted in the process's memory, while the cache is down.
FAIL_OPEN = {REPORT_SUBMIT}

# What the 429 page says was paused, a whole sentence each (the Welsh is not built from parts).
PAUSED = {
    REPORT_SUBMIT: gettext_lazy(
        "You have been sending reports many times in a short while, so we have paused it for your account."
    ),
    EXPORT: gettext_lazy(
        "You have been exporting reports many times in a short while, so we have paused it for your account."
    ),
    ACCOUNT_CLOSE: gettext_lazy(
        "You have been trying to close your account many times in a short while, so we have paused it for your account."
    ),
}


def rate_limited(
    group: str, *, rate_setting: str, method: str = "POST", count: Callable[[HttpResponseBase], bool] | None = None
) -> Callable[[View], View]:
    """Past the rate in ``settings.<rate_setting>`` of the signed-in user's ``method``
    requests in ``group``, answer 429 without calling the view.

    Without ``count`` every request is counted, before the view runs. With it, a request is
    counted only when ``count(response)`` says it did what the limit is about (a report filed,
    not a form sent back with an error); the view runs only while the count is under the limit.

    Goes inside the login check: the key is the user, so the user must be known."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            rate = getattr(settings, rate_setting)
            # Counted before the view: over the limit. Counted after: at it, since this one would pass it.
            usage = _usage(request, group=group, rate=rate, method=method, increment=count is None)
            if usage is not None and (usage["count"] >= usage["limit"] if count else usage["should_limit"]):
                logger.warning("rate limited group=%s user=%s", group, request.user.pk)
                return too_many_requests(request, group=group, retry_after=usage["time_left"])
            response = view(request, *args, **kwargs)
            if count is not None and usage is not None and count(response):
                _usage(request, group=group, rate=rate, method=method, increment=True)
            return response

        return wrapped

    return decorator


def filed(response: HttpResponseBase) -> bool:
    """A filing view's answer when it filed: it redirects to the report; errors come back as a page."""
    return response.status_code in (301, 302, 303)


def _usage(request: HttpRequest, *, group: str, rate: str, method: str, increment: bool) -> dict[str, Any] | None:
    try:
        return get_usage(request, group=group, key="user", rate=rate, method=method, increment=increment)
    except RedisError:
        if group not in FAIL_OPEN:
            raise  # the "briefly unavailable" page
        logger.warning("rate limit counted in this process only group=%s: cache unavailable", group)
        return _usage_in_process(request, group=group, rate=rate, method=method, increment=increment)


PERIOD_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def rate_limit_and_period(rate: str) -> tuple[int, int]:
    """ "30/h" as (30, 3600), "5/2m" as (5, 120): a rate as django-ratelimit reads it (the
    settings accept only this form, see config.settings.env_rate)."""
    match = re.fullmatch(r"([0-9]+)/([0-9]*)([smhd])", rate)
    if match is None:
        raise ValueError(f"Not a rate such as 30/h: {rate!r}")
    count, multiple, unit = match.groups()
    return int(count), PERIOD_SECONDS[unit] * int(multiple or 1)


_in_process = LocMemCache("ratelimit-in-process", {"OPTIONS": {"MAX_ENTRIES": 10_000}})


def _usage_in_process(
    request: HttpRequest, *, group: str, rate: str, method: str, increment: bool
) -> dict[str, Any] | None:
    """get_usage's answer, counted in this process's memory: fixed windows of the rate's period."""
    if request.method != method:
        return None
    limit, period = rate_limit_and_period(rate)
    now = time.time()
    key = f"{group}:{request.user.pk}:{int(now // period)}"
    _in_process.add(key, 0, period)
    if increment:
        try:
            count = _in_process.incr(key)
        except ValueError:  # expired between the two
            _in_process.set(key, 1, period)
            count = 1
    else:
        count = _in_process.get(key, 0)
    return {"count": count, "limit": limit, "should_limit": count > limit, "time_left": int(period - now % period)}


def in_process_counts_forget() -> None:
    """Tests, and nothing else, need this."""
    _in_process.clear()


def too_many_requests(request: HttpRequest, *, group: str, retry_after: int) -> HttpResponse:
    minutes = max(1, math.ceil(retry_after / 60))
    context = {"paused": PAUSED[group], "minutes": minutes, "answers_kept": group == REPORT_SUBMIT}
    response = render(request, "429.html", context, status=429)
    response["Retry-After"] = str(max(1, retry_after))
    return response
