"""The recording check's answers (issue 20): the registrar's filled-in sheet read back (CSV and
XLSX, the header found by name), each kind of bad row named by its sheet, line and column the
same way with nothing written, the dry run, re-imports, answers in batches (new answers for
blank rows; an answer in never changes; a used check takes none), the check's status and
history, the admin's answers page with its second press, and the answers with their row id on
a report's review page for national staff only."""

from __future__ import annotations

import csv
import datetime
import io
import re
from typing import Any

import openpyxl
import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from incidents.choices import NATIONAL_GROUP, RecordedAsCrime, ReportedToForce
from incidents.models import Incident, User
from reports.admin_check_answers import answers_import_page
from reports.choices import CheckFound, CheckOffence, CheckStatus
from reports.importing.answers import Answer, parse_answers_file
from reports.models import RecordingCheck, RecordingCheckEvent, RecordingCheckItem
from reports.services.check_answers import AnswersRefused, recording_check_answers_import
from reports.services.checks import SHEET_COLUMNS, recording_check_draw, recording_check_transition
from tests.conftest import make_staff, staff_client
from tests.factories import IncidentFactory

pytestmark = pytest.mark.django_db

TVP, YEAR = "E23000029", 2023
ASSAULT = datetime.date(2023, 9, 1)
TODAY = datetime.date(2024, 6, 1)


def with_reference(officer: User) -> Incident:
    incident = IncidentFactory(
        officer=officer, occurred_on=ASSAULT, reported_to_force=ReportedToForce.YES, recorded_as_crime="yes"
    )
    incident.crime_reference = f"43/{incident.pk:06d}/23"
    incident.save()
    return incident


@pytest.fixture
def check(officer: User, national_staff: User) -> RecordingCheck:
    for _ in range(3):
        with_reference(officer)
    return recording_check_draw(area=TVP, year=YEAR, size=3, stratified=False, actor=national_staff)


def row_ids(check: RecordingCheck) -> list[str]:
    return list(check.items.order_by("row_id").values_list("row_id", flat=True))


def sheet(check: RecordingCheck, answers: list[list[object]]) -> list[list[object]]:
    """The sheet as the registrar sends it back: the header, then each row's id, crime
    reference, date of assault and the four answers given (the rest left blank)."""
    rows: list[list[object]] = [list(SHEET_COLUMNS)]
    for row_id, answer in zip(row_ids(check), answers, strict=False):
        rows.append([row_id, "43/000001/23", ASSAULT.isoformat(), *answer])
    for row_id in row_ids(check)[len(answers) :]:
        rows.append([row_id, "43/000001/23", ASSAULT.isoformat(), "", "", "", ""])
    return rows


def as_csv(rows: list[list[object]]) -> bytes:
    text = io.StringIO()
    csv.writer(text).writerows(rows)
    return text.getvalue().encode()


def as_xlsx(rows: list[list[object]]) -> bytes:
    workbook = openpyxl.Workbook()
    worksheet = workbook.active
    assert worksheet is not None
    worksheet.title = "Recording check"
    for row in rows:
        worksheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


FILLED = [
    ["Yes", "8S", "", "05/09/2023"],
    ["n", "", "", ""],
    ["YES", "other", "Common assault", "2023-09-02"],
]


def answers_of(check: RecordingCheck) -> list[tuple[str, str, str, datetime.date | None]]:
    return list(check.items.order_by("row_id").values_list("found", "offence", "offence_other", "recorded_on"))


# -- reading the sheet -----------------------------------------------------------------------


