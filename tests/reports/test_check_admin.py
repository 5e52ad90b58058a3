"""The recording check in the admin (issue 20): national staff draw a check through its page
(the precision first, then the draw), follow it on its page, move it on with its buttons and
download the registrar's sheet, which holds nothing about the officer. Reps and officers reach
none of it."""

from __future__ import annotations

import csv
import datetime
import io
import math
import re
import zipfile
from typing import Any

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from incidents.choices import RecordedAsCrime, ReportedToForce, StaffAction
from incidents.models import Incident, StaffAccess, User
from reports.choices import CheckFound, CheckOffence, CheckStatus
from reports.models import RecordingCheck, RecordingCheckEvent, RecordingCheckItem
from reports.services.checks import SHEET_COLUMNS, recording_check_draw, recording_check_transition
from tests.conftest import staff_client
from tests.factories import IncidentFactory

pytestmark = pytest.mark.django_db

TVP, YEAR = "E23000029", 2018
IN_YEAR = datetime.date(2018, 9, 1)
DRAW_URL = reverse("admin:reports_recordingcheck_add")
LIST_URL = reverse("admin:reports_recordingcheck_changelist")


def with_reference(officer: User, *, reference: str = "", said: str = RecordedAsCrime.YES) -> Incident:
    """A report of ``officer``'s in 2018/19, reported to the force with a crime reference."""
    incident = IncidentFactory(
        officer=officer,
        occurred_on=IN_YEAR,
        reported_to_force=ReportedToForce.YES,
        recorded_as_crime=said,
        narrative="He spat at me outside the station",
    )
    incident.crime_reference = reference or f"43/{incident.pk:06d}/18"
    incident.save()
    return incident


def drawn_check(officer: User, actor: User, *, reports: int = 4, size: int = 4) -> RecordingCheck:
    for _ in range(reports):
        with_reference(officer)
    return recording_check_draw(area=TVP, year=YEAR, size=size, stratified=False, actor=actor)


def answer(item: RecordingCheckItem, *, offence: str = CheckOffence.WITH_INJURY, recorded_on: datetime.date) -> None:
    RecordingCheckItem.objects.filter(pk=item.pk).update(
        found=CheckFound.YES, offence=offence, recorded_on=recorded_on, answered_at=timezone.now()
    )


def answered_check(officer: User, actor: User) -> RecordingCheck:
    check = drawn_check(officer, actor)
    answer(check.items.first(), recorded_on=datetime.date(2018, 10, 2))
    return recording_check_transition(check, to=CheckStatus.ANSWERED, actor=actor)


def page_url(check: RecordingCheck) -> str:
    return reverse("admin:reports_recordingcheck_change", args=[check.pk])


def sheet_url(check: RecordingCheck, file_format: str) -> str:
    return reverse("admin:reports_recordingcheck_sheet", args=[check.pk, file_format])


def status_url(check: RecordingCheck) -> str:
    return reverse("admin:reports_recordingcheck_status", args=[check.pk])


def text_of(response: Any) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


# -- the draw ---------------------------------------------------------------------------


def test_national_staff_see_how_many_are_eligible_and_the_precision_then_draw(
    officer: User, national_staff: User
) -> None:
    for _ in range(20):
        with_reference(officer)
    client = staff_client(national_staff)
    form = client.get(DRAW_URL)
    assert form.status_code == 200
    assert 'name="size" value="100"' in form.content.decode()  # 100 unless told otherwise
    assert ">Thames Valley</option>" in form.content.decode()  # forces by name
    assert ">2018/19</option>" in form.content.decode()

    values = {"area": TVP, "financial_year": "2018", "size": "10"}
    preview = client.post(DRAW_URL, {**values, "preview": "1"})
    # 1.96 * sqrt(0.5 * 0.5 / 10), in points: 30.99 (no finite population correction: the rate
    # stands for all the force's reported assaults)
    assert round(100 * 1.96 * math.sqrt(0.25 / 10)) == 31
    text = text_of(preview)
    assert "Thames Valley in 2018/19: nothing drawn yet" in text
    assert "10 of 20 crime references give the verified rate to about ±31 points, 95%." in text
    assert 'value="Draw 10 crime references"' in text
    assert not RecordingCheck.objects.exists()

    drawn = client.post(DRAW_URL, {**values, "draw": "1"})
    check = RecordingCheck.objects.get()
    assert drawn.status_code == 302 and drawn["Location"] == page_url(check)
    assert (check.area, check.financial_year, check.requested_size, check.stratified) == (TVP, 2018, 10, False)
    assert (check.eligible, check.items.count(), check.status, check.created_by) == (
        20,
        10,
        CheckStatus.DRAWN,
        national_staff,
    )
    assert f"Check {check.pk} drawn: 10 of 20 crime references." in text_of(client.get(page_url(check)))


