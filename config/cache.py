"""The cache (Redis) as every caller uses it, ours, allauth's and django-ratelimit's: after a
command fails to connect or times out, the cache is not tried again for a few seconds
(config.breaker), as the broker is not.

A frozen Redis costs the request that finds it one socket timeout (0.5 s,
settings.CACHE_REDIS_OPTIONS), not one for each cache call it makes. A command Redis answers
with an error (out of memory under noeviction, a read-only replica) fails as it is; it costs
no time, so there is nothing to hold back.
"""

from __future__ import annotations

from functools import wraps
from typing import Any

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.utils.functional import cached_property
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from config.breaker import Breaker

cache_breaker = Breaker(
    pause=5.0,
    trips_on=(RedisConnectionError, RedisTimeoutError),
    refused=lambda: RedisConnectionError("cache failed moments ago; not tried again yet"),
)


class _Guarded:
    """A cache client whose every method goes through the breaker."""

    def __init__(self, client: Any, address: str) -> None:
        self._client = client
        self._address = address

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") or name in ("_client", "_address"):
            raise AttributeError(name)  # copy and pickle probe these before __init__ has run
        attribute = getattr(self._client, name)
        if not callable(attribute):
            return attribute

        @wraps(attribute)
        def guarded(*args: object, **kwargs: object) -> Any:
            return cache_breaker.call(self._address, attribute, *args, **kwargs)

        return guarded


class RedisCache(DjangoRedisCache):
    """Django's Redis cache with the breaker above (settings.CACHES)."""

    @cached_property
    def _cache(self) -> Any:
        return _Guarded(self._class(self._servers, **self._options), ",".join(self._servers))