@pytest.mark.parametrize("writer", [as_csv, as_xlsx])
def test_a_filled_sheet_imports_from_csv_and_xlsx(check: RecordingCheck, national_staff: User, writer: object) -> None:
    parsed = parse_answers_file(writer(sheet(check, FILLED)), check, today=TODAY)  # type: ignore[operator]
    assert parsed.problems == []
    plan = recording_check_answers_import(check, parsed.answers, actor=national_staff, dry_run=False)
    assert (len(plan.new), len(plan.unchanged), plan.unanswered) == (3, 0, 0)
    assert [line.answer for line in plan.new] == [
        "found, 8S, recorded 5 September 2023",
        "not found",
        "found, other (Common assault), recorded 2 September 2023",
    ]
    assert answers_of(check) == [
        (CheckFound.YES, CheckOffence.WITH_INJURY, "", datetime.date(2023, 9, 5)),
        (CheckFound.NO, "", "", None),
        (CheckFound.YES, CheckOffence.OTHER, "Common assault", datetime.date(2023, 9, 2)),
    ]
    assert not check.items.filter(answered_at=None).exists()


def test_a_workbooks_real_dates_and_a_moved_retitled_header_under_title_rows(check: RecordingCheck) -> None:
    ids = row_ids(check)
    rows: list[list[object]] = [
        ["Thames Valley Police: crime registrar's answers"],
        [],
        ["DATE RECORDED", "notes", "row_id", " found  (Yes/No) ", "Offence Code", "Which offence"],
        [datetime.date(2023, 9, 5), "checked twice", ids[0], "y", "8s", ""],
        [datetime.datetime(2023, 9, 6, 14, 30), "", ids[1], "Yes", "104", ""],
    ]
    parsed = parse_answers_file(as_xlsx(rows), check, today=TODAY)
    assert parsed.problems == []
    assert [(a.row_id, a.found, a.offence, a.recorded_on, a.line) for a in parsed.answers] == [
        (ids[0], "yes", "8S", datetime.date(2023, 9, 5), 4),
        (ids[1], "yes", "104", datetime.date(2023, 9, 6), 5),
    ]


def test_a_row_with_all_four_answers_blank_is_left_unanswered(check: RecordingCheck, national_staff: User) -> None:
    parsed = parse_answers_file(as_csv(sheet(check, FILLED[:1])), check, today=TODAY)
    assert (parsed.problems, len(parsed.answers), parsed.blank) == ([], 1, 2)
    plan = recording_check_answers_import(check, parsed.answers, actor=national_staff, dry_run=False)
    assert (len(plan.new), plan.unanswered) == (1, 2)
    assert check.items.filter(answered_at=None).count() == 2


@pytest.mark.parametrize(
    ("answer", "column", "message"),
    [
        (["maybe", "", "", ""], "Found (yes/no)", "'maybe' is not yes or no"),
        (["", "8S", "", "05/09/2023"], "Found (yes/no)", "say yes or no"),
        (["yes", "9X", "", "05/09/2023"], "Offence code (8S, 104 or other)", "'9X' is not 8S, 104 or other"),
        (["yes", "", "", "05/09/2023"], "Offence code (8S, 104 or other)", "give 8S, 104 or other"),
        (["yes", "other", "", "05/09/2023"], "If other: which offence", "say which offence it was recorded as"),
        (["yes", "8S", "Affray", "05/09/2023"], "If other: which offence", "leave this blank unless"),
        (["yes", "8S", "", ""], "Date recorded", "give the date the crime was recorded"),
        (["no", "", "", "05/09/2023"], "Date recorded", "leave this blank: the crime was not found"),
        (["no", "104", "", ""], "Offence code (8S, 104 or other)", "leave this blank: the crime was not found"),
        (["yes", "8S", "", "5th Sept"], "Date recorded", "'5th Sept' is not a date like 03/06/2018"),
        (["yes", "8S", "", "31/02/2024"], "Date recorded", "is not a date"),
        (["yes", "8S", "", "02/06/2024"], "Date recorded", "2 June 2024 is in the future"),
        (["yes", "8S", "", "2023-08-31"], "Date recorded", "31 August 2023 is before the assault (1 September 2023)"),
    ],
)
def test_each_kind_of_bad_answer_names_its_line_and_column_and_nothing_is_written(
    check: RecordingCheck, answer: list[str], column: str, message: str
) -> None:
    parsed = parse_answers_file(as_csv(sheet(check, [FILLED[0], answer])), check, today=TODAY)
    assert len(parsed.problems) == 1, parsed.problems
    [problem] = parsed.problems
    assert (problem.line, problem.column) == (3, column)
    assert message in problem.message
    assert str(problem).startswith(f"line 3, column '{column}': ")
    assert not check.items.exclude(found="").exists()