def test_a_stratified_draw_through_the_page_and_a_size_above_what_is_eligible(
    officer: User, national_staff: User
) -> None:
    for said in (RecordedAsCrime.YES, RecordedAsCrime.YES, RecordedAsCrime.DONT_KNOW):
        with_reference(officer, said=said)
    client = staff_client(national_staff)
    values = {"area": TVP, "financial_year": "2018", "size": "50", "stratified": "on"}
    text = text_of(client.post(DRAW_URL, values))
    # 1.96 * sqrt(0.25 / 3) = 56.58 points
    assert "All 3 eligible crime references will be drawn: they give the verified rate to about ±57 points" in text
    assert "Drawn within each answer officers gave" in text
    client.post(DRAW_URL, {**values, "draw": "1"})
    check = RecordingCheck.objects.get()
    assert (check.stratified, check.items.count()) == (True, 3)


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"area": "E23000032", "financial_year": "2018", "size": "10"}, "carries a crime reference to check."),
        ({"area": TVP, "financial_year": "2019", "size": "10"}, "carries a crime reference to check."),
        ({"area": TVP, "financial_year": "2018", "size": "0"}, "Choose between 1 and 2,000 crime references."),
        ({"area": TVP, "financial_year": "2018", "size": "2001"}, "Choose between 1 and 2,000 crime references."),
        ({"area": TVP, "financial_year": "2018", "size": "1e9"}, "Enter a whole number between 1 and 2,000."),
        ({"area": "XX", "financial_year": "2018", "size": "10"}, "Choose a force from the list."),
        ({"area": TVP, "financial_year": "1999", "size": "10"}, "Choose a financial year from the list."),
        ({"area": TVP, "financial_year": "2018/19\x00", "size": "10"}, "Choose a financial year from the list."),
        ({"area": TVP, "size": "10"}, "This field is required."),
        ({}, "This field is required."),
    ],
)
@pytest.mark.parametrize("press", ["preview", "draw"])
def test_a_refused_draw_says_why_on_the_page_and_writes_nothing(
    officer: User, national_staff: User, values: dict[str, str], message: str, press: str
) -> None:
    with_reference(officer)
    response = staff_client(national_staff).post(DRAW_URL, {**values, press: "1"})
    assert response.status_code == 200
    text = text_of(response)
    assert message in text and "Nothing was drawn." in text
    assert not RecordingCheck.objects.exists() and not RecordingCheckItem.objects.exists()
    assert not RecordingCheckEvent.objects.exists()


def test_a_force_and_year_with_nothing_eligible_is_named_before_drawing_and_refused_by_the_draw(
    national_staff: User,
) -> None:
    client = staff_client(national_staff)
    values = {"area": "E23000032", "financial_year": "2018", "size": "10"}
    preview = client.post(DRAW_URL, {**values, "preview": "1"})
    assert "No report of Kent in 2018/19 carries a crime reference to check." in text_of(preview)
    assert "Draw 10" not in text_of(preview)
    drawn = client.post(DRAW_URL, {**values, "draw": "1"})
    assert "No report of this force in this year carries a crime reference to check." in text_of(drawn)
    assert not RecordingCheck.objects.exists()


# -- a check's page -----------------------------------------------------------------------


