"""The cache (Redis: allauth's and our rate limits) down or frozen.

Filing a report carries on (its limit counted in the process's memory); what the limits protect (signing in, exporting,
closing an account) answers the "briefly unavailable" page, never a 500, and changes nothing.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from redis.exceptions import RedisError
from redis.exceptions import ResponseError as RedisResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError

from config.cache import cache_breaker
from incidents.choices import StaffAction
from incidents.models import Incident, StaffAccess, StatisticsMark, User
from reports.models import Snapshot
from reports.periods import financial_year_of
from reports.services import statistics_refresh
from tests.conftest import file_quick_logs, new_report_post, quick_post, transactional_db, use_redis_cache
from tests.factories import PASSWORD, IncidentFactory
from tests.faults.services import RedisServer, broker, free_port

pytestmark = [pytest.mark.redis, transactional_db]

CONFIRMATION_WITHIN_SECONDS = 3.0
EXPORT_CSV = reverse("admin:incidents_incident_export", args=["csv"])


@pytest.fixture
def cache_down(settings: Any) -> Iterator[None]:
    """Nothing listens where the cache should be; tasks are queued, not run in the request."""
    use_redis_cache(settings, f"redis://127.0.0.1:{free_port()}/0")
    with broker("memory://"):
        yield


def signed_in(user: User) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def assert_unavailable(response: Any, *, cause: str = "sign-ins and exports") -> None:
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    page = response.content.decode()
    assert "briefly unavailable" in page and cause in page
    assert "Traceback" not in page and "Connection refused" not in page


def test_an_officer_files_reports_with_the_cache_down(
    officer: User, cache_down: None, caplog: pytest.LogCaptureFixture
) -> None:
    # A worker started by an earlier test leaves the root logger at ERROR.
    caplog.set_level(logging.WARNING, logger="incidents.ratelimits")
    client = signed_in(officer)
    started = time.monotonic()
    response = client.post(reverse("incidents:quick"), quick_post(another="1"), follow=True)
    waited = time.monotonic() - started
    incident = Incident.objects.get(officer=officer)
    assert response.redirect_chain == [(reverse("incidents:submitted", args=[incident.reference]), 302)]
    assert waited < CONFIRMATION_WITHIN_SECONDS
    # The full report too: starting it is counted in the same limit.
    response = client.post(reverse("incidents:new"), new_report_post())
    assert response.status_code == 302
    assert Incident.objects.filter(officer=officer).count() == 2
    assert "rate limit counted in this process only group=report-submit: cache unavailable" in caplog.text


def test_with_the_cache_down_the_submission_limit_is_still_counted_in_the_process(
    officer: User, cache_down: None, settings: Any
) -> None:
    settings.REPORT_SUBMIT_RATE = "2/m"
    client = signed_in(officer)
    file_quick_logs(client, 2)
    response = client.post(reverse("incidents:quick"), quick_post(another="1"))
    assert response.status_code == 429
    assert Incident.objects.filter(officer=officer).count() == 2
    # Another officer has a count of their own.
    colleague = IncidentFactory().officer
    assert signed_in(colleague).post(reverse("incidents:quick"), quick_post(another="1")).status_code == 302


def test_allauths_cache_calls_stop_dialling_a_cache_that_just_failed(
    officer: User, cache_down: None, redis_dials: list[str]
) -> None:
    # allauth's login rate limit calls the cache itself, not through our code: the pool
    # (config/cache.py) holds back every caller's commands for a few seconds.
    dials = redis_dials
    login = {"login": officer.email, "password": PASSWORD}
    assert_unavailable(Client(raise_request_exception=False).post(reverse("account_login"), login))
    assert dials == ["dial"]  # the first command failed; none after it in that request
    assert_unavailable(Client(raise_request_exception=False).post(reverse("account_login"), login))
    assert dials == ["dial"]  # the next sign-in a moment later is answered without dialling


def test_a_cache_that_refuses_writes_is_reported_and_still_takes_reports(
    officer: User, settings: Any, redis_server: RedisServer
) -> None:
    # Out of memory under noeviction: reads answered, every write refused.
    use_redis_cache(settings, redis_server.url)
    redis_server.client().config_set("maxmemory-policy", "noeviction")
    redis_server.client().config_set("maxmemory", "1")
    anonymous = Client(raise_request_exception=False)
    health = anonymous.get("/healthz").json()
    assert health["cache"] == "refusing writes" and health["status"] == "degraded"
    assert_unavailable(anonymous.post(reverse("account_login"), {"login": officer.email, "password": PASSWORD}))
    with broker("memory://"):
        assert signed_in(officer).post(reverse("incidents:quick"), quick_post(another="1")).status_code == 302
    assert Incident.objects.filter(officer=officer).count() == 1
    redis_server.client().config_set("maxmemory", "0")
    assert anonymous.get("/healthz").json()["cache"] == "ok"


def test_signing_in_exporting_and_closing_an_account_say_briefly_unavailable_and_change_nothing(
    officer: User, rep: User, cache_down: None
) -> None:
    EmailAddress.objects.create(user=officer, email=officer.email, verified=True, primary=True)
    anonymous = Client(raise_request_exception=False)
    assert_unavailable(anonymous.post(reverse("account_login"), {"login": officer.email, "password": PASSWORD}))
    assert "_auth_user_id" not in anonymous.session

    assert_unavailable(signed_in(rep).get(EXPORT_CSV))
    assert not StaffAccess.objects.filter(action=StaffAction.EXPORTED).exists()

    client = signed_in(officer)
    assert_unavailable(client.post(reverse("incidents:close"), {"password": PASSWORD, "confirm": "on"}))
    assert User.objects.filter(pk=officer.pk).exists()


def test_one_frozen_redis_for_cache_and_broker_costs_the_officer_under_3_seconds(
    officer: User, settings: Any, redis_server: RedisServer
) -> None:
    # docs/deploy.md allows one Redis instance for both. It freezes (SIGSTOP: connections
    # accepted, nothing answered) after a first report has opened connections to it.
    use_redis_cache(settings, redis_server.url)
    client = signed_in(officer)
    with broker(redis_server.url):
        assert client.post(reverse("incidents:quick"), quick_post(another="1")).status_code == 302
        redis_server.pause()
        started = time.monotonic()
        response = client.post(reverse("incidents:quick"), quick_post(another="1"))
        waited = time.monotonic() - started
        redis_server.resume()
    assert response.status_code == 302
    assert Incident.objects.filter(officer=officer).count() == 2
    assert waited < CONFIRMATION_WITHIN_SECONDS, f"the officer waited {waited:.2f} s"


FROZEN, FULL = "redis://frozen:6379/1", "redis://full:6379/1"


def test_after_a_failed_cache_call_the_next_few_seconds_fail_at_once() -> None:
    calls: list[str] = []

    def frozen() -> None:
        calls.append("dialled")
        raise RedisTimeoutError("Timeout reading from socket")

    def out_of_memory() -> None:
        calls.append("answered")
        raise RedisResponseError("OOM command not allowed when used memory > 'maxmemory'")

    with pytest.raises(RedisTimeoutError):
        cache_breaker.call(FROZEN, frozen)
    with pytest.raises(RedisError):
        cache_breaker.call(FROZEN, frozen)  # not dialled: the request behind it pays nothing
    assert calls == ["dialled"]
    cache_breaker.forget()
    with pytest.raises(RedisTimeoutError):
        cache_breaker.call(FROZEN, frozen)
    assert calls == ["dialled", "dialled"]
    # An error Redis answers cost no time: it holds nothing back.
    for _ in range(2):
        with pytest.raises(RedisResponseError):
            cache_breaker.call(FULL, out_of_memory)
    assert calls == ["dialled", "dialled", "answered", "answered"]


def test_a_frozen_cache_does_not_hold_up_the_statistics_refresh(
    officer: User, settings: Any, redis_server: RedisServer
) -> None:
    incident = IncidentFactory(officer=officer)
    year = financial_year_of(incident.occurred_on)
    StatisticsMark.objects.create(force=incident.force, financial_year=year, marked_at=timezone.now())
    use_redis_cache(settings, redis_server.url)
    cache.set("warm", 1)  # a connection already open when it freezes
    redis_server.pause()
    try:
        started = time.monotonic()
        assert statistics_refresh() == 1  # it never asks the cache
        took = time.monotonic() - started
    finally:
        redis_server.resume()
    assert took < 2.0, f"the refresh waited {took:.2f} s on the cache"
    assert Snapshot.objects.get(area=incident.force.code, financial_year=year).logged == 1
