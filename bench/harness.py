"""What the benchmark scripts share: the production-mode environment, a gunicorn server they
start and always stop, signed-in sessions, a small stdlib HTTP client, and percentiles.

Standard library only (plus Django for the sessions), so the load generator needs nothing
installed.
"""

from __future__ import annotations

import http.client
import os
import signal
import statistics
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from incidents.models import User

T = TypeVar("T")

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
# A throw-away key: the seeded reports hold no free text, so nothing is encrypted under it.
BENCH_FIELD_KEY = "YmVuY2gtb25seS1rZXktMzItYnl0ZXMtbG9uZyEhISE="


def production_env(database_url: str, **extra: str) -> dict[str, str]:
    """DJANGO_ENV=production as deployed, on loopback without TLS, with the bench URLs."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DJANGO_ENV": "production",
        "DEBUG": "false",
        "SECRET_KEY": "bench-only-secret-key-" + "x" * 40,
        "ALLOWED_HOSTS": f"{HOST},testserver",
        "DATABASE_URL": database_url,
        # Cache (rate limits) and broker on the bench's own Redis database. Tasks are queued,
        # as in production, not run inside the request; the scripts purge the queue after.
        "CACHE_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/1"),
        "REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/1"),
        "FIELD_ENCRYPTION_KEYS": BENCH_FIELD_KEY,
        "SECURE_SSL_REDIRECT": "false",
        # One officer files many reports in a throughput run: the per-user limit stays in the
        # path (its cache round trip is measured) but is set out of reach.
        "REPORT_SUBMIT_RATE": "1000000/h",
        "EXPORT_RATE": "1000000/h",
        "LOG_LEVEL": "WARNING",
    }
    env.update(extra)
    return env


def collectstatic(database_url: str) -> None:
    """Hashed, compressed static files, as a deployment has them (bench.settings' STATIC_ROOT)."""
    subprocess.run(  # noqa: S603 our own interpreter, fixed arguments
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
        cwd=ROOT,
        env=production_env(database_url),
        check=True,
    )


def expect(status: int, label: str, path: str, wanted: int = 200) -> None:
    if status != wanted:
        raise SystemExit(f"{label}: {path} answered {status}, not {wanted}")


def django_setup(database_url: str) -> None:
    """Django in this process with the server's settings (sessions, query counts)."""
    os.environ.update(production_env(database_url))
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


@contextmanager
def gunicorn(database_url: str, *, port: int, workers: int) -> Iterator[subprocess.Popen[bytes]]:
    """gunicorn with the production config file, stopped (SIGTERM, then SIGKILL) on exit."""
    env = production_env(database_url, HOST=HOST, PORT=str(port), WEB_CONCURRENCY=str(workers))
    process = subprocess.Popen(  # noqa: S603 our own venv's gunicorn, fixed arguments
        [str(Path(sys.executable).parent / "gunicorn"), "--config", "config/gunicorn.py", "config.wsgi"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if request("GET", port, "/healthz").status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError("gunicorn did not start")
            time.sleep(0.3)
        yield process
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def seeded(found: T | None, what: str) -> T:
    """``found`` in the seeded database (a query's first row); a database not seeded stops the run."""
    if found is None:
        raise SystemExit(f"No {what} in the database: seed it first (manage.py seed_bench).")
    return found


def session_cookie(user: User, *, staff: bool = False) -> str:
    """A signed-in session stored as allauth's login leaves it (password, then the TOTP
    code for staff), without going through the login pages."""
    from allauth.mfa.models import Authenticator
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "incidents.backends.AuthenticationBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    methods = [{"method": "password", "at": time.time(), "email": user.email}]
    if staff:
        totp = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
        methods.append({"method": "mfa", "at": time.time(), "id": totp.pk, "type": "totp"})
    session["account_authentication_methods"] = methods
    session.create()
    return session.session_key or ""


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes
    seconds: float
    set_cookies: list[str] = field(default_factory=list)


def request(
    method: str,
    port: int,
    path: str,
    *,
    cookies: dict[str, str] | None = None,
    form: Mapping[str, str | Sequence[str]] | None = None,
) -> Response:
    """One request on a new connection (gunicorn's sync workers close after each response)."""
    headers = {"Host": f"{HOST}:{port}"}
    if cookies:
        headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in cookies.items())
    body = None
    if form is not None:
        body = urllib.parse.urlencode(form, doseq=True)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    started = time.perf_counter()
    connection = http.client.HTTPConnection(HOST, port, timeout=60)
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        content = response.read()
    finally:
        connection.close()
    seconds = time.perf_counter() - started
    return Response(
        response.status,
        {name.lower(): value for name, value in response.getheaders()},
        content,
        seconds,
        response.headers.get_all("Set-Cookie") or [],
    )


def remember_cookies(cookies: dict[str, str], response: Response) -> None:
    for header in response.set_cookies:
        name, _, rest = header.partition("=")
        cookies[name.strip()] = rest.split(";", 1)[0]


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))]


def median(values: list[float]) -> float:
    return statistics.median(values)


def load_average() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (1 min), {five:.2f} (5 min) on {os.cpu_count()} cores"


def cpu_busy_seconds() -> float:
    """CPU time the whole machine has spent busy (every core, every process: server,
    database, cache and load generator alike), from /proc/stat; 0.0 where there is none."""
    try:
        with open("/proc/stat") as stat:
            fields = [int(value) for value in stat.readline().split()[1:9]]
    except OSError:
        return 0.0
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def purge_queue(redis_url: str) -> None:
    """Drop the tasks the run queued (no worker runs during a benchmark)."""
    import redis

    redis.Redis.from_url(redis_url).delete("celery")
