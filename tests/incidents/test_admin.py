"""The review admin: who sees what, through every path."""

from __future__ import annotations

import csv
import datetime
import io
import re
import zipfile
from typing import Any

import openpyxl
import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.contrib.admin.models import LogEntry
from django.contrib.messages import get_messages
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from incidents import services
from incidents.choices import NATIONAL_GROUP, EventKind, StaffAction, Status
from incidents.models import Force, Incident, OfficerProfile, StaffAccess, User
from incidents.selectors import incident_latest_event_id
from tests.conftest import make_staff, staff_client, totp_code
from tests.factories import PASSWORD, IncidentFactory, UserFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:incidents_incident_changelist")


def change_url(incident: Incident) -> str:
    return reverse("admin:incidents_incident_change", args=[incident.pk])


def history_url(incident: Incident) -> str:
    return reverse("admin:incidents_incident_history", args=[incident.pk])


def export(client: Client, file_format: str, query: str = "") -> Any:
    return client.get(reverse("admin:incidents_incident_export", args=[file_format]) + query)


def xlsx_rows(content: bytes) -> list[list[Any]]:
    sheet = openpyxl.load_workbook(io.BytesIO(content), read_only=True).active

    def decode(value: Any) -> Any:
        # XLSX stores control characters as _xHHHH_; Excel decodes them, openpyxl's
        # read-only reader leaves them as written.
        if isinstance(value, str):
            return re.sub(r"_x([0-9A-F]{4})_", lambda m: chr(int(m.group(1), 16)), value)
        return value

    return [[decode(value) for value in row] for row in sheet.iter_rows(values_only=True)]


def csv_rows(response: Any) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def review_post(incident: Incident, **overrides: Any) -> dict[str, Any]:
    """The review form as the change page draws it, with the newest event it showed."""
    data = {
        "seen_event": str(incident_latest_event_id(incident)),
        "assigned_rep": "",
        "reviewed_injury": "",
        "action": "",
        "question": "",
        "rejection_reason": "",
        "duplicate_of_reference": "",
        "note": "",
        "welfare_contacted_on": "",
        "welfare_support_offered": "",
    }
    data.update(overrides)
    return data


@pytest.fixture
def mine(officer: User) -> Incident:
    return IncidentFactory(officer=officer, crime_reference="", narrative="Headbutted by the driver")


@pytest.fixture
def theirs(other_force_officer: User) -> Incident:
    return IncidentFactory(officer=other_force_officer)


def test_rep_sees_only_their_forces_reports_in_the_change_list(rep: User, mine: Incident, theirs: Incident) -> None:
    content = staff_client(rep).get(CHANGELIST).content.decode()
    assert mine.reference in content
    assert theirs.reference not in content


def test_rep_cannot_reach_another_forces_report_through_any_path(rep: User, mine: Incident, theirs: Incident) -> None:
    client = staff_client(rep)
    assert client.get(change_url(theirs)).status_code == 404
    assert client.post(change_url(theirs), review_post(theirs, action="in_review")).status_code == 404
    assert client.get(history_url(theirs)).status_code == 404
    assert client.get(reverse("admin:incidents_incident_delete", args=[theirs.pk])).status_code in (403, 404)
    assert list(client.get(CHANGELIST, {"q": theirs.reference}).context["cl"].result_list) == []
    # Positive controls beside each refusal: the same paths work on the rep's own report.
    assert client.get(history_url(mine)).status_code == 200
    assert list(client.get(CHANGELIST, {"q": mine.reference}).context["cl"].result_list) == [mine]
    # No admin page picks a report from a popup: the list's popup parameters are refused.
    popup = client.get(CHANGELIST, {"_popup": "1", "_to_field": "id"})
    assert (popup.status_code, popup["Location"]) == (302, CHANGELIST)

    # The admin's autocomplete endpoint searches through the same scoped queryset.
    def autocomplete(term: str) -> list[str]:
        query = {"app_label": "incidents", "model_name": "incident", "field_name": "duplicate_of", "term": term}
        response = client.get(reverse("admin:autocomplete"), query)
        return [result["text"] for result in response.json()["results"]] if response.status_code == 200 else []

    assert autocomplete(theirs.reference) == []
    assert autocomplete(mine.reference) == [str(mine)]
    for action in ("assign_to_me", "start_review", "verify"):
        client.post(CHANGELIST, {"action": action, "_selected_action": [theirs.pk, mine.pk], "index": 0})
    theirs.refresh_from_db()
    mine.refresh_from_db()
    assert (theirs.status, theirs.assigned_rep) == (Status.SUBMITTED, None)
    assert not theirs.events.exists()
    assert (mine.status, mine.assigned_rep) == (Status.VERIFIED, rep)
    exported = "\n".join(",".join(row) for row in csv_rows(export(client, "csv")))
    assert mine.reference in exported
    assert theirs.reference not in exported
    assert not StaffAccess.objects.filter(incident=theirs).exists()


