"""The recording check in the admin (issue 20): national staff draw a check through its page
(the precision first, then the draw), follow it on its page, move it on with its buttons and
download the registrar's sheet, which holds nothing about the officer. Reps and officers reach
none of it."""

from __future__ import annotations

import csv
import datetime
import html
import io
import math
import re
import uuid
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
from reports.importing.answers import parse_answers_file
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


def preview_token(client: Client, values: dict[str, str]) -> str:
    """The one-time token the preview of ``values`` carries to its draw button."""
    preview = client.post(DRAW_URL, {**values, "preview": "1"}).content.decode()
    match = re.search(r'<input type="hidden" name="token" value="([0-9a-f-]{36})">', preview)
    assert match, "the preview carries no token"
    return match.group(1)


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
    assert "10 of 20 crime references give the rate the registrar confirms to about ±31 points, 95%." in text
    assert "verified" not in text  # the dashboard's word for a report a rep verified
    assert 'value="Draw 10 crime references"' in text
    assert "already has" not in text  # no check of the force and year yet
    assert not RecordingCheck.objects.exists()

    token = preview_token(client, values)
    drawn = client.post(DRAW_URL, {**values, "token": token, "draw": "1"})
    check = RecordingCheck.objects.get()
    assert drawn.status_code == 302 and drawn["Location"] == page_url(check)
    assert (check.area, check.financial_year, check.requested_size, check.stratified) == (TVP, 2018, 10, False)
    assert (check.eligible, check.items.count(), check.status, check.created_by) == (
        20,
        10,
        CheckStatus.DRAWN,
        national_staff,
    )
    assert str(check.draw_token) == token
    assert f"Check {check.pk} drawn: 10 of 20 crime references." in text_of(client.get(page_url(check)))


def test_the_same_draw_sent_twice_draws_one_check_and_says_so(officer: User, national_staff: User) -> None:
    for _ in range(6):
        with_reference(officer)
    client = staff_client(national_staff)
    values = {"area": TVP, "financial_year": "2018", "size": "3"}
    sent = {**values, "token": preview_token(client, values), "draw": "1"}
    first = client.post(DRAW_URL, sent)
    again = client.post(DRAW_URL, sent)  # a double click, or back and resubmit
    check = RecordingCheck.objects.get()
    assert first["Location"] == again["Location"] == page_url(check)
    assert check.items.count() == 3 and check.events.count() == 1
    page = text_of(client.get(page_url(check)))
    assert f"Check {check.pk} drawn: 3 of 6 crime references." in page
    assert f"This draw was already made: check {check.pk}. Nothing more was drawn." in page
    # A new preview gives a new token, and with it a second check.
    client.post(DRAW_URL, {**values, "token": preview_token(client, values), "draw": "1"})
    assert RecordingCheck.objects.count() == 2


@pytest.mark.parametrize("token", [None, "", "not-a-token", "1234", str(uuid.uuid4()) + "x"])
def test_a_draw_without_a_token_from_the_preview_is_refused_with_a_clear_error(
    officer: User, national_staff: User, token: str | None
) -> None:
    with_reference(officer)
    posted = {"area": TVP, "financial_year": "2018", "size": "1", "draw": "1"}
    if token is not None:
        posted["token"] = token
    response = staff_client(national_staff).post(DRAW_URL, posted)
    assert response.status_code == 200
    text = text_of(response)
    assert "Nothing was drawn." in text
    assert "This draw was not prepared by this page: show how many are eligible again, then draw." in text
    assert not RecordingCheck.objects.exists()


