"""Retention, the officer's own data, closing an account, and two reps acting at once."""

from __future__ import annotations

import csv
import datetime
import io
import json

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from incidents import services
from incidents.choices import AnonymisedBecause, EventKind, Status
from incidents.models import Incident, IncidentEvent, IncidentNote, IncidentQuestion, StaffAccess, User
from incidents.selectors import incident_latest_event_id
from incidents.services.events import record_event
from reports.models import Snapshot
from reports.services import snapshots_recompute
from tests.conftest import make_staff, review_form, staff_client
from tests.factories import PASSWORD, IncidentFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 23)
SECRET = "Knocked down by Jonny Example of 14 Acacia Avenue"


def snapshot_rows() -> list[tuple]:
    snapshots_recompute()
    return sorted(Snapshot.objects.values_list("area", "financial_year", "logged", "verified", "data"), key=repr)


def old_report(officer: User, rep: User, *, years: int, status: str = Status.VERIFIED, **fields) -> Incident:
    incident = IncidentFactory(
        officer=officer,
        status=status,
        occurred_on=TODAY.replace(year=TODAY.year - years) - datetime.timedelta(days=1),
        narrative=SECRET,
        place="Acacia Avenue",
        reported_to_force="yes",
        crime_reference="43/777/19",
        **fields,
    )
    record_event(incident=incident, actor=officer, kind=EventKind.SUBMITTED)
    question = IncidentQuestion.objects.create(incident=incident, asked_by=rep, question="Who was it?")
    question.answer, question.answered_at = SECRET, timezone.now()
    question.save()
    IncidentNote.objects.create(incident=incident, author=rep, text=f"Known: {SECRET}")
    return incident


def assert_anonymised(incident: Incident, because: str) -> None:
    incident.refresh_from_db()
    assert incident.anonymised_at is not None
    assert (incident.narrative, incident.place, incident.crime_reference) == ("", "", "")
    assert incident.crime_reference_digest == ""
    assert incident.officer_id is None and incident.share_identity is False
    assert not incident.questions.exists() and not incident.notes.exists()
    assert not incident.events.filter(actor__isnull=False, actor__is_staff=False).exists()
    event = incident.events.get(kind=EventKind.ANONYMISED)
    assert event.changes == {"because": because} and event.actor is None


# -- retention ---------------------------------------------------------------------


def test_retention_anonymises_closed_reports_past_the_period_and_keeps_the_statistics(officer: User, rep: User) -> None:
    with time_machine.travel(datetime.datetime(2026, 9, 1, tzinfo=datetime.UTC)):  # closed months ago
        expired = [
            old_report(officer, rep, years=7),
            old_report(officer, rep, years=7, status=Status.REJECTED, rejection_reason="mistake"),
        ]
        recent = old_report(officer, rep, years=6)
        still_open = old_report(officer, rep, years=9, status=Status.IN_REVIEW)
    with time_machine.travel(datetime.datetime(2018, 1, 1, tzinfo=datetime.UTC)):
        stale_draft = IncidentFactory(
            officer=officer, status=Status.DRAFT, submitted_at=None, occurred_on=datetime.date(2017, 12, 30)
        )
    before = snapshot_rows()

    with time_machine.travel(datetime.datetime(2026, 11, 23, 3, 30, tzinfo=datetime.UTC), tick=False):
        result = services.retention_apply()

        assert (result.anonymised, result.drafts_deleted) == (2, 1)
        for incident in expired:
            assert_anonymised(incident, AnonymisedBecause.RETENTION)
        for kept in (recent, still_open):
            kept.refresh_from_db()
            assert kept.narrative == SECRET and kept.officer_id == officer.pk and kept.anonymised_at is None
            assert kept.questions.exists() and kept.notes.exists()
        assert not Incident.objects.filter(pk=stale_draft.pk).exists()
        assert snapshot_rows() == before  # the statistics do not move
        # Running again (tomorrow's job, or a redelivered task) changes nothing more.
        assert services.retention_apply().anonymised == 0