def test_rep_of_the_other_force_is_refused_the_first_forces_report(other_rep: User, mine: Incident) -> None:
    client = staff_client(other_rep)
    assert client.get(change_url(mine)).status_code == 404
    assert mine.reference not in client.get(CHANGELIST).content.decode()


def test_national_staff_see_every_force(national_staff: User, mine: Incident, theirs: Incident) -> None:
    content = staff_client(national_staff).get(CHANGELIST).content.decode()
    assert mine.reference in content and theirs.reference in content


def test_drafts_are_never_shown_to_staff(national_staff: User, officer: User) -> None:
    draft = IncidentFactory(officer=officer, status=Status.DRAFT)
    client = staff_client(national_staff)
    assert draft.reference not in client.get(CHANGELIST).content.decode()
    assert client.get(change_url(draft)).status_code == 404


def test_officer_cannot_use_the_admin(officer: User, mine: Incident) -> None:
    client = Client()
    client.force_login(officer)
    for url in (CHANGELIST, change_url(mine), history_url(mine), reverse("admin:index")):
        response = client.get(url)
        assert response.status_code == 302, url
        assert client.get(response["Location"]).status_code == 403


def test_search_finds_a_report_by_the_start_of_its_reference_or_a_whole_crime_reference(
    rep: User, officer: User, other_force_officer: User
) -> None:
    wanted = IncidentFactory(officer=officer, reported_to_force="yes", crime_reference="43/1234/26")
    wanted.reference = "AL-2026-7K3M9Q"
    wanted.save(update_fields=["reference"])
    near = IncidentFactory(officer=officer)
    near.reference = "AL-2026-7X3M9Q"
    near.save(update_fields=["reference"])
    theirs = IncidentFactory(officer=other_force_officer)
    theirs.reference = "AL-2026-7K3M9R"
    theirs.save(update_fields=["reference"])
    client = staff_client(rep)
    # What a rep remembers: the first characters, in any case, with or without "AL-".
    for term in ("AL-2026-7K", "al-2026-7k3", " AL-2026-7K3M9Q ", "2026-7K", "43/1234/26"):
        assert list(client.get(CHANGELIST, {"q": term}).context["cl"].result_list) == [wanted], term
    # Never a substring from the middle, and never another force's report.
    for term in ("7K3M9", "3M9Q", "43/1234"):
        assert list(client.get(CHANGELIST, {"q": term}).context["cl"].result_list) == [], term
    assert {i.reference for i in client.get(CHANGELIST, {"q": "AL-2026-7"}).context["cl"].result_list} == {
        wanted.reference,
        near.reference,
    }
    # The prefix is a LIKE with its wildcards escaped: a "%" or "_" typed is a character.
    assert list(client.get(CHANGELIST, {"q": "AL-2026-%"}).context["cl"].result_list) == []
    assert list(client.get(CHANGELIST, {"q": "AL-2026-_K"}).context["cl"].result_list) == []


@pytest.mark.parametrize(
    "query",
    [
        "status__exact=submitted",
        "force=1",
        "assault=spit",
        "injury__exact=none",
        "reported_to_force__exact=no",
        "assigned=me",
        "assigned=none",
        "assigned=others",
        "year=2025",
        "single_crewed__exact=yes",
        "waiting=over_7_days",
        "occurred_on__year=2026",
        "o=-2",
    ],
)
def test_every_filter_works(national_staff: User, mine: Incident, query: str) -> None:
    assert staff_client(national_staff).get(f"{CHANGELIST}?{query}").status_code == 200


def test_what_happened_filter_selects_by_assault(national_staff: User, officer: User) -> None:
    spat = IncidentFactory(officer=officer, assaults=["spit", "push"])
    kicked = IncidentFactory(officer=officer, assaults=["kick"])
    found = list(staff_client(national_staff).get(CHANGELIST + "?assault=spit").context["cl"].result_list)
    assert found == [spat]  # once, although it has two assault rows
    assert kicked not in found


