"""The cache (Redis) as every caller uses it, ours, allauth's and django-ratelimit's: after a
command fails to connect or times out, the cache is not tried again for a few seconds
(config.breaker), as the broker is not.

A frozen Redis costs the request that finds it one socket timeout (0.5 s,
settings.CACHE_REDIS_OPTIONS), not one for each cache call it makes. A command Redis answers
with an error (out of memory under noeviction, a read-only replica) fails as it is; it costs
no time, so there is nothing to hold back.

Through public hooks only: Django's Redis cache takes a ``pool_class`` option (settings), and a
redis-py connection pool takes the ``connection_class`` its connections are made of. The pool
here makes them of a subclass of the class redis-py chose for the address (plain TCP, TLS for
``rediss://``, a Unix socket) whose connect, send and read go through the breaker.
"""

from __future__ import annotations

import functools
from typing import Any

import redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from config.breaker import Breaker

cache_breaker = Breaker(
    pause=5.0,
    trips_on=(RedisConnectionError, RedisTimeoutError),
    refused=lambda: RedisConnectionError("cache failed moments ago; not tried again yet"),
)


def _address(connection: redis.connection.AbstractConnection) -> str:
    """host, port and database (or the socket's path), as redis-py describes the connection."""
    return ",".join(f"{name}={value}" for name, value in connection.repr_pieces())


@functools.cache
def guarded(connection_class: type[redis.connection.AbstractConnection]) -> type[redis.connection.AbstractConnection]:
    """``connection_class`` with its connect, send and read held back by the breaker."""

    class Guarded(connection_class):  # type: ignore[valid-type,misc]  # a class chosen at run time
        def connect(self) -> None:
            cache_breaker.call(_address(self), super().connect)

        def send_packed_command(self, *args: Any, **kwargs: Any) -> None:
            cache_breaker.call(_address(self), super().send_packed_command, *args, **kwargs)

        def read_response(self, *args: Any, **kwargs: Any) -> Any:
            return cache_breaker.call(_address(self), super().read_response, *args, **kwargs)

    Guarded.__name__ = Guarded.__qualname__ = f"Guarded{connection_class.__name__}"
    return Guarded


class GuardedConnectionPool(redis.ConnectionPool):
    """The cache's connection pool (settings.CACHE_REDIS_OPTIONS["pool_class"])."""

    def __init__(
        self, connection_class: type[redis.connection.AbstractConnection] = redis.Connection, **kwargs: Any
    ) -> None:
        guarded_class = guarded(connection_class)  # type: ignore[arg-type]  # classes hash; mypy misses it (mypy#11470)
        super().__init__(connection_class=guarded_class, **kwargs)