def test_retention_leaves_an_old_assault_logged_or_closed_only_lately(officer: User, rep: User) -> None:
    """Officers may log assaults back to 2010: the period runs from the assault, but a draft
    counts from its last save and a closed report is kept whole for 30 days after closing."""
    with time_machine.travel(datetime.datetime(2026, 11, 1, tzinfo=datetime.UTC)):
        closed_lately = old_report(officer, rep, years=12)
        draft_today = IncidentFactory(
            officer=officer, status=Status.DRAFT, submitted_at=None, occurred_on=datetime.date(2012, 5, 1)
        )
    with time_machine.travel(datetime.datetime(2026, 11, 23, tzinfo=datetime.UTC)):
        assert services.retention_apply().anonymised == 0
    assert Incident.objects.filter(pk=draft_today.pk).exists()
    closed_lately.refresh_from_db()
    assert closed_lately.narrative == SECRET
    with time_machine.travel(datetime.datetime(2026, 12, 2, tzinfo=datetime.UTC)):  # 31 days on
        assert services.retention_apply().anonymised == 1
    assert_anonymised(closed_lately, AnonymisedBecause.RETENTION)
    assert Incident.objects.filter(pk=draft_today.pk).exists()


def test_retention_deletes_old_audit_and_access_events_but_keeps_the_anonymisation_record(
    officer: User, rep: User, settings
) -> None:
    settings.RETENTION_AUDIT_YEARS = 7
    settings.RETENTION_ACCESS_LOG_DAYS = 730
    incident = old_report(officer, rep, years=8)
    with time_machine.travel(datetime.datetime(2015, 1, 1, tzinfo=datetime.UTC)):
        old_event = record_event(incident=incident, actor=rep, kind=EventKind.ASSIGNED)
        old_view = StaffAccess.objects.create(actor=rep, action="viewed", incident=incident)
    with time_machine.travel(datetime.datetime(2025, 6, 1, tzinfo=datetime.UTC)):
        recent_view = StaffAccess.objects.create(actor=rep, action="viewed", incident=incident)
    with time_machine.travel(datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)):
        services.incident_anonymise(incident=incident, because=AnonymisedBecause.RETENTION)

    with time_machine.travel(datetime.datetime(2026, 11, 23, tzinfo=datetime.UTC)):
        result = services.retention_apply()

    assert not IncidentEvent.objects.filter(pk=old_event.pk).exists()
    assert not StaffAccess.objects.filter(pk=old_view.pk).exists()
    assert StaffAccess.objects.filter(pk=recent_view.pk).exists()
    assert incident.events.filter(kind=EventKind.ANONYMISED).exists()
    assert result.events_deleted >= 1 and result.access_deleted == 1


def test_the_retention_job_is_scheduled_nightly(settings) -> None:
    entry = settings.CELERY_BEAT_SCHEDULE["privacy-retention"]
    assert entry["task"] == "incidents.tasks.privacy_apply_retention"
    assert entry["schedule"].hour == {3}