@pytest.mark.parametrize("who", ["national_staff", "rep"])
@pytest.mark.parametrize("query", ["", "?status__exact=submitted&assault=kick&year=2026", "?occurred_on__year=2026"])
def test_change_list_query_count_does_not_grow_with_rows(
    request: pytest.FixtureRequest, officer: User, who: str, query: str, django_assert_max_num_queries: Any
) -> None:
    viewer = request.getfixturevalue(who)
    client = staff_client(viewer)
    day = datetime.date(2026, 6, 1)
    # Two pages already, so both counts read a page in two steps (ids, then rows).
    for _ in range(55):
        IncidentFactory(officer=officer, occurred_on=day, assaults=["kick", "spit"], assigned_rep=viewer)
    client.get(CHANGELIST + query)  # warm caches (content types, sessions)
    with CaptureQueriesContext(connection) as few:
        assert client.get(CHANGELIST + query).status_code == 200
    for _ in range(60):
        IncidentFactory(officer=officer, occurred_on=day, assaults=["kick"], assigned_rep=viewer)
    with django_assert_max_num_queries(len(few)):
        response = client.get(CHANGELIST + query)
    assert len(response.context["cl"].result_list) == 50


@pytest.mark.parametrize("url", [CHANGELIST, reverse("admin:incidents_staffaccess_changelist")])
def test_review_lists_count_no_further_than_the_cap(
    national_staff: User, officer: User, monkeypatch: pytest.MonkeyPatch, url: str
) -> None:
    from incidents.admin.incident import CappedCountPaginator

    for _ in range(5):
        incident = IncidentFactory(officer=officer)
        services.staff_access_record(actor=national_staff, action=StaffAction.VIEWED, incident=incident)
    monkeypatch.setattr(CappedCountPaginator, "CAP", 3)
    client = staff_client(national_staff)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    # Through the admin itself: the list's count stops at CAP + 1 and the page says "more than".
    assert response.context["cl"].result_count == 4
    assert "More than 3 " in response.content.decode()
    counts = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]
    assert counts and all("LIMIT" in sql.upper() for sql in counts), counts


def test_change_list_date_drill_down_offers_the_years_with_reports_without_reading_the_rows(
    national_staff: User, rep: User, officer: User, other_force_officer: User
) -> None:
    this_year = timezone.localdate().year
    old = IncidentFactory(officer=officer, occurred_on=datetime.date(2019, 5, 4))
    new = IncidentFactory(officer=officer)
    client = staff_client(national_staff)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(CHANGELIST).content.decode()
    sqls = " ".join(q["sql"].upper() for q in queries.captured_queries)
    assert "MIN(" not in sqls and "DISTINCT" not in sqls and "DATE_TRUNC" not in sqls
    # The years that hold a report, and no others (not every year since 2010).
    assert f"?occurred_on__year={this_year}" in page and "?occurred_on__year=2019" in page
    assert "?occurred_on__year=2018" not in page and "?occurred_on__year=2010" not in page
    # A rep is offered the years of their own forces' reports only.
    IncidentFactory(officer=other_force_officer, occurred_on=datetime.date(2016, 7, 1))
    assert "?occurred_on__year=2016" in staff_client(national_staff).get(CHANGELIST).content.decode()
    assert "?occurred_on__year=2016" not in staff_client(rep).get(CHANGELIST).content.decode()
    found = list(client.get(CHANGELIST + "?occurred_on__year=2019").context["cl"].result_list)
    assert found == [old]
    # Within a year, the months that hold reports; within a month, the days.
    months = client.get(CHANGELIST + "?occurred_on__year=2019").content.decode()
    assert "occurred_on__month=5" in months and "All dates" in months
    assert "occurred_on__month=12" not in months and "occurred_on__month=4" not in months
    days = client.get(CHANGELIST + "?occurred_on__year=2019&occurred_on__month=5").content.decode()
    assert "occurred_on__day=4" in days and "occurred_on__day=5" not in days
    found = list(client.get(CHANGELIST + "?occurred_on__year=2019&occurred_on__month=5").context["cl"].result_list)
    assert found == [old] and new not in found
    assert client.get(CHANGELIST + "?occurred_on__year=2019&occurred_on__month=5&occurred_on__day=4").status_code == 200


def test_filter_facets_are_never_counted(national_staff: User, officer: User) -> None:
    IncidentFactory(officer=officer)
    client = staff_client(national_staff)
    # Facets would run a COUNT per filter choice over the whole list: not a parameter here.
    response = client.get(CHANGELIST + "?_facets=1")
    assert (response.status_code, response["Location"]) == (302, CHANGELIST)
    assert not staff_client(national_staff).get(CHANGELIST).context["cl"].add_facets


