"""What an officer types never reaches the logs, task arguments, e-mails or the audit trail.

One report's life through the real pages: quick log with a note, more detail (place,
crime reference, narrative), a rep's question, the officer's answer, a rep's note,
verification, the officer's data download and account closure. Every log record
(DEBUG and up, SQL included), every task's arguments (as published and as run), every
e-mail and every audit row is then searched for the words typed.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from celery.signals import before_task_publish, task_prerun
from django.contrib.admin.models import LogEntry
from django.core import mail
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from incidents.choices import AssaultKind, Injury, ReportedToForce, Status
from incidents.models import Incident, IncidentEvent, StaffAccess, User
from tests.conftest import review_form, staff_client
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

# Distinctive words, one per free-text field, so a hit says exactly what leaked.
TYPED = {
    "note": "Quokkanote punched me by the kebab van",
    "place": "Quokkaplace Street",
    "crime_reference": "QUOKKAREF/77",
    "narrative": "Quokkanarrative: he said he knew where I live",
    "question": "Quokkaquestion: was it Jonny Example?",
    "answer": "Quokkaanswer: yes, Jonny Example again",
    "rep_note": "Quokkarepnote: known to us",
}
MARKER = "quokka"


@pytest.fixture
def captured(caplog: pytest.LogCaptureFixture) -> Iterator[list[str]]:
    """Everything written to logs or handed to Celery while the test runs, as text."""
    caplog.set_level(logging.DEBUG)
    for name in ("django", "django.db.backends", "celery", "incidents", "reports", "config"):
        caplog.set_level(logging.DEBUG, logger=name)
    tasks: list[str] = []

    def on_publish(sender: Any = None, body: Any = None, headers: Any = None, **_: Any) -> None:
        tasks.append(repr((sender, body, headers)))

    def on_run(sender: Any = None, task_id: Any = None, task: Any = None, args: Any = None, **kw: Any) -> None:
        tasks.append(repr((task.name if task else sender, args, kw.get("kwargs"))))

    before_task_publish.connect(on_publish, weak=False)
    task_prerun.connect(on_run, weak=False)
    connection.force_debug_cursor = True  # every SQL statement and its parameters is logged
    try:
        yield tasks
    finally:
        connection.force_debug_cursor = False
        before_task_publish.disconnect(on_publish)
        task_prerun.disconnect(on_run)


def submit_key() -> str:
    return str(uuid.uuid4())


def test_typed_text_never_reaches_logs_task_arguments_emails_or_the_audit_trail(
    officer: User, rep: User, captured: list[str], caplog: pytest.LogCaptureFixture, django_capture_on_commit_callbacks
) -> None:
    client = Client()
    client.force_login(officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("incidents:quick"),
            {
                "occurred_on": timezone.localdate().isoformat(),
                "assaults": [AssaultKind.PUNCH],
                "injury": Injury.SERIOUS,  # serious: the reps are e-mailed too
                "reported_to_force": ReportedToForce.YES,
                "note": TYPED["note"],
                "submission_key": submit_key(),
            },
        )
    assert response.status_code == 302, response.content
    incident = Incident.objects.get(officer=officer)
    step = reverse("incidents:step", args=[incident.reference, 1])
    page = client.get(step)
    detail = {
        "occurred_on": incident.occurred_on.isoformat(),
        "occurred_at": "",
        "setting": "street",
        "place": TYPED["place"],
        "version": page.context["version"],
    }
    assert client.post(step, detail).status_code == 302
    reporting = reverse("incidents:step", args=[incident.reference, 5])
    assert (
        client.post(
            reporting,
            {
                "reported_to_force": ReportedToForce.YES,
                "recorded_as_crime": "yes",
                "crime_reference": TYPED["crime_reference"],
                "outcome": "no_action_yet",
                "version": client.get(reporting).context["version"],
            },
        ).status_code
        == 302
    )
    words = reverse("incidents:step", args=[incident.reference, 6])
    assert (
        client.post(
            words,
            {
                "narrative": TYPED["narrative"],
                "share_identity": "True",
                "version": client.get(words).context["version"],
            },
        ).status_code
        == 302
    )
    incident.refresh_from_db()
    assert (incident.place, incident.crime_reference, incident.narrative) == (
        TYPED["place"],
        TYPED["crime_reference"],
        TYPED["narrative"],
    )

    # The rep opens the report, asks a question; the officer answers; the rep notes and verifies.
    reviewer = staff_client(rep)
    change = reverse("admin:incidents_incident_change", args=[incident.pk])

    def review(**data: str) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            assert reviewer.post(change, {**review_form(reviewer, incident), **data}).status_code == 302

    review(action=Status.IN_REVIEW)
    review(action=Status.NEEDS_INFO, question=TYPED["question"])
    with django_capture_on_commit_callbacks(execute=True):
        answered = client.post(reverse("incidents:answer", args=[incident.reference]), {"answer": TYPED["answer"]})
    assert answered.status_code == 302
    review(note=TYPED["rep_note"], action=Status.VERIFIED)
    incident.refresh_from_db()
    assert incident.status == Status.VERIFIED and incident.questions.get().answer == TYPED["answer"]

    # The officer downloads their data (which does hold the words) and closes the account.
    assert TYPED["narrative"] in client.get(reverse("incidents:data_json")).content.decode()
    closed = client.post(reverse("incidents:close"), {"password": PASSWORD, "confirm": "on"})
    assert closed.status_code == 302

    # Now search everything that left the request.
    assert len(mail.outbox) >= 3  # the receipt, the reps' alert, the officer's updates
    logs = "\n".join(f"{r.name} {r.getMessage()} {r.args!r} {r.exc_text or ''}" for r in caplog.records)
    assert "INSERT INTO" in logs  # the SQL really was logged, so its absence below means something
    emails = "\n".join(f"{m.subject}\n{m.body}\n{m.to}\n{getattr(m, 'alternatives', '')}" for m in mail.outbox)
    audit = repr(
        [
            list(IncidentEvent.objects.values_list("changes", flat=True)),
            list(StaffAccess.objects.values_list("detail", flat=True)),
            list(LogEntry.objects.values_list("object_repr", "change_message")),
        ]
    )
    assert captured, "no task ran: the test would prove nothing about task arguments"
    for where, text in {"logs": logs, "task arguments": "\n".join(captured), "e-mails": emails, "audit": audit}.items():
        assert MARKER not in text.lower(), f"typed text reached the {where}"
        for typed in TYPED.values():
            for word in typed.replace(":", " ").split():
                if len(word) > 6:
                    assert word not in text, f"{word!r} reached the {where}"