def test_a_checks_page_shows_its_facts_items_answers_and_history(
    officer: User, national_staff: User, django_assert_max_num_queries: object
) -> None:
    check = drawn_check(officer, national_staff, reports=12, size=10)
    items = list(check.items.order_by("row_id"))
    answer(items[0], recorded_on=datetime.date(2018, 10, 2))  # counted in 2018/19
    answer(items[1], recorded_on=datetime.date(2019, 4, 2))  # the next year: not counted
    answer(items[2], offence=CheckOffence.OTHER, recorded_on=datetime.date(2018, 10, 2))
    RecordingCheckItem.objects.filter(pk=items[2].pk).update(offence_other="Public order")
    RecordingCheckItem.objects.filter(pk=items[3].pk).update(incident=None)
    client = staff_client(national_staff)
    with django_assert_max_num_queries(13):  # not one per item
        page = client.get(page_url(check))
    assert page.status_code == 200
    text = text_of(page)
    for fact in ("Thames Valley", "2018/19", check.seed, "Drawn", national_staff.email):
        assert fact in text, fact
    assert '<th scope="row">Eligible reports when drawn</th><td>12</td>' in text
    assert "<caption>Crime references drawn (10)</caption>" in text
    rows = re.findall(r"<tr> <td>(RC-[0-9A-F]{8})[^<]*</td> (.*?)</tr>", text)
    assert [row_id for row_id, _ in rows] == [item.row_id for item in items]
    cells = {row_id: re.findall(r"<td>(.*?)</td>", rest) for row_id, rest in rows}
    assert cells[items[0].row_id] == ["Yes", "Found", "8S: assault with injury on a constable", "2 Oct 2018", "Yes"]
    assert cells[items[1].row_id][-1] == "No"
    assert cells[items[2].row_id][2] == "Another offence: Public order"
    assert cells[items[4].row_id] == ["Yes", "No answer yet", "", "", ""]
    assert f"{items[3].row_id} (report anonymised)" in text
    assert "10 of 12 crime references drawn" in text  # the history
    # The officer's report is not named on the page.
    for incident in Incident.objects.all():
        assert incident.reference not in text


def test_nothing_on_a_checks_page_can_be_edited_or_deleted(officer: User, national_staff: User) -> None:
    check = drawn_check(officer, national_staff)
    client = staff_client(national_staff)
    text = client.get(page_url(check)).content.decode()
    assert "<select" not in text and "<textarea" not in text
    assert not re.search(r'<input(?![^>]*type="(hidden|submit)")', text)  # buttons only
    posted = client.post(page_url(check), {"area": "E23000032", "financial_year": "2019", "status": "used"})
    assert posted.status_code == 405
    delete = reverse("admin:reports_recordingcheck_delete", args=[check.pk])
    assert client.get(delete).status_code == 403 and client.post(delete, {"post": "yes"}).status_code == 403
    check.refresh_from_db()
    assert (check.area, check.financial_year, check.status) == (TVP, YEAR, CheckStatus.DRAWN)
    assert RecordingCheck.objects.count() == 1


def test_the_page_offers_the_buttons_its_status_allows(officer: User, national_staff: User) -> None:
    check = drawn_check(officer, national_staff)
    client = staff_client(national_staff)
    drawn = client.get(page_url(check)).content.decode()
    for button in ("Download sheet (XLSX)", "Download sheet (CSV)", "Cancel check"):
        assert f'value="{button}"' in drawn
    assert reverse("admin:reports_recordingcheck_answers", args=[check.pk]) in drawn
    assert 'value="Use in the figures"' not in drawn and 'value="Stop using"' not in drawn
    answer(check.items.first(), recorded_on=IN_YEAR)
    recording_check_transition(check, to=CheckStatus.ANSWERED, actor=national_staff)
    answered = client.get(page_url(check)).content.decode()
    assert 'value="Use in the figures"' in answered
    assert reverse("admin:reports_recordingcheck_answers", args=[check.pk]) not in answered  # answers never change