def test_staff_access_log_is_searched_by_exact_reference_or_address(national_staff: User, officer: User) -> None:
    seen, unseen = IncidentFactory(officer=officer), IncidentFactory(officer=officer)
    services.staff_access_record(actor=national_staff, action=StaffAction.VIEWED, incident=seen)
    services.staff_access_record(actor=national_staff, action=StaffAction.VIEWED, incident=unseen)
    url = reverse("admin:incidents_staffaccess_changelist")
    client = staff_client(national_staff)
    rows = client.get(url, {"q": seen.reference.lower()}).context["cl"].result_list
    assert [row.incident for row in rows] == [seen]
    assert len(client.get(url, {"q": national_staff.email.upper()}).context["cl"].result_list) == 2
    assert len(client.get(url, {"q": national_staff.email[:5]}).context["cl"].result_list) == 0


def test_withheld_identity_stays_withheld_on_the_page_in_exports_and_timeline(
    rep: User, officer: User, django_capture_on_commit_callbacks: Any
) -> None:
    profile = officer.officer_profile
    profile.collar_number = "TV9911"
    profile.save()
    hidden = IncidentFactory(
        officer=officer,
        share_identity=False,
        setting="street",
        submitted_at=timezone.now() - datetime.timedelta(days=9),
    )
    # Events by the officer and by the rep, so the timeline has something to leak.
    services.incident_transition(incident=hidden, actor=rep, to=Status.IN_REVIEW)
    services.incident_transition(incident=hidden, actor=rep, to=Status.NEEDS_INFO, question="When exactly?")
    services.incident_answer_question(incident=hidden, actor=officer, answer="About ten past two")
    # A named report of the same officer, same day and setting: a candidate duplicate.
    named = IncidentFactory(officer=officer, share_identity=True, setting="street")
    identifying = (officer.email, profile.display_name, "TV9911")

    client = staff_client(rep)
    page = client.get(change_url(hidden)).content.decode()
    assert "Identity withheld" in page
    assert "About ten past two" in page and "When exactly?" in page  # the timeline and questions are there
    exported_csv = "\n".join(",".join(r) for r in csv_rows(export(client, "csv")))
    xlsx = export(client, "xlsx").content
    with zipfile.ZipFile(io.BytesIO(xlsx)) as archive:
        text = "".join(archive.read(name).decode() for name in archive.namelist() if name.endswith(".xml"))
    hidden_row = [row for row in xlsx_rows(xlsx) if row[0] == hidden.reference][0]
    with django_capture_on_commit_callbacks(execute=True):
        services.reps_waiting_digest_send()
    digest = "".join(m.subject + m.body for m in mail.outbox if rep.email in m.to)
    assert hidden.reference in digest
    for value in identifying:
        assert value not in page
        assert value not in " ".join(str(cell) for cell in hidden_row)
        assert value not in digest
    assert "Identity withheld" in text and "Identity withheld" in exported_csv
    # The named report carries the officer's name in the export; the withheld one does not.
    assert officer.email in exported_csv
    hidden_line = [line for line in exported_csv.splitlines() if line.startswith(hidden.reference)][0]
    assert all(value not in hidden_line for value in identifying)
    # The possible-duplicates panel does not put the named report beside the withheld one.
    assert f">{named.reference}</a>" not in page


def test_shared_identity_is_shown_to_the_rep(rep: User, officer: User) -> None:
    shown = IncidentFactory(officer=officer, share_identity=True)
    page = staff_client(rep).get(change_url(shown)).content.decode()
    assert officer.email in page
    assert officer.officer_profile.display_name in page


def test_export_neutralises_formulas_and_keeps_numbers(national_staff: User, officer: User) -> None:
    IncidentFactory(
        officer=officer,
        place='=HYPERLINK("http://evil.example","x")',
        narrative="@SUM(1+1)",
        reported_to_force="yes",
        crime_reference="-2+3",
        days_off_work=3,
    )
    client = staff_client(national_staff)
    header, row = csv_rows(export(client, "csv"))
    values = dict(zip(header, row, strict=True))
    assert values["Place"].startswith("'=HYPERLINK")
    assert values["Narrative"] == "'@SUM(1+1)"
    assert values["Crime reference"] == "'-2+3"
    assert values["Days off work"] == "3"

    content = export(client, "xlsx").content
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet  # no formula cells at all
    # Read back as a spreadsheet program would: text stays text, numbers stay numbers.
    cells = xlsx_rows(content)
    values = dict(zip(cells[0], cells[1], strict=True))
    assert values["Place"].startswith("'=HYPERLINK")
    assert values["Crime reference"] == "'-2+3"
    assert values["Days off work"] == 3


