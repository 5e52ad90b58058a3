"""What filing a report costs: the statements of the quick log's GET and POST, and the one
statistics recompute that any number of reports filed before it starts share
(docs/performance.md, bench/throughput.py)."""

from __future__ import annotations

import re
import threading
import uuid
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError
from redis.exceptions import ConnectionError as RedisConnectionError

from config.celery import app as celery_app
from incidents import services as incident_services
from incidents.models import User
from incidents.selectors import officer_profile_for_user
from reports.models import NATIONAL, RecomputeMark, Snapshot
from reports.periods import financial_year_of
from reports.services import snapshots as reports_services
from reports.services.snapshots import (
    RECOMPUTE_BATCH_SECONDS,
    RECOMPUTE_BATCH_START_SECONDS,
    RECOMPUTE_QUEUED,
    snapshots_recompute_marked,
)
from tests.conftest import file_quick_logs, quick_data, quick_post, transactional_db, use_redis_cache
from tests.factories import PASSWORD

RECOMPUTE = "reports.tasks.snapshots_recompute_marked"
RECEIPT = "incidents.tasks.incident_send_receipt"
STATEMENT = re.compile(r'^\s*(\w+)(?:.*?\b(?:FROM|INTO)\s+"?(\w+)"?)?', re.IGNORECASE | re.DOTALL)


def statements(captured: CaptureQueriesContext) -> list[str]:
    """Each statement as its verb and first table: "SELECT incidents_user", "COMMIT"."""
    return [" ".join(part for part in STATEMENT.match(query["sql"]).groups() if part) for query in captured]


class Published(list[str]):
    """The names of the tasks sent, and the countdown each was sent with."""

    countdowns: list[float | None]


@pytest.fixture
def published(monkeypatch: pytest.MonkeyPatch) -> Published:
    """The tasks sent, as a broker with no worker yet would take them."""
    sent = Published()
    sent.countdowns = []

    def publish(task: Any, *args: int, countdown: float | None = None) -> None:
        sent.append(task)
        sent.countdowns.append(countdown)

    monkeypatch.setattr("incidents.services.events.publish", publish)
    monkeypatch.setattr("reports.services.snapshots.publish", publish)
    return sent


@transactional_db
def test_the_quick_log_form_reads_only_the_session_and_the_officer(officer_client: Client) -> None:
    officer_client.get(reverse("incidents:quick"))
    with CaptureQueriesContext(connection) as captured:
        response = officer_client.get(reverse("incidents:quick"))
    assert response.status_code == 200
    # The profile and force come with the user (incidents/backends.py), not on their own.
    assert statements(captured) == ["SELECT django_session", "SELECT incidents_user"]
    assert "incidents_officerprofile" in captured[1]["sql"]


@transactional_db
def test_filing_from_the_quick_log_is_one_transaction_of_four_inserts(
    officer_client: Client, published: Published
) -> None:
    with CaptureQueriesContext(connection) as captured:
        response = officer_client.post(reverse("incidents:quick"), quick_post(assaults=["push", "spit"]))
    assert response.status_code == 302
    # No savepoint, no profile query; one look before the insert, on the officer's newest
    # reports, for the same answers sent again after Back (a repeat of the one-time key is
    # found by its failed insert: tests/incidents/test_views.py, test_faults).
    assert statements(captured) == [
        "SELECT django_session",
        "SELECT incidents_user",
        "SELECT incidents_incident",
        "BEGIN",
        "INSERT incidents_incident",
        "INSERT incidents_incidentassault",
        "INSERT incidents_incidentevent",
        "INSERT reports_recomputemark",
        "COMMIT",
    ]
    assert sorted(published) == [RECEIPT, RECOMPUTE]


@transactional_db
def test_a_staff_user_has_no_profile_and_asking_again_costs_nothing(rep: User) -> None:
    client = Client()
    client.force_login(rep)
    request_user = client.get("/").wsgi_request.user
    with CaptureQueriesContext(connection) as captured:
        assert officer_profile_for_user(request_user) is None
    assert len(captured) == 0