def test_use_stop_using_and_cancel_each_ask_first_then_move_the_check(officer: User, national_staff: User) -> None:
    check = answered_check(officer, national_staff)
    client = staff_client(national_staff)

    asked = client.post(status_url(check), {"action": "use"})
    assert asked.status_code == 200
    text = text_of(asked)
    assert 'value="Yes, use it in the figures"' in text and "figures for Thames Valley 2018/19" in text
    check.refresh_from_db()
    assert check.status == CheckStatus.ANSWERED  # nothing yet

    used = client.post(status_url(check), {"action": "use", "confirm": "yes", "note": "Published to reps"})
    assert used.status_code == 302 and used["Location"] == page_url(check)
    check.refresh_from_db()
    assert check.status == CheckStatus.USED
    assert check.events.last().note == "Published to reps"
    assert f"Check {check.pk} is now used in the figures." in text_of(client.get(page_url(check)))

    assert 'value="Yes, stop using it"' in text_of(client.post(status_url(check), {"action": "stop"}))
    client.post(status_url(check), {"action": "stop", "confirm": "yes"})
    check.refresh_from_db()
    assert check.status == CheckStatus.ANSWERED

    cancel = text_of(client.post(status_url(check), {"action": "cancel"}))
    assert "This cannot be undone." in cancel and 'value="Yes, cancel this check"' in cancel
    client.post(status_url(check), {"action": "cancel", "confirm": "yes"})
    check.refresh_from_db()
    assert check.status == CheckStatus.CANCELLED
    assert list(check.events.values_list("status", flat=True)) == [
        CheckStatus.DRAWN,
        CheckStatus.ANSWERED,
        CheckStatus.USED,
        CheckStatus.ANSWERED,
        CheckStatus.CANCELLED,
    ]
    page = text_of(client.get(page_url(check)))
    assert 'value="Cancel check"' not in page and "Download sheet" not in page


def test_using_a_check_replaces_the_force_and_years_other_used_check(officer: User, national_staff: User) -> None:
    first = answered_check(officer, national_staff)
    recording_check_transition(first, to=CheckStatus.USED, actor=national_staff)
    second = recording_check_draw(area=TVP, year=YEAR, size=2, stratified=False, actor=national_staff)
    answer(second.items.first(), recorded_on=IN_YEAR)
    recording_check_transition(second, to=CheckStatus.ANSWERED, actor=national_staff)
    client = staff_client(national_staff)
    asked = text_of(client.post(status_url(second), {"action": "use"}))
    assert f"Check {first.pk}, used now, goes back to answered." in asked
    client.post(status_url(second), {"action": "use", "confirm": "yes"})
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (CheckStatus.ANSWERED, CheckStatus.USED)


@pytest.mark.parametrize(
    ("posted", "message"),
    [
        ({"action": "use", "confirm": "yes"}, "A check that is drawn cannot become used in the figures."),
        ({"action": "use"}, "A check that is drawn cannot become used in the figures."),
        ({"action": "stop", "confirm": "yes"}, "Only a check used in the figures can stop being used."),
        ({"action": "delete", "confirm": "yes"}, "That change is not one this page offers."),
        ({"action": "cancel", "confirm": "yes", "note": "x" * 201}, "That change is not one this page offers."),
        ({}, "That change is not one this page offers."),
    ],
)
def test_a_refused_move_says_why_and_changes_nothing(
    officer: User, national_staff: User, posted: dict[str, str], message: str
) -> None:
    check = drawn_check(officer, national_staff)
    response = staff_client(national_staff).post(status_url(check), posted, follow=True)
    assert response.status_code == 200
    assert message in text_of(response)
    check.refresh_from_db()
    assert check.status == CheckStatus.DRAWN and check.events.count() == 1


def test_a_cancelled_check_cannot_move_again(officer: User, national_staff: User) -> None:
    check = drawn_check(officer, national_staff)
    recording_check_transition(check, to=CheckStatus.CANCELLED, actor=national_staff)
    client = staff_client(national_staff)
    response = client.post(status_url(check), {"action": "cancel", "confirm": "yes"}, follow=True)
    assert "A check that is cancelled cannot become cancelled." in text_of(response)
    assert client.get(status_url(check)).status_code == 405  # the buttons post
    assert check.events.count() == 2


# -- the registrar's sheet ------------------------------------------------------------------


def sheet_world(officer: User, national_staff: User) -> tuple[RecordingCheck, list[Incident]]:
    profile = officer.officer_profile
    profile.collar_number = "TV4471"
    profile.save()
    reports = [with_reference(officer, reference='=HYPERLINK("http://x")'), with_reference(officer)]
    reports.append(with_reference(officer))
    check = recording_check_draw(area=TVP, year=YEAR, size=3, stratified=False, actor=national_staff)
    return check, reports