@pytest.mark.parametrize(
    "dangerous",
    ["=1+1", "+1", "-1", "@A1", "\t=1+1", "\r=1+1", "＝1+1", "＋1", "－1", "＠SUM(A1)"],
)
def test_export_neutralises_every_formula_trigger(national_staff: User, officer: User, dangerous: str) -> None:
    IncidentFactory(officer=officer, place=dangerous, narrative=dangerous)
    client = staff_client(national_staff)
    header, row = csv_rows(export(client, "csv"))
    values = dict(zip(header, row, strict=True))
    assert values["Place"] == values["Narrative"] == "'" + dangerous
    cells = xlsx_rows(export(client, "xlsx").content)
    values = dict(zip(cells[0], cells[1], strict=True))
    assert values["Place"] == "'" + dangerous


def test_export_with_filters_that_make_no_sense_says_so_and_exports_nothing(rep: User, mine: Incident) -> None:
    response = export(staff_client(rep), "csv", "?occurred_on__year=abc&nonsense__field=1")
    assert response.status_code == 302
    assert any("Nothing was exported" in str(m) for m in get_messages(response.wsgi_request))
    assert not StaffAccess.objects.filter(action=StaffAction.EXPORTED).exists()


def test_export_follows_the_change_lists_order(national_staff: User, officer: User) -> None:
    early = IncidentFactory(officer=officer, occurred_on=datetime.date(2024, 1, 1))
    late = IncidentFactory(officer=officer, occurred_on=datetime.date(2025, 1, 1))
    client = staff_client(national_staff)
    by_date = [row[0] for row in csv_rows(export(client, "csv", "?o=2"))[1:]]
    by_date_desc = [row[0] for row in csv_rows(export(client, "csv", "?o=-2"))[1:]]
    assert by_date == [early.reference, late.reference]
    assert by_date_desc == [late.reference, early.reference]


def test_narrative_is_exported_to_national_staff_only(rep: User, national_staff: User, mine: Incident) -> None:
    assert "Narrative" not in csv_rows(export(staff_client(rep), "csv"))[0]
    header, row = csv_rows(export(staff_client(national_staff), "csv"))[:2]
    assert dict(zip(header, row, strict=True))["Narrative"] == "Headbutted by the driver"


def test_export_needs_its_own_permission_and_is_logged(rep: User, mine: Incident) -> None:
    no_export = UserFactory(is_staff=True)
    from allauth.mfa.totp.internal.auth import TOTP

    from tests.conftest import TOTP_SECRET

    TOTP.activate(no_export, TOTP_SECRET)
    assert export(staff_client(no_export), "csv").status_code == 403
    response = export(staff_client(rep), "csv", "?status__exact=submitted")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    log = StaffAccess.objects.get(action=StaffAction.EXPORTED)
    assert (log.actor, log.detail["format"], log.detail["rows"]) == (rep, "csv", 1)
    assert log.detail["filters"] == {"status__exact": "submitted"}


def test_opening_a_report_records_an_access_event_visible_to_national_staff(
    rep: User, national_staff: User, mine: Incident
) -> None:
    page = staff_client(rep).get(change_url(mine)).content.decode()
    assert "Who viewed this report" not in page
    access = StaffAccess.objects.get(incident=mine)
    assert (access.actor, access.action) == (rep, StaffAction.VIEWED)
    national_page = staff_client(national_staff).get(change_url(mine)).content.decode()
    assert "Who viewed this report" in national_page
    assert rep.email in national_page
    log = staff_client(national_staff).get(reverse("admin:incidents_staffaccess_changelist"))
    assert log.status_code == 200
    assert staff_client(rep).get(reverse("admin:incidents_staffaccess_changelist")).status_code == 403


