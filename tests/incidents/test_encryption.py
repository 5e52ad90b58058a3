"""Free text that can identify people is encrypted at rest, and keys rotate."""

from __future__ import annotations

import threading

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.db import connection, connections, transaction
from django.db.migrations.executor import MigrationExecutor

from incidents.fields import search_digests
from incidents.models import Incident, IncidentNote, IncidentQuestion, User
from tests.conftest import staff_client, transactional_db
from tests.factories import IncidentFactory

NARRATIVE = "Punched by Jonny Example outside 14 Acacia Avenue"
PLACE = "Acacia Avenue, Slough"
CRIME_REF = "43/1234/26"
OLD_KEY = Fernet.generate_key().decode()
NEW_KEY = Fernet.generate_key().decode()


def raw(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608  (fixed names)
        return cursor.fetchone()[0]


@pytest.fixture
def report(officer: User, rep: User) -> Incident:
    incident = IncidentFactory(
        officer=officer, narrative=NARRATIVE, place=PLACE, reported_to_force="yes", crime_reference=CRIME_REF
    )
    IncidentQuestion.objects.create(incident=incident, asked_by=rep, question="Was it Jonny Example again?")
    IncidentNote.objects.create(incident=incident, author=rep, text="Jonny Example is known to us")
    return incident


def stored_text(incident: Incident) -> list[str]:
    question = incident.questions.get()
    note = incident.notes.get()
    return [
        raw("incidents_incident", "narrative", incident.pk),
        raw("incidents_incident", "place", incident.pk),
        raw("incidents_incident", "crime_reference", incident.pk),
        raw("incidents_incidentquestion", "question", question.pk),
        raw("incidents_incidentnote", "text", note.pk),
    ]


def test_free_text_is_stored_as_ciphertext_and_read_back_as_text(report: Incident) -> None:
    stored = stored_text(report)
    for value in stored:
        assert value.startswith("gAAAAA")  # a Fernet token
        assert "Jonny" not in value and "Acacia" not in value and "1234" not in value
    assert len(set(stored)) == len(stored)
    fresh = Incident.objects.get(pk=report.pk)
    assert (fresh.narrative, fresh.place, fresh.crime_reference) == (NARRATIVE, PLACE, CRIME_REF)
    assert fresh.questions.get().question == "Was it Jonny Example again?"
    assert fresh.notes.get().text == "Jonny Example is known to us"
    # The digest staff search by is keyed: not the plain hash of the reference.
    assert raw("incidents_incident", "crime_reference_digest", report.pk) == search_digests(CRIME_REF)[0]
    assert CRIME_REF not in raw("incidents_incident", "crime_reference_digest", report.pk)


def test_the_same_text_encrypts_differently_each_time(officer: User) -> None:
    first = IncidentFactory(officer=officer, narrative=NARRATIVE)
    second = IncidentFactory(officer=officer, narrative=NARRATIVE)
    assert raw("incidents_incident", "narrative", first.pk) != raw("incidents_incident", "narrative", second.pk)


def test_empty_text_stays_empty_so_constraints_and_blank_checks_still_work(officer: User) -> None:
    incident = IncidentFactory(officer=officer, narrative="", place="", crime_reference="")
    assert raw("incidents_incident", "narrative", incident.pk) == ""
    assert raw("incidents_incident", "crime_reference_digest", incident.pk) == ""
    assert Incident.objects.filter(pk=incident.pk, narrative="").exists()


def test_encrypted_text_cannot_be_filtered_by_value(report: Incident) -> None:
    with pytest.raises(FieldError, match="encrypted"):
        list(Incident.objects.filter(narrative=NARRATIVE))
    with pytest.raises(FieldError):
        list(Incident.objects.filter(narrative__icontains="Jonny"))


def test_staff_find_a_report_by_its_crime_reference_through_the_digest(report: Incident, rep: User) -> None:
    client = staff_client(rep)
    found = client.get("/admin/incidents/incident/", {"q": " 43/1234/26 "})
    assert report.reference in found.content.decode()
    missed = client.get("/admin/incidents/incident/", {"q": "43/1234/27"})
    assert report.reference not in missed.content.decode()


def test_a_missing_key_is_an_error_never_ciphertext_shown_as_text(report: Incident, settings) -> None:
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(ImproperlyConfigured, match="could not be decrypted"):
        Incident.objects.get(pk=report.pk)


def test_a_bad_key_fails_the_system_check(settings) -> None:
    settings.FIELD_ENCRYPTION_KEYS = ["not-a-key"]
    with pytest.raises(Exception, match="not a Fernet key"):
        call_command("check")


def test_key_rotation_reencrypts_everything_under_the_newest_key(officer: User, rep: User, settings) -> None:
    settings.FIELD_ENCRYPTION_KEYS = [OLD_KEY]
    reports = []
    for n in range(3):
        reports.append(
            IncidentFactory(
                officer=officer, narrative=f"{NARRATIVE} {n}", reported_to_force="yes", crime_reference=CRIME_REF
            )
        )
    IncidentQuestion.objects.create(incident=reports[0], asked_by=rep, question="Who?")
    before = stored_text_all()

    # The new key goes in front; the old one still reads what it wrote.
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]
    assert Incident.objects.get(pk=reports[0].pk).narrative == f"{NARRATIVE} 0"
    with pytest.raises(CommandError, match="older key"):
        call_command("reencrypt_fields", "--check", stdout=None)
    # Before the rewrite, search still finds rows whose digest is under the old key.
    assert Incident.objects.filter(crime_reference_digest__in=search_digests(CRIME_REF)).count() == 3

    call_command("reencrypt_fields", "--batch-size", "2")
    after = stored_text_all()
    assert all(a != b for a, b in zip(before, after, strict=True))
    call_command("reencrypt_fields", "--check")

    # The old key can now be dropped: everything reads and searches under the new one alone.
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY]
    assert sorted(Incident.objects.values_list("narrative", flat=True)) == [f"{NARRATIVE} {n}" for n in range(3)]
    assert IncidentQuestion.objects.get().question == "Who?"
    assert Incident.objects.filter(crime_reference_digest__in=search_digests(CRIME_REF)).count() == 3


