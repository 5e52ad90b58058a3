"""Personas and the rules for tests that need real services.

Tests marked ``postgres``, ``redis`` or ``browser`` skip with a reason when the
service is missing; with ``CI=true`` a missing service fails them instead, so CI
can never pass by skipping what it exists to prove.
"""

from __future__ import annotations

import importlib
import os
import re
import shutil
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import redis
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from django.apps import apps
from django.conf import settings as django_settings
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from config.cache import cache_breaker
from config.celery import app as celery_app
from incidents.choices import NATIONAL_GROUP, REPS_GROUP, AssaultKind, Injury, ReportedToForce
from incidents.models import Force, Incident, RepForce, User
from incidents.ratelimits import in_process_counts_forget
from tests.factories import UserFactory, force, make_officer

CI = os.environ.get("CI", "").lower() == "true"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


# Transactional tests flush the database after themselves, taking the forces the
# and staff groups the migrations loaded with them; _reference_data puts them back.
# (serialized_rollback cannot: under Playwright the test body runs in a greenlet
# whose Django connection lacks the serialized contents, so it restores nothing.)
transactional_db = pytest.mark.django_db(transaction=True)
load_forces = importlib.import_module("incidents.migrations.0002_load_forces").load_forces
load_welsh_names = importlib.import_module("incidents.migrations.0015_languages").load_welsh_names
create_groups = importlib.import_module("incidents.migrations.0004_staff_groups").create_groups
grant_figures = importlib.import_module("reports.migrations.0002_national_staff_figures").grant
grant_checks = importlib.import_module("reports.migrations.0007_recording_check_permissions").grant


def require(available: bool, reason: str) -> None:
    if available:
        return
    if CI:
        pytest.fail(f"{reason}, and CI=true: this test must run in CI, not skip.")
    pytest.skip(reason)