def test_rep_reviews_through_the_change_page(rep: User, mine: Incident) -> None:
    client = staff_client(rep)
    response = client.post(
        change_url(mine), review_post(mine, action="in_review", assigned_rep=rep.pk, note="Called PC.")
    )
    assert response.status_code == 302
    mine.refresh_from_db()
    assert (mine.status, mine.assigned_rep) == (Status.IN_REVIEW, rep)
    assert mine.notes.get().text == "Called PC."

    client.post(change_url(mine), review_post(mine, action="needs_info", question="Which arm?"))
    mine.refresh_from_db()
    assert mine.status == Status.NEEDS_INFO
    assert mine.questions.get().question == "Which arm?"
    page = client.get(change_url(mine)).content.decode()
    assert "Which arm?" in page
    assert "Status changed" in page  # the timeline


def test_impossible_change_is_refused_with_a_message_and_changes_nothing(rep: User, mine: Incident) -> None:
    client = staff_client(rep)
    # "verified" is not offered from submitted: the form refuses it.
    response = client.post(change_url(mine), review_post(mine, action="verified", note="should not stick"))
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    # Rejecting without a reason, asking without a question, a question or a reason without
    # the change they belong to: each refused beside its field, with what the rep typed kept.
    for change, message in (
        ({"action": "rejected"}, "Choose why the report is rejected."),
        ({"action": "rejected", "rejection_reason": "duplicate"}, "Give the reference of the report this one"),
        (
            {"action": "rejected", "rejection_reason": "duplicate", "duplicate_of_reference": mine.reference},
            "A duplicate must point to another report of the same force.",
        ),
        ({"question": "Which arm?"}, "To send this question, choose “Ask the officer a question”"),
        ({"rejection_reason": "mistake"}, "To reject the report, choose “Reject”"),
    ):
        response = client.post(change_url(mine), review_post(mine, note="keep this note", **change))
        page = response.content.decode()
        assert response.status_code == 200, change
        assert message in page and "keep this note</textarea>" in page, change
    mine.refresh_from_db()
    assert mine.status == Status.SUBMITTED
    assert not mine.notes.exists() and not mine.questions.exists()
    # Nor does the admin's own history claim a change.
    assert not LogEntry.objects.filter(object_id=str(mine.pk)).exists()
    response = client.post(change_url(mine), review_post(mine, note="this one sticks", _continue="1"))
    assert response.status_code == 302
    assert LogEntry.objects.filter(object_id=str(mine.pk)).count() == 1
    # The message says what the review did.
    assert [str(m) for m in get_messages(response.wsgi_request)] == [f"{mine.reference}: internal note added."]
    # Asking from "in review" without a question.
    services.incident_transition(incident=mine, actor=rep, to=Status.IN_REVIEW)
    response = client.post(change_url(mine), review_post(mine, action="needs_info", note="asked nothing"))
    assert response.status_code == 200
    assert "Write the question for the officer." in response.content.decode()
    assert not mine.questions.exists()


def test_a_rejected_report_shows_why_and_links_its_original(rep: User, officer: User) -> None:
    original = IncidentFactory(officer=officer)
    copy = IncidentFactory(officer=officer)
    services.incident_transition(incident=copy, actor=rep, to=Status.IN_REVIEW)
    services.incident_transition(
        incident=copy, actor=rep, to=Status.REJECTED, rejection_reason="duplicate", duplicate_of=original
    )
    page = staff_client(rep).get(change_url(copy)).content.decode()
    assert "Duplicate of another report" in page
    assert f'<a href="{change_url(original)}">{original.reference}</a>' in page


@pytest.fixture
def superuser_client(db: None) -> Client:
    user = make_staff(NATIONAL_GROUP)
    user.is_superuser = True
    user.save()
    return staff_client(user)


def add_profile(client: Client, user: User, force: Force) -> Any:
    data = {
        "user": user.pk,
        "force": force.pk,
        "display_name": "PC Test",
        "collar_number": "",
        "usual_duty": "response",
        "service_band": "under_2",
    }
    return client.post(reverse("admin:incidents_officerprofile_add"), data)


def test_a_staff_account_cannot_be_given_an_officer_profile(superuser_client: Client, force_a: Force) -> None:
    staff = UserFactory(is_staff=True)
    response = add_profile(superuser_client, staff, force_a)
    assert response.status_code == 200
    assert "officers and staff use separate accounts" in response.content.decode()
    assert not OfficerProfile.objects.filter(user=staff).exists()
    # Control: the same form accepts an ordinary user.
    plain = UserFactory()
    response = add_profile(superuser_client, plain, force_a)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert OfficerProfile.objects.filter(user=plain).exists()