def test_row_ids_that_are_missing_repeated_or_of_another_check(check: RecordingCheck, national_staff: User) -> None:
    ids = row_ids(check)
    rows = sheet(check, [FILLED[0]])
    rows.append([ids[0], "", "", "no", "", "", ""])  # line 5: the first row again
    rows.append(["", "", "", "no", "", "", ""])  # line 6: no row id
    rows.append(["RC-00000000", "", "", "no", "", "", ""])  # line 7: no such row
    parsed = parse_answers_file(as_csv(rows), check, today=TODAY)
    assert [(p.line, p.column, p.message) for p in parsed.problems] == [
        (5, "Row id", f"{ids[0]} is already on line 2"),
        (6, "Row id", "the row id is missing: copy it from the sheet we sent"),
        (7, "Row id", f"RC-00000000 is not a row of this check (check {check.pk})"),
    ]
    # Nor are the rows of another check.
    other = recording_check_draw(area=TVP, year=YEAR, size=1, stratified=False, actor=national_staff)
    stray = [[row_ids(other)[0], "", "", "no", "", "", ""]]
    parsed = parse_answers_file(as_csv([list(SHEET_COLUMNS), *stray]), check, today=TODAY)
    assert [(p.line, p.column) for p in parsed.problems] == [(2, "Row id")]
    assert f"is not a row of this check (check {check.pk})" in parsed.problems[0].message


def test_every_problem_names_its_sheet_line_and_column_the_same_way(
    check: RecordingCheck, national_staff: User
) -> None:
    rows = sheet(check, [["perhaps", "", "", ""], ["yes", "8S", "", "2099-01-01"], ["yes", "8S", "", "2023-08-31"]])
    rows[0] = [column.upper() for column in SHEET_COLUMNS]  # retyped: still named as the sheet we sent
    rows.append(["RC-00000000", "", "", "no", "", "", ""])  # line 5: no such row
    rows.append(["", "", "", "no", "", "", ""])  # line 6: no row id
    parsed = parse_answers_file(as_xlsx(rows), check, today=TODAY)
    place = "sheet 'Recording check', line"
    assert [str(problem) for problem in parsed.problems] == [
        f"{place} 2, column 'Found (yes/no)': 'perhaps' is not yes or no",
        f"{place} 3, column 'Date recorded': 1 January 2099 is in the future",
        f"{place} 4, column 'Date recorded': 31 August 2023 is before the assault (1 September 2023)",
        f"{place} 5, column 'Row id': RC-00000000 is not a row of this check (check {check.pk})",
        f"{place} 6, column 'Row id': the row id is missing: copy it from the sheet we sent",
    ]
    # And a refusal by the check itself (an answer in would change) names its place the same way.
    recording_check_answers_import(check, answers(check), actor=national_staff, dry_run=False)
    changed = parse_answers_file(as_xlsx(sheet(check, [FILLED[1]])), check, today=TODAY)
    with pytest.raises(AnswersRefused) as refused:
        recording_check_answers_import(check, changed.answers, actor=national_staff, dry_run=True)
    assert str(refused.value.problems[0]).startswith(f"{place} 2, column 'Row id': {row_ids(check)[0]} already has")


def test_every_problem_of_a_file_is_listed_at_once_in_line_order(check: RecordingCheck) -> None:
    rows = sheet(check, [["yes", "8S", "", "2099-01-01"], ["perhaps", "", "", ""], ["yes", "8S", "", "1/9/2023"]])
    parsed = parse_answers_file(as_csv(rows), check, today=TODAY)
    assert [(p.line, p.column) for p in parsed.problems] == [(2, "Date recorded"), (3, "Found (yes/no)")]
    assert parsed.answers[-1].recorded_on == datetime.date(2023, 9, 1)  # d/m/yyyy without zeros


