"""Stored XSS: script payloads typed into every free-text field an officer or a rep can fill
are rendered inert wherever they are shown: the officer's pages, the review admin (list, page,
history, search), e-mails, the CSV and XLSX exports, the dashboards and the briefing.

Everything goes in through the real pages (test client), as a person would type it, and so
also through the field encryption at rest. Formula injection in the exports (cells starting
with = + - @) is tested in tests/incidents/test_admin.py (test_export_neutralises_*)."""

from __future__ import annotations

import csv
import io
from typing import Any

import openpyxl
import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from incidents.choices import AssaultKind, Injury, ReportedToForce, Status
from incidents.models import Incident, User
from reports.periods import financial_year_of
from reports.services import snapshots_recompute
from tests.conftest import quick_post, review_form, staff_client

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
JS = "javascript:alert(1)"
SHORT = "<script>1</script>"  # fits the 20 characters of a collar number

TYPED = {
    "note": f"{SCRIPT} note",
    "place": f"{IMG} place",
    "crime_reference": IMG,
    "narrative": f"{SCRIPT}{IMG} {JS} narrative",
    "question": f"{IMG}{SCRIPT} question",
    "answer": f"{JS} {SCRIPT} answer",
    "rep_note": f"{SCRIPT}{IMG} rep note",
    "display_name": f"{SCRIPT}{IMG}",
    "collar_number": SHORT,
}
LIVE = [SCRIPT, "<img src=x onerror", SHORT, 'href="javascript:', "href='javascript:", 'src="javascript:']


def assert_inert(page: str, where: str) -> None:
    for live in LIVE:
        assert live not in page, f"{live!r} live in {where}"


def inert_pages(client: Client, pages: dict[str, str]) -> str:
    """Fetch each page (200), check it shows every payload inert, and return them all."""
    shown = ""
    for where, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200, where
        page = response.content.decode()
        assert_inert(page, where)
        shown += page
    return shown