def test_an_officer_cannot_be_made_staff(superuser_client: Client, officer: User) -> None:
    response = superuser_client.post(
        reverse("admin:incidents_user_change", args=[officer.pk]),
        {
            "email": officer.email,
            "first_name": "",
            "last_name": "",
            "is_active": "on",
            "is_staff": "on",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "00:00:00",
            "rep_forces-TOTAL_FORMS": "0",
            "rep_forces-INITIAL_FORMS": "0",
            "rep_forces-MIN_NUM_FORMS": "0",
            "rep_forces-MAX_NUM_FORMS": "1000",
        },
    )
    assert response.status_code == 200
    assert "cannot also be staff" in response.content.decode()
    officer.refresh_from_db()
    assert not officer.is_staff


def test_the_page_posts_to_the_review_view_which_writes_once_and_redirects(rep: User, mine: Incident) -> None:
    client = staff_client(rep)
    review = reverse("admin:incidents_incident_review", args=[mine.pk])
    page = client.get(change_url(mine))
    assert f'action="{review}"' in page.content.decode()
    response = client.post(review, review_post(mine, action="in_review", note="Phoned PC.", _continue="1"))
    assert (response.status_code, response["Location"]) == (302, change_url(mine))
    mine.refresh_from_db()
    assert mine.status == Status.IN_REVIEW and mine.notes.get().text == "Phoned PC."
    assert LogEntry.objects.filter(object_id=str(mine.pk)).count() == 1
    # The record below the form: the note and the timeline, drawn from the selector.
    page = client.get(change_url(mine))
    record = page.context["record"]
    assert [line.detail for line in record.notes] == ["Phoned PC."]
    # The timeline in words: labels, not stored codes, and no internal ids.
    details = [line.detail for line in record.timeline]
    assert "status: Submitted → In review" in details
    assert not any("_id" in detail or "in_review" in detail for detail in details)
    assert record.viewed_by is None  # who viewed it: national staff only
    assert "Phoned PC." in page.content.decode()


def test_the_review_view_writes_on_a_post_only_and_only_for_reports_in_scope(
    rep: User, other_rep: User, mine: Incident
) -> None:
    review = reverse("admin:incidents_incident_review", args=[mine.pk])
    # A reload of the page drawn after a refused review goes back to the report's page.
    assert staff_client(rep).get(review)["Location"] == change_url(mine)
    assert staff_client(other_rep).get(review).status_code == 404
    assert staff_client(other_rep).post(review, review_post(mine, note="Not mine")).status_code == 404
    for stray in ("abc", "99999999999999999999", "0"):
        url = reverse("admin:incidents_incident_review", args=[stray])
        assert staff_client(rep).post(url, review_post(mine, note="x")).status_code == 404
    assert not mine.notes.exists()


