"""The cache (Redis) as the request path uses it: after a failed call it is not tried again
for a few seconds, as config.celery.publish does for the broker.

A frozen Redis costs a request its socket timeout (0.5 s, settings.CACHE_REDIS_OPTIONS) once,
not once for each cache call the request makes, and the requests right behind it nothing.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError

T = TypeVar("T")

CACHE_RETRY_AFTER = 5.0
_down_until: dict[str, float] = {}


def cache_call(call: Callable[..., T], *args: object, **kwargs: object) -> T:
    """call(*args, **kwargs), failing at once while the cache has just failed."""
    if time.monotonic() < _down_until.get("cache", 0.0):
        raise RedisConnectionError("cache failed moments ago; not tried again yet")
    try:
        return call(*args, **kwargs)
    except RedisError:
        _down_until["cache"] = time.monotonic() + CACHE_RETRY_AFTER
        raise


def cache_failures_forget() -> None:
    """Try the cache again at once (tests, and nothing else, need this)."""
    _down_until.clear()
