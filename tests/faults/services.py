"""Real services a fault test can break on purpose: a throwaway redis-server, a broker switch."""

from __future__ import annotations

import contextlib
import ctypes
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import redis

from config import celery
from config.celery import app as celery_app

REDIS_SERVER = shutil.which("redis-server")


def wait_for(condition: Callable[[], object], timeout: float = 20.0, interval: float = 0.05) -> bool:
    """Poll ``condition`` until it is true or ``timeout`` seconds have passed."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return bool(condition())


def free_port() -> int:
    """A TCP port nothing listens on right now (the kernel's pick, so never a leftover's)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def die_with_parent() -> None:
    """In a child before exec: SIGKILL it if pytest dies, so no server outlives a crashed run."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def stop_process(process: subprocess.Popen[bytes], timeout: float = 10.0) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout)


class RedisServer:
    """A redis-server of the test's own on a free port: nothing persisted, stopped at will."""

    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.workdir = workdir
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self) -> redis.Redis:
        return redis.Redis(port=self.port, socket_connect_timeout=1, socket_timeout=1)

    def ping(self) -> bool:
        try:
            return bool(self.client().ping())
        except (redis.RedisError, OSError):
            return False

    def start(self) -> None:
        assert REDIS_SERVER is not None
        # Same port every time: a restarted Redis is the same broker URL to every client.
        command = [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        self.process = subprocess.Popen(
            [*command, "--dir", str(self.workdir)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            preexec_fn=die_with_parent,
        )
        if not wait_for(self.ping, timeout=10):
            self.stop()
            raise RuntimeError(f"redis-server did not start on port {self.port}")

    def stop(self) -> None:
        """Shut Redis down for good: queued messages (nothing is saved) go with it."""
        if self.process is not None:
            stop_process(self.process)
            self.process = None

    def pause(self) -> None:
        """Freeze Redis (SIGSTOP): connections are still accepted, nothing is ever answered."""
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGSTOP)

    def resume(self) -> None:
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGCONT)


def reset_broker_connections() -> None:
    """Drop the app's connection and producer pools so the next publish dials the current broker_url.

    close() resets the producer pool only when a connection pool exists; an embedded
    worker can leave a producer pool behind without one.
    """
    celery_app.close()
    celery_app.amqp._producer_pool = None


@contextlib.contextmanager
def broker(url: str) -> Iterator[None]:
    """Send tasks to ``url`` (really: not eagerly) for the duration."""
    saved = celery_app.conf.broker_url, celery_app.conf.task_always_eager
    reset_broker_connections()
    celery.broker_breaker.forget()
    celery_app.conf.broker_url, celery_app.conf.task_always_eager = url, False
    try:
        yield
    finally:
        reset_broker_connections()
        celery.broker_breaker.forget()
        celery_app.conf.broker_url, celery_app.conf.task_always_eager = saved