@transactional_db
def test_signing_in_through_the_form_uses_the_backend_that_loads_the_profile(officer: User) -> None:
    EmailAddress.objects.create(user=officer, email=officer.email, verified=True, primary=True)
    client = Client()
    response = client.post(reverse("account_login"), {"login": officer.email, "password": PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_backend"].startswith("incidents.backends.")
    user = client.get(reverse("incidents:quick")).wsgi_request.user
    with CaptureQueriesContext(connection) as captured:
        assert officer_profile_for_user(user).force == officer.officer_profile.force
    assert len(captured) == 0


@transactional_db
def test_reports_filed_before_the_recompute_starts_share_it(
    officer: User, officer_client: Client, published: Published
) -> None:
    file_quick_logs(officer_client, 3)
    assert published.count(RECEIPT) == 3
    assert published.count(RECOMPUTE) == 1
    # The worker starts it: it reads the marks of all three.
    snapshots_recompute_marked()
    force, year = officer.officer_profile.force.code, financial_year_of(timezone.localdate())
    assert Snapshot.objects.get(area=force, financial_year=year).logged == 3
    assert Snapshot.objects.get(area=NATIONAL, financial_year=year).logged == 3
    assert not RecomputeMark.objects.exists()
    # A report filed after it started queues the next one.
    assert officer_client.post(reverse("incidents:quick"), quick_post(another="1")).status_code == 302
    assert published.count(RECOMPUTE) == 2


@transactional_db
def test_a_recompute_that_could_not_be_queued_is_tried_again_by_the_next_report(
    officer_client: Client, published: Published, monkeypatch: pytest.MonkeyPatch
) -> None:
    attempts: list[str] = []

    def broker_down(task: Any, *args: int, countdown: float | None = None) -> None:
        attempts.append(task)
        raise OperationalError("broker down")

    monkeypatch.setattr("reports.services.snapshots.publish", broker_down)
    for _ in range(2):
        # Saved and confirmed all the same; the marks wait for the sweep.
        assert officer_client.post(reverse("incidents:quick"), quick_post(another="1")).status_code == 302
    assert attempts == [RECOMPUTE, RECOMPUTE]
    assert RecomputeMark.objects.count() == 2


class Clock:
    """time.monotonic, moved on by hand."""

    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


@transactional_db
def test_without_the_cache_the_reports_of_a_few_seconds_share_one_delayed_recompute(
    officer_client: Client, published: Published, monkeypatch: pytest.MonkeyPatch
) -> None:
    class CacheDown:
        def add(self, *args: Any, **kwargs: Any) -> bool:
            raise RedisConnectionError("cache down")

        def delete(self, *args: Any, **kwargs: Any) -> None:
            raise RedisConnectionError("cache down")

    monkeypatch.setattr("reports.services.snapshots.cache", CacheDown())
    clock = Clock()
    monkeypatch.setattr("reports.services.snapshots._monotonic", clock)
    celery_app.conf.task_always_eager = False  # a separate worker; put back by tests/conftest.py
    for _ in range(3):
        file_quick_logs(officer_client, 1)
        clock.now += 3
    # One for the three, starting when the batch is over, after all three committed.
    assert published.count(RECOMPUTE) == 1
    assert published.countdowns[published.index(RECOMPUTE)] == RECOMPUTE_BATCH_START_SECONDS
    assert snapshots_recompute_marked() == 2  # and the task runs without the cache too
    clock.now += RECOMPUTE_BATCH_SECONDS
    assert officer_client.post(reverse("incidents:quick"), quick_post(another="1")).status_code == 302
    assert published.count(RECOMPUTE) == 2  # the next batch


@transactional_db
def test_a_batched_recompute_the_broker_refused_is_sent_by_the_next_report(
    officer_client: Client, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    celery_app.conf.task_always_eager = False
    attempts: list[str] = []

    def broker_down(task: Any, *args: int, countdown: float | None = None) -> None:
        attempts.append(task)
        raise OperationalError("broker down")

    monkeypatch.setattr("reports.services.snapshots.publish", broker_down)
    file_quick_logs(officer_client, 2)
    assert attempts == [RECOMPUTE, RECOMPUTE]


@transactional_db
def test_with_a_per_process_cache_and_a_separate_worker_the_recompute_is_batched(
    officer_client: Client, published: Published, settings: Any
) -> None:
    # The worker could not clear a flag set in this process's memory: no sharing then.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    celery_app.conf.task_always_eager = False  # put back after each test (tests/conftest.py)
    file_quick_logs(officer_client, 2)
    assert published.count(RECOMPUTE) == 1
    assert published.countdowns[published.index(RECOMPUTE)] == RECOMPUTE_BATCH_START_SECONDS
    assert not cache.get(RECOMPUTE_QUEUED)  # the flag is not set where no worker could clear it


@pytest.mark.redis
@transactional_db
def test_with_the_shared_redis_cache_and_a_separate_worker_reports_share_the_queued_recompute(
    officer: User, officer_client: Client, published: Published, settings: Any
) -> None:
    use_redis_cache(settings, settings.REDIS_URL, KEY_PREFIX=f"filing-cost-{uuid.uuid4().hex}")
    assert not celery_app.conf.task_always_eager  # a redis test: the worker is elsewhere
    try:
        file_quick_logs(officer_client, 3)
        assert published.count(RECOMPUTE) == 1
        assert published.countdowns[published.index(RECOMPUTE)] is None  # sent to start at once
        assert cache.get(RECOMPUTE_QUEUED)
        assert snapshots_recompute_marked() == 2  # the worker starts it: the flag goes first
        assert cache.get(RECOMPUTE_QUEUED) is None
        assert officer_client.post(reverse("incidents:quick"), quick_post(another="1")).status_code == 302
        assert published.count(RECOMPUTE) == 2
    finally:
        cache.delete(RECOMPUTE_QUEUED)


@pytest.mark.postgres
@transactional_db
def test_a_report_committed_while_the_recompute_runs_queues_the_next_and_is_counted(
    officer: User, officer_client: Client, published: Published, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert officer_client.post(reverse("incidents:quick"), quick_post(another="1")).status_code == 302
    assert published.count(RECOMPUTE) == 1
    recompute = reports_services.snapshots_recompute

    def another_report_lands_meanwhile(**kwargs: Any) -> int:
        written = recompute(**kwargs)  # the task has read the marks and computed from them

        def file() -> None:  # another officer's request, on its own connection, commits now
            try:
                incident_services.incident_quick_log(
                    officer=officer,
                    submission_key=uuid.uuid4(),
                    data=quick_data(),
                )
            except Exception as error:  # surfaced in the test's own thread below
                failures.append(error)
            finally:
                connection.close()

        thread = threading.Thread(target=file)
        thread.start()
        thread.join()
        return written

    failures: list[Exception] = []

    monkeypatch.setattr(reports_services, "snapshots_recompute", another_report_lands_meanwhile)
    snapshots_recompute_marked()  # the worker runs the queued task
    monkeypatch.setattr(reports_services, "snapshots_recompute", recompute)
    assert failures == []
    force, year = officer.officer_profile.force.code, financial_year_of(timezone.localdate())
    assert Snapshot.objects.get(area=force, financial_year=year).logged == 1
    # The report that landed mid-run kept its marks and queued the next recompute ...
    assert published.count(RECOMPUTE) == 2
    assert RecomputeMark.objects.count() == 2
    # ... which counts it.
    snapshots_recompute_marked()
    assert Snapshot.objects.get(area=force, financial_year=year).logged == 2
    assert Snapshot.objects.get(area=NATIONAL, financial_year=year).logged == 2