def assert_nothing_about_the_officer(text: str, officer: User, reports: list[Incident]) -> None:
    profile = officer.officer_profile
    for secret in (officer.email, profile.display_name, profile.collar_number, "He spat at me", "Thames Valley"):
        assert secret not in text, secret
    for report in reports:
        assert report.reference not in text


def test_the_xlsx_sheet_holds_the_columns_and_nothing_about_the_officer(officer: User, national_staff: User) -> None:
    check, reports = sheet_world(officer, national_staff)
    response = staff_client(national_staff).post(sheet_url(check, "xlsx"))
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="recording-check-{check.pk}-thames-valley-2018-19.xlsx"'
    )
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Recording check"]
    rows = list(workbook.active.iter_rows(values_only=True))
    assert rows[0] == SHEET_COLUMNS
    items = {item.row_id: item.incident for item in check.items.select_related("incident")}
    expected = sorted(
        (row_id, incident.crime_reference, "2018-09-01", None, None, None, None) for row_id, incident in items.items()
    )
    formula = next(row for row in expected if row[1].startswith("="))
    expected[expected.index(formula)] = (formula[0], "'" + formula[1], *formula[2:])  # kept as text
    assert rows[1:] == expected
    cells = [cell for row in workbook.active.iter_rows() for cell in row if cell.value is not None]
    assert all(cell.data_type == "s" for cell in cells)  # text only: no formula, no number
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    xml = " ".join(archive.read(name).decode() for name in archive.namelist())
    assert "<f>" not in xml  # no formula anywhere in the file
    assert_nothing_about_the_officer(xml, officer, reports)


def test_the_csv_sheet_holds_the_same_columns_formula_safe(officer: User, national_staff: User) -> None:
    check, reports = sheet_world(officer, national_staff)
    response = staff_client(national_staff).post(sheet_url(check, "csv"))
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith(f'filename="recording-check-{check.pk}-thames-valley-2018-19.csv"')
    content = b"".join(response.streaming_content).decode()
    assert content.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(content.lstrip("\ufeff"))))
    assert tuple(rows[0]) == SHEET_COLUMNS
    assert len(rows) == 4 and all(len(row) == len(SHEET_COLUMNS) for row in rows)
    references = {row[1] for row in rows[1:]}
    assert '\'=HYPERLINK("http://x")' in references
    assert {row[2] for row in rows[1:]} == {"2018-09-01"}
    assert all(row[3:] == ["", "", "", ""] for row in rows[1:])
    assert {row[0] for row in rows[1:]} == set(check.items.values_list("row_id", flat=True))
    assert_nothing_about_the_officer(content, officer, reports)


def test_a_row_whose_report_is_gone_keeps_its_row_id_only(officer: User, national_staff: User) -> None:
    check = drawn_check(officer, national_staff, reports=2, size=2)
    gone = check.items.first()
    RecordingCheckItem.objects.filter(pk=gone.pk).update(incident=None)
    response = staff_client(national_staff).post(sheet_url(check, "csv"))
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode().lstrip("\ufeff"))))
    assert [gone.row_id, "", "", "", "", "", ""] in rows


def test_the_first_download_marks_the_check_sent_and_every_download_is_logged(
    officer: User, national_staff: User
) -> None:
    check = drawn_check(officer, national_staff, reports=3, size=3)
    client = staff_client(national_staff)
    client.post(sheet_url(check, "xlsx"))
    check.refresh_from_db()
    assert check.status == CheckStatus.SENT
    assert check.events.last().note == "Sheet downloaded (XLSX)"
    b"".join(client.post(sheet_url(check, "csv")).streaming_content)
    check.refresh_from_db()
    assert check.status == CheckStatus.SENT and check.events.count() == 2  # sent once
    logged = list(StaffAccess.objects.order_by("pk").values_list("actor", "action", "incident", "detail"))
    assert logged == [
        (national_staff.pk, StaffAction.EXPORTED, None, {"recording_check": check.pk, "format": "xlsx", "rows": 3}),
        (national_staff.pk, StaffAction.EXPORTED, None, {"recording_check": check.pk, "format": "csv", "rows": 3}),
    ]