def typed_report(officer: User, capture: Any) -> Incident:
    """The officer's own free text, every field a payload, through the pages."""
    client = Client()
    client.force_login(officer)
    profile = {
        "display_name": TYPED["display_name"],
        "collar_number": TYPED["collar_number"],
        "usual_duty": "response",
        "service_band": "10_20",
    }
    assert client.post(reverse("incidents:profile"), profile).status_code == 302
    with capture(execute=True):
        response = client.post(
            reverse("incidents:quick"),
            quick_post(
                assaults=[AssaultKind.PUNCH],
                injury=Injury.SERIOUS,  # the reps are e-mailed too
                reported_to_force=ReportedToForce.YES,
                note=TYPED["note"],
            ),
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    incident = Incident.objects.get(officer=officer)

    def step(number: int, data: dict[str, str]) -> None:
        url = reverse("incidents:step", args=[incident.reference, number])
        version = client.get(url).context["version"]
        response = client.post(url, {**data, "version": version})
        assert response.status_code == 302, response.content.decode()[:2000]

    step(1, {"occurred_on": incident.occurred_on.isoformat(), "setting": "street", "place": TYPED["place"]})
    step(
        5,
        {
            "reported_to_force": ReportedToForce.YES,
            "recorded_as_crime": "yes",
            "crime_reference": TYPED["crime_reference"],
            "outcome": "no_action_yet",
        },
    )
    step(6, {"narrative": TYPED["narrative"], "share_identity": "True"})
    return incident


@pytest.fixture
def filed(officer: User, rep: User, django_capture_on_commit_callbacks: Any) -> Incident:
    """Every free-text field filled with a payload, the rep's included; e-mails sent."""
    incident = typed_report(officer, django_capture_on_commit_callbacks)
    client = Client()
    client.force_login(officer)
    reviewer = staff_client(rep)
    change = reverse("admin:incidents_incident_change", args=[incident.pk])

    def review(**data: str) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            assert reviewer.post(change, {**review_form(reviewer, incident), **data}).status_code == 302

    review(action=Status.IN_REVIEW, note=TYPED["rep_note"])
    review(action=Status.NEEDS_INFO, question=TYPED["question"])
    with django_capture_on_commit_callbacks(execute=True):
        answered = client.post(reverse("incidents:answer", args=[incident.reference]), {"answer": TYPED["answer"]})
    assert answered.status_code == 302
    incident.refresh_from_db()
    assert (incident.place, incident.crime_reference, incident.narrative) == (
        TYPED["place"],
        TYPED["crime_reference"],
        TYPED["narrative"],
    )
    assert incident.questions.get().answer == TYPED["answer"]
    snapshots_recompute()
    return incident


def test_officer_pages_show_the_payloads_as_text(officer: User, filed: Incident) -> None:
    client = Client()
    client.force_login(officer)
    pages = {
        "home": reverse("home"),
        "my reports": reverse("incidents:list"),
        "report": reverse("incidents:detail", args=[filed.reference]),
        "submitted": reverse("incidents:submitted", args=[filed.reference]),
        "profile": reverse("incidents:profile"),
    }
    shown = inert_pages(client, pages)
    # Positive control: the words are there, escaped, so the check above means something.
    for field in ("place", "crime_reference", "narrative", "question", "answer", "display_name", "collar_number"):
        assert escape(TYPED[field]) in shown, field
    data = client.get(reverse("incidents:data_json"))
    assert data["Content-Type"] == "application/json"
    assert data["Content-Disposition"].startswith("attachment")


def test_form_pages_show_the_payloads_as_text_in_their_fields(
    officer: User, django_capture_on_commit_callbacks: Any
) -> None:
    incident = typed_report(officer, django_capture_on_commit_callbacks)
    client = Client()
    client.force_login(officer)
    shown = ""
    for number in range(1, 7):
        response = client.get(reverse("incidents:step", args=[incident.reference, number]))
        assert response.status_code == 200, number
        page = response.content.decode()
        assert_inert(page, f"step {number}")
        shown += page
    for field in ("place", "crime_reference", "narrative"):
        assert f'value="{escape(TYPED[field])}"' in shown or f"{escape(TYPED[field])}</textarea>" in shown, field


@pytest.mark.parametrize("persona", ["rep", "national_staff"])
def test_review_admin_shows_the_payloads_as_text(request: pytest.FixtureRequest, filed: Incident, persona: str) -> None:
    client = staff_client(request.getfixturevalue(persona))
    pages = {
        "change list": reverse("admin:incidents_incident_changelist"),
        "search": reverse("admin:incidents_incident_changelist") + "?q=" + SCRIPT,
        "change page": reverse("admin:incidents_incident_change", args=[filed.pk]),
        "history": reverse("admin:incidents_incident_history", args=[filed.pk]),
    }
    if persona == "national_staff":
        pages["access log"] = reverse("admin:incidents_staffaccess_changelist")
    shown = inert_pages(client, pages)
    for field in ("place", "narrative", "question", "answer", "rep_note", "display_name"):
        assert escape(TYPED[field]) in shown, field


def test_emails_carry_none_of_the_typed_text(filed: Incident) -> None:
    """E-mails hold a reference and a link only, so no payload can reach a mail client."""
    assert len(mail.outbox) >= 3  # the receipt, the reps' alert, the question
    for message in mail.outbox:
        parts = [message.subject, message.body, *(content for content, _ in getattr(message, "alternatives", []))]
        for part in parts:
            assert "alert(1)" not in part and "onerror" not in part and "<script" not in part, message.subject
    assert any(filed.reference in message.body for message in mail.outbox)


def test_exports_hold_the_payloads_as_plain_text_cells(national_staff: User, filed: Incident) -> None:
    client = staff_client(national_staff)
    response = client.get(reverse("admin:incidents_incident_export", args=["csv"]))
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    header, row = list(csv.reader(io.StringIO(text)))[:2]
    cells = dict(zip(header, row, strict=True))
    assert cells["Narrative"] == TYPED["narrative"]  # text as typed, not markup anyone renders

    response = client.get(reverse("admin:incidents_incident_export", args=["xlsx"]))
    assert response["Content-Disposition"].startswith("attachment")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True).active
    header, row = list(sheet.iter_rows(values_only=True))[:2]
    assert dict(zip(header, row, strict=True))["Narrative"] == TYPED["narrative"]


@pytest.mark.parametrize("persona", ["officer", "rep", "national_staff"])
def test_dashboards_and_briefing_render_nothing_live(
    request: pytest.FixtureRequest, filed: Incident, persona: str
) -> None:
    client = staff_client(request.getfixturevalue(persona))
    year = financial_year_of(timezone.localdate())
    pages = [reverse("reports:dashboard"), reverse("reports:method")]
    if persona != "officer":
        pages += [
            reverse("reports:force", args=[filed.force.slug]),
            reverse("reports:briefing", args=[filed.force.slug, str(year)]),
        ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_inert(response.content.decode(), url)


def test_reflected_parameters_are_escaped(officer: User) -> None:
    """What a link can carry is shown escaped too: sign-in's next=, the admin search, a page number."""
    page = Client().get(reverse("account_login"), {"next": IMG}).content.decode()
    assert_inert(page, "sign-in next=")
    client = Client()
    client.force_login(officer)
    page = client.get(reverse("incidents:list"), {"page": SCRIPT}).content.decode()
    assert_inert(page, "my reports page=")