def test_a_file_without_the_columns_or_not_a_spreadsheet_says_so(check: RecordingCheck) -> None:
    header = ["Row id", "Crime reference", "Found (yes/no)", "Date recorded"]
    parsed = parse_answers_file(as_csv([header, ["RC-1", "x", "yes", ""]]), check)
    [problem] = parsed.problems
    assert problem.line == 1
    assert "the header lacks 'Offence code (8S, 104 or other)', 'If other: which offence'" in problem.message
    assert "no row looks like the sheet's header" in parse_answers_file(b"a,b\n1,2\n", check).problems[0].message
    assert "PDF" in parse_answers_file(b"%PDF-1.4 ...", check).problems[0].message
    assert "not a readable workbook" in parse_answers_file(b"PK\x03\x04 broken", check).problems[0].message
    twice = [*SHEET_COLUMNS, "Found"]
    assert "in the header twice" in parse_answers_file(as_csv([twice]), check).problems[0].message


# -- the service -------------------------------------------------------------------------------


def answers(check: RecordingCheck, rows: list[list[object]] = FILLED) -> list[Answer]:
    parsed = parse_answers_file(as_csv(sheet(check, rows)), check, today=TODAY)
    assert parsed.problems == []
    return parsed.answers


def test_a_dry_run_gives_the_plan_and_writes_nothing(check: RecordingCheck, national_staff: User) -> None:
    plan = recording_check_answers_import(check, answers(check), actor=national_staff, dry_run=True)
    assert (len(plan.new), plan.unanswered) == (3, 0)
    assert not check.items.exclude(found="").exists() and not check.items.exclude(answered_at=None).exists()
    check.refresh_from_db()
    assert check.status == CheckStatus.DRAWN and check.events.count() == 1


def test_an_import_moves_the_check_to_answered_with_an_event(check: RecordingCheck, national_staff: User) -> None:
    recording_check_answers_import(check, answers(check), actor=national_staff, dry_run=False)
    check.refresh_from_db()
    assert check.status == CheckStatus.ANSWERED
    event = check.events.last()
    assert event is not None
    assert (event.status, event.actor, event.note) == (
        CheckStatus.ANSWERED,
        national_staff,
        "3 answers imported: 2 found, 1 not found, 0 unanswered",
    )
    # No crime reference anywhere in the check's history.
    references = [i.crime_reference for i in Incident.objects.all()]
    assert not any(ref in e.note for ref in references for e in RecordingCheckEvent.objects.all())


def test_a_sent_check_is_answered_too(check: RecordingCheck, national_staff: User) -> None:
    recording_check_transition(check, to=CheckStatus.SENT, actor=national_staff)
    recording_check_answers_import(check, answers(check), actor=national_staff, dry_run=False)
    check.refresh_from_db()
    assert check.status == CheckStatus.ANSWERED


def test_importing_the_same_answers_again_changes_nothing_and_says_so(
    check: RecordingCheck, national_staff: User
) -> None:
    recording_check_answers_import(check, answers(check), actor=national_staff, dry_run=False)
    stamped = list(check.items.values_list("answered_at", flat=True))
    for status in (CheckStatus.ANSWERED, CheckStatus.USED):
        if status == CheckStatus.USED:
            recording_check_transition(check, to=CheckStatus.USED, actor=national_staff)
        events = check.events.count()
        plan = recording_check_answers_import(check, answers(check), actor=national_staff, dry_run=False)
        assert (len(plan.new), len(plan.unchanged)) == (0, 3)
        assert list(check.items.values_list("answered_at", flat=True)) == stamped
        assert check.events.count() == events
        check.refresh_from_db()
        assert check.status == status


def notes(check: RecordingCheck) -> list[tuple[str, str]]:
    return list(check.events.values_list("status", "note"))