def test_the_preview_names_the_force_and_years_checks_not_cancelled(officer: User, national_staff: User) -> None:
    for _ in range(4):
        with_reference(officer)
    used = recording_check_draw(area=TVP, year=YEAR, size=2, stratified=False, actor=national_staff)
    answer(used.items.first(), recorded_on=IN_YEAR)
    recording_check_transition(used, to=CheckStatus.ANSWERED, actor=national_staff)
    recording_check_transition(used, to=CheckStatus.USED, actor=national_staff)
    cancelled = recording_check_draw(area=TVP, year=YEAR, size=2, stratified=False, actor=national_staff)
    recording_check_transition(cancelled, to=CheckStatus.CANCELLED, actor=national_staff)
    client = staff_client(national_staff)
    values = {"area": TVP, "financial_year": "2018", "size": "2", "preview": "1"}
    text = text_of(client.post(DRAW_URL, values))
    link = f'<a href="{page_url(used)}">check {used.pk}</a>'
    assert (
        f"Thames Valley 2018/19 already has {link} (used in the figures). Drawing another does not replace it "
        "until you use the new one."
    ) in text
    assert page_url(cancelled) not in text

    sent = recording_check_draw(area=TVP, year=YEAR, size=2, stratified=False, actor=national_staff)
    recording_check_transition(sent, to=CheckStatus.SENT, actor=national_staff)
    text = text_of(client.post(DRAW_URL, values))
    second = f'<a href="{page_url(sent)}">check {sent.pk}</a>'
    assert f"already has {link} (used in the figures) and {second} (sent to the force). Drawing another does " in text
    assert "does not replace them until" in text
    # Another year's preview names none of them.
    assert "already has" not in text_of(client.post(DRAW_URL, {**values, "financial_year": "2019"}))


def test_a_stratified_draw_through_the_page_and_a_size_above_what_is_eligible(
    officer: User, national_staff: User
) -> None:
    for said in (RecordedAsCrime.YES, RecordedAsCrime.YES, RecordedAsCrime.DONT_KNOW):
        with_reference(officer, said=said)
    client = staff_client(national_staff)
    values = {"area": TVP, "financial_year": "2018", "size": "50", "stratified": "on"}
    text = text_of(client.post(DRAW_URL, values))
    # 1.96 * sqrt(0.25 / 3) = 56.58 points
    assert (
        "All 3 eligible crime references will be drawn: they give the rate the registrar confirms to about ±57 points"
    ) in text
    assert "Drawn within each answer officers gave" in text
    client.post(DRAW_URL, {**values, "token": preview_token(client, values), "draw": "1"})
    check = RecordingCheck.objects.get()
    assert (check.stratified, check.items.count()) == (True, 3)


