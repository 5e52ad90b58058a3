"""The recording check's correction of the officers' share (issue 20; docs/method.md 8.11):
cases worked by hand, the check's own sampling error in the interval, and a used check reaching
the force's snapshot."""

from __future__ import annotations

import datetime

import numpy as np
import pytest

from incidents.choices import RecordedAsCrime, ReportedToForce
from incidents.models import Force, StatisticsMark, User
from reports import statistics
from reports.choices import CheckFound, CheckOffence, CheckStatus
from reports.models import RecordingCheckItem, Snapshot
from reports.services import snapshots_recompute
from reports.services.checks import recording_check_draw, recording_check_transition
from reports.statistics import NO_POOL, CheckAnswers
from tests.conftest import make_officer
from tests.factories import IncidentFactory, OfficialFigureFactory
from tests.reports.test_statistics import one_each

TVP, YEAR = "E23000029", 2023

# Thames Valley 2020/21's counts (method 8.9): n 23, r 11, y 6, m 2, d 3.
WORKED = one_each(23, 11, 6, 2, 3)


def test_a_check_that_confirms_every_yes_changes_nothing() -> None:
    assert statistics.correction(WORKED, *CheckAnswers(yes=(50, 50)).rates()) == 1.0
    share = statistics.share(statistics.effective(WORKED), NO_POOL)
    own = statistics.implied(1101, share)
    verified = statistics.verified_implied([(1101, share, WORKED)], CheckAnswers(yes=(50, 50)), seed="tv:2020")
    assert verified.total == pytest.approx(own.total)
    # The check's own sampling error: 50 of 50 leaves the rate somewhere above about 0.95.
    assert verified.low <= own.total <= verified.high
    assert verified.high >= own.high * 0.98


def test_half_recorded_under_another_code_halves_the_share() -> None:
    """Of 40 "yes" checked, 20 were counted in 8S or 104 and 20 under another offence: with
    nothing else checked, p* / p = (y v_yes + m v_no) / y = (6 x 0.5 + 2 x 0) / 6 = 0.5, and
    the "don't know" entries, missing at random among the rest, follow."""
    check = CheckAnswers(yes=(40, 20))
    assert check.rates() == (0.5, 0.0, None)
    assert statistics.correction(WORKED, *check.rates()) == pytest.approx(0.5)
    share = statistics.share(statistics.effective(WORKED), NO_POOL)
    k, n = share.direct.k, share.direct.n
    verified = statistics.verified_implied([(1101, share, WORKED)], check, seed="tv:2020")
    # Chapman at half the effective recorded count.
    assert verified.total == pytest.approx(1102 * (n + 1) / (k / 2 + 1) - 1)
    assert verified.total > 1.7 * statistics.implied(1101, share).total
    assert verified.low < verified.total < verified.high


def test_checked_dont_knows_replace_the_missing_at_random_guess() -> None:
    """y 6, m 2, u 3 unknown. Officers' share x n: 6 + 3 x 6/8 = 8.25. All 10 "yes" checked
    counted, 2 of 4 "don't know": 6 + 3 x 0.5 = 7.5, so p* / p = 7.5 / 8.25 = 0.9091."""
    check = CheckAnswers(yes=(10, 10), unknown=(4, 2))
    assert statistics.correction(WORKED, *check.rates()) == pytest.approx(7.5 / 8.25)
    # A checked "no" found counted raises the share: 6 + 2 x 0.5 + 3 x 7/8 = 9.625.
    raised = CheckAnswers(yes=(10, 10), no=(4, 2))
    assert statistics.correction(WORKED, *raised.rates()) == pytest.approx(9.625 / 8.25)


def test_no_correction_where_no_entry_says_recorded() -> None:
    assert statistics.correction(one_each(10, 5, 0, 4, 1), 0.5, 0.0, None) is None


def test_the_interval_widens_with_a_smaller_check_and_is_the_same_every_time() -> None:
    share = statistics.share(statistics.effective(one_each(400, 300, 200, 60, 40)), NO_POOL)
    parts = [(5000, share, one_each(400, 300, 200, 60, 40))]
    small = statistics.verified_implied(parts, CheckAnswers(yes=(20, 16)), seed="a")
    large = statistics.verified_implied(parts, CheckAnswers(yes=(500, 400)), seed="a")
    assert small.total == pytest.approx(large.total)
    assert small.high - small.low > large.high - large.low
    assert statistics.verified_implied(parts, CheckAnswers(yes=(20, 16)), seed="a") == small


