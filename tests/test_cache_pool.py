"""The cache's connection pool (config/cache.py) keeps the connection class redis-py chose for
the address, TLS and Unix sockets included, with the breaker around it."""

from __future__ import annotations

import pytest
import redis
from redis.exceptions import ConnectionError as RedisConnectionError

from config.cache import GuardedConnectionPool, cache_breaker
from tests.faults.services import free_port


@pytest.mark.parametrize(
    ("url", "chosen"),
    [
        ("redis://127.0.0.1:6379/1", redis.Connection),
        ("rediss://cache.example:6380/1", redis.SSLConnection),
        ("unix:///run/redis.sock?db=1", redis.UnixDomainSocketConnection),
    ],
)
def test_the_pool_guards_the_connection_class_redis_py_chose(url: str, chosen: type) -> None:
    pool = GuardedConnectionPool.from_url(url, socket_connect_timeout=0.5)
    assert issubclass(pool.connection_class, chosen)
    assert pool.connection_class is not chosen
    assert pool.connection_class.__name__ == f"Guarded{chosen.__name__}"


def test_a_refused_connection_is_not_dialled_again_for_a_few_seconds(redis_dials: list[str]) -> None:
    cache_breaker.forget()
    dials = redis_dials
    client = redis.Redis(connection_pool=GuardedConnectionPool.from_url(f"redis://127.0.0.1:{free_port()}/0"))
    for _ in range(3):
        with pytest.raises(RedisConnectionError):
            client.get("key")
    assert dials == ["dial"]
    cache_breaker.forget()