def test_a_half_filled_welfare_follow_up_is_shown_again_with_what_was_typed(rep: User, mine: Incident) -> None:
    review = reverse("admin:incidents_incident_review", args=[mine.pk])
    response = staff_client(rep).post(
        review, review_post(mine, note="Keep this text", welfare_contacted_on="2026-11-20")
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Choose the support offered, or clear the date." in page
    assert "Keep this text</textarea>" in page
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    response = staff_client(rep).post(
        review, review_post(mine, welfare_contacted_on=tomorrow, welfare_support_offered="welfare")
    )
    assert "A follow-up cannot be in the future." in response.content.decode()
    assert not mine.notes.exists() and not mine.welfare_contacts.exists()


def test_rep_records_welfare_follow_up_from_the_page(rep: User, mine: Incident) -> None:
    data = review_post(
        mine,
        **{
            "welfare_contacted_on": "2026-11-20",
            "welfare_contact_made": "on",
            "welfare_support_offered": "occupational_health",
        },
    )
    assert staff_client(rep).post(change_url(mine), data).status_code == 302
    contact = mine.welfare_contacts.get()
    assert (contact.support_offered, contact.recorded_by) == ("occupational_health", rep)
    assert mine.events.filter(kind=EventKind.WELFARE_RECORDED).exists()


def test_bulk_actions_report_changed_and_skipped(rep: User, officer: User) -> None:
    fresh = IncidentFactory(officer=officer)
    done = IncidentFactory(officer=officer, status=Status.VERIFIED)
    response = staff_client(rep).post(
        CHANGELIST, {"action": "start_review", "_selected_action": [fresh.pk, done.pk], "index": 0}, follow=True
    )
    text = " ".join(str(m) for m in response.context["messages"])
    assert "1 report moved to in review. Skipped: 1 not possible from verified." in text
    assert "delete_selected" not in response.content.decode()


def test_possible_duplicates_are_listed(rep: User, officer: User, colleague: User) -> None:
    first = IncidentFactory(officer=officer, setting="street")
    same_officer = IncidentFactory(officer=officer, setting="custody_suite")
    same_scene = IncidentFactory(officer=colleague, setting="street")
    page = staff_client(rep).get(change_url(first)).content.decode()
    assert same_officer.reference in page
    assert same_scene.reference in page


def test_possible_duplicates_never_tie_a_withheld_report_to_its_officer(rep: User, officer: User) -> None:
    named = IncidentFactory(officer=officer, setting="street", share_identity=True)
    withheld = IncidentFactory(officer=officer, setting="custody_suite", share_identity=False)
    client = staff_client(rep)
    named_page = client.get(change_url(named)).content.decode()
    withheld_page = client.get(change_url(withheld)).content.decode()
    # The named report's panel does not list the withheld one as the same officer's, nor the reverse.
    assert withheld.reference not in named_page
    assert named.reference not in withheld_page
    # Control: two named reports of the same officer are still linked.
    other_named = IncidentFactory(officer=officer, setting="vehicle", share_identity=True)
    assert other_named.reference in client.get(change_url(named)).content.decode()


def test_staff_without_two_factor_are_sent_to_set_it_up(mine: Incident) -> None:
    staff = UserFactory(is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(staff)
    response = client.get(CHANGELIST)
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")
    assert client.get(change_url(mine)).status_code == 302


def test_repeated_wrong_passwords_lock_the_sign_in_for_that_address(rep: User) -> None:
    EmailAddress.objects.create(user=rep, email=rep.email, verified=True, primary=True)
    client = Client()
    for _ in range(5):
        response = client.post(reverse("account_login"), {"login": rep.email, "password": "wrong-password"})
        assert response.status_code == 200
        assert "Too many failed login attempts" not in response.content.decode()
    # The sixth try is refused even with the right password, and nothing is signed in.
    response = client.post(reverse("account_login"), {"login": rep.email, "password": PASSWORD})
    assert response.status_code in (200, 429)
    assert "Too many failed login attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert client.get(CHANGELIST).status_code == 302
    # Another address from the same place is not locked out by it.
    other = UserFactory()
    EmailAddress.objects.create(user=other, email=other.email, verified=True, primary=True)
    response = client.post(reverse("account_login"), {"login": other.email, "password": PASSWORD})
    assert response.status_code == 302


def test_staff_sign_in_asks_for_the_two_factor_code(rep: User) -> None:
    EmailAddress.objects.create(user=rep, email=rep.email, verified=True, primary=True)
    client = Client()
    response = client.get(reverse("admin:index"), follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("account_login"))  # allauth's login, rate-limited
    response = client.post(reverse("account_login"), {"login": rep.email, "password": PASSWORD})
    assert response["Location"] == reverse("mfa_authenticate")
    assert client.get(CHANGELIST).status_code == 302  # not in yet
    response = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert response.status_code == 200  # wrong code: asked again
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code()})
    assert response.status_code == 302
    assert client.get(CHANGELIST).status_code == 200


def test_staff_are_signed_out_after_half_an_hour_idle_officers_are_not(rep: User, officer: User) -> None:
    client = staff_client(rep)
    assert client.get(CHANGELIST).status_code == 200
    assert client.cookies["sessionid"]["max-age"] == 30 * 60
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=20)):
        assert client.get(CHANGELIST).status_code == 200  # activity pushes the expiry on
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=45)):
        assert client.get(CHANGELIST).status_code == 200  # 25 minutes after the last request: still in
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=120)):
        response = client.get(CHANGELIST)
        assert response.status_code == 302
        assert "login" in response["Location"]
    officer_side = staff_client(officer)
    officer_side.get(reverse("incidents:list"))
    assert officer_side.session.get_expiry_age() > 24 * 3600


def test_the_access_log_records_that_an_export_was_searched_never_the_search_term(
    national_staff: User, officer: User
) -> None:
    """The term may be a crime reference, which is stored only encrypted."""
    IncidentFactory(officer=officer, reported_to_force="yes", crime_reference="43/1234/26")
    response = export(staff_client(national_staff), "csv", "?q=43/1234/26&status__exact=submitted")
    assert response.status_code == 200
    detail = StaffAccess.objects.get(action="exported").detail
    assert detail["searched"] is True and detail["rows"] == 1
    assert detail["filters"] == {"status__exact": "submitted"}
    assert "1234" not in repr(detail)
