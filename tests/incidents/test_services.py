from __future__ import annotations

import datetime
import uuid
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError

from incidents import services
from incidents.choices import (
    AssaultKind,
    EventKind,
    Injury,
    NotReportedReason,
    RecordedAsCrime,
    ReportedToForce,
    Status,
)
from incidents.models import Incident, IncidentEvent, User
from incidents.services import filing, notifications
from tests.factories import IncidentFactory

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 11, 21, 23, 30, tzinfo=datetime.UTC)  # 23:30 in London (GMT)


def quick_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "occurred_on": datetime.date(2026, 11, 21),
        "assaults": [AssaultKind.SPIT],
        "injury": Injury.NONE,
        "reported_to_force": ReportedToForce.NO,
        "narrative": "Spat at during arrest outside the kebab shop",
    }
    data.update(overrides)
    return data


@pytest.fixture(autouse=True)
def frozen_clock() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


def test_quick_log_files_a_submitted_report_with_its_audit_event(officer: User) -> None:
    incident = services.incident_quick_log(officer=officer, submission_key=uuid.uuid4(), data=quick_data())

    incident.refresh_from_db()
    assert incident.status == Status.SUBMITTED
    assert incident.submitted_at == NOW
    assert incident.force == officer.officer_profile.force
    assert incident.reference.startswith("AL-2026-")
    assert [row.kind for row in incident.assaults.all()] == [AssaultKind.SPIT]
    event = incident.events.get()
    assert (event.kind, event.actor) == (EventKind.SUBMITTED, officer)


@pytest.mark.parametrize(
    ("reported", "recorded"),
    [
        (ReportedToForce.YES, RecordedAsCrime.DONT_KNOW),
        (ReportedToForce.NO, RecordedAsCrime.NO),
        (ReportedToForce.NOT_YET, RecordedAsCrime.NO),
    ],
)
def test_recorded_as_crime_defaults_from_whether_it_was_reported(officer: User, reported: str, recorded: str) -> None:
    incident = services.incident_quick_log(
        officer=officer, submission_key=uuid.uuid4(), data=quick_data(reported_to_force=reported)
    )
    assert incident.recorded_as_crime == recorded


def test_the_same_submission_key_files_exactly_one_report(officer: User) -> None:
    key = uuid.uuid4()
    first = services.incident_quick_log(officer=officer, submission_key=key, data=quick_data())
    second = services.incident_quick_log(officer=officer, submission_key=key, data=quick_data(injury=Injury.MINOR))

    assert first.pk == second.pk
    assert Incident.objects.count() == 1
    assert IncidentEvent.objects.count() == 1


