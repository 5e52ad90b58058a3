"""The estimate checked against force records on the pages (issue 20): shown beside the
officers' own once national staff use a check, to the force's reps and national staff, in the
CSV and the briefing; never before it is used, and never on another force's page."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.urls import reverse

from incidents.choices import RecordedAsCrime, ReportedToForce
from incidents.models import Force, User
from reports.choices import CheckFound, CheckOffence, CheckStatus
from reports.models import RecordingCheck
from reports.services import snapshots_recompute
from reports.services.checks import recording_check_draw, recording_check_transition
from reports.tables import Viewer, pair_text
from tests.conftest import staff_client
from tests.factories import IncidentFactory, OfficialFigureFactory, make_officer

pytestmark = pytest.mark.django_db

TVP, YEAR = "E23000029", 2023
FORCE_PAGE = reverse("reports:force", args=["thames-valley"])


@pytest.fixture
def check(force_a: Force, national_staff: User) -> RecordingCheck:
    """Thames Valley 2023/24: 40 reported assaults by 20 officers, each with a crime reference
    (30 said recorded, 5 not, 5 don't know), an official figure of 500, and a check of all 40:
    24 of the 30 "yes" counted (6 under another offence), 1 of the 5 "no", 3 of the 5 "don't know"."""
    officers = [make_officer("thames-valley") for _ in range(20)]
    said = [RecordedAsCrime.YES] * 30 + [RecordedAsCrime.NO] * 5 + [RecordedAsCrime.DONT_KNOW] * 5
    for number, answer in enumerate(said):
        incident = IncidentFactory(
            officer=officers[number % 20],
            occurred_on=datetime.date(2023, 5, 1) + datetime.timedelta(days=number),
            reported_to_force=ReportedToForce.YES,
            recorded_as_crime=answer,
        )
        incident.crime_reference = f"43/{number:06d}/23"
        incident.save()
    OfficialFigureFactory(area=TVP, financial_year=YEAR, total=500)
    drawn = recording_check_draw(area=TVP, year=YEAR, size=40, stratified=True, actor=national_staff)
    counted = {RecordedAsCrime.YES: 24, RecordedAsCrime.NO: 1, RecordedAsCrime.DONT_KNOW: 3}
    now = datetime.datetime.now(datetime.UTC)
    for answer, how_many in counted.items():
        for number, item in enumerate(drawn.items.filter(officer_said=answer).order_by("incident_id")):
            item.found = CheckFound.YES
            item.offence = CheckOffence.WITHOUT_INJURY if number < how_many else CheckOffence.OTHER
            item.offence_other = "" if number < how_many else "Affray"
            item.recorded_on = datetime.date(2023, 8, 1)
            item.answered_at = now
            item.save()
    recording_check_transition(drawn, to=CheckStatus.ANSWERED, actor=national_staff)
    snapshots_recompute(years=[YEAR])
    return drawn


def cells(user: User) -> dict[str, str]:
    response = staff_client(user).get(FORCE_PAGE, {"year": YEAR})
    assert response.status_code == 200
    return response.context["figures"].cells


def test_nothing_of_a_check_shows_until_national_staff_use_it(check: RecordingCheck, rep: User) -> None:
    assert cells(rep)["verified_sentence"] == ""
    page = staff_client(rep).get(FORCE_PAGE, {"year": YEAR}).content.decode()
    assert "Checked against force records" not in page


def test_a_used_check_shows_beside_the_officers_own_to_the_forces_rep(
    check: RecordingCheck, rep: User, national_staff: User
) -> None:
    recording_check_transition(check, to=CheckStatus.USED, actor=national_staff)
    snapshots_recompute(years=[YEAR])
    shown = cells(rep)
    assert shown["verified_sentence"].startswith(
        "Checked against force records for a random sample of 40 crime references: the force's crime registrar "
        "found 28 of them counted as offence 8S or 104 in the year."
    )
    # Fewer "yes" confirmed than said: a smaller share, a larger true number.
    own, checked = (int(shown[key].split(" ")[0].replace(",", "")) for key in ("implied", "verified_implied"))
    assert checked > own
    page = staff_client(rep).get(FORCE_PAGE, {"year": YEAR}).content.decode()
    assert "Estimated true number, checked against force records (95% interval)" in page
    assert "Estimated true number (95% interval), from officers' answers" in page
    # Small counts of the check hidden for the rep, as every count under 5 is.
    assert (
        "Counted, of those officers said were recorded, 24 of 30; of those officers did not know about, fewer than 5 "
        "of 5; of those officers said were not recorded, fewer than 5 of 5." in shown["verified_sentence"]
    )
    assert shown["verified_implied"] in page and shown["implied"] in page


def test_the_csv_and_the_briefing_carry_it(check: RecordingCheck, rep: User, national_staff: User) -> None:
    recording_check_transition(check, to=CheckStatus.USED, actor=national_staff)
    snapshots_recompute(years=[YEAR])
    client = staff_client(rep)
    response = client.get(FORCE_PAGE, {"format": "csv", "table": "trend"})
    header, *rows = csv.reader(io.StringIO(response.content.decode("utf-8-sig")))
    row = dict(zip(header, next(r for r in rows if r[1] == "2023/24"), strict=True))
    assert row["Recording check: crime references checked against force records"] == "40"
    assert row["Recording check: of them, counted in 8S or 104 that year"] == "28"
    assert float(row["Checked against force records: estimated true number"]) > float(row["Estimated true number"])
    assert "not a count" in row["Caveat"]
    briefing = client.get(reverse("reports:briefing", args=["thames-valley", YEAR])).content.decode()
    assert "Checked against force records for a random sample of 40 crime references" in briefing


def test_small_check_counts_are_hidden_outside_national_staff(
    check: RecordingCheck, rep: User, national_staff: User
) -> None:
    """A check whose references mostly went unanswered: 4 answered, all counted."""
    check.items.exclude(officer_said=RecordedAsCrime.YES).update(found="", offence="", answered_at=None)
    kept = list(check.items.filter(officer_said=RecordedAsCrime.YES).order_by("incident_id")[:4])
    check.items.exclude(pk__in=[item.pk for item in kept]).update(found="", offence="", answered_at=None)
    recording_check_transition(check, to=CheckStatus.USED, actor=national_staff)
    snapshots_recompute(years=[YEAR])
    assert "random sample of fewer than 5 crime references" in cells(rep)["verified_sentence"]
    assert "random sample of 4 crime references" in cells(national_staff)["verified_sentence"]


def test_another_forces_rep_and_officers_do_not_see_it(
    check: RecordingCheck, other_rep: User, officer: User, national_staff: User
) -> None:
    recording_check_transition(check, to=CheckStatus.USED, actor=national_staff)
    snapshots_recompute(years=[YEAR])
    assert cells(other_rep)["verified_sentence"] == ""
    page = staff_client(officer).get(FORCE_PAGE, {"year": YEAR})
    assert page.status_code in (200, 302, 403, 404)
    assert b"Checked against force records for" not in page.content


@pytest.mark.parametrize(
    ("part", "whole", "shown"),
    [
        (24, 30, ("24", "30")),
        (3, 30, ("fewer than 5", "30")),
        (0, 3, ("hidden", "fewer than 5")),  # "0 of 3" would say all three were not counted
        (28, 30, ("hidden", "30")),  # "28 of 30" would say 2 were not
        (0, 30, ("0", "30")),
        (3, 3, ("fewer than 5", "fewer than 5")),
    ],
)
def test_a_part_of_a_checked_whole_never_gives_away_a_small_count(part: int, whole: int, shown: tuple) -> None:
    rep = Viewer(national=False, rep_areas=frozenset({"E23000029"}), officer=False)
    assert pair_text(part, whole, rep) == shown
    national = Viewer(national=True, rep_areas=frozenset(), officer=False)
    assert pair_text(part, whole, national) == (str(part), str(whole))
    assert pair_text(part, whole, Viewer(national=True, rep_areas=frozenset(), officer=False, public=True)) == shown
