"""Celery for real: a worker consuming from Redis, and a broker that is down."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError

from config.celery import app as celery_app
from incidents import services
from incidents.models import Incident, StatisticsMark, User
from incidents.tasks import incident_send_receipt
from reports.models import NATIONAL, Snapshot
from reports.periods import financial_year_of
from tests import conftest
from tests.conftest import transactional_db


def quick_data() -> dict[str, Any]:
    return conftest.quick_data(narrative="Spat at by a man in a red coat")


def wait_for(condition: Any, timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def reset_broker_connections() -> None:
    """Drop the app's connection and producer pools so the next publish uses the current broker_url.

    close() resets the producer pool only when a connection pool exists; the
    embedded worker can leave a producer pool behind without one.
    """
    celery_app.close()
    celery_app.amqp._producer_pool = None


@pytest.fixture
def redis_worker(shared_cache: None) -> Iterator[None]:
    reset_broker_connections()
    celery_app.control.purge()
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=20):
        yield
    reset_broker_connections()


@pytest.mark.redis
@transactional_db
def test_a_real_worker_on_redis_sends_the_receipt_after_commit(officer: User, redis_worker: None) -> None:
    incident = services.incident_quick_log(officer=officer, submission_key=uuid.uuid4(), data=quick_data())

    assert wait_for(lambda: len(mail.outbox) == 1), "the worker never sent the receipt"
    assert incident.reference in mail.outbox[0].subject
    assert "red coat" not in mail.outbox[0].body
    incident.refresh_from_db()
    assert incident.receipt_sent_at is not None


@pytest.mark.redis
@transactional_db
def test_a_redelivered_receipt_task_sends_nothing_more(officer: User, redis_worker: None) -> None:
    incident = services.incident_quick_log(officer=officer, submission_key=uuid.uuid4(), data=quick_data())
    assert wait_for(lambda: len(mail.outbox) == 1)
    # The same message again, as a broker redelivers after a lost ack.
    incident_send_receipt.delay(incident.pk)
    incident_send_receipt.delay(incident.pk)
    time.sleep(2)
    assert len(mail.outbox) == 1


@pytest.mark.redis
@transactional_db
def test_a_real_worker_counts_every_report_filed_while_a_refresh_is_queued_or_running(
    officer: User, redis_worker: None
) -> None:
    from reports.tasks import statistics_refresh

    # Each report is followed by a refresh (as beat sends them), so reports land while one
    # runs; the mark of one committed meanwhile survives for the next, so none is left out.
    for _ in range(6):
        services.incident_quick_log(officer=officer, submission_key=uuid.uuid4(), data=quick_data())
        statistics_refresh.delay()
        time.sleep(0.05)
    statistics_refresh.delay()
    force, year = officer.officer_profile.force.code, financial_year_of(timezone.localdate())

    def counted() -> bool:
        snapshot = Snapshot.objects.filter(area=force, financial_year=year).first()
        return snapshot is not None and snapshot.logged == 6 and not StatisticsMark.objects.exists()

    assert wait_for(counted), "a report was left out of the statistics"
    national = Snapshot.objects.get(area=NATIONAL, financial_year=year)
    assert national.logged == 6


@transactional_db
def test_report_is_saved_when_the_broker_is_unreachable(officer: User, monkeypatch: pytest.MonkeyPatch) -> None:
    failures: list[Exception] = []

    def spy_on(task: Any) -> None:
        publish = task.apply_async  # what delay() calls, and a send with a countdown

        def spy(*args: Any, **kwargs: Any) -> Any:
            try:
                return publish(*args, **kwargs)
            except Exception as error:
                failures.append(error)
                raise

        monkeypatch.setattr(task, "apply_async", spy)

    # The receipt meets the dead broker (the statistics wait for beat's refresh: nothing is
    # sent for them), so exactly one publish is attempted.
    spy_on(incident_send_receipt)
    broker, eager = celery_app.conf.broker_url, celery_app.conf.task_always_eager
    reset_broker_connections()
    celery_app.conf.broker_url = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    celery_app.conf.task_always_eager = False
    client = Client()
    client.force_login(officer)
    try:
        response = client.post(
            reverse("incidents:quick"),
            {
                "occurred_on": timezone.localdate().isoformat(),
                "assaults": ["spit"],
                "injury": "none",
                "reported_to_force": "no",
                "submission_key": str(uuid.uuid4()),
            },
        )
    finally:
        reset_broker_connections()
        celery_app.conf.broker_url, celery_app.conf.task_always_eager = broker, eager
    incident = Incident.objects.get(officer=officer)
    assert response.status_code == 302
    assert response["Location"] == reverse("incidents:submitted", args=[incident.reference])
    # The publish was really attempted after commit and failed; the officer never saw it.
    assert len(failures) == 1
    assert isinstance(failures[0], OperationalError)
    assert incident.receipt_sent_at is None


@pytest.mark.postgres
@transactional_db
def test_concurrent_double_submit_files_one_report(officer: User) -> None:
    key = uuid.uuid4()
    barrier = threading.Barrier(2)

    def submit(_: int) -> int:
        barrier.wait()
        try:
            return services.incident_quick_log(officer=officer, submission_key=key, data=quick_data()).pk
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        pks = list(pool.map(submit, range(2)))
    assert pks[0] == pks[1]
    assert Incident.objects.filter(officer=officer).count() == 1
    assert Incident.objects.get().events.count() == 1


@pytest.mark.redis
@transactional_db
def test_a_real_worker_updates_the_snapshot_when_a_report_is_verified(
    officer: User, rep: User, redis_worker: None
) -> None:
    import datetime

    from incidents.choices import Status
    from reports.models import Snapshot
    from reports.services import snapshots_recompute
    from tests.factories import IncidentFactory

    incident = IncidentFactory(officer=officer, occurred_on=datetime.date(2023, 6, 1), status=Status.IN_REVIEW)
    snapshots_recompute()
    key = {"area": "E23000029", "financial_year": 2023}
    assert Snapshot.objects.get(**key).verified == 0
    services.incident_transition(incident=incident, actor=rep, to=Status.VERIFIED)
    # Beat's refresh reaches the worker through Redis; it counts the marked force and year.
    from reports.tasks import statistics_refresh

    statistics_refresh.delay()
    assert wait_for(lambda: Snapshot.objects.get(**key).verified == 1), "the worker never updated the snapshot"


def test_every_task_the_services_queue_by_name_is_registered_and_no_service_imports_a_tasks_module() -> None:
    """Services queue tasks by name (config.celery.publish); a renamed task would otherwise be
    found only when a report is filed."""
    import ast
    from pathlib import Path

    from config.celery import app
    from incidents.services import events
    from reports.services import snapshots

    for name in (
        events.RECEIPT_TASK,
        events.NOTIFY_REPS_TASK,
        events.NOTIFY_OFFICER_TASK,
        snapshots.REFRESH_TASK,
        snapshots.RECOMPUTE_ALL_TASK,
    ):
        assert name in app.tasks, name
    root = Path(__file__).resolve().parents[2]
    for path in [*root.glob("incidents/services/*.py"), *root.glob("reports/services/*.py")]:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                names = [node.module or "", *(f"{node.module}.{alias.name}" for alias in node.names)]
                assert not any(name.endswith(".tasks") or name.endswith("tasks") and "." in name for name in names), (
                    path,
                    names,
                )