def stored_text_all() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT narrative, crime_reference, crime_reference_digest FROM incidents_incident ORDER BY id")
        rows = [value for row in cursor.fetchall() for value in row]
        cursor.execute("SELECT question FROM incidents_incidentquestion ORDER BY id")
        return rows + [row[0] for row in cursor.fetchall()]


@transactional_db
def test_the_migration_encrypts_rows_written_before_it(officer: User) -> None:
    """Plain text written under migration 0006 is encrypted by 0007, and 0007 reverses cleanly."""
    executor = MigrationExecutor(connection)
    before, after = [("incidents", "0006_unsent_notification_indexes")], [("incidents", "0007_encrypt_free_text")]
    incident = IncidentFactory(officer=officer, reported_to_force="yes")
    try:
        executor.migrate(before)
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE incidents_incident SET narrative = %s, place = %s, crime_reference = %s WHERE id = %s",
                [NARRATIVE, PLACE, CRIME_REF, incident.pk],
            )
        executor = MigrationExecutor(connection)
        executor.migrate(after)
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
    assert raw("incidents_incident", "narrative", incident.pk).startswith("gAAAAA")
    fresh = Incident.objects.get(pk=incident.pk)
    assert (fresh.narrative, fresh.place, fresh.crime_reference) == (NARRATIVE, PLACE, CRIME_REF)
    assert Incident.objects.filter(crime_reference_digest__in=search_digests(CRIME_REF)).get() == fresh


@pytest.mark.postgres
@transactional_db
def test_rotation_never_overwrites_an_edit_made_while_it_runs(officer: User, settings) -> None:
    """An officer saves a new narrative while reencrypt_fields reaches the row: the rotation
    waits for the edit and rewrites the edited text, never the value it replaced."""
    settings.FIELD_ENCRYPTION_KEYS = [OLD_KEY]
    incident = IncidentFactory(officer=officer, narrative="before the edit")
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]
    editing, release = threading.Event(), threading.Event()

    def edit() -> None:
        try:
            with transaction.atomic():
                row = Incident.objects.select_for_update().get(pk=incident.pk)
                row.narrative = "after the edit"
                row.save(update_fields=["narrative"])
                editing.set()
                release.wait(10)
        finally:
            connections.close_all()

    def rotate() -> None:
        try:
            call_command("reencrypt_fields")
        finally:
            connections.close_all()

    editor = threading.Thread(target=edit)
    editor.start()
    assert editing.wait(10)
    rotation = threading.Thread(target=rotate)
    rotation.start()
    rotation.join(1.0)
    assert rotation.is_alive(), "the rotation should wait for the row the edit holds"
    release.set()
    editor.join(10)
    rotation.join(30)
    assert not rotation.is_alive()

    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY]  # everything now reads under the new key alone
    assert Incident.objects.get(pk=incident.pk).narrative == "after the edit"