@pytest.mark.parametrize(
    ("values", "message"),
    [
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
    response = staff_client(national_staff).post(DRAW_URL, {**values, "token": str(uuid.uuid4()), press: "1"})
    assert response.status_code == 200
    text = text_of(response)
    assert message in text and "Nothing was drawn." in text
    assert not RecordingCheck.objects.exists() and not RecordingCheckItem.objects.exists()
    assert not RecordingCheckEvent.objects.exists()


@pytest.mark.parametrize(("area", "year", "where"), [("E23000032", "2018", "Kent in 2018/19"), (TVP, "2019", None)])
def test_a_force_and_year_with_nothing_eligible_is_the_previews_outcome_not_an_error(
    officer: User, national_staff: User, area: str, year: str, where: str | None
) -> None:
    with_reference(officer)  # Thames Valley, 2018/19
    client = staff_client(national_staff)
    values = {"area": area, "financial_year": year, "size": "10"}
    preview = client.post(DRAW_URL, {**values, "preview": "1"})
    assert preview.status_code == 200
    text = text_of(preview)
    where = where or "Thames Valley in 2019/20"
    assert f"No report of {where} carries a crime reference: choose another force or year." in text
    assert "Please correct" not in text and "errornote" not in text and "Nothing was drawn" not in text
    assert "Draw 10" not in text and 'name="token"' not in text
    # Should its draw be sent all the same (reports withdrawn since the preview), it is refused.
    drawn = client.post(DRAW_URL, {**values, "token": str(uuid.uuid4()), "draw": "1"})
    assert "No report of this force in this year carries a crime reference to check." in text_of(drawn)
    assert not RecordingCheck.objects.exists()


# -- a check's page -----------------------------------------------------------------------


def review_url(incident_id: int) -> str:
    return reverse("admin:incidents_incident_change", args=[incident_id])


def test_a_checks_page_shows_its_facts_items_answers_and_history(
    officer: User, national_staff: User, django_assert_max_num_queries: object
) -> None:
    check = drawn_check(officer, national_staff, reports=12, size=10)
    items = list(check.items.select_related("incident").order_by("row_id"))
    answer(items[0], recorded_on=datetime.date(2018, 10, 2))  # counted in 2018/19
    answer(items[1], recorded_on=datetime.date(2019, 4, 2))  # the next year: not counted
    answer(items[2], offence=CheckOffence.OTHER, recorded_on=datetime.date(2018, 10, 2))
    RecordingCheckItem.objects.filter(pk=items[2].pk).update(offence_other="Public order")
    RecordingCheckItem.objects.filter(pk=items[3].pk).update(incident=None)
    client = staff_client(national_staff)
    with django_assert_max_num_queries(14):  # not one per item (one is the view's access log)
        page = client.get(page_url(check))
    assert page.status_code == 200
    text = text_of(page)
    for fact in ("Thames Valley", "2018/19", check.seed, "Drawn", national_staff.email):
        assert fact in text, fact
    assert '<th scope="row">Eligible reports when drawn</th><td>12</td>' in text
    assert f'<th scope="row">Seed</th><td class="wrap-anywhere">{check.seed}</td>' in text  # wraps on a phone
    assert '<caption id="items-caption">Crime references drawn (10)</caption>' in text
    rows = re.findall(r"<tr> <td>(RC-[0-9A-F]{8})[^<]*</td> (.*?)</tr>", text)
    assert [row_id for row_id, _ in rows] == [item.row_id for item in items]
    cells = {row_id: re.findall(r"<td>(.*?)</td>", rest) for row_id, rest in rows}
    assert cells[items[0].row_id] == ["Yes", "Found", "8S: assault with injury on a constable", "2 Oct 2018", "Yes"]
    assert cells[items[1].row_id][-1] == "No"
    assert cells[items[2].row_id][2] == "Another offence: Public order"
    assert cells[items[4].row_id] == ["Yes", "No answer yet", "", "", ""]
    assert f"{items[3].row_id} (report anonymised)" in text
    # Each row's crime reference, linked to its report's review page while the report is held.
    links = {row_id: re.findall(r'<td class="wrap-anywhere">(.*?)</td>', rest) for row_id, rest in rows}
    for item in items:
        if item.pk == items[3].pk:
            assert links[item.row_id] == [""]
        else:
            reference = item.incident.crime_reference
            assert links[item.row_id] == [f'<a href="{review_url(item.incident_id)}">{reference}</a>']
    assert "10 of 12 crime references drawn" in text  # the history
    # The report's own reference is not on the page: its link and crime reference are enough.
    for incident in Incident.objects.all():
        assert incident.reference not in text


def findings_rows(text: str) -> dict[str, list[str]]:
    """The table "What the check found": each row's numbers by its heading."""
    table = text.split('<caption id="findings-caption">What the check found</caption>')[1].split("</table>")[0]
    rows = re.findall(r'<tr><th scope="row">([^<]+)</th>((?:<td>[^<]*</td>)+)</tr>', html.unescape(table))
    return {said: re.findall(r"<td>([^<]*)</td>", cells) for said, cells in rows}


def test_a_checks_page_shows_what_it_found_by_the_officers_answer(officer: User, national_staff: User) -> None:
    said = [RecordedAsCrime.YES] * 3 + [RecordedAsCrime.NO] * 2 + [RecordedAsCrime.DONT_KNOW]
    reports = [with_reference(officer, said=answer_given) for answer_given in said]
    check = recording_check_draw(area=TVP, year=YEAR, size=6, stratified=False, actor=national_staff)
    item = {report.pk: check.items.get(incident=report) for report in reports}
    yes, no, dont_know = reports[:3], reports[3:5], reports[5]
    answer(item[yes[0].pk], recorded_on=datetime.date(2018, 10, 2))  # 8S in the year: counted
    answer(item[yes[1].pk], offence=CheckOffence.WITHOUT_INJURY, recorded_on=datetime.date(2019, 4, 2))  # next year
    # yes[2]: no answer yet
    RecordingCheckItem.objects.filter(pk=item[no[0].pk].pk).update(found=CheckFound.NO, answered_at=timezone.now())
    answer(item[no[1].pk], offence=CheckOffence.WITHOUT_INJURY, recorded_on=datetime.date(2019, 3, 31))  # counted
    answer(item[dont_know.pk], offence=CheckOffence.OTHER, recorded_on=datetime.date(2018, 10, 2))  # not counted
    text = text_of(staff_client(national_staff).get(page_url(check)))
    assert '<caption id="findings-caption">What the check found</caption>' in text
    # By hand: said recorded 1 counted of 2 answered (50%), said not recorded 1 of 2 (50%),
    # don't know 0 of 1; all 2 of 5 (40%); 1 of the 6 drawn unanswered.
    assert findings_rows(text) == {
        "Said recorded": ["3", "1", "2", "1", "50%"],
        "Said not recorded": ["2", "0", "2", "1", "50%"],
        "Don't know or not answered": ["1", "0", "1", "0", "0%"],
        "All": ["6", "1", "5", "2", "40%"],
    }


def test_a_drawn_checks_findings_are_all_unanswered(officer: User, national_staff: User) -> None:
    check = drawn_check(officer, national_staff)
    text = text_of(staff_client(national_staff).get(page_url(check)))
    assert findings_rows(text)["All"] == ["4", "4", "0", "0", "–"]
    assert "anonymised" not in text
    RecordingCheckItem.objects.filter(pk=check.items.first().pk).update(incident=None)
    text = text_of(staff_client(national_staff).get(page_url(check)))
    assert "1 of the rows with no answer is of a report anonymised since the draw: it cannot be answered." in text


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


def import_button(check: RecordingCheck) -> str:
    answers = reverse("admin:reports_recordingcheck_answers", args=[check.pk])
    return f'<form method="get" action="{answers}"><input type="submit" value="Import answers" class="default"></form>'


def test_the_page_offers_the_buttons_its_status_allows(officer: User, national_staff: User) -> None:
    check = drawn_check(officer, national_staff)
    client = staff_client(national_staff)
    drawn = client.get(page_url(check)).content.decode()
    for button in ("Download sheet (XLSX)", "Download sheet (CSV)", "Cancel check"):
        assert f'value="{button}"' in drawn
    assert import_button(check) in drawn  # the admin's default button, not a grey link
    assert 'value="Use in the figures"' not in drawn and 'value="Stop using"' not in drawn
    recording_check_transition(check, to=CheckStatus.SENT, actor=national_staff)
    assert import_button(check) in client.get(page_url(check)).content.decode()

    items = list(check.items.order_by("row_id"))
    answer(items[0], recorded_on=IN_YEAR)
    recording_check_transition(check, to=CheckStatus.ANSWERED, actor=national_staff)
    answered = client.get(page_url(check)).content.decode()
    assert 'value="Use in the figures"' in answered
    assert import_button(check) in answered  # three rows are still blank
    # Once the only blank rows are of reports anonymised since, there is nothing to import.
    for item in items[1:3]:
        answer(item, recorded_on=IN_YEAR)
    RecordingCheckItem.objects.filter(pk=items[3].pk).update(incident=None)
    assert "Import answers" not in client.get(page_url(check)).content.decode()
    RecordingCheckItem.objects.filter(pk=items[3].pk).update(incident=items[3].incident_id)
    assert import_button(check) in client.get(page_url(check)).content.decode()
    answer(items[3], recorded_on=IN_YEAR)
    assert "Import answers" not in client.get(page_url(check)).content.decode()  # every row answered

    RecordingCheckItem.objects.filter(pk=items[3].pk).update(found="", offence="", recorded_on=None, answered_at=None)
    recording_check_transition(check, to=CheckStatus.USED, actor=national_staff)
    used = client.get(page_url(check)).content.decode()
    assert "Import answers" not in used and 'value="Stop using"' in used  # stop using it first


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
        ({"action": "use", "confirm": "no"}, "A check that is drawn cannot become used in the figures."),
        ({"action": "stop", "confirm": "yes"}, "Only a check used in the figures can stop being used."),
        ({"action": "delete", "confirm": "yes"}, "That change is not one this page offers."),
        ({"action": "cancel", "confirm": "yes", "note": "x" * 201}, "Keep the note to 200 characters (it has 201)."),
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


def test_a_note_too_long_shows_the_confirmation_again_with_the_forms_message(
    officer: User, national_staff: User
) -> None:
    check = drawn_check(officer, national_staff)
    client = staff_client(national_staff)
    response = client.post(status_url(check), {"action": "cancel", "confirm": "yes", "note": "x" * 201})
    assert response.status_code == 200
    text = text_of(response)
    assert "Nothing was changed. Please correct the error below." in text
    assert "Keep the note to 200 characters (it has 201)." in text
    assert "not one this page offers" not in text
    assert 'value="Yes, cancel this check"' in text
    client.post(status_url(check), {"action": "cancel", "confirm": "yes", "note": "x" * 200})
    check.refresh_from_db()
    assert check.status == CheckStatus.CANCELLED and check.events.last().note == "x" * 200


def hidden_inputs(text: str) -> dict[str, str]:
    return dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', text))


@pytest.mark.parametrize("confirm", ["", "no", "YES", "yes ", "1", "true", "yesyes"])
def test_only_confirm_yes_moves_a_check_anything_else_asks_again(
    officer: User, national_staff: User, confirm: str
) -> None:
    check = drawn_check(officer, national_staff)
    client = staff_client(national_staff)
    asked = client.post(status_url(check), {"action": "cancel", "confirm": confirm})
    assert asked.status_code == 200
    assert 'value="Yes, cancel this check"' in text_of(asked)
    check.refresh_from_db()
    assert check.status == CheckStatus.DRAWN and check.events.count() == 1
    # What the confirmation's form sends is what moves the check.
    sent = hidden_inputs(asked.content.decode())
    assert (sent["action"], sent["confirm"]) == ("cancel", "yes")
    assert client.post(status_url(check), sent).status_code == 302
    check.refresh_from_db()
    assert check.status == CheckStatus.CANCELLED


def test_using_a_check_shows_what_it_found_and_warns_of_a_small_part_answered_check(
    officer: User, national_staff: User
) -> None:
    check = answered_check(officer, national_staff)  # 1 of 4 answered, counted
    text = text_of(staff_client(national_staff).post(status_url(check), {"action": "use"}))
    assert findings_rows(text)["Said recorded"] == ["4", "3", "1", "1", "100%"]
    method = reverse("reports:method") + "#recording-check"
    assert (
        "1 crime reference answered: a check of fewer than 50 answered references leaves the estimate a little "
        f'high and its interval wide; see <a href="{method}">the method, section 8.11</a>.'
    ) in text
    assert "3 of the 4 crime references drawn have no answer: the rates rest on the answered ones only." in text


def test_using_a_check_of_50_answered_references_warns_of_nothing(officer: User, national_staff: User) -> None:
    check = drawn_check(officer, national_staff, reports=50, size=50)
    check.items.update(
        found=CheckFound.YES, offence=CheckOffence.WITH_INJURY, recorded_on=IN_YEAR, answered_at=timezone.now()
    )
    recording_check_transition(check, to=CheckStatus.ANSWERED, actor=national_staff)
    text = text_of(staff_client(national_staff).post(status_url(check), {"action": "use"}))
    assert findings_rows(text)["All"] == ["50", "0", "50", "50", "100%"]
    assert "fewer than 50" not in text and "have no answer" not in text and "warning" not in text


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
    # The answers first (the importer reads the first sheet with the header), then how to fill it in.
    assert workbook.sheetnames == ["Recording check", "How to fill in"]
    sheet = workbook["Recording check"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == SHEET_COLUMNS
    items = {item.row_id: item.incident for item in check.items.select_related("incident")}
    assault = datetime.datetime(2018, 9, 1)  # a date cell, as openpyxl reads one
    expected = sorted(
        (row_id, incident.crime_reference, assault, None, None, None, None) for row_id, incident in items.items()
    )
    formula = next(row for row in expected if row[1].startswith("="))
    expected[expected.index(formula)] = (formula[0], "'" + formula[1], *formula[2:])  # kept as text
    assert rows[1:] == expected
    cells = [cell for row in sheet.iter_rows(min_row=2) for cell in row if cell.value is not None]
    assert {cell.column_letter: cell.data_type for cell in cells} == {"A": "s", "B": "s", "C": "d"}
    assert all(cell.number_format == "dd/mm/yyyy" for cell in cells if cell.column_letter == "C")
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    xml = " ".join(archive.read(name).decode() for name in archive.namelist())
    assert "<f>" not in xml  # no formula anywhere in the file
    assert_nothing_about_the_officer(xml, officer, reports)


def test_the_xlsx_sheet_helps_the_registrar_fill_it_in(officer: User, national_staff: User) -> None:
    check, _ = sheet_world(officer, national_staff)
    response = staff_client(national_staff).post(sheet_url(check, "xlsx"))
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = workbook["Recording check"]
    assert sheet.freeze_panes == "A2"  # the header stays in view
    assert all((sheet.column_dimensions[column].width or 0) >= 12 for column in "ABCDEFG")
    validations = {str(v.sqref): v for v in sheet.data_validations.dataValidation}
    assert validations["D2:D4"].type == "list" and validations["D2:D4"].formula1 == '"yes,no"'
    assert validations["E2:E4"].type == "list" and validations["E2:E4"].formula1 == '"8S,104,other"'
    recorded = validations["G2:G4"]
    assert (recorded.type, recorded.operator, recorded.promptTitle) == ("date", "greaterThanOrEqual", "Date recorded")
    assert "03/06/2018" in recorded.prompt and recorded.showInputMessage
    assert set(validations) == {"D2:D4", "E2:E4", "G2:G4"}
    how = "\n".join(
        " ".join(str(c) for c in row if c) for row in workbook["How to fill in"].iter_rows(values_only=True)
    )
    for told in (
        *SHEET_COLUMNS,
        "yes or no",
        "8S (assault with injury on a constable), 104 (assault without injury on a constable) or other",
        "A date, such as 03/06/2018",
        "Leave a row blank if you did not look it up.",
        "Do not change the row ids",
        "Save the file as it is (XLSX) and send it back",
    ):
        assert told in how, told


def test_a_filled_in_xlsx_sheet_imports(officer: User, national_staff: User) -> None:
    """The registrar's round trip: the sheet downloaded, filled in with a spreadsheet program
    (openpyxl here: typed values and a date cell), read back by the answers importer."""
    check = drawn_check(officer, national_staff, reports=3, size=3)
    response = staff_client(national_staff).post(sheet_url(check, "xlsx"))
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = workbook["Recording check"]
    row_ids = [sheet.cell(row=row, column=1).value for row in (2, 3, 4)]
    for column, value in zip("DEFG", ("yes", "8S", None, datetime.date(2018, 10, 2)), strict=True):
        sheet[f"{column}2"] = value
    sheet["D3"] = "no"
    # Row 4 left blank: not looked up.
    filled = io.BytesIO()
    workbook.save(filled)
    parsed = parse_answers_file(filled.getvalue(), check, today=datetime.date(2025, 1, 1))
    assert parsed.problems == []
    assert parsed.blank == 1
    assert [(a.row_id, a.found, a.offence, a.recorded_on) for a in parsed.answers] == [
        (row_ids[0], CheckFound.YES, CheckOffence.WITH_INJURY, datetime.date(2018, 10, 2)),
        (row_ids[1], CheckFound.NO, "", None),
    ]


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


def test_who_saw_a_checks_crime_references_on_its_page_is_logged(officer: User, national_staff: User) -> None:
    check = drawn_check(officer, national_staff, reports=3, size=3)
    client = staff_client(national_staff)
    response = client.get(page_url(check))
    assert response.status_code == 200
    reference = check.items.first().incident.crime_reference
    assert reference in response.content.decode()
    logged = list(StaffAccess.objects.values_list("actor", "action", "incident", "detail"))
    assert logged == [(national_staff.pk, StaffAction.VIEWED, None, {"recording_check": check.pk, "rows": 3})]
    # A page refused (another check's number) logs nothing.
    assert client.get(page_url(check).replace(f"/{check.pk}/", "/99999/")).status_code in (302, 404)
    assert StaffAccess.objects.count() == 1


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
    assert not StaffAccess.objects.filter(action=StaffAction.EXPORTED).exists()


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


def test_the_list_shows_each_checks_number_and_sorts_by_it(officer: User, national_staff: User) -> None:
    first = drawn_check(officer, national_staff, reports=3, size=1)
    second = recording_check_draw(area=TVP, year=YEAR, size=1, stratified=False, actor=national_staff)
    client = staff_client(national_staff)
    text = text_of(client.get(LIST_URL))
    assert 'class="sortable column-number' in text and ">Check</a>" in text
    for check in (first, second):
        assert f'<th class="field-number"><a href="{page_url(check)}">{check.pk}</a></th>' in text
    assert [c.pk for c in client.get(LIST_URL, {"o": "0"}).context["cl"].result_list] == [first.pk, second.pk]
    assert [c.pk for c in client.get(LIST_URL, {"o": "-0"}).context["cl"].result_list] == [second.pk, first.pk]


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