def test_a_registrar_may_answer_in_two_batches(check: RecordingCheck, national_staff: User) -> None:
    recording_check_transition(check, to=CheckStatus.SENT, actor=national_staff)
    first = recording_check_answers_import(check, answers(check, FILLED[:1]), actor=national_staff, dry_run=False)
    assert (len(first.new), first.unanswered) == (1, 2)
    check.refresh_from_db()
    assert check.status == CheckStatus.ANSWERED
    stamped = check.items.exclude(answered_at=None).values_list("row_id", "answered_at").get()
    # The rest, in a file that repeats the first answer: new answers for the blank rows only.
    dry = recording_check_answers_import(check, answers(check), actor=national_staff, dry_run=True)
    assert (len(dry.new), len(dry.unchanged), dry.unanswered) == (2, 1, 0)
    assert answers_of(check)[1:] == [("", "", "", None)] * 2  # the dry run wrote nothing
    rest = recording_check_answers_import(check, answers(check), actor=national_staff, dry_run=False)
    assert [line.row_id for line in rest.new] == row_ids(check)[1:]
    assert answers_of(check) == [
        (CheckFound.YES, CheckOffence.WITH_INJURY, "", datetime.date(2023, 9, 5)),
        (CheckFound.NO, "", "", None),
        (CheckFound.YES, CheckOffence.OTHER, "Common assault", datetime.date(2023, 9, 2)),
    ]
    assert check.items.filter(row_id=stamped[0]).values_list("answered_at", flat=True).get() == stamped[1]
    check.refresh_from_db()
    assert check.status == CheckStatus.ANSWERED  # it stays answered, and its history says what came
    assert notes(check)[1:] == [
        (CheckStatus.SENT, ""),
        (CheckStatus.ANSWERED, "1 answer imported: 1 found, 0 not found, 2 unanswered"),
        (CheckStatus.ANSWERED, "2 more answers imported: 2 found, 1 not found, 0 unanswered"),
    ]
    assert check.events.last().actor == national_staff  # type: ignore[union-attr]
    references = [i.crime_reference for i in Incident.objects.all()]
    assert not any(ref in note for ref in references for _, note in notes(check))
    # The whole file once more: nothing changes, nothing is written.
    again = recording_check_answers_import(check, answers(check), actor=national_staff, dry_run=False)
    assert (len(again.new), len(again.unchanged)) == (0, 3) and len(notes(check)) == 4


@pytest.mark.parametrize("status", [CheckStatus.ANSWERED, CheckStatus.USED])
def test_an_answer_already_in_never_changes_and_the_refusal_names_its_rows(
    check: RecordingCheck, national_staff: User, status: str
) -> None:
    recording_check_answers_import(check, answers(check, FILLED[:2]), actor=national_staff, dry_run=False)
    if status == CheckStatus.USED:
        recording_check_transition(check, to=CheckStatus.USED, actor=national_staff)
    before, events = answers_of(check), check.events.count()
    ids = row_ids(check)
    # The first answer changed, the second as it was, the third row answered at last: all refused.
    changed = [["yes", "104", "", "05/09/2023"], FILLED[1], FILLED[2]]
    for dry_run in (True, False):
        with pytest.raises(AnswersRefused, match="1 answer in this file would change an answer already in") as refused:
            recording_check_answers_import(check, answers(check, changed), actor=national_staff, dry_run=dry_run)
        assert [str(problem) for problem in refused.value.problems] == [
            f"line 2, column 'Row id': {ids[0]} already has its answer (found, 8S, recorded 5 September 2023); "
            "this file says found, 104, recorded 5 September 2023"
        ]
    assert answers_of(check) == before and check.events.count() == events


