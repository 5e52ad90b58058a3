"""The statistics against published worked examples (Newcombe 1998, Statistics in Medicine 17:857-872, Table I)."""

from __future__ import annotations

import datetime

import pytest

from reports import statistics
from reports.periods import financial_year_bounds, financial_year_of, parse_financial_year

NEWCOMBE = [
    # k, n, Wilson (low, high), exact Clopper-Pearson (low, high)
    (81, 263, (0.2553, 0.3662), (0.2527, 0.3676)),
    (15, 148, (0.0624, 0.1605), (0.0578, 0.1617)),
    (0, 20, (0.0000, 0.1611), (0.0000, 0.1684)),
    (1, 29, (0.0061, 0.1718), (0.0009, 0.1776)),
    (29, 29, (0.8830, 1.0000), (0.8806, 1.0000)),
]


@pytest.mark.parametrize(("k", "n", "wilson", "exact"), NEWCOMBE)
def test_intervals_match_newcombes_published_values(k: int, n: int, wilson: tuple, exact: tuple) -> None:
    w = statistics.wilson(k, n)
    c = statistics.clopper_pearson(k, n)
    assert (round(w.low, 4), round(w.high, 4)) == wilson
    assert (round(c.low, 4), round(c.high, 4)) == exact


def test_share_uses_the_exact_interval_when_counts_are_small() -> None:
    assert statistics.share(3, 10).method == "clopper-pearson"
    assert statistics.share(81, 263).method == "wilson"
    assert statistics.share(2, 300).method == "clopper-pearson"  # k < 5
    assert statistics.share(4, 4) is None  # fewer than 5 answered: cannot estimate


def test_implied_total_and_its_interval() -> None:
    recorded = statistics.share(81, 263)
    implied = statistics.implied_total(1057, recorded)
    # 1057 / (81/263) = 3432.02...; interval 1057/0.3662..1057/0.2553
    assert round(implied.total) == 3432
    assert round(implied.low) == round(1057 / 0.36621) == 2886
    assert round(implied.high) == round(1057 / 0.25529) == 4140
    assert round(implied.hidden) == 3432 - 1057


def test_nothing_is_implied_from_zero_or_too_few() -> None:
    assert statistics.implied_total(1057, statistics.share(0, 40)) is None
    assert statistics.implied_total(1057, statistics.share(2, 3)) is None
    assert statistics.implied_total(None, statistics.share(20, 40)) is None


def test_all_yes_gives_the_official_figure_itself() -> None:
    implied = statistics.implied_total(500, statistics.share(40, 40))
    assert implied.total == 500
    assert implied.hidden == 0


def test_sensitivity_band_is_dont_knows_all_no_to_all_yes() -> None:
    band = statistics.sensitivity_band(yes=20, no=10, dont_know=10)
    assert (band.low, band.high) == (0.5, 0.75)
    assert statistics.sensitivity_band(1, 1, 1) is None


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
