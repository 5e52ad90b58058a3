"""The recording check's draw (issue 20): who is eligible, a uniform and reproducible sample,
proportional strata, and the precision shown before drawing."""

from __future__ import annotations

import datetime
import uuid
from collections import Counter

import pytest
from django.core.exceptions import ValidationError

from incidents.choices import AssaultKind, RecordedAsCrime, ReportedToForce, Status
from incidents.models import Incident, User
from reports.choices import CheckStatus
from reports.models import RecordingCheck, RecordingCheckItem
from reports.services.checks import (
    allocate,
    check_eligible,
    check_margin,
    check_sample,
    open_checks,
    recording_check_draw,
    recording_check_transition,
)
from tests.factories import IncidentFactory

pytestmark = pytest.mark.django_db

TVP, YEAR = "E23000029", 2023
IN_YEAR = datetime.date(2023, 9, 1)


def with_reference(officer: User, *, said: str = RecordedAsCrime.YES, **fields: object) -> Incident:
    incident = IncidentFactory(
        officer=officer,
        occurred_on=fields.pop("occurred_on", IN_YEAR),
        reported_to_force=ReportedToForce.YES,
        recorded_as_crime=said,
        **fields,
    )
    incident.crime_reference = f"43/{incident.pk:06d}/23"
    incident.save()
    return incident


def test_only_counted_in_scope_reports_of_the_force_and_year_with_a_crime_reference_are_eligible(
    officer: User,
) -> None:
    kept = with_reference(officer)
    with_reference(officer, status=Status.REJECTED, rejection_reason="Duplicate")  # not counted
    with_reference(officer, occurred_on=datetime.date(2024, 4, 1))  # the next year
    IncidentFactory(officer=officer, occurred_on=IN_YEAR, reported_to_force=ReportedToForce.YES)  # no reference
    out_of_scope = IncidentFactory(officer=officer, occurred_on=IN_YEAR, assaults=[AssaultKind.THREAT])
    out_of_scope.reported_to_force = ReportedToForce.YES
    out_of_scope.crime_reference = "43/999999/23"
    out_of_scope.save()
    assert set(check_eligible(TVP, YEAR).values_list("pk", flat=True)) == {kept.pk}
    assert check_eligible("E23000001", YEAR).count() == 0  # another force


def test_the_same_seed_draws_the_same_sample_and_another_seed_another() -> None:
    eligible = [(n, "yes") for n in range(1, 201)]
    first = check_sample(eligible, 20, seed="abc", stratified=False)
    assert first == check_sample(list(reversed(eligible)), 20, seed="abc", stratified=False)  # order does not matter
    assert first != check_sample(eligible, 20, seed="abd", stratified=False)
    assert len({d.incident_id for d in first}) == 20


def test_every_report_is_as_likely_to_be_drawn() -> None:
    """20 reports, 5 drawn, 4,000 seeds: each is drawn about 1,000 times (5/20 of 4,000); the
    bound is 5 standard deviations (27 each), so a fair draw fails it about once in 3 million."""
    eligible = [(n, "yes") for n in range(20)]
    drawn = Counter(
        d.incident_id for seed in range(4000) for d in check_sample(eligible, 5, seed=str(seed), stratified=False)
    )
    assert set(drawn) == set(range(20))
    assert all(abs(count - 1000) < 5 * 27.4 for count in drawn.values()), drawn


def test_a_stratified_draw_takes_each_answer_in_proportion() -> None:
    eligible = [(n, "yes") for n in range(60)] + [(100 + n, "dont_know") for n in range(30)]
    eligible += [(200 + n, "no") for n in range(10)]
    drawn = check_sample(eligible, 20, seed="s", stratified=True)
    assert Counter(d.officer_said for d in drawn) == {"yes": 12, "dont_know": 6, "no": 2}
    assert allocate(10, [5, 3, 1, 0]) == [5, 3, 1, 0]  # more asked than there are: all of them
    assert allocate(7, [10, 10, 10, 0]) == [3, 2, 2, 0]  # the remainder to the first of equals
    assert sum(allocate(13, [7, 11, 2, 5])) == 13


def test_the_precision_shown_before_drawing() -> None:
    assert check_margin(100, 1_000_000) == pytest.approx(9.8, abs=0.05)  # "about +/- 10 points"
    assert check_margin(400, 1_000_000) == pytest.approx(4.9, abs=0.05)
    # No finite population correction: the rate stands for all the force's reported assaults.
    assert check_margin(100, 200) == check_margin(100, 1_000_000)
    assert check_margin(500, 200) == check_margin(200, 200) == pytest.approx(6.9, abs=0.05)  # all there are
    assert check_margin(0, 200) == float("inf")


def test_a_draw_records_its_seed_population_rows_and_history(officer: User, national_staff: User) -> None:
    for _ in range(6):
        with_reference(officer)
    for _ in range(3):
        with_reference(officer, said=RecordedAsCrime.DONT_KNOW)
    check = recording_check_draw(area=TVP, year=YEAR, size=4, stratified=False, actor=national_staff)
    assert (check.eligible, check.items.count(), check.status) == (9, 4, CheckStatus.DRAWN)
    again = check_sample(
        list(check_eligible(TVP, YEAR).values_list("pk", "recorded_as_crime")), 4, seed=check.seed, stratified=False
    )
    assert sorted(check.items.values_list("incident_id", flat=True)) == [d.incident_id for d in again]
    rows = list(check.items.values_list("row_id", flat=True))
    assert all(row.startswith("RC-") and len(row) == 11 for row in rows) and len(set(rows)) == 4
    references = set(Incident.objects.values_list("reference", flat=True))
    assert not any(row[3:] in reference for row in rows for reference in references)
    [event] = check.events.all()
    assert (event.status, event.actor, event.note) == (
        CheckStatus.DRAWN,
        national_staff,
        "4 of 9 crime references drawn",
    )
    bigger = recording_check_draw(area=TVP, year=YEAR, size=50, stratified=True, actor=national_staff)
    assert bigger.items.count() == 9  # fewer eligible than asked: all of them


def test_a_draw_with_nothing_to_draw_or_a_bad_size_is_refused_and_writes_nothing(
    officer: User, national_staff: User
) -> None:
    with pytest.raises(ValidationError, match="No report"):
        recording_check_draw(area=TVP, year=YEAR, size=10, stratified=False, actor=national_staff)
    with_reference(officer)
    for size in (0, 2_001):
        with pytest.raises(ValidationError):
            recording_check_draw(area=TVP, year=YEAR, size=size, stratified=False, actor=national_staff)
    assert not RecordingCheck.objects.exists() and not RecordingCheckItem.objects.exists()


def test_the_same_draw_sent_twice_draws_one_check(officer: User, national_staff: User) -> None:
    for _ in range(3):
        with_reference(officer)
    token = uuid.uuid4()
    first = recording_check_draw(area=TVP, year=YEAR, size=2, stratified=False, actor=national_staff, token=token)
    again = recording_check_draw(area=TVP, year=YEAR, size=2, stratified=False, actor=national_staff, token=token)
    assert again.pk == first.pk and RecordingCheck.objects.count() == 1
    assert list(open_checks(TVP, YEAR)) == [first]
    recording_check_transition(first, to=CheckStatus.CANCELLED, actor=national_staff)
    assert not open_checks(TVP, YEAR).exists()