def test_a_used_check_takes_no_new_answer_until_it_stops_being_used(
    check: RecordingCheck, national_staff: User
) -> None:
    recording_check_answers_import(check, answers(check, FILLED[:2]), actor=national_staff, dry_run=False)
    recording_check_transition(check, to=CheckStatus.USED, actor=national_staff)
    before, events = answers_of(check), check.events.count()
    used = (
        "This check is used in the figures: stop using it first, then import the remaining answers, then use it again"
    )
    for dry_run in (True, False):
        with pytest.raises(AnswersRefused, match=used):
            recording_check_answers_import(check, answers(check), actor=national_staff, dry_run=dry_run)
    assert answers_of(check) == before and check.events.count() == events
    # The answers already in, once more: nothing to do, and no refusal.
    same = recording_check_answers_import(check, answers(check, FILLED[:2]), actor=national_staff, dry_run=False)
    assert (len(same.new), len(same.unchanged)) == (0, 2)
    # Stopped, answered, used again.
    recording_check_transition(check, to=CheckStatus.ANSWERED, actor=national_staff)
    recording_check_answers_import(check, answers(check), actor=national_staff, dry_run=False)
    recording_check_transition(check, to=CheckStatus.USED, actor=national_staff)
    assert not check.items.filter(found="").exists()
    assert notes(check)[-2] == (CheckStatus.ANSWERED, "1 more answer imported: 2 found, 1 not found, 0 unanswered")


def test_a_cancelled_check_refuses_any_import(check: RecordingCheck, national_staff: User) -> None:
    recording_check_answers_import(check, answers(check, FILLED[:1]), actor=national_staff, dry_run=False)
    given, before = answers(check), answers_of(check)
    recording_check_transition(check, to=CheckStatus.CANCELLED, actor=national_staff)
    for rows in (FILLED, FILLED[:1]):  # the rest, or the same answers again
        with pytest.raises(AnswersRefused, match="cancelled"):
            recording_check_answers_import(check, answers(check, rows), actor=national_staff, dry_run=True)
    with pytest.raises(AnswersRefused, match="cancelled"):
        recording_check_answers_import(check, given, actor=national_staff, dry_run=False)
    assert answers_of(check) == before


def test_the_service_checks_the_answers_against_the_check_again(check: RecordingCheck, national_staff: User) -> None:
    stray = Answer("RC-FFFFFFFF", CheckFound.NO, line=9)
    with pytest.raises(AnswersRefused) as refused:
        recording_check_answers_import(check, [*answers(check), stray], actor=national_staff, dry_run=False)
    assert [(p.line, p.column) for p in refused.value.problems] == [(9, "Row id")]
    assert not check.items.exclude(found="").exists()


# -- the admin's answers page -----------------------------------------------------------------


def answers_url(check: RecordingCheck) -> str:
    return reverse("admin:reports_recordingcheck_answers", args=[check.pk])


def test_national_staff_check_a_sheet_see_its_values_then_import_it_with_one_more_press(
    check: RecordingCheck, national_staff: User
) -> None:
    client = staff_client(national_staff)
    assert client.get(answers_url(check)).status_code == 200
    upload = SimpleUploadedFile("answers.xlsx", as_xlsx(sheet(check, FILLED)))
    dry = client.post(answers_url(check), {"file": upload})
    text = dry.content.decode()
    assert dry.status_code == 200
    assert "New answers (3)" in text and "Found, other (Common assault), recorded 2 September 2023" in text
    assert "43/000001/23" not in text  # the crime references in the file are not shown back
    assert not check.items.exclude(found="").exists()
    [token] = re.findall(r'name="token" value="([0-9a-f-]+)"', text)
    done = client.post(answers_url(check), {"token": token})
    assert done.status_code == 302 and done["Location"] == reverse(
        "admin:reports_recordingcheck_change", args=[check.pk]
    )
    assert len(answers_of(check)) == 3 and not check.items.filter(found="").exists()
    check.refresh_from_db()
    assert check.status == CheckStatus.ANSWERED
    again = client.post(answers_url(check), {"token": token}, follow=True)
    assert "no longer waiting" in again.content.decode()
    # The same file again: nothing to import, and the page says so.
    upload = SimpleUploadedFile("answers.xlsx", as_xlsx(sheet(check, FILLED)))
    same = client.post(answers_url(check), {"file": upload}).content.decode()
    assert "This file changes nothing" in same and 'name="token"' not in same


