"""The cache (Redis) as every caller uses it, ours, allauth's and django-ratelimit's: after a
command fails to connect or times out, the cache is not tried again for a few seconds, as
config.celery.publish does for the broker.

A frozen Redis costs the request that finds it one socket timeout (0.5 s,
settings.CACHE_REDIS_OPTIONS), not one for each cache call it makes, and the requests behind
it in the same process nothing until the cache is tried again. The state is per process: each
web process finds out for itself, once every few seconds.

A command Redis answers with an error (out of memory under noeviction, a read-only replica)
fails as it is; it costs no time, so there is nothing to hold back.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.utils.functional import cached_property
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

T = TypeVar("T")

CACHE_RETRY_AFTER = 5.0
_down_until: dict[str, float] = {}


class CacheRecentlyFailed(RedisConnectionError):
    """Not tried: the cache failed moments ago."""


def cache_call(call: Callable[..., T], *args: object, **kwargs: object) -> T:
    """call(*args, **kwargs), failing at once while the cache has just failed."""
    if time.monotonic() < _down_until.get("cache", 0.0):
        raise CacheRecentlyFailed("cache failed moments ago; not tried again yet")
    try:
        return call(*args, **kwargs)
    except CacheRecentlyFailed:
        raise  # a nested call's: it does not push the retry back
    except (RedisConnectionError, RedisTimeoutError):
        _down_until["cache"] = time.monotonic() + CACHE_RETRY_AFTER
        raise


def cache_failures_forget() -> None:
    """Try the cache again at once (tests, and nothing else, need this)."""
    _down_until.clear()


class _Guarded:
    """A cache client whose every method goes through cache_call."""

    def __init__(self, client: Any) -> None:
        self._client = client

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") or name == "_client":
            raise AttributeError(name)  # copy and pickle probe these before __init__ has run
        attribute = getattr(self._client, name)
        if not callable(attribute):
            return attribute

        @wraps(attribute)
        def guarded(*args: object, **kwargs: object) -> Any:
            return cache_call(attribute, *args, **kwargs)

        return guarded


class RedisCache(DjangoRedisCache):
    """Django's Redis cache with the short retry pause above (settings.CACHES)."""

    @cached_property
    def _cache(self) -> Any:
        return _Guarded(self._class(self._servers, **self._options))
