"""PostgreSQL lost in the middle of a multi-row write: the officer gets the 503 page, and
nothing of the write is left behind, whichever statement the database died on."""

from __future__ import annotations

import contextlib
import datetime
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import count
from typing import Any

import psycopg
import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from incidents.choices import EventKind, Status
from incidents.models import Incident, IncidentAssault, IncidentEvent, IncidentNotReportedReason, StatisticsMark, User
from reports.models import Snapshot, Tally
from reports.services import snapshots_recompute, statistics_refresh
from tests.conftest import transactional_db
from tests.factories import IncidentFactory
from tests.faults.services import broker

pytestmark = [pytest.mark.postgres, transactional_db]

WRITE = re.compile(r"\s*(INSERT|UPDATE|DELETE)\b", re.IGNORECASE)
MOST_WRITES = 40  # a guard against a loop that never ends, far above any write here


@dataclass
class Outage:
    writes: int = 0
    struck: bool = False


@contextlib.contextmanager
def database_dies_at_write(n: int) -> Iterator[Outage]:
    """Terminate this connection's server process just before its ``n``th write statement
    (INSERT, UPDATE or DELETE): the statement fails with the real error a crashed or
    restarted PostgreSQL gives, in the middle of whatever transaction was open."""
    connection.ensure_connection()
    backend_pid = connection.connection.info.backend_pid
    settings = connection.settings_dict
    outage = Outage()

    def strike(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        if WRITE.match(sql):
            outage.writes += 1
            if outage.writes == n:
                outage.struck = True
                with psycopg.connect(
                    dbname=settings["NAME"],
                    user=settings["USER"],
                    password=settings["PASSWORD"],
                    host=settings["HOST"],
                    port=settings["PORT"] or 5432,
                    autocommit=True,
                ) as admin:
                    # Waits (up to 5 s) until the process has really gone.
                    admin.execute("SELECT pg_terminate_backend(%s, 5000)", [backend_pid])
        return execute(sql, params, many, context)

    try:
        with connection.execute_wrapper(strike):
            yield outage
    finally:
        if outage.struck:
            connection.close()  # as Django does at the end of a request; the next query reconnects


def every_write_fails_in_turn(attempt: Callable[[], Any], nothing_left: Callable[[Any], None]) -> Any:
    """Run ``attempt`` with the database dying at its first write, then its second, and so on
    until it gets through; check ``nothing_left`` after each failure. Returns the last result."""
    for n in count(1):
        assert n <= MOST_WRITES
        with database_dies_at_write(n) as outage:
            result = attempt()
        if not outage.struck:
            assert n > 2, "expected a multi-row write"
            return result
        nothing_left(result)
    raise AssertionError("unreachable")


def assert_unavailable_page(response: Any) -> None:
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    page = response.content.decode()
    assert "briefly unavailable" in page
    assert "Traceback" not in page and "terminating connection" not in page


@pytest.fixture
def client(officer: User, settings: Any) -> Iterator[Client]:
    settings.REPORT_SUBMIT_RATE = "1000/h"  # one officer retrying many times
    client = Client(raise_request_exception=False)
    client.force_login(officer)
    # Tasks are queued, not run in the request: only the request's own writes are counted.
    with broker("memory://"):
        yield client


def test_a_quick_log_cut_off_at_any_write_leaves_nothing_and_shows_the_503_page(officer: User, client: Client) -> None:
    # The same form each time: the officer presses the button again after the 503 page.
    form = {
        "occurred_on": timezone.localdate().isoformat(),
        "assaults": ["punch", "kick", "spit"],
        "injury": "minor",
        "reported_to_force": "no",
        "note": "Kicked while making an arrest",
        "submission_key": str(uuid.uuid4()),
    }

    def nothing_left(response: Any) -> None:
        assert_unavailable_page(response)
        assert not Incident.objects.exists()
        assert not IncidentAssault.objects.exists()
        assert not IncidentEvent.objects.exists()
        assert not StatisticsMark.objects.exists()

    response = every_write_fails_in_turn(lambda: client.post(reverse("incidents:quick"), form), nothing_left)
    incident = Incident.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("incidents:submitted", args=[incident.reference])
    assert set(incident.assaults.values_list("kind", flat=True)) == {"punch", "kick", "spit"}
    assert incident.events.count() == 1 and StatisticsMark.objects.count() == 1


def test_a_full_report_cut_off_while_saving_a_step_or_submitting_keeps_the_draft_as_it_was(
    officer: User, client: Client
) -> None:
    draft = IncidentFactory(
        officer=officer,
        status=Status.DRAFT,
        occurred_on=timezone.localdate() - datetime.timedelta(days=2),
        assaults=["punch", "bite"],
    )
    draft.reported_to_force = "no"
    draft.save()
    step = reverse("incidents:step", args=[draft.reference, 2])

    def step_unchanged(response: Any) -> None:
        assert_unavailable_page(response)
        assert set(draft.assaults.values_list("kind", flat=True)) == {"punch", "bite"}
        assert Incident.objects.get(pk=draft.pk).injury == "none"
        assert not draft.events.exists()

    # Several kinds replace others: deletes and inserts across two tables and an event.
    answers = {"assaults": ["spit", "kick", "push"], "injury": "minor", "other_officers_assaulted": "0"}
    response = every_write_fails_in_turn(lambda: client.post(step, answers), step_unchanged)
    assert response.status_code == 302, response.content.decode()[:500]
    assert set(draft.assaults.values_list("kind", flat=True)) == {"spit", "kick", "push"}

    reasons = reverse("incidents:step", args=[draft.reference, 5])
    response = client.post(
        reasons,
        {"reported_to_force": "no", "not_reported_reasons": ["part_of_job", "no_time"], "outcome": "no_action_yet"},
    )
    assert response.status_code == 302, response.content.decode()[:500]
    assert IncidentNotReportedReason.objects.filter(incident=draft).count() == 2
    events = draft.events.count()

    def still_a_draft(response: Any) -> None:
        assert_unavailable_page(response)
        incident = Incident.objects.get(pk=draft.pk)
        assert (incident.status, incident.submitted_at) == (Status.DRAFT, None)
        assert draft.events.count() == events
        assert not StatisticsMark.objects.exists()

    check = reverse("incidents:check", args=[draft.reference])
    response = every_write_fails_in_turn(lambda: client.post(check), still_a_draft)
    assert response["Location"] == reverse("incidents:submitted", args=[draft.reference])
    assert Incident.objects.get(pk=draft.pk).status == Status.SUBMITTED
    assert draft.events.filter(kind=EventKind.SUBMITTED).count() == 1


def test_a_statistics_refresh_cut_off_at_any_write_leaves_the_statistics_and_marks_as_they_were(
    officer: User,
) -> None:
    IncidentFactory(officer=officer, occurred_on=datetime.date(2023, 6, 1))
    snapshots_recompute()
    IncidentFactory(officer=officer, occurred_on=datetime.date(2023, 7, 1))
    IncidentFactory(officer=officer, occurred_on=datetime.date(2024, 7, 1))
    force = officer.officer_profile.force
    for year in (2023, 2024):
        StatisticsMark.objects.create(force=force, financial_year=year, marked_at=timezone.now())

    def state() -> list[Any]:
        return [
            sorted(Snapshot.objects.values_list("area", "financial_year", "logged", "digest")),
            sorted(Tally.objects.values_list("area", "financial_year", "counts")),
        ]

    before = state()

    def as_they_were(result: Any) -> None:
        assert isinstance(result, Exception)
        assert state() == before
        assert StatisticsMark.objects.count() == 2

    def refresh() -> Any:
        try:
            return statistics_refresh()
        except Exception as error:  # the task would retry it; here it is what we look at
            return error

    assert every_write_fails_in_turn(refresh, as_they_were) == 2
    assert not StatisticsMark.objects.exists()
    logged = dict(Snapshot.objects.filter(area=force.code).values_list("financial_year", "logged"))
    assert logged == {2023: 2, 2024: 1}