def test_another_officer_cannot_reuse_a_submission_key(officer: User, colleague: User) -> None:
    key = uuid.uuid4()
    services.incident_quick_log(officer=officer, submission_key=key, data=quick_data())
    with pytest.raises(ValidationError):
        services.incident_quick_log(officer=colleague, submission_key=key, data=quick_data())
    assert Incident.objects.filter(officer=colleague).count() == 0


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"occurred_on": datetime.date(2026, 11, 22)}, "occurred_on"),
        ({"occurred_on": datetime.date(2009, 12, 31)}, "occurred_on"),
        ({"crime_reference": "43/1/26"}, "crime_reference"),
        ({"assaults": []}, "assaults"),
        ({"injury": ""}, "injury"),
    ],
)
def test_quick_log_refuses_bad_input_and_saves_nothing(officer: User, overrides: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as error:
        services.incident_quick_log(officer=officer, submission_key=uuid.uuid4(), data=quick_data(**overrides))
    assert field in error.value.message_dict
    assert Incident.objects.count() == 0
    assert IncidentEvent.objects.count() == 0


def test_a_time_later_today_is_refused(officer: User) -> None:
    with pytest.raises(ValidationError) as error:
        services.incident_draft_start(
            officer=officer,
            submission_key=uuid.uuid4(),
            data={"occurred_on": datetime.date(2026, 11, 21), "occurred_at": datetime.time(23, 45)},
        )
    assert "occurred_at" in error.value.message_dict


def test_full_report_goes_from_draft_to_submitted(officer: User) -> None:
    key = uuid.uuid4()
    draft = services.incident_draft_start(
        officer=officer, submission_key=key, data={"occurred_on": datetime.date(2026, 11, 20)}
    )
    assert draft.status == Status.DRAFT
    assert draft.submitted_at is None

    services.incident_update(
        incident=draft,
        actor=officer,
        data={"assaults": [AssaultKind.PUNCH, AssaultKind.KICK], "injury": Injury.MEDICAL, "days_off_work": 3},
    )
    services.incident_update(
        incident=draft,
        actor=officer,
        data={
            "reported_to_force": ReportedToForce.YES,
            "recorded_as_crime": RecordedAsCrime.YES,
            "crime_reference": "43/9/26",
        },
    )
    submitted = services.incident_submit(incident=draft, actor=officer)

    assert submitted.status == Status.SUBMITTED
    assert submitted.submitted_at == NOW
    assert sorted(submitted.assaults.values_list("kind", flat=True)) == [AssaultKind.KICK, AssaultKind.PUNCH]
    assert list(submitted.events.values_list("kind", flat=True)) == [
        EventKind.CREATED,
        EventKind.UPDATED,
        EventKind.UPDATED,
        EventKind.SUBMITTED,
    ]
    # A second tap on "Submit" changes nothing.
    services.incident_submit(incident=draft, actor=officer)
    assert submitted.events.filter(kind=EventKind.SUBMITTED).count() == 1


def test_an_incomplete_draft_cannot_be_submitted(officer: User) -> None:
    draft = services.incident_draft_start(
        officer=officer, submission_key=uuid.uuid4(), data={"occurred_on": datetime.date(2026, 11, 20)}
    )
    with pytest.raises(ValidationError) as error:
        services.incident_submit(incident=draft, actor=officer)
    assert set(error.value.message_dict) == {"assaults", "injury", "reported_to_force"}
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


def test_update_records_what_changed_but_never_the_free_text(officer: User) -> None:
    incident = services.incident_quick_log(officer=officer, submission_key=uuid.uuid4(), data=quick_data())
    services.incident_update(
        incident=incident,
        actor=officer,
        data={
            "injury": Injury.MINOR,
            "narrative": "The offender, John Smith, spat twice",
            "assaults": ["spit", "push"],
        },
    )
    event = incident.events.get(kind=EventKind.UPDATED)
    assert event.changes == {
        "injury": [Injury.NONE, Injury.MINOR],
        "narrative": {"changed": True},
        "assaults": [["spit"], ["push", "spit"]],
    }
    assert "John Smith" not in str(IncidentEvent.objects.values_list("changes", flat=True))


def test_an_update_that_changes_nothing_records_nothing(officer: User) -> None:
    incident = services.incident_quick_log(officer=officer, submission_key=uuid.uuid4(), data=quick_data())
    services.incident_update(incident=incident, actor=officer, data={"injury": Injury.NONE})
    assert incident.events.count() == 1


def test_update_refuses_a_crime_reference_on_an_unreported_assault_and_changes_nothing(officer: User) -> None:
    incident = services.incident_quick_log(officer=officer, submission_key=uuid.uuid4(), data=quick_data())
    with pytest.raises(ValidationError):
        services.incident_update(
            incident=incident, actor=officer, data={"crime_reference": "43/1/26", "injury": Injury.MINOR}
        )
    incident.refresh_from_db()
    assert (incident.crime_reference, incident.injury) == ("", Injury.NONE)
    assert incident.events.count() == 1


def test_reasons_for_not_reporting_are_refused_on_a_reported_assault(officer: User) -> None:
    incident = services.incident_quick_log(officer=officer, submission_key=uuid.uuid4(), data=quick_data())
    services.incident_update(incident=incident, actor=officer, data={"not_reported_reasons": ["too_minor"]})
    with pytest.raises(ValidationError):
        services.incident_update(incident=incident, actor=officer, data={"reported_to_force": ReportedToForce.YES})
    assert list(incident.not_reported_reasons.values_list("reason", flat=True)) == [NotReportedReason.TOO_MINOR]


def test_withdrawn_report_can_no_longer_be_changed(officer: User) -> None:
    incident = services.incident_quick_log(officer=officer, submission_key=uuid.uuid4(), data=quick_data())
    services.incident_withdraw(incident=incident, actor=officer)
    incident.refresh_from_db()
    assert incident.status == Status.WITHDRAWN
    assert incident.events.last().changes == {"status": [Status.SUBMITTED, Status.WITHDRAWN]}
    with pytest.raises(services.IncidentNotEditable):
        services.incident_update(incident=incident, actor=officer, data={"injury": Injury.MINOR})
    with pytest.raises(services.IncidentNotEditable):
        services.incident_withdraw(incident=incident, actor=officer)


def test_reference_collision_draws_another(officer: User, monkeypatch: pytest.MonkeyPatch) -> None:
    taken = IncidentFactory().reference
    draws = iter([taken, "AL-2026-FRESH1"])
    monkeypatch.setattr(filing, "new_reference", lambda now: next(draws))
    incident = services.incident_quick_log(officer=officer, submission_key=uuid.uuid4(), data=quick_data())
    assert incident.reference == "AL-2026-FRESH1"


def test_receipt_email_carries_the_reference_and_link_only(
    officer: User, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        incident = services.incident_quick_log(officer=officer, submission_key=uuid.uuid4(), data=quick_data())

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [officer.email]
    assert incident.reference in message.subject
    assert f"https://assaultlog.test/reports/{incident.reference}/" in message.body
    for sensitive in ("kebab", "Spit", "spit", officer.officer_profile.display_name):
        assert sensitive not in message.body + message.subject


def test_receipt_is_sent_once_however_often_the_task_runs(officer: User) -> None:
    incident = services.incident_quick_log(officer=officer, submission_key=uuid.uuid4(), data=quick_data())
    assert services.incident_receipt_send(incident_id=incident.pk) is True
    assert services.incident_receipt_send(incident_id=incident.pk) is False
    assert len(mail.outbox) == 1


def test_failed_receipt_releases_its_claim_for_the_retry(officer: User, monkeypatch: pytest.MonkeyPatch) -> None:
    incident = services.incident_quick_log(officer=officer, submission_key=uuid.uuid4(), data=quick_data())

    def broken(**kwargs: Any) -> None:
        raise ConnectionError("mail server down")

    monkeypatch.setattr(notifications, "send_mail", broken)
    with pytest.raises(ConnectionError):
        services.incident_receipt_send(incident_id=incident.pk)
    incident.refresh_from_db()
    assert incident.receipt_sent_at is None


def test_no_receipt_for_a_draft(officer: User) -> None:
    draft = services.incident_draft_start(
        officer=officer, submission_key=uuid.uuid4(), data={"occurred_on": datetime.date(2026, 11, 20)}
    )
    assert services.incident_receipt_send(incident_id=draft.pk) is False
    assert mail.outbox == []
