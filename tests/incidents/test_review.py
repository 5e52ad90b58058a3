"""The review workflow's services: transitions, audit, notifications."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from incidents import services
from incidents.choices import EventKind, Injury, RejectionReason, Status
from incidents.models import DigestSent, Incident, IncidentEvent, User
from tests.factories import IncidentFactory

pytestmark = pytest.mark.django_db


def quick(officer: User, **overrides: Any) -> Incident:
    data = {
        "occurred_on": timezone.localdate(),
        "assaults": ["punch"],
        "injury": Injury.NONE,
        "reported_to_force": "yes",
        "narrative": "Punched by Gary Jenkins outside the Red Lion",
    }
    data.update(overrides)
    return services.incident_quick_log(officer=officer, submission_key=uuid.uuid4(), data=data)


ALLOWED = [
    (Status.SUBMITTED, Status.IN_REVIEW),
    (Status.IN_REVIEW, Status.VERIFIED),
    (Status.IN_REVIEW, Status.NEEDS_INFO),
    (Status.NEEDS_INFO, Status.IN_REVIEW),
]
REFUSED = [
    (Status.SUBMITTED, Status.VERIFIED),
    (Status.VERIFIED, Status.IN_REVIEW),
    (Status.REJECTED, Status.VERIFIED),
    (Status.WITHDRAWN, Status.IN_REVIEW),
    (Status.IN_REVIEW, Status.SUBMITTED),
    (Status.VERIFIED, Status.WITHDRAWN),
]


@pytest.mark.parametrize(("start", "to"), ALLOWED)
def test_rep_makes_the_allowed_transitions_with_an_audit_event(officer: User, rep: User, start: str, to: str) -> None:
    incident = IncidentFactory(officer=officer, status=start)
    services.incident_transition(incident=incident, actor=rep, to=to, question="Which hand?")
    incident.refresh_from_db()
    assert incident.status == to
    event = incident.events.get(kind=EventKind.STATUS_CHANGED)
    assert (event.actor, event.changes["status"], event.visible_to_officer) == (rep, [start, to], True)


@pytest.mark.parametrize(("start", "to"), REFUSED)
def test_impossible_transition_is_refused_clearly_and_changes_nothing(
    officer: User, rep: User, start: str, to: str
) -> None:
    incident = IncidentFactory(officer=officer, status=start, rejection_reason="mistake" if start == "rejected" else "")
    with pytest.raises(services.TransitionNotAllowed) as error:
        services.incident_transition(incident=incident, actor=rep, to=to)
    assert incident.reference in error.value.messages[0]
    assert "can't be moved to" in error.value.messages[0]
    incident.refresh_from_db()
    assert incident.status == start
    assert not incident.events.exists()


def test_officer_cannot_make_staff_moves_and_staff_cannot_make_officer_moves(officer: User, rep: User) -> None:
    incident = IncidentFactory(officer=officer)
    with pytest.raises(services.TransitionNotAllowed):
        services.incident_transition(incident=incident, actor=officer, to=Status.IN_REVIEW)
    with pytest.raises(services.TransitionNotAllowed):
        services.incident_transition(incident=incident, actor=rep, to=Status.WITHDRAWN)


def test_rep_of_another_force_cannot_touch_the_report(officer: User, other_rep: User) -> None:
    incident = IncidentFactory(officer=officer)
    with pytest.raises(PermissionDenied):
        services.incident_transition(incident=incident, actor=other_rep, to=Status.IN_REVIEW)
    with pytest.raises(PermissionDenied):
        services.incident_note_add(incident=incident, actor=other_rep, text="hello")
    incident.refresh_from_db()
    assert incident.status == Status.SUBMITTED


def test_national_staff_review_any_force(other_force_officer: User, national_staff: User) -> None:
    incident = IncidentFactory(officer=other_force_officer)
    services.incident_transition(incident=incident, actor=national_staff, to=Status.IN_REVIEW)
    assert Incident.objects.get(pk=incident.pk).status == Status.IN_REVIEW


def test_rejection_needs_a_reason_and_a_duplicate_needs_its_original(officer: User, rep: User) -> None:
    original = IncidentFactory(officer=officer)
    copy = IncidentFactory(officer=officer, status=Status.IN_REVIEW)
    with pytest.raises(ValidationError):
        services.incident_transition(incident=copy, actor=rep, to=Status.REJECTED)
    with pytest.raises(ValidationError):
        services.incident_transition(incident=copy, actor=rep, to=Status.REJECTED, rejection_reason="duplicate")
    with pytest.raises(ValidationError):
        services.incident_transition(
            incident=copy, actor=rep, to=Status.REJECTED, rejection_reason="duplicate", duplicate_of=copy
        )
    assert Incident.objects.get(pk=copy.pk).status == Status.IN_REVIEW

    services.incident_transition(
        incident=copy, actor=rep, to=Status.REJECTED, rejection_reason=RejectionReason.DUPLICATE, duplicate_of=original
    )
    copy.refresh_from_db()
    assert (copy.status, copy.rejection_reason, copy.duplicate_of) == ("rejected", "duplicate", original)
    assert copy.events.get(kind=EventKind.STATUS_CHANGED).changes["duplicate_of"] == original.reference


def test_duplicate_must_be_in_the_same_force(officer: User, other_force_officer: User, national_staff: User) -> None:
    elsewhere = IncidentFactory(officer=other_force_officer)
    incident = IncidentFactory(officer=officer, status=Status.IN_REVIEW)
    with pytest.raises(ValidationError):
        services.incident_transition(
            incident=incident,
            actor=national_staff,
            to=Status.REJECTED,
            rejection_reason="duplicate",
            duplicate_of=elsewhere,
        )


def test_question_and_answer_round_trip(officer: User, rep: User, django_capture_on_commit_callbacks: Any) -> None:
    incident = IncidentFactory(officer=officer, status=Status.IN_REVIEW)
    with django_capture_on_commit_callbacks(execute=True):
        services.incident_transition(incident=incident, actor=rep, to=Status.NEEDS_INFO, question="Was a taser drawn?")
    assert Incident.objects.get(pk=incident.pk).status == Status.NEEDS_INFO
    assert [m.to for m in mail.outbox] == [[officer.email]]
    assert "taser" not in mail.outbox[0].body

    with pytest.raises(ValidationError):
        services.incident_answer_question(incident=incident, actor=officer, answer="   ")
    services.incident_answer_question(incident=incident, actor=officer, answer="No, it was not.")
    incident.refresh_from_db()
    assert incident.status == Status.IN_REVIEW
    question = incident.questions.get()
    assert (question.answer, question.answered_at is not None) == ("No, it was not.", True)
    kinds = list(incident.events.values_list("kind", flat=True))
    assert kinds == [
        EventKind.STATUS_CHANGED,
        EventKind.QUESTION_ASKED,
        EventKind.QUESTION_ANSWERED,
        EventKind.STATUS_CHANGED,
    ]
    with pytest.raises(services.IncidentNotEditable):
        services.incident_answer_question(incident=incident, actor=officer, answer="again")


def test_asking_needs_a_question(officer: User, rep: User) -> None:
    incident = IncidentFactory(officer=officer, status=Status.IN_REVIEW)
    with pytest.raises(ValidationError):
        services.incident_transition(incident=incident, actor=rep, to=Status.NEEDS_INFO, question=" ")
    assert Incident.objects.get(pk=incident.pk).status == Status.IN_REVIEW


def test_officer_can_no_longer_edit_once_review_starts(officer: User, rep: User) -> None:
    incident = IncidentFactory(officer=officer)
    services.incident_transition(incident=incident, actor=rep, to=Status.IN_REVIEW)
    with pytest.raises(services.IncidentNotEditable):
        services.incident_update(incident=incident, actor=officer, data={"injury": Injury.SERIOUS})
    with pytest.raises(services.IncidentNotEditable):
        services.incident_withdraw(incident=incident, actor=officer)


def test_review_records_assignment_classification_and_note_without_touching_the_officers_answers(
    officer: User, rep: User
) -> None:
    incident = IncidentFactory(officer=officer, injury=Injury.NONE, assaults=["push"])
    services.incident_review(
        incident=incident,
        actor=rep,
        assigned_rep=rep,
        reviewed_injury=Injury.MINOR,
        reviewed_assaults=["push", "kick"],
        note="Spoke to the officer by phone.",
        to=Status.IN_REVIEW,
    )
    incident.refresh_from_db()
    assert (incident.assigned_rep, incident.reviewed_injury, incident.status) == (rep, Injury.MINOR, Status.IN_REVIEW)
    assert incident.injury == Injury.NONE
    assert list(incident.assaults.values_list("kind", flat=True)) == ["push"]
    assert sorted(incident.reviewed_assaults.values_list("kind", flat=True)) == ["kick", "push"]
    assert incident.notes.get().text == "Spoke to the officer by phone."
    events = {event.kind: event for event in incident.events.all()}
    assert events[EventKind.ASSIGNED].changes == {"assigned_rep": [None, rep.email]}
    assert events[EventKind.CLASSIFICATION_REVIEWED].changes["reviewed_injury"] == ["", Injury.MINOR]
    for internal in (EventKind.ASSIGNED, EventKind.CLASSIFICATION_REVIEWED, EventKind.NOTE_ADDED):
        assert events[internal].visible_to_officer is False


def test_review_is_all_or_nothing(officer: User, rep: User) -> None:
    incident = IncidentFactory(officer=officer)
    with pytest.raises(services.TransitionNotAllowed):
        services.incident_review(incident=incident, actor=rep, assigned_rep=rep, note="x", to=Status.VERIFIED)
    incident.refresh_from_db()
    assert incident.assigned_rep is None
    assert not incident.notes.exists()
    assert not incident.events.exists()


def test_assigning_a_rep_of_another_force_is_refused(officer: User, rep: User, other_rep: User) -> None:
    incident = IncidentFactory(officer=officer)
    with pytest.raises(ValidationError):
        services.incident_assign(incident=incident, actor=rep, rep=other_rep)


def test_welfare_follow_up_is_recorded_and_audited(officer: User, rep: User) -> None:
    incident = IncidentFactory(officer=officer)
    services.welfare_record(
        incident=incident, actor=rep, contacted_on=timezone.localdate(), contact_made=True, support_offered="legal"
    )
    contact = incident.welfare_contacts.get()
    assert (contact.support_offered, contact.recorded_by) == ("legal", rep)
    assert incident.events.get().kind == EventKind.WELFARE_RECORDED
    with pytest.raises(ValidationError):
        services.welfare_record(
            incident=incident, actor=rep, contacted_on=timezone.localdate(), contact_made=True, support_offered="cake"
        )


def test_bulk_actions_count_changed_and_skipped_with_reasons(
    officer: User, other_force_officer: User, rep: User
) -> None:
    fresh = [IncidentFactory(officer=officer) for _ in range(3)]
    verified = IncidentFactory(officer=officer, status=Status.VERIFIED)
    elsewhere = IncidentFactory(officer=other_force_officer)
    result = services.incidents_bulk_transition(incidents=[*fresh, verified, elsewhere], actor=rep, to=Status.IN_REVIEW)
    assert result.changed == 3
    assert result.skipped == {"not possible from verified": 1, "not in your force": 1}
    assert result.message("moved to in review") == (
        "3 reports moved to in review. Skipped: 1 not in your force; 1 not possible from verified."
    )
    again = services.incidents_bulk_assign_to_me(incidents=[*fresh, fresh[0]], actor=rep)
    assert (again.changed, dict(again.skipped)) == (3, {"already so": 1})


def test_serious_injury_emails_the_forces_reps_reference_and_link_only(
    officer: User, rep: User, other_rep: User, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        incident = quick(officer, injury=Injury.SERIOUS)
    to_reps = [m for m in mail.outbox if rep.email in m.to]
    assert len(to_reps) == 1
    assert other_rep.email not in to_reps[0].to
    body = to_reps[0].subject + to_reps[0].body
    assert incident.reference in body
    for sensitive in ("Gary", "Red Lion", "Punch", "punch", "Hospital", "serious", officer.email):
        assert sensitive not in body
    # Not twice, however often the task is delivered.
    assert services.incident_reps_notify(incident_id=incident.pk) is False


def test_minor_injury_does_not_email_the_reps(
    officer: User, rep: User, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        quick(officer, injury=Injury.MINOR)
    assert all(rep.email not in m.to for m in mail.outbox)


def test_status_change_emails_the_officer_once(
    officer: User, rep: User, django_capture_on_commit_callbacks: Any
) -> None:
    incident = IncidentFactory(officer=officer, narrative="Gary Jenkins again")
    with django_capture_on_commit_callbacks(execute=True):
        services.incident_transition(incident=incident, actor=rep, to=Status.IN_REVIEW)
    assert len(mail.outbox) == 1
    assert incident.reference in mail.outbox[0].subject
    assert "Gary" not in mail.outbox[0].body
    event = IncidentEvent.objects.get(kind=EventKind.STATUS_CHANGED)
    assert services.incident_event_notify_officer(event_id=event.pk) is False


def test_daily_digest_lists_reports_waiting_over_a_week_once_a_day(
    officer: User, other_force_officer: User, rep: User
) -> None:
    old = IncidentFactory(officer=officer, submitted_at=timezone.now() - datetime.timedelta(days=8))
    IncidentFactory(officer=officer, submitted_at=timezone.now() - datetime.timedelta(days=2))
    IncidentFactory(officer=officer, status=Status.VERIFIED, submitted_at=timezone.now() - datetime.timedelta(days=30))
    other = IncidentFactory(officer=other_force_officer, submitted_at=timezone.now() - datetime.timedelta(days=9))

    assert services.reps_waiting_digest_send() == 1
    assert services.reps_waiting_digest_send() == 0
    digest = mail.outbox[0]
    assert digest.to == [rep.email]
    assert old.reference in digest.body
    assert other.reference not in digest.body
    assert digest.subject == "1 reports waiting more than 7 days"
    assert DigestSent.objects.count() == 1


def test_the_question_email_carries_the_reference_and_link_not_the_question(
    officer: User, rep: User, django_capture_on_commit_callbacks: Any
) -> None:
    incident = IncidentFactory(officer=officer)
    services.incident_transition(incident=incident, actor=rep, to=Status.IN_REVIEW)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.incident_transition(
            incident=incident, actor=rep, to=Status.NEEDS_INFO, question="Was Gary Jenkins the driver?"
        )
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == [officer.email]
    assert incident.reference in sent.subject
    assert "https://assaultlog.test" + reverse("incidents:detail", args=[incident.reference]) in sent.body
    assert "Gary" not in sent.subject + sent.body
    assert "driver" not in sent.subject + sent.body


def test_emails_lost_with_the_broker_are_sent_by_the_sweep_once(officer: User, rep: User) -> None:
    # No on-commit callbacks run: as if every dispatch was lost while Redis was down.
    serious = quick(officer, injury=Injury.SERIOUS)
    minor = quick(officer, injury=Injury.MINOR)
    services.incident_transition(incident=minor, actor=rep, to=Status.IN_REVIEW)
    assert mail.outbox == []
    # Too fresh: the ordinary dispatch may still be on its way.
    assert services.notifications_resend_unsent() == 0
    later = timezone.now() + datetime.timedelta(minutes=10)
    assert services.notifications_resend_unsent(now=later) == 4  # two receipts, the reps, the officer
    subjects = sorted(m.subject for m in mail.outbox)
    assert subjects == sorted(
        [
            f"Report {serious.reference} received",
            f"Report {minor.reference} received",
            f"New report {serious.reference} needs a rep",
            f"Update on your report {minor.reference}",
        ]
    )
    assert all("Gary" not in m.body and "Red Lion" not in m.body for m in mail.outbox)
    assert services.notifications_resend_unsent(now=later) == 0
    assert len(mail.outbox) == 4
    # Beyond the look-back window nothing is dug up.
    Incident.objects.update(receipt_sent_at=None)
    assert services.notifications_resend_unsent(now=timezone.now() + datetime.timedelta(days=4)) == 0


def test_a_mail_failure_keeps_the_email_owed_and_the_sweep_sends_it_later(
    officer: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    incident = quick(officer)
    later = timezone.now() + datetime.timedelta(minutes=10)

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr("incidents.services.notifications.send_mail", refuse)
    with pytest.raises(ConnectionRefusedError):
        services.incident_receipt_send(incident_id=incident.pk)
    assert services.notifications_resend_unsent(now=later) == 0  # logged, not raised
    incident.refresh_from_db()
    assert incident.receipt_sent_at is None  # the claim was released
    monkeypatch.undo()
    assert services.notifications_resend_unsent(now=later) == 1
    assert [m.subject for m in mail.outbox] == [f"Report {incident.reference} received"]


def test_one_reps_failed_digest_does_not_stop_the_others(
    officer: User, rep: User, monkeypatch: pytest.MonkeyPatch, force_a: Any
) -> None:
    from tests.conftest import make_staff

    second = make_staff("Federation reps", force_a)
    IncidentFactory(officer=officer, submitted_at=timezone.now() - datetime.timedelta(days=8))
    real_send = services.notifications.send_mail

    def flaky(*args: Any, recipient_list: list[str], **kwargs: Any) -> int:
        if recipient_list == [rep.email]:
            raise ConnectionResetError("mailbox unavailable")
        return real_send(*args, recipient_list=recipient_list, **kwargs)

    monkeypatch.setattr("incidents.services.notifications.send_mail", flaky)
    assert services.reps_waiting_digest_send() == 1
    assert [m.to for m in mail.outbox] == [[second.email]]
    assert not DigestSent.objects.filter(rep=rep).exists()  # owed, tried again next hour
    monkeypatch.undo()
    assert services.reps_waiting_digest_send() == 1
    assert [m.to for m in mail.outbox] == [[second.email], [rep.email]]


def test_every_beat_entry_names_a_registered_task_on_its_schedule(settings: Any) -> None:
    from celery.schedules import crontab

    from config.celery import app

    app.loader.import_default_modules()
    schedule = settings.CELERY_BEAT_SCHEDULE
    for name, entry in schedule.items():
        assert entry["task"] in app.tasks, name
    assert schedule["notifications-resend-unsent"]["schedule"] <= 15 * 60
    assert schedule["statistics-refresh"]["schedule"] <= 30  # a change shows within a minute
    digest = schedule["reps-waiting-digest"]["schedule"]
    assert isinstance(digest, crontab) and 7 in digest.hour and 0 in digest.minute
