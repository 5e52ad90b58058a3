"""Findings 4 and 5 of the outside probe (issue 14): what an officer never sent stays theirs,
and every action their pages offer is one the service allows.

4. A completed draft, withdrawn, became visible to reps with its never-submitted narrative:
   withdrawing stamped ``submitted_at``, and staff were shown everything but drafts.
5. Withdrawing an incomplete draft, which the draft's page offers, answered 500 (a database
   constraint wanted every answer of anything past draft), and the plain log held the row.
"""

from __future__ import annotations

import datetime
import importlib
import logging
import uuid

import pytest
import time_machine
from django.apps import apps
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from incidents import services
from incidents.choices import AssaultKind, EventKind, Injury, ReportedToForce, StaffAction, Status
from incidents.models import Incident, IncidentEvent, StaffAccess, User
from incidents.selectors import incident_possible_duplicates
from incidents.services.notifications import notifications_resend_unsent
from tests.conftest import staff_client
from tests.factories import IncidentFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:incidents_incident_changelist")
NEVER_SENT = "Never sent: I changed my mind about naming the custody sergeant"


def draft(officer: User, *, complete: bool) -> Incident:
    data = {"occurred_on": timezone.localdate(), "setting": "custody_suite"}
    incident = services.incident_draft_start(officer=officer, submission_key=uuid.uuid4(), data=data)
    answers: dict[str, object] = {"narrative": NEVER_SENT}
    if complete:
        answers |= {"assaults": [AssaultKind.PUNCH], "injury": Injury.MINOR, "reported_to_force": ReportedToForce.NO}
    return services.incident_update(incident=incident, actor=officer, data=answers)


def withdraw_through_the_page(client: Client, incident: Incident) -> Incident:
    detail = client.get(reverse("incidents:detail", args=[incident.reference])).content.decode()
    withdraw = reverse("incidents:withdraw", args=[incident.reference])
    assert withdraw in detail  # offered
    assert "Withdraw draft" in client.get(withdraw).content.decode()
    response = client.post(withdraw)
    assert response.status_code == 302
    incident.refresh_from_db()
    return incident


@pytest.mark.parametrize("complete", [True, False])
def test_a_draft_withdrawn_before_it_was_sent_stays_invisible_to_staff(
    officer: User, officer_client: Client, rep: User, national_staff: User, complete: bool
) -> None:
    incident = withdraw_through_the_page(officer_client, draft(officer, complete=complete))
    assert (incident.status, incident.submitted_at) == (Status.WITHDRAWN, None)
    # No receipt: nothing was sent, and the sweep for unsent e-mails does not think otherwise.
    assert notifications_resend_unsent(now=timezone.now() + datetime.timedelta(hours=1)) == 0
    assert not [message for message in mail.outbox if incident.reference in message.subject]
    # Sent the same day and place: the withdrawn draft is still never a "possible duplicate".
    sent = IncidentFactory(officer=officer, occurred_on=incident.occurred_on, setting="custody_suite")
    assert (
        incident
        not in incident_possible_duplicates(sent)["same_officer"] + incident_possible_duplicates(sent)["same_scene"]
    )
    for staff in (rep, national_staff):
        client = staff_client(staff)
        assert incident.reference not in client.get(CHANGELIST).content.decode()
        assert client.get(reverse("admin:incidents_incident_change", args=[incident.pk])).status_code == 404
        assert list(client.get(CHANGELIST, {"q": incident.reference}).context["cl"].result_list) == []
        exported = b"".join(client.get(reverse("admin:incidents_incident_export", args=["csv"])).streaming_content)
        assert incident.reference.encode() not in exported and NEVER_SENT.encode() not in exported
    assert not StaffAccess.objects.filter(incident=incident, action=StaffAction.VIEWED).exists()
    # The officer still has it, saying what happened.
    page = officer_client.get(reverse("incidents:detail", args=[incident.reference])).content.decode()
    assert "You withdrew this draft before sending it: nobody else has seen it" in page


def test_a_report_withdrawn_after_it_was_sent_stays_visible_to_its_reps(
    officer: User, officer_client: Client, rep: User
) -> None:
    incident = IncidentFactory(officer=officer)
    officer_client.post(reverse("incidents:withdraw", args=[incident.reference]))
    incident.refresh_from_db()
    assert incident.status == Status.WITHDRAWN and incident.submitted_at is not None
    assert staff_client(rep).get(reverse("admin:incidents_incident_change", args=[incident.pk])).status_code == 200


