"""After a service fails to answer, fail at once for a few seconds instead of waiting on it again.

Used for the broker (config.celery.publish) and the cache (config.cache.GuardedConnectionPool): a request
that makes several calls pays for one timeout at most, and the requests right behind it in the
same process for none. The state is per process: each web process finds out for itself, once
every few seconds.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


class Breaker:
    """After a call to an address fails with one of ``trips_on``, calls to that address raise
    ``refused()`` without being tried for ``pause`` seconds."""

    def __init__(
        self, *, pause: float, trips_on: tuple[type[Exception], ...], refused: Callable[[], Exception]
    ) -> None:
        self.pause = pause
        self.trips_on = trips_on
        self.refused = refused
        self._open_until: dict[str, float] = {}

    def call(self, address: str, call: Callable[..., T], *args: object, **kwargs: object) -> T:
        if time.monotonic() < self._open_until.get(address, 0.0):
            raise self.refused()
        try:
            return call(*args, **kwargs)
        except self.trips_on:
            self._open_until[address] = time.monotonic() + self.pause
            raise

    def forget(self) -> None:
        """Try every address again at once (tests, and nothing else, need this)."""
        self._open_until.clear()
