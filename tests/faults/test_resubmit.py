"""A resubmit of the same form (the same submission key) after the first answer was lost,
or while the first is still being saved: the same report, its reference, nothing new."""

from __future__ import annotations

import datetime
import threading
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from incidents.choices import EventKind, Status
from incidents.models import Incident, IncidentEvent, User
from reports.models import Snapshot
from tests.conftest import transactional_db
from tests.factories import IncidentFactory
from tests.faults.services import wait_for


def quick_form(key: str) -> dict[str, Any]:
    return {
        "occurred_on": timezone.localdate().isoformat(),
        "assaults": ["spit", "push"],
        "injury": "minor",
        "reported_to_force": "no",
        "note": "Spat at in the back of the van",
        "submission_key": key,
    }


@pytest.fixture
def draft(officer: User) -> Incident:
    """A full report at its last page, answered and ready to submit."""
    return IncidentFactory(
        officer=officer, status=Status.DRAFT, occurred_on=timezone.localdate() - datetime.timedelta(days=1)
    )


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


# -- after the first answer was lost -------------------------------------------------


@pytest.mark.django_db
def test_a_quick_log_resubmitted_after_its_answer_was_lost_gives_the_same_reference(
    officer: User, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for(officer)
    form = quick_form(str(uuid.uuid4()))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("incidents:quick"), form)  # saved, but the answer never reached the phone
    incident = Incident.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("incidents:quick"), form, follow=True)
    assert response.redirect_chain == [(reverse("incidents:submitted", args=[incident.reference]), 302)]
    assert incident.reference in response.content.decode()
    assert Incident.objects.count() == 1
    assert IncidentEvent.objects.count() == 1
    assert incident.assaults.count() == 2
    assert len(mail.outbox) == 1  # one receipt


@pytest.mark.django_db
def test_a_full_report_started_twice_with_the_same_form_is_one_draft(officer: User) -> None:
    client = client_for(officer)
    form = {"occurred_on": timezone.localdate().isoformat(), "setting": "custody_suite", "place": ""}
    form["submission_key"] = str(uuid.uuid4())
    first = client.post(reverse("incidents:new"), form)
    second = client.post(reverse("incidents:new"), form)
    incident = Incident.objects.get()
    assert first["Location"] == second["Location"] == reverse("incidents:step", args=[incident.reference, 2])
    assert IncidentEvent.objects.filter(kind=EventKind.CREATED).count() == 1


@pytest.mark.django_db
def test_a_full_report_submitted_again_after_its_answer_was_lost_shows_the_same_confirmation(
    officer: User, draft: Incident, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for(officer)
    check = reverse("incidents:check", args=[draft.reference])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(check)  # submitted, but the answer never reached the phone
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(check, follow=True)
    assert response.redirect_chain == [(reverse("incidents:submitted", args=[draft.reference]), 302)]
    assert draft.reference in response.content.decode()
    assert Incident.objects.get().status == Status.SUBMITTED
    assert IncidentEvent.objects.filter(kind=EventKind.SUBMITTED).count() == 1
    assert len(mail.outbox) == 1  # one receipt


# -- while the first is still being saved ----------------------------------------------


def hold_after(table: str, held: threading.Event, release: threading.Event) -> Callable[..., Any]:
    """An execute wrapper: after the first write to ``table``, keep the transaction open
    (its rows and locks uncommitted) until ``release``."""

    def wrapper(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        result = execute(sql, params, many, context)
        if not held.is_set() and sql.lstrip().startswith(("INSERT", "UPDATE")) and f'"{table}"' in sql:
            held.set()
            assert release.wait(20), "never released"
        return result

    return wrapper


def post_in_thread(client: Client, url: str, data: dict[str, Any], wrapper: Callable[..., Any] | None) -> Any:
    try:
        if wrapper is None:
            return client.post(url, data)
        with connection.execute_wrapper(wrapper):
            return client.post(url, data)
    finally:
        connection.close()  # this thread's own connection


def waiting_on_a_lock() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return int(cursor.fetchone()[0])


@pytest.fixture
def pool() -> Iterator[ThreadPoolExecutor]:
    with ThreadPoolExecutor(max_workers=2) as executor:
        yield executor


def race(
    pool: ThreadPoolExecutor, client: Client, url: str, data: dict[str, Any], table: str
) -> tuple[Future[Any], Future[Any]]:
    """The first request stops, uncommitted, after writing ``table``; the resubmit arrives and
    waits on the database; then the first finishes. Both answers are returned."""
    held, release = threading.Event(), threading.Event()
    first = pool.submit(post_in_thread, client, url, data, hold_after(table, held, release))
    try:
        assert held.wait(20), "the first request never reached its write"
        second = pool.submit(post_in_thread, client, url, data, None)
        assert wait_for(lambda: waiting_on_a_lock() == 1 or second.done(), timeout=20)
        assert not second.done(), "the resubmit did not wait for the first request"
    finally:
        release.set()
    return first, second


@pytest.mark.postgres
@transactional_db
def test_a_quick_log_resubmitted_while_the_first_is_still_saving_gives_the_same_reference(
    officer: User, pool: ThreadPoolExecutor
) -> None:
    client = client_for(officer)
    first, second = race(pool, client, reverse("incidents:quick"), quick_form(str(uuid.uuid4())), "incidents_incident")
    answers = first.result(20), second.result(20)
    incident = Incident.objects.get()
    confirmation = reverse("incidents:submitted", args=[incident.reference])
    assert answers[0]["Location"] == answers[1]["Location"] == confirmation
    assert incident.assaults.count() == 2
    assert IncidentEvent.objects.count() == 1
    # Counted once in the statistics (the tasks ran in-process after each commit).
    assert Snapshot.objects.get(area=incident.force.code).logged == 1
    assert len(mail.outbox) == 1  # one receipt


@pytest.mark.postgres
@transactional_db
def test_a_full_report_submitted_again_while_the_first_is_still_saving_shows_the_same_confirmation(
    officer: User, draft: Incident, pool: ThreadPoolExecutor
) -> None:
    client = client_for(officer)
    check = reverse("incidents:check", args=[draft.reference])
    first, second = race(pool, client, check, {}, "incidents_incident")
    confirmation = reverse("incidents:submitted", args=[draft.reference])
    assert first.result(20)["Location"] == second.result(20)["Location"] == confirmation
    assert Incident.objects.get().status == Status.SUBMITTED
    assert IncidentEvent.objects.filter(kind=EventKind.SUBMITTED).count() == 1
    assert len(mail.outbox) == 1