def test_an_anonymised_report_shows_no_identity_to_staff_and_sends_no_mail(
    officer: User, rep: User, mailoutbox
) -> None:
    incident = old_report(officer, rep, years=8)
    services.incident_anonymise(incident=incident, because=AnonymisedBecause.RETENTION)
    page = staff_client(rep).get(reverse("admin:incidents_incident_change", args=[incident.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Anonymised: no one&#x27;s identity is held" in body
    assert officer.email not in body and "Jonny" not in body
    assert services.incident_receipt_send(incident_id=incident.pk) is False
    assert mailoutbox == []


# -- the officer's own data --------------------------------------------------------


def test_an_officer_downloads_everything_held_about_them_as_json(officer: User, colleague: User, rep: User) -> None:
    mine = old_report(officer, rep, years=1)
    IncidentFactory(officer=colleague, narrative="Not mine at all")
    client = Client()
    client.force_login(officer)

    response = client.get(reverse("incidents:data_json"))

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="assault-log-my-data-')
    assert response["Cache-Control"] == "no-store"
    data = json.loads(response.content)
    assert data["account"]["email"] == officer.email
    assert data["profile"]["display_name"] == officer.officer_profile.display_name
    [report] = data["reports"]
    assert report["reference"] == mine.reference
    assert report["answers"]["In your words"]["Your account"] == SECRET
    assert report["answers"]["Reporting it"]["Crime reference"] == "43/777/19"
    assert report["questions"][0] == {
        "asked": report["questions"][0]["asked"],
        "question": "Who was it?",
        "answered": report["questions"][0]["answered"],
        "answer": SECRET,
    }
    text = response.content.decode()
    assert "Not mine at all" not in text  # nobody else's report
    assert "Known:" not in text  # reps' internal notes are not part of the officer's pages


def test_the_csv_download_opens_in_a_spreadsheet_and_is_formula_safe(officer: User, rep: User) -> None:
    old_report(officer, rep, years=1)
    IncidentFactory(officer=officer, narrative='=HYPERLINK("http://evil.example")')
    client = Client()
    client.force_login(officer)

    response = client.get(reverse("incidents:data_csv"))

    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0] == ["Section", "Report", "Item", "Value"]
    assert ["Account", "", "email", officer.email] in rows
    values = [row[3] for row in rows[1:]]
    assert SECRET in values
    assert '\'=HYPERLINK("http://evil.example")' in values


@pytest.mark.parametrize("name", ["incidents:data_json", "incidents:data_csv", "incidents:close"])
def test_only_a_signed_in_officer_reaches_their_data_and_closure(client: Client, rep: User, name: str) -> None:
    assert client.get(reverse(name)).status_code == 302  # to the login page
    assert staff_client(rep).get(reverse(name)).status_code == 403


# -- closing an account ------------------------------------------------------------


def close(client: Client, **data: str) -> object:
    return client.post(reverse("incidents:close"), data)


def test_closing_an_account_erases_the_identity_and_keeps_the_reports_as_statistics(officer: User, rep: User) -> None:
    reports = [old_report(officer, rep, years=years, status=Status.SUBMITTED) for years in (0, 1)]
    draft = IncidentFactory(officer=officer, status=Status.DRAFT, submitted_at=None)
    EmailAddress.objects.create(user=officer, email=officer.email, verified=True, primary=True)
    LogEntry.objects.create(
        user=rep,
        content_type=ContentType.objects.get_for_model(User),
        object_id=str(officer.pk),
        object_repr=officer.email,
        action_flag=CHANGE,
    )
    before = snapshot_rows()
    client = Client()
    client.force_login(officer)

    page = client.get(reverse("incidents:close"))
    assert page.status_code == 200 and "2 reports" in page.content.decode()
    response = close(client, password=PASSWORD, confirm="on")

    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert not User.objects.filter(pk=officer.pk).exists()
    assert not EmailAddress.objects.filter(email=officer.email).exists()
    assert not LogEntry.objects.filter(object_repr=officer.email).exists()
    assert not Incident.objects.filter(pk=draft.pk).exists()
    for incident in reports:
        assert_anonymised(incident, AnonymisedBecause.ACCOUNT_CLOSED)
    assert snapshot_rows() == before
    # Signed out: the officer's pages now ask for a login.
    assert client.get(reverse("incidents:list")).status_code == 302
    # Reps still see the reports, with no one's name on them.
    listing = staff_client(rep).get(reverse("admin:incidents_incident_changelist")).content.decode()
    assert reports[0].reference in listing and officer.email not in listing


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"password": "wrong-password", "confirm": "on"}, "That is not your password."),
        ({"password": PASSWORD}, "Tick the box to confirm"),
        ({}, "Enter your password to close your account."),
    ],
)
def test_closing_an_account_needs_the_password_and_the_tick_and_otherwise_changes_nothing(
    officer: User, data: dict[str, str], message: str
) -> None:
    incident = IncidentFactory(officer=officer, narrative=SECRET)
    client = Client()
    client.force_login(officer)

    response = close(client, **data)

    assert response.status_code == 400
    assert message in response.content.decode()
    incident.refresh_from_db()
    assert incident.officer_id == officer.pk and incident.narrative == SECRET
    assert User.objects.filter(pk=officer.pk).exists()