def test_a_cancelled_checks_sheet_is_not_given_and_a_get_or_unknown_format_is_refused(
    officer: User, national_staff: User
) -> None:
    check = drawn_check(officer, national_staff)
    client = staff_client(national_staff)
    assert client.get(sheet_url(check, "xlsx")).status_code == 405  # a download may change the status: POST
    assert client.post(sheet_url(check, "ods")).status_code == 404
    recording_check_transition(check, to=CheckStatus.CANCELLED, actor=national_staff)
    refused = client.post(sheet_url(check, "xlsx"), follow=True)
    assert "This check was cancelled" in text_of(refused)
    assert not StaffAccess.objects.exists()


# -- the list -------------------------------------------------------------------------------


def test_the_list_shows_each_check_by_force_name_and_filters_by_status_and_year(
    officer: User, national_staff: User, django_assert_max_num_queries: object
) -> None:
    check = drawn_check(officer, national_staff, reports=5, size=3)
    other = recording_check_draw(area=TVP, year=YEAR, size=2, stratified=True, actor=national_staff)
    recording_check_transition(other, to=CheckStatus.CANCELLED, actor=national_staff)
    client = staff_client(national_staff)
    with django_assert_max_num_queries(15):
        page = client.get(LIST_URL)
    text = text_of(page)
    assert page.status_code == 200
    assert "Thames Valley" in text and "2018/19" in text and national_staff.email in text
    assert "Draw a recording check" in text
    assert [c.pk for c in page.context["cl"].result_list] == [other.pk, check.pk]
    assert [c.drawn_count for c in page.context["cl"].result_list] == [2, 3]
    by_status = client.get(LIST_URL, {"status__exact": "cancelled"})
    assert [c.pk for c in by_status.context["cl"].result_list] == [other.pk]
    assert [c.pk for c in client.get(LIST_URL, {"year": "2018"}).context["cl"].result_list] == [other.pk, check.pk]
    assert client.get(LIST_URL, {"year": "2019"}).context["cl"].result_list.count() == 0
    refused = client.get(LIST_URL, {"status__exact": "lost", "area": TVP})
    assert refused.status_code == 302  # the list without the link's refused parts, with a message


# -- who may -----------------------------------------------------------------------------------


def check_urls(check: RecordingCheck) -> list[tuple[str, str]]:
    return [
        ("get", LIST_URL),
        ("get", DRAW_URL),
        ("post", DRAW_URL),
        ("get", page_url(check)),
        ("get", reverse("admin:reports_recordingcheck_history", args=[check.pk])),
        ("post", sheet_url(check, "xlsx")),
        ("post", sheet_url(check, "csv")),
        ("post", status_url(check)),
    ]


def test_a_rep_gets_403_on_every_page_of_the_recording_check(officer: User, national_staff: User, rep: User) -> None:
    check = drawn_check(officer, national_staff)
    client = staff_client(rep)
    values = {"area": TVP, "financial_year": "2018", "size": "2", "draw": "1", "action": "cancel", "confirm": "yes"}
    for method, url in check_urls(check):
        response = getattr(client, method)(url, values if method == "post" else None)
        assert response.status_code == 403, (method, url)
    check.refresh_from_db()
    assert check.status == CheckStatus.DRAWN and RecordingCheck.objects.count() == 1
    assert not StaffAccess.objects.exists()


def test_an_officer_is_sent_to_the_admins_sign_in_which_refuses_them(
    officer: User, officer_client: Client, national_staff: User
) -> None:
    check = drawn_check(officer, national_staff)
    values = {"area": TVP, "financial_year": "2018", "size": "2", "draw": "1", "action": "cancel", "confirm": "yes"}
    for method, url in check_urls(check):
        response = getattr(officer_client, method)(url, values if method == "post" else None, follow=True)
        assert response.status_code == 403, (method, url)
    check.refresh_from_db()
    assert check.status == CheckStatus.DRAWN and RecordingCheck.objects.count() == 1
    assert not StaffAccess.objects.exists()
