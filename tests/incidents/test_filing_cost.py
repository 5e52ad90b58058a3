"""What filing a report costs: the statements of the quick log's GET and POST, and how the
statistics refresh counts any number of reports filed before it runs
(docs/performance.md, bench/throughput.py)."""

from __future__ import annotations

import re
import threading
import uuid
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from config.celery import app as celery_app
from incidents import services as incident_services
from incidents.models import StatisticsMark, User
from incidents.selectors import officer_profile_for_user
from reports.models import NATIONAL, Snapshot
from reports.periods import financial_year_of
from reports.services import snapshots as reports_services
from reports.services.snapshots import statistics_refresh
from tests.conftest import file_quick_logs, quick_data, quick_post, transactional_db
from tests.factories import PASSWORD

REFRESH = "reports.tasks.statistics_refresh"
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
        "INSERT incidents_statisticsmark",
        "COMMIT",
    ]
    # Tasks run in-process here (make run): the statistics are refreshed as it commits.
    assert sorted(published) == [RECEIPT, REFRESH]


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
def test_with_a_separate_worker_reports_only_mark_and_the_next_refresh_counts_them_all(
    officer: User, officer_client: Client, published: Published
) -> None:
    celery_app.conf.task_always_eager = False  # a separate worker; put back by tests/conftest.py
    file_quick_logs(officer_client, 3)
    assert published == [RECEIPT] * 3  # nothing sent for the statistics: beat runs the refresh
    assert StatisticsMark.objects.count() == 1  # one force and year, marked three times
    assert statistics_refresh() == 1
    force, year = officer.officer_profile.force.code, financial_year_of(timezone.localdate())
    assert Snapshot.objects.get(area=force, financial_year=year).logged == 3
    assert Snapshot.objects.get(area=NATIONAL, financial_year=year).logged == 3
    assert not StatisticsMark.objects.exists()
    assert statistics_refresh() == 0  # run again (beat, a redelivery): nothing to do


@transactional_db
def test_with_tasks_in_process_a_report_is_in_the_statistics_as_soon_as_it_is_filed(
    officer: User, officer_client: Client
) -> None:
    file_quick_logs(officer_client, 2)
    force, year = officer.officer_profile.force.code, financial_year_of(timezone.localdate())
    assert Snapshot.objects.get(area=force, financial_year=year).logged == 2
    assert Snapshot.objects.get(area=NATIONAL, financial_year=year).logged == 2
    assert not StatisticsMark.objects.exists()


@pytest.mark.postgres
@transactional_db
def test_a_report_committed_while_the_refresh_runs_keeps_its_mark_and_is_counted_next(
    officer: User, officer_client: Client, published: Published, monkeypatch: pytest.MonkeyPatch
) -> None:
    celery_app.conf.task_always_eager = False
    assert officer_client.post(reverse("incidents:quick"), quick_post(another="1")).status_code == 302
    rebuild = reports_services.snapshots_from_tallies

    def another_report_lands_meanwhile(years: Any) -> int:
        written = rebuild(years)  # the refresh has read the marks and counted from them

        def file() -> None:  # another officer's request, on its own connection, commits now
            try:
                incident_services.incident_quick_log(officer=officer, submission_key=uuid.uuid4(), data=quick_data())
            except Exception as error:  # surfaced in the test's own thread below
                failures.append(error)
            finally:
                connection.close()

        thread = threading.Thread(target=file)
        thread.start()
        thread.join()
        return written

    failures: list[Exception] = []
    monkeypatch.setattr(reports_services, "snapshots_from_tallies", another_report_lands_meanwhile)
    assert statistics_refresh() == 1
    monkeypatch.setattr(reports_services, "snapshots_from_tallies", rebuild)
    assert failures == []
    force, year = officer.officer_profile.force.code, financial_year_of(timezone.localdate())
    assert Snapshot.objects.get(area=force, financial_year=year).logged == 1
    # The report that landed mid-run moved its mark on, so the refresh left it ...
    assert StatisticsMark.objects.count() == 1
    # ... for the next run, which counts it.
    assert statistics_refresh() == 1
    assert Snapshot.objects.get(area=force, financial_year=year).logged == 2
    assert Snapshot.objects.get(area=NATIONAL, financial_year=year).logged == 2