def test_the_page_takes_the_rest_of_the_answers_later_and_says_how_many_rows_stay_blank(
    check: RecordingCheck, national_staff: User
) -> None:
    client = staff_client(national_staff)
    recording_check_answers_import(check, answers(check, FILLED[:1]), actor=national_staff, dry_run=False)
    page = client.get(answers_url(check)).content.decode()
    assert "2 of the check's 3 rows have no answer yet." in page
    dry = client.post(answers_url(check), {"file": SimpleUploadedFile("b.xlsx", as_xlsx(sheet(check, FILLED[:2])))})
    text = dry.content.decode()
    assert "New answers (1)" in text and "Answers already in, unchanged (1)" in text
    assert (
        "After this file, 1 of the check's 3 rows will still be blank: a later file from the registrar can fill it."
        in text
    )
    # The plan's tables fill the page, by a class in a stylesheet: the CSP forbids inline styles.
    assert text.count('<table class="full-width">') == 2 and " style=" not in text
    [token] = re.findall(r'name="token" value="([0-9a-f-]+)"', text)
    done = client.post(answers_url(check), {"token": token}, follow=True).content.decode()
    assert "Imported b.xlsx: 1 new answer (1 already in; 1 row of the check still blank, for a later file)." in done
    assert check.items.filter(found="").count() == 1
    check.refresh_from_db()
    assert check.status == CheckStatus.ANSWERED
    last = client.post(answers_url(check), {"file": SimpleUploadedFile("c.csv", as_csv(sheet(check, FILLED)))})
    assert "After this file, every row of the check has an answer." in last.content.decode()


def test_the_page_refuses_a_changed_answer_naming_its_row_at_the_dry_run_and_at_the_import(
    check: RecordingCheck, national_staff: User
) -> None:
    client = staff_client(national_staff)
    # Two files checked before either is imported: the first in, the second changes its answer.
    dry = [
        client.post(answers_url(check), {"file": SimpleUploadedFile(name, as_xlsx(sheet(check, rows)))})
        for name, rows in (("a.xlsx", FILLED[:1]), ("b.xlsx", [FILLED[1]]))
    ]
    first, second = (re.findall(r'name="token" value="([0-9a-f-]+)"', page.content.decode())[0] for page in dry)
    client.post(answers_url(check), {"token": first})
    row_id = row_ids(check)[0]
    late = client.post(answers_url(check), {"token": second}, follow=True).content.decode()
    assert "Nothing was imported. 1 answer in this file would change an answer already in" in late
    assert f"sheet &#x27;Recording check&#x27;, line 2, column &#x27;Row id&#x27;: {row_id} already has" in late
    page = client.post(answers_url(check), {"file": SimpleUploadedFile("b.xlsx", as_xlsx(sheet(check, [FILLED[1]])))})
    text = page.content.decode()
    assert "Nothing was imported. 1 answer in this file would change" in text and 'name="token"' not in text
    assert f"{row_id} already has its answer (found, 8S, recorded 5 September 2023); this file says not found" in text
    assert answers_of(check)[0] == (CheckFound.YES, CheckOffence.WITH_INJURY, "", datetime.date(2023, 9, 5))


def test_the_checked_answers_wait_for_their_uploader_one_day(
    check: RecordingCheck, national_staff: User, settings: Any
) -> None:
    settings.STAFF_SESSION_IDLE_SECONDS = 3 * 24 * 3600  # a session that outlives the day
    client = staff_client(national_staff)
    dry = client.post(answers_url(check), {"file": SimpleUploadedFile("a.csv", as_csv(sheet(check, FILLED)))})
    [token] = re.findall(r'name="token" value="([0-9a-f-]+)"', dry.content.decode())
    # Nobody else can confirm them: another of the national staff has nothing under that token.
    colleague = staff_client(make_staff(NATIONAL_GROUP))
    assert "no longer waiting" in colleague.post(answers_url(check), {"token": token}, follow=True).content.decode()
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=25)):
        late = client.post(answers_url(check), {"token": token}, follow=True)
    assert "no longer waiting" in late.content.decode()
    assert client.post(answers_url(check), {"token": "not-a-token"}, follow=True).status_code == 200
    assert not check.items.exclude(found="").exists()


