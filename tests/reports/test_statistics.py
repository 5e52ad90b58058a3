"""The estimate (reports/statistics.py) against cases worked out independently of it: by hand,
by exact expectations over the binomial, and by simulating clustered entries."""

from __future__ import annotations

import datetime
import math

import numpy as np
import pytest
from scipy import stats

from reports import statistics
from reports.periods import financial_year_bounds, financial_year_of, parse_financial_year
from reports.statistics import NO_POOL, Sums


def entries(*officers: list[tuple[bool, str]]) -> Sums:
    """Sums from each officer's entries, written as (reported, recorded answer) pairs."""
    totals: dict[str, int] = dict.fromkeys(
        ("n", "r", "y", "m", "d", "nn", "rr", "rn", "yy", "yq", "qq", "ry", "rq", "ny", "nq"), 0
    )
    active = 0
    for officer in officers:
        n = len(officer)
        r = sum(reported for reported, _ in officer)
        y = sum(reported and answer == "yes" for reported, answer in officer)
        m = sum(reported and answer == "no" for reported, answer in officer)
        d = sum(reported and answer == "dont_know" for reported, answer in officer)
        q = y + m
        active += n > 0
        for name, value in {
            "n": n,
            "r": r,
            "y": y,
            "m": m,
            "d": d,
            "nn": n * n,
            "rr": r * r,
            "rn": r * n,
            "yy": y * y,
            "yq": y * q,
            "qq": q * q,
            "ry": r * y,
            "rq": r * q,
            "ny": n * y,
            "nq": n * q,
        }.items():
            totals[name] += value
    return Sums(officers=active, **totals)


def one_each(n: int, r: int, y: int, m: int, d: int) -> Sums:
    """n entries from n officers, one each: r reported, of which y recorded, m not, d don't know."""
    answers = [(True, "yes")] * y + [(True, "no")] * m + [(True, "dont_know")] * d + [(False, "no")] * (n - r)
    return entries(*([answer] for answer in answers))


def test_the_share_is_reported_times_recorded_if_reported_with_dont_know_missing_among_the_reported() -> None:
    """The bias of issue 16: dropping "don't know" from every entry's denominator biases the
    share down, because only reported entries can be "don't know"."""
    direct = statistics.effective(one_each(n=100, r=60, y=30, m=20, d=10))
    assert direct.reported == 0.6 and direct.recorded_if_reported == 0.6
    assert direct.share == pytest.approx(0.36)  # not 30 / 90 = 0.333, the complete-case share
    assert direct.band == (0.30, 0.40)  # every "don't know" a no, or a yes
    assert direct.design_effect == 1.0  # one entry per officer: no clustering
    # Each don't know loses some information: fewer effective answers than entries.
    assert 80 < direct.n < 100


def test_one_officers_entries_are_worth_about_one_answer_and_ten_alike_officers_about_ten() -> None:
    officer = [(True, "yes")] * 5 + [(False, "no")] * 5
    assert statistics.effective(entries(officer)).n == pytest.approx(1.0, abs=0.2)
    # Ten officers whose entries are all alike (five always record, five never report): each
    # officer's ten entries say what one answer would.
    # Ten officers also say little about how alike officers are: the clustered variance is
    # widened by (t / z)^2 with 9 degrees of freedom, as for any clustered standard error.
    alike = statistics.effective(entries(*[[(True, "yes")] * 10] * 5, *[[(False, "no")] * 10] * 5))
    factor = statistics.small_sample_factor(10, 100)
    assert factor == pytest.approx((stats.t.ppf(0.975, 9) / stats.norm.ppf(0.975)) ** 2)
    assert alike.design_effect == pytest.approx(10 * factor, rel=0.1)
    assert alike.n == pytest.approx(10 / factor, rel=0.15)
    # No such widening where each officer made one entry (nothing clustered to estimate).
    assert statistics.small_sample_factor(100, 100) == 1.0
    mixed = statistics.effective(entries(*[[(True, "yes")], [(False, "no")]] * 50))
    assert mixed.design_effect == 1.0 and mixed.n == pytest.approx(100, rel=0.05)


@pytest.mark.parametrize(
    ("sums", "expected"),
    [
        (one_each(3, 3, 3, 0, 0), 1.0),  # three answers, all yes
        (one_each(3, 0, 0, 0, 0), 0.0),  # three, none reported
        (one_each(12, 12, 12, 0, 0), 1.0),  # all yes
        (one_each(12, 12, 0, 12, 0), 0.0),  # all no
    ],
)
def test_small_and_extreme_cases_have_an_estimate_and_an_honest_interval(sums: Sums, expected: float) -> None:
    direct = statistics.effective(sums)
    assert direct.share == expected
    share = statistics.share(direct, NO_POOL)
    # Jeffreys' posterior at the effective counts, worked out with scipy's Beta directly.
    a, b = 0.5 + direct.k, 0.5 + direct.n - direct.k
    assert share.low == pytest.approx(stats.beta.ppf(0.025, a, b), abs=1e-12)
    assert share.high == pytest.approx(stats.beta.ppf(0.975, a, b), abs=1e-12)
    assert direct.n <= sums.n  # never more answers than entries
    if sums.n == 3:
        assert share.high - share.low > 0.3  # three answers say little
    else:
        assert (share.low < 0.9) if expected == 1 else (share.high > 0.1)