def redis_available() -> bool:
    if not django_settings.REDIS_URL:
        return False
    try:
        return bool(redis.Redis.from_url(django_settings.REDIS_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("postgres"):
        require(
            django_settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql",
            "needs PostgreSQL: set DATABASE_URL=postgres://...",
        )
    if item.get_closest_marker("redis"):
        require(redis_available(), "needs a reachable Redis: set REDIS_URL=redis://...")
    if item.get_closest_marker("browser"):
        require(shutil.which(CHROMIUM) is not None, f"needs Chromium at {CHROMIUM} (apt-get install chromium)")


@pytest.fixture(autouse=True)
def _test_defaults(settings: pytest.FixtureRequest, request: pytest.FixtureRequest) -> Iterator[None]:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.SITE_URL = "https://assaultlog.test"
    cache.clear()  # allauth's rate limits count in the cache
    cache_breaker.forget()  # a cache outage in an earlier test is over
    in_process_counts_forget()  # nor are the submissions it counted in memory
    # Tasks run in-process unless the test is about the real broker.
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = request.node.get_closest_marker("redis") is None
    yield
    celery_app.conf.task_always_eager = eager


@pytest.fixture(autouse=True)
def _reference_data(request: pytest.FixtureRequest) -> None:
    marker = request.node.get_closest_marker("django_db")
    if marker and marker.kwargs.get("transaction"):
        request.getfixturevalue("transactional_db")
        if not Force.objects.exists():
            load_forces(apps, None)
            load_welsh_names(apps, None)
        if not Group.objects.exists():
            create_groups(apps, None)
            grant_figures(apps, None)
            grant_checks(apps, None)


@pytest.fixture
def force_a(db: None) -> Force:
    return force("thames-valley")


@pytest.fixture
def force_b(db: None) -> Force:
    return force("kent")


@pytest.fixture
def officer(force_a: Force) -> User:
    return make_officer("thames-valley")


@pytest.fixture
def colleague(force_a: Force) -> User:
    """Same force as ``officer``: still must not see ``officer``'s reports."""
    return make_officer("thames-valley")


@pytest.fixture
def other_force_officer(force_b: Force) -> User:
    return make_officer("kent")


TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DP"


def totp_code(secret: str = TOTP_SECRET) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def make_staff(group: str, *forces: Force) -> User:
    """A staff user in ``group`` covering ``forces``, with two-factor authentication set up."""
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    for covered in forces:
        RepForce.objects.create(rep=user, force=covered)
    TOTP.activate(user, TOTP_SECRET)
    return user


@pytest.fixture
def rep(force_a: Force) -> User:
    """A federation rep of force A (``officer``'s force)."""
    return make_staff(REPS_GROUP, force_a)


@pytest.fixture
def other_rep(force_b: Force) -> User:
    """A rep of force B: must never see force A's reports."""
    return make_staff(REPS_GROUP, force_b)


@pytest.fixture
def national_staff(db: None) -> User:
    return make_staff(NATIONAL_GROUP)


def use_redis_cache(settings: Any, url: str, **params: Any) -> None:
    """The cache as production configures it (config/settings.py), at ``url``."""
    settings.CACHES = {
        "default": {
            "BACKEND": settings.CACHE_REDIS_BACKEND,
            "LOCATION": url,
            "OPTIONS": settings.CACHE_REDIS_OPTIONS,
            **params,
        }
    }


@pytest.fixture
def redis_dials(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every time redis-py itself dials Redis (under the cache pool's breaker), as "dial"."""
    dials: list[str] = []
    connect = redis.Connection.connect

    def counted(self: redis.Connection) -> None:
        dials.append("dial")
        connect(self)

    monkeypatch.setattr(redis.Connection, "connect", counted)
    return dials


@pytest.fixture
def shared_cache(settings: Any) -> None:
    """The cache production has: one Redis for every process (here the suite's REDIS_URL, with
    keys of this test's own), which the web and a worker share."""
    use_redis_cache(settings, settings.REDIS_URL, KEY_PREFIX=f"test-{uuid.uuid4().hex}")


def staff_client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def officer_client(officer: User) -> Client:
    client = Client()
    client.force_login(officer)
    return client


# -- forms as the pages post them -------------------------------------------------------


def quick_post(**overrides: Any) -> dict[str, Any]:
    """The quick log as an officer sends it: a spit, no injury, not reported."""
    data = {
        "occurred_on": timezone.localdate().isoformat(),
        "assaults": [AssaultKind.SPIT],
        "injury": Injury.NONE,
        "reported_to_force": ReportedToForce.NO,
        "note": "",
        "submission_key": str(uuid.uuid4()),
    }
    data.update(overrides)
    return data


def quick_data(**overrides: Any) -> dict[str, Any]:
    """The same quick log as the filing service takes it (incidents.services.incident_quick_log)."""
    data: dict[str, Any] = {
        "occurred_on": timezone.localdate(),
        "assaults": [AssaultKind.SPIT],
        "injury": Injury.NONE,
        "reported_to_force": ReportedToForce.NO,
    }
    data.update(overrides)
    return data


def file_quick_logs(client: Client, count: int) -> None:
    """File ``count`` quick logs through the page, each confirmed (redirected to the report)."""
    for _ in range(count):
        # The same answers each time: each after the first is said to be another assault.
        assert client.post(reverse("incidents:quick"), quick_post(another="1")).status_code == 302


def new_report_post(**overrides: Any) -> dict[str, Any]:
    """Step 1 of the full report, which starts a draft."""
    data = {
        "occurred_on": timezone.localdate().isoformat(),
        "occurred_at": "",
        "setting": "custody_suite",
        "place": "",
        "submission_key": str(uuid.uuid4()),
    }
    data.update(overrides)
    return data


def review_form(client: Client, incident: Incident) -> dict[str, str]:
    """The review admin's form for ``incident``, unchanged, with the version its page drew.

    Read from the page as drawn, so a test fails if the hidden version is not on it.
    """
    page = client.get(reverse("admin:incidents_incident_change", args=[incident.pk]))
    [seen_event] = re.findall(r'name="seen_event" value="(\d+)"', page.content.decode())
    return {
        "seen_event": seen_event,
        "assigned_rep": "",
        "reviewed_injury": "",
    }
