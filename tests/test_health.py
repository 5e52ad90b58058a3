"""/healthz for monitoring, and the 503 page when the database is out of reach."""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest
from django.db import OperationalError
from django.test import Client, override_settings
from django.utils import timezone

from incidents.models import StatisticsMark, User
from reports.services import snapshots_recompute
from tests.conftest import use_redis_cache
from tests.factories import IncidentFactory

pytestmark = pytest.mark.django_db


def test_health_reports_database_broker_and_snapshot_age(client: Client, officer: User, settings: Any) -> None:
    settings.CELERY_TASK_ALWAYS_EAGER = True  # the embedded default: no broker to reach
    body = client.get("/healthz").json()
    assert body == {
        "status": "ok",
        "database": "ok",
        "broker": "in-process",
        "cache": "ok",
        "newest_snapshot_age_seconds": None,
        "statistics_behind_seconds": None,
    }
    IncidentFactory(officer=officer)
    snapshots_recompute()
    response = client.get("/healthz")
    assert response.status_code == 200
    assert 0 <= response.json()["newest_snapshot_age_seconds"] < 60
    assert response.json()["statistics_behind_seconds"] is None  # nothing waiting
    assert "no-cache" in response["Cache-Control"]


def test_a_change_the_statistics_have_not_counted_yet_shows_how_long_it_has_waited(
    client: Client, officer: User
) -> None:
    incident = IncidentFactory(officer=officer)
    an_hour_ago = timezone.now() - datetime.timedelta(hours=1)
    StatisticsMark.objects.create(force=incident.force, financial_year=2024, marked_at=an_hour_ago)
    behind = client.get("/healthz").json()["statistics_behind_seconds"]
    assert 3600 <= behind < 3660  # an alert: the refresh (every 30 s) is not running


@override_settings(CELERY_TASK_ALWAYS_EAGER=False, CELERY_BROKER_URL="redis://127.0.0.1:1/0")
def test_an_unreachable_broker_is_degraded_not_down(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200  # the site still saves reports: alert, keep serving
    assert response.json()["status"] == "degraded"
    assert response.json()["broker"] == "unreachable"


def test_an_unreachable_cache_is_degraded_not_down(client: Client, settings: Any) -> None:
    use_redis_cache(settings, "redis://127.0.0.1:1/0")  # nothing listens on port 1
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    assert response.json()["cache"] == "unreachable"


@pytest.mark.redis
def test_a_reachable_cache_is_ok(client: Client, settings: Any) -> None:
    use_redis_cache(settings, settings.REDIS_URL)
    assert client.get("/healthz").json()["cache"] == "ok"


@pytest.mark.redis
def test_a_reachable_broker_is_ok(client: Client, settings: Any) -> None:
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = settings.REDIS_URL
    assert client.get("/healthz").json()["broker"] == "ok"


def test_health_is_503_when_the_database_is_down(client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise OperationalError("connection refused")

    monkeypatch.setattr("django.db.backends.base.base.BaseDatabaseWrapper.cursor", refuse)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "unavailable" and response.json()["status"] == "down"


def test_a_database_outage_shows_a_clear_503_page_not_a_stack_trace(
    officer_client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    officer_client.raise_request_exception = False

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise OperationalError("could not connect to server: Connection refused")

    # The session is read by middleware before any view runs: the outage surfaces there.
    monkeypatch.setattr("django.contrib.sessions.backends.db.SessionStore.load", refuse)
    response = officer_client.get("/reports/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    page = response.content.decode()
    assert "briefly unavailable" in page
    assert "Traceback" not in page and "could not connect" not in page


def test_other_errors_still_get_the_ordinary_500_page(officer_client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    officer_client.raise_request_exception = False

    def broken(*args: Any, **kwargs: Any) -> None:
        raise ZeroDivisionError

    monkeypatch.setattr("django.contrib.sessions.backends.db.SessionStore.load", broken)
    response = officer_client.get("/reports/")
    assert response.status_code == 500
    assert "Sorry, something went wrong" in response.content.decode()


def test_every_response_carries_the_security_headers(client: Client) -> None:
    response = client.get("/accounts/login/")
    policy = response["Content-Security-Policy"]
    for directive in (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "object-src 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ):
        assert directive in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    features = response["Permissions-Policy"]
    assert all(f"{feature}=()" in features for feature in ("camera", "microphone", "geolocation"))
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"


def test_csp_reports_are_logged_without_query_strings(client: Client, caplog: pytest.LogCaptureFixture) -> None:
    report = {
        "csp-report": {
            "document-uri": "https://assaultlog.test/reports/AL-2026-ABC123/?q=secret",
            "effective-directive": "script-src-elem",
            "blocked-uri": "https://evil.example/x.js?token=abc",
        }
    }
    with caplog.at_level("WARNING", logger="config.csp"):
        response = client.post("/csp-report", data=json.dumps(report), content_type="application/csp-report")
    assert response.status_code == 204
    assert caplog.messages == [
        "csp violation directive=script-src-elem blocked=evil.example page=/reports/AL-2026-ABC123/"
    ]
    assert client.post("/csp-report", data="not json", content_type="application/csp-report").status_code == 400
    assert client.post("/csp-report", data="x" * 20_000, content_type="application/csp-report").status_code == 413
    assert client.get("/csp-report").status_code == 405
