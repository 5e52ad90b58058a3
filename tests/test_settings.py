"""The production profile refuses to start without its own secrets and shared services."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from config.settings import DEVELOPMENT_FIELD_KEY

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {
    "DJANGO_ENV": "production",
    "SECRET_KEY": "x" * 60,
    "ALLOWED_HOSTS": "assaultlog.example.org",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/postgres",
    "CACHE_URL": "redis://127.0.0.1:6379/13",
    # Two keys, as during a rotation.
    "FIELD_ENCRYPTION_KEYS": ",".join(
        ["vJ2Hqz0uR3nJ0Tn2m4cO0W3yq7m7h0yM3dC8b6kYw1E=", "J9p1m6F3a2K8c0QwXy4Zt5Lr7Nv9Bs1Dh3Gj5Kl7Mn0="]
    ),
}


def load_settings(**overrides: str | None) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key not in PRODUCTION and key != "DEBUG"}
    env.update({key: value for key, value in {**PRODUCTION, **overrides}.items() if value is not None})
    code = "import django; django.setup(); from django.conf import settings; print(settings.SECRET_KEY[:3])"
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def deploy_check(**overrides: str | None) -> subprocess.CompletedProcess[str]:
    """``manage.py check --deploy --fail-level WARNING`` on the production profile, as CI runs it
    (``make prod-check``), with everything it needs unless ``overrides`` takes it away."""
    settings = {
        **PRODUCTION,
        "SECRET_KEY": "kq8Zr3vT0pW6yX1bN4mC7dF9gH2jL5sA8eR0tY3uI6oP1aS4dF7gH0jK3lZ6xC9v",
        "TRUSTED_PROXY_COUNT": "1",
        "EMAIL_URL": "smtp+tls://user:password@smtp.example.org:587",
        **overrides,
    }
    # Nothing of this test run's own (the browser tests set DJANGO_ALLOW_ASYNC_UNSAFE, which
    # the deploy checks rightly warn about).
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in settings and key != "DEBUG" and not key.startswith("DJANGO_")
    }
    env.update({key: value for key, value in settings.items() if value is not None})
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_production_profile_loads_with_everything_set() -> None:
    result = load_settings()
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "xxx"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"SECRET_KEY": None}, "SECRET_KEY must be set"),
        ({"ALLOWED_HOSTS": None}, "ALLOWED_HOSTS must be set"),
        ({"DATABASE_URL": None}, "DATABASE_URL must be set"),
        ({"CACHE_URL": None}, "CACHE_URL must be set"),
        ({"CACHE_URL": "locmem://"}, "CACHE_URL must be a redis:// URL"),
        ({"DEBUG": "true"}, "DEBUG must be off"),
        ({"FIELD_ENCRYPTION_KEYS": None}, "FIELD_ENCRYPTION_KEYS must be set"),
        ({"FIELD_ENCRYPTION_KEYS": DEVELOPMENT_FIELD_KEY}, "must not hold the development key"),
    ],
)
def test_the_production_profile_refuses_to_start_without(overrides: dict[str, str | None], message: str) -> None:
    result = load_settings(**overrides)
    assert result.returncode != 0
    assert message in result.stderr


def test_make_run_points_the_links_in_e_mails_at_the_address_it_serves() -> None:
    """`make run PORT=8123` serves on 8123, so the links in its e-mails say 8123 (SITE_URL);
    listening on every address (0.0.0.0), the links open the machine's own."""
    env = {key: value for key, value in os.environ.items() if key != "SITE_URL"}
    dry_run = subprocess.run(
        [shutil.which("make") or "make", "-n", "run", "HOST=0.0.0.0", "PORT=8123"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    served = next(line for line in dry_run.splitlines() if "runserver" in line)
    assert "runserver 0.0.0.0:8123" in served
    assert "SITE_URL=${SITE_URL:-http://127.0.0.1:8123}" in served