def test_nothing_is_estimated_where_no_recording_is_known() -> None:
    assert statistics.effective(Sums()) is None
    all_dont_know = statistics.effective(one_each(5, 5, 0, 0, 5))
    assert all_dont_know is None  # every entry reported and "don't know": no answered entry


def test_chapman_is_close_to_unbiased_where_official_over_share_is_not() -> None:
    """Exact expectations over k ~ Binomial(12, p): official / (k / 12) is biased upward (and
    infinite at k = 0); Chapman's (M + 1)(n + 1)/(k + 1) - 1 is within a few percent of N."""
    official, true_total, n = 400, 1000, 12
    p = official / true_total
    pmf = [stats.binom.pmf(k, n, p) for k in range(n + 1)]
    chapman = sum(w * statistics.chapman(official, k, n) for k, w in enumerate(pmf))
    naive = sum(w * official * n / k for k, w in enumerate(pmf) if k) / (1 - pmf[0])  # even leaving out k = 0
    assert abs(chapman / true_total - 1) < 0.05
    assert naive / true_total > 1.15


def test_the_implied_total_and_its_interval() -> None:
    share = statistics.share(statistics.effective(one_each(100, 60, 30, 20, 10)), NO_POOL)
    estimate = statistics.implied(1057, share)
    # Chapman at the entries' own effective counts: Jeffreys' halves are not answers.
    k, n = share.direct.k, share.direct.n
    assert estimate.total == pytest.approx((1057 + 1) * (n + 1) / (k + 1) - 1)
    assert estimate.low == pytest.approx(1057 / share.high) and estimate.high == pytest.approx(1057 / share.low)
    assert estimate.low < estimate.total < estimate.high
    assert estimate.not_in_official == pytest.approx(estimate.total - 1057)
    # The band: every "don't know" a yes gives the smaller number, a no the larger.
    assert estimate.band[0] < estimate.total < estimate.band[1]


def test_a_sum_of_parts_is_simulated_and_the_same_every_time() -> None:
    with_injury = statistics.share(statistics.effective(one_each(40, 30, 20, 8, 2)), NO_POOL)
    without = statistics.share(statistics.effective(one_each(80, 40, 10, 25, 5)), NO_POOL)
    parts = [(198, with_injury), (859, without)]
    total = statistics.implied_sum(parts, seed="E23000029:2018")
    assert total.total == pytest.approx(
        statistics.implied(198, with_injury).total + statistics.implied(859, without).total
    )
    assert total.low < total.total < total.high and total.official == 1057
    assert statistics.implied_sum(parts, seed="E23000029:2018") == total


def test_the_pool_is_fitted_across_forces_and_a_small_force_borrows_from_it() -> None:
    rng = np.random.default_rng(7)
    forces = []
    for _ in range(40):  # force shares ~ Beta(12, 28): mean 0.3, strength 40
        p = rng.beta(12, 28)
        n = int(rng.integers(30, 300))
        k = int(rng.binomial(n, p))
        forces.append(statistics.effective(one_each(n, n, k, n - k, 0)))
    prior = statistics.fit_prior(forces)
    assert prior.fitted and prior.mean == pytest.approx(0.3, abs=0.03)
    assert 15 < prior.strength < 99
    small = statistics.share(statistics.effective(one_each(3, 3, 3, 0, 0)), prior)
    assert 0.3 < small.estimate < 0.5  # three yes answers, pulled to the forces' 30%
    assert small.pool_weight > 0.8
    assert statistics.fit_prior(forces[:4]) == NO_POOL  # too few forces to fit a pool


def test_a_force_is_not_in_its_own_pool_and_a_pool_is_worth_no_more_than_its_answers() -> None:
    """Six forces with one answer each and one with 40: the big force's pool is the six
    answers (not 99), and its own 40 are not in it; each small force's pool includes the big one."""
    areas = {f"small{i}": statistics.effective(one_each(1, 1, i % 2, 1 - i % 2, 0)) for i in range(6)}
    areas["big"] = statistics.effective(one_each(40, 40, 10, 30, 0))
    priors = statistics.fit_priors(areas)
    others = sum(areas[f"small{i}"].n for i in range(6))
    assert priors["big"].strength <= others <= 6
    alone = statistics.fit_prior(areas[f"small{i}"] for i in range(6))
    assert (priors["big"].alpha, priors["big"].beta) == pytest.approx((alone.alpha, alone.beta))
    assert priors["small0"].mean < 0.4  # the big force's 25% weighs in the small forces' pool
    big = statistics.share(areas["big"], priors["big"])
    assert big.pool_weight < 0.15