def test_withdrawing_an_incomplete_draft_works_and_logs_no_error(
    officer: User, officer_client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO):
        incident = withdraw_through_the_page(officer_client, draft(officer, complete=False))
    assert incident.status == Status.WITHDRAWN
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]
    assert IncidentEvent.objects.filter(incident=incident, kind=EventKind.WITHDRAWN).exists()


@pytest.mark.parametrize(
    "status", [Status.DRAFT, Status.SUBMITTED, Status.IN_REVIEW, Status.NEEDS_INFO, Status.VERIFIED, Status.REJECTED]
)
def test_every_action_a_report_page_offers_the_service_allows(
    officer: User, officer_client: Client, status: str
) -> None:
    """Each link on the officer's page of a report, followed and sent, does what it says."""
    extra = {"rejection_reason": "not_on_duty"} if status == Status.REJECTED else {}
    incident = IncidentFactory(officer=officer, status=status, **extra)
    page = officer_client.get(reverse("incidents:detail", args=[incident.reference])).content.decode()
    withdraw = reverse("incidents:withdraw", args=[incident.reference])
    edit = reverse("incidents:step", args=[incident.reference, 1])
    offered = {"withdraw": withdraw in page, "edit": edit in page}
    assert offered == {"withdraw": incident.is_officer_editable, "edit": incident.is_officer_editable}
    if offered["withdraw"]:
        assert officer_client.post(withdraw).status_code == 302
        incident.refresh_from_db()
        assert incident.status == Status.WITHDRAWN
    else:
        assert officer_client.post(withdraw).status_code == 302
        incident.refresh_from_db()
        assert incident.status == status  # refused with a message, nothing changed


def test_the_migration_unstamps_drafts_withdrawn_before_this_release(officer: User) -> None:
    """Migration 0009: reports withdrawn straight from draft lose the stamp they were given;
    one withdrawn after it was sent keeps it."""
    from_draft = IncidentFactory(officer=officer, status=Status.WITHDRAWN)
    after_sending = IncidentFactory(officer=officer, status=Status.WITHDRAWN)
    IncidentEvent.objects.create(
        incident=from_draft, actor=officer, kind=EventKind.WITHDRAWN, changes={"status": ["draft", "withdrawn"]}
    )
    IncidentEvent.objects.create(
        incident=after_sending, actor=officer, kind=EventKind.WITHDRAWN, changes={"status": ["submitted", "withdrawn"]}
    )
    migration = importlib.import_module("incidents.migrations.0009_withdrawn_drafts_stay_private")
    migration.unstamp_withdrawn_drafts(apps, None)
    from_draft.refresh_from_db()
    after_sending.refresh_from_db()
    assert from_draft.submitted_at is None
    assert after_sending.submitted_at is not None


def test_a_draft_withdrawn_unsent_is_deleted_like_a_draft_never_anonymised_as_a_statistic(officer: User) -> None:
    """Retention: a report never sent is not a statistic, withdrawn or not; 7 years after its
    last save it is deleted, as a draft is, not kept anonymised among the statistics."""
    with time_machine.travel(datetime.datetime(2018, 1, 1, tzinfo=datetime.UTC)):
        stale = IncidentFactory(
            officer=officer, status=Status.WITHDRAWN, submitted_at=None, occurred_on=datetime.date(2017, 12, 30)
        )
        sent = IncidentFactory(officer=officer, status=Status.WITHDRAWN, occurred_on=datetime.date(2017, 12, 30))
    with time_machine.travel(datetime.datetime(2026, 11, 23, 3, 30, tzinfo=datetime.UTC), tick=False):
        result = services.retention_apply()
    assert (result.anonymised, result.drafts_deleted) == (1, 1)
    assert not Incident.objects.filter(pk=stale.pk).exists()
    sent.refresh_from_db()
    assert sent.anonymised_at is not None


def test_closing_an_account_deletes_its_drafts_withdrawn_unsent_too(officer: User, officer_client: Client) -> None:
    unsent = withdraw_through_the_page(officer_client, draft(officer, complete=True))
    kept = IncidentFactory(officer=officer)
    assert services.officer_account_close(officer=officer) == 1
    assert not Incident.objects.filter(pk=unsent.pk).exists()
    assert Incident.objects.filter(pk=kept.pk).exists()