def test_staff_accounts_cannot_be_closed_through_the_officer_service(rep: User) -> None:
    with pytest.raises(ValueError, match="Staff"):
        services.officer_account_close(officer=rep)


# -- two reps at once --------------------------------------------------------------


def test_the_second_of_two_reps_acting_at_once_is_refused_and_nothing_is_overwritten(
    officer: User, rep: User, force_a
) -> None:
    second_rep = make_staff("Federation reps", force_a)
    incident = IncidentFactory(officer=officer, status=Status.SUBMITTED)
    record_event(incident=incident, actor=officer, kind=EventKind.SUBMITTED)
    first, second = staff_client(rep), staff_client(second_rep)
    url = reverse("admin:incidents_incident_change", args=[incident.pk])
    first_form, second_form = review_form(first, incident), review_form(second, incident)

    accepted = first.post(url, {**first_form, "action": Status.IN_REVIEW, "note": "I have this one"})
    refused = second.post(
        url, {**second_form, "action": Status.REJECTED, "rejection_reason": "mistake", "note": "Rejecting"}
    )

    assert accepted.status_code == 302
    incident.refresh_from_db()
    assert incident.status == Status.IN_REVIEW
    assert list(incident.notes.values_list("text", flat=True)) == ["I have this one"]
    # The second rep's page comes back with the message, what they typed, and the new version.
    assert refused.status_code == 200
    page = refused.content.decode()
    assert "Someone else changed this report after you opened it" in page
    assert "Rejecting</textarea>" in page
    form = refused.context["adminform"].form
    assert form["seen_event"].value() == str(incident_latest_event_id(incident))
    # Sent again from that page, their change goes through on top of the first rep's.
    again = second.post(url, {**second_form, "seen_event": form["seen_event"].value(), "note": "Seen it"})
    assert again.status_code == 302
    assert incident.notes.count() == 2


def test_a_review_without_the_version_it_was_made_on_is_refused(officer: User, rep: User) -> None:
    incident = IncidentFactory(officer=officer, status=Status.SUBMITTED)
    data = {**review_form(staff_client(rep), incident), "note": "From an old page"}
    del data["seen_event"]
    response = staff_client(rep).post(reverse("admin:incidents_incident_change", args=[incident.pk]), data)
    assert response.status_code == 200
    assert "This page is out of date" in response.content.decode()
    assert not incident.notes.exists()


def test_the_service_refuses_a_stale_version_under_the_row_lock(officer: User, rep: User) -> None:
    """The race the form's own check cannot see: a change lands between its check and the save."""
    incident = IncidentFactory(officer=officer, status=Status.SUBMITTED)
    seen = incident_latest_event_id(incident)
    services.incident_note_add(incident=incident, actor=rep, text="Got there first")
    with pytest.raises(ValidationError, match="Someone else changed"):
        services.incident_review(incident=incident, actor=rep, note="Second", seen_event=seen)
    assert list(incident.notes.values_list("text", flat=True)) == ["Got there first"]


def test_closing_an_account_cannot_be_used_to_guess_the_password(officer: User, settings) -> None:
    settings.ACCOUNT_CLOSE_RATE = "3/h"
    client = Client()
    client.force_login(officer)
    for _ in range(3):
        assert close(client, password="guess", confirm="on").status_code == 400
    refused = close(client, password=PASSWORD, confirm="on")  # even the right one, for now
    assert refused.status_code == 429 and "trying to close your account" in refused.content.decode()
    assert User.objects.filter(pk=officer.pk).exists()


def test_the_data_download_costs_the_same_queries_however_many_reports(officer: User, rep: User) -> None:
    client = Client()
    client.force_login(officer)
    old_report(officer, rep, years=1)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("incidents:data_json")).status_code == 200
        return len(captured.captured_queries)

    one = queries()
    for _ in range(5):
        old_report(officer, rep, years=2)
    assert queries() == one