def test_the_page_refuses_a_bad_file_with_its_problems_and_writes_nothing(
    check: RecordingCheck, national_staff: User
) -> None:
    client = staff_client(national_staff)
    bad = sheet(check, [FILLED[0], ["perhaps", "", "", ""]])
    page = client.post(answers_url(check), {"file": SimpleUploadedFile("a.csv", as_csv(bad))})
    text = page.content.decode()
    assert page.status_code == 200
    assert "1 problem: nothing was imported" in text
    assert "line 3, column &#x27;Found (yes/no)&#x27;: &#x27;perhaps&#x27; is not yes or no" in text
    assert 'name="token"' not in text
    for content in (b"%PDF-1.4", b"\x00\x01\x02", b"\xff\xfe" + "a,b".encode("utf-16-le")):
        page = client.post(answers_url(check), {"file": SimpleUploadedFile("a.csv", content)})
        assert page.status_code == 200 and "nothing was imported" in page.content.decode()
    assert client.post(answers_url(check), {}).status_code == 200  # no file: the form says so
    recording_check_transition(check, to=CheckStatus.CANCELLED, actor=national_staff)
    upload = SimpleUploadedFile("a.csv", as_csv(sheet(check, FILLED)))
    refused = client.post(answers_url(check), {"file": upload}, follow=True).content.decode()
    assert "This check was cancelled" in refused
    assert not check.items.exclude(found="").exists()


@pytest.mark.parametrize("who", ["rep", "officer"])
def test_reps_and_officers_cannot_open_or_post_to_the_answers_page(
    request: pytest.FixtureRequest, check: RecordingCheck, who: str
) -> None:
    user = request.getfixturevalue(who)
    client = staff_client(user)
    upload = SimpleUploadedFile("a.csv", as_csv(sheet(check, FILLED)))
    if who == "rep":
        assert client.get(answers_url(check)).status_code == 403
        assert client.post(answers_url(check), {"file": upload}).status_code == 403
    else:
        # Not staff: the admin sends them to sign in.
        assert client.get(answers_url(check)).status_code == 302
    # And the page itself refuses them, whoever routes to it.
    page = RequestFactory().get(answers_url(check))
    page.user = user
    with pytest.raises(PermissionDenied):
        answers_import_page(None, page, check)
    assert not check.items.exclude(found="").exists()


# -- a report's review page -----------------------------------------------------------------


def test_national_staff_see_the_registrars_answer_on_the_report_and_a_rep_does_not(
    check: RecordingCheck, national_staff: User, rep: User
) -> None:
    recording_check_answers_import(check, answers(check), actor=national_staff, dry_run=False)
    item = check.items.order_by("row_id").first()
    assert isinstance(item, RecordingCheckItem) and item.incident is not None
    url = reverse("admin:incidents_incident_change", args=[item.incident.pk])
    page = staff_client(national_staff).get(url).content.decode()
    assert "Recording check" in page and f"Check {check.pk}, 2023/24" in page
    check_url = reverse("admin:reports_recordingcheck_change", args=[check.pk])
    assert f'<a href="{check_url}">Check {check.pk}, 2023/24</a></td>\n          <td>{item.row_id}</td>' in page
    assert "Found, 8S, recorded 5 September 2023" in page
    rep_page = staff_client(rep).get(url)
    assert rep_page.status_code == 200
    hidden = rep_page.content.decode()
    assert "Recording check" not in hidden and "5 September 2023" not in hidden and item.row_id not in hidden


def test_a_report_never_drawn_shows_no_recording_check(officer: User, national_staff: User) -> None:
    incident = IncidentFactory(officer=officer, recorded_as_crime=RecordedAsCrime.YES)
    page = staff_client(national_staff).get(reverse("admin:incidents_incident_change", args=[incident.pk]))
    assert page.status_code == 200 and "Recording check" not in page.content.decode()