def test_the_pools_strength_is_recovered_where_forces_are_small() -> None:
    """The method of moments with beta-binomial's exact expectation, (F - 1)(1 - rho) included:
    44 forces of 3 to 15 answers each, shares ~ Beta(3, 7) (strength 10). Over 200 samples the
    median fitted strength is within 8% of 10 (leaving out (1 - rho), it was 11.6)."""
    rng = np.random.default_rng(16)
    fitted = []
    for _ in range(200):
        forces = []
        for _ in range(44):
            n = int(rng.integers(3, 16))
            k = int(rng.binomial(n, rng.beta(3, 7)))
            forces.append(statistics.effective(one_each(n, n, k, n - k, 0)))
        fitted.append(statistics.fit_prior(forces).strength)
    assert float(np.median(fitted)) == pytest.approx(10, rel=0.08)


@pytest.mark.parametrize("officer_count", [40, 6])
def test_intervals_that_respect_the_officer_cover_95_percent_of_clustered_samples(officer_count: int) -> None:
    """Simulation: 40 (or only 6) officers, each logging 1 to 15 entries; each officer's
    recording propensity differs (Beta with an intra-officer correlation of 0.25); 60% are
    reported and 10% of those are "don't know". The estimand is 0.6 x 0.5 = 0.30. The design
    effect keeps the 95% interval's coverage at 93% or more (with few officers because of the
    t correction); treating entries as independent does not."""
    rng = np.random.default_rng(2026)
    covered = naive_covered = 0
    runs = 400
    for _ in range(runs):
        officers = []
        for _ in range(officer_count):
            b = rng.beta(1.5, 1.5)  # mean 0.5; correlation 1 / (1.5 + 1.5 + 1) = 0.25
            officer = []
            for _ in range(int(rng.integers(1, 16))):
                reported = rng.random() < 0.6
                answer = "dont_know" if reported and rng.random() < 0.1 else ("yes" if rng.random() < b else "no")
                officer.append((reported, answer if reported else "no"))
            officers.append(officer)
        sums = entries(*officers)
        share = statistics.share(statistics.effective(sums), NO_POOL)
        covered += share.low <= 0.30 <= share.high
        flat = entries(*([entry] for officer in officers for entry in officer))  # as if independent
        naive = statistics.share(statistics.effective(flat), NO_POOL)
        naive_covered += naive.low <= 0.30 <= naive.high
    assert covered / runs >= 0.93
    assert naive_covered / runs < 0.90  # the check can fail: without the officers, it does


def test_the_official_share_of_the_estimate() -> None:
    estimate = statistics.Implied(total=2000.0, low=1500.0, high=4000.0, band=(1800.0, 2500.0), official=1000)
    assert statistics.official_share(estimate) == (0.5, 0.25, 1000 / 1500)
    assert math.isclose(statistics.per_thousand(1057, 4149.23), 254.746, abs_tol=0.001)


def test_rates_per_thousand_officers() -> None:
    assert statistics.per_thousand(1057, 4149.23) == pytest.approx(254.746, abs=0.001)
    assert statistics.per_thousand(10, None) is None


@pytest.mark.parametrize(
    ("moment", "year"),
    [
        # Clocks went forward at 01:00 UTC on 31 March 2019: that night is BST (UTC+1).
        (datetime.datetime(2019, 3, 31, 22, 59, tzinfo=datetime.UTC), 2018),  # 23:59 BST, 31 March
        (datetime.datetime(2019, 3, 31, 23, 0, tzinfo=datetime.UTC), 2019),  # 00:00 BST, 1 April
        (datetime.datetime(2019, 3, 31, 0, 30, tzinfo=datetime.UTC), 2018),  # 00:30 GMT, before the change
        (datetime.datetime(2021, 3, 31, 23, 0, tzinfo=datetime.UTC), 2021),  # 00:00 BST, 1 April 2021
        (datetime.datetime(2021, 3, 31, 22, 59, tzinfo=datetime.UTC), 2020),  # 23:59 BST, 31 March 2021
        (datetime.datetime(2021, 4, 1, 0, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=1))), 2021),
        (datetime.date(2024, 3, 31), 2023),
        (datetime.date(2024, 4, 1), 2024),
    ],
)
def test_financial_year_boundary_in_london_time(moment: datetime.date, year: int) -> None:
    assert financial_year_of(moment) == year


def test_financial_year_bounds_are_half_open_london_midnights() -> None:
    start, end = financial_year_bounds(2020)
    assert start.isoformat() == "2020-04-01T00:00:00+01:00"
    assert end.isoformat() == "2021-04-01T00:00:00+01:00"


@pytest.mark.parametrize(
    ("text", "year"), [("2019/20", 2019), ("2019-20", 2019), ("2019_20", 2019), ("1999/2000", 1999)]
)
def test_financial_year_labels_are_read(text: str, year: int) -> None:
    assert parse_financial_year(text) == year


@pytest.mark.parametrize("text", ["2019/21", "2019", "19/20", "abc", "2019/2021"])
def test_bad_financial_years_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_financial_year(text)