def test_the_interval_covers_the_true_number_when_the_officers_say_yes_too_often() -> None:
    """Simulation: officers' "yes" is right 70% of the time (the rest recorded under another
    offence), "no" always right. Entries and checks are drawn afresh; the verified interval
    should cover the true number about 95% of the time, the officers' own almost never."""
    rng = np.random.default_rng(20)
    true_share, truth_yes, official = 0.5, 0.7, 1000
    true_total = official / (true_share * truth_yes)
    covered = own_covered = 0
    trials = 150
    for trial in range(trials):
        n = 300
        reported = rng.binomial(n, 0.8)
        says_yes = rng.binomial(reported, true_share / 0.8)
        sums = one_each(n, reported, says_yes, reported - says_yes, 0)
        share = statistics.share(statistics.effective(sums), NO_POOL)
        checked = 60
        check = CheckAnswers(yes=(checked, int(rng.binomial(checked, truth_yes))))
        verified = statistics.verified_implied([(official, share, sums)], check, seed=str(trial))
        covered += verified.low <= true_total <= verified.high
        own = statistics.implied(official, share)
        own_covered += own.low <= true_total <= own.high
    assert covered / trials >= 0.9
    assert own_covered / trials <= 0.2


@pytest.mark.django_db
def test_a_used_check_puts_the_verified_estimate_beside_the_officers_own(force_a: Force, national_staff: User) -> None:
    for number in range(12):
        incident = IncidentFactory(
            officer=make_officer("thames-valley"),
            occurred_on=datetime.date(2023, 6, 1) + datetime.timedelta(days=number),
            reported_to_force=ReportedToForce.YES,
            recorded_as_crime=RecordedAsCrime.YES if number < 9 else RecordedAsCrime.NO,
        )
        incident.crime_reference = f"43/{number:06d}/23"
        incident.save()
    OfficialFigureFactory(area=TVP, financial_year=YEAR, with_injury=None, without_injury=None, total=400)
    check = recording_check_draw(area=TVP, year=YEAR, size=12, stratified=False, actor=national_staff)
    # The registrar: every "yes" found, but only two in three as 8S or 104.
    for number, item in enumerate(check.items.filter(officer_said=RecordedAsCrime.YES)):
        item.found = CheckFound.YES
        item.offence = CheckOffence.WITHOUT_INJURY if number % 3 else CheckOffence.OTHER
        item.offence_other = "" if number % 3 else "Affray"
        item.recorded_on = datetime.date(2023, 7, 1)
        item.answered_at = datetime.datetime.now(datetime.UTC)
        item.save()
    RecordingCheckItem.objects.filter(recording_check=check, officer_said=RecordedAsCrime.NO).update(
        found=CheckFound.NO, answered_at=datetime.datetime.now(datetime.UTC)
    )
    recording_check_transition(check, to=CheckStatus.ANSWERED, actor=national_staff)
    snapshots_recompute(years=[YEAR])
    assert "verified" not in Snapshot.objects.get(area=TVP, financial_year=YEAR).data["estimate"]  # not used yet

    StatisticsMark.objects.all().delete()
    recording_check_transition(check, to=CheckStatus.USED, actor=national_staff, note="Published")
    # Using it marks the force and year, so the refresh every 30 s recomputes them.
    assert StatisticsMark.objects.filter(force__code=TVP, financial_year=YEAR).exists()
    snapshots_recompute(years=[YEAR])
    estimate = Snapshot.objects.get(area=TVP, financial_year=YEAR).data["estimate"]
    verified = estimate["verified"]
    assert (verified["check"], verified["drawn"], verified["answered"], verified["counted"]) == (check.pk, 12, 12, 6)
    assert verified["by_answer"] == {"yes": [9, 6], "no": [3, 0], "unknown": [0, 0]}
    assert verified["factor"] == pytest.approx(6 / 9)
    assert estimate["implied"] is not None, estimate
    assert verified["implied"]["total"] > estimate["implied"]["total"]
    assert verified["share"]["estimate"] == pytest.approx(estimate["share"]["estimate"] * 6 / 9)

    recording_check_transition(check, to=CheckStatus.CANCELLED, actor=national_staff)
    snapshots_recompute(years=[YEAR])
    assert "verified" not in Snapshot.objects.get(area=TVP, financial_year=YEAR).data["estimate"]
