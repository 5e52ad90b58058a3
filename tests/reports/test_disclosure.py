"""Safe to publish: no small count or share outside national staff's own views, no hidden cell
recoverable by subtraction, and the printed briefing suppressed whoever prints it."""

from __future__ import annotations

import csv
import datetime
import io
import itertools

import pytest
from django.http import HttpResponse
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from incidents.models import User
from reports.selectors import snapshot_years
from reports.services import snapshots_recompute
from reports.tables import (
    CAVEAT,
    FEWER_THAN_5,
    HIDDEN,
    INTERNAL_CAVEAT,
    SHARE_HIDDEN,
    Viewer,
    share_hidden,
    suppressed_texts,
)
from tests.conftest import staff_client
from tests.factories import IncidentFactory, OfficialFigureFactory, make_officer

pytestmark = pytest.mark.django_db

PUBLIC = Viewer(national=False, rep_areas=frozenset({"E23000029"}), officer=False)
NATIONAL_STAFF = Viewer(national=True, rep_areas=frozenset(), officer=False)


def feasible_values(texts: list[str], counts: list[int], total: int, cell: int) -> set[int]:
    """Every value the hidden cell could have, given what is shown: the visible cells, the
    published total, and that a "fewer than 5" cell is 1-4 and a "hidden" one is 5 or more."""
    hidden = [i for i, text in enumerate(texts) if text in (FEWER_THAN_5, HIDDEN)]
    remainder = total - sum(count for i, count in enumerate(counts) if i not in hidden)
    ranges = [range(1, 5) if texts[i] == FEWER_THAN_5 else range(5, remainder + 1) for i in hidden]
    return {values[hidden.index(cell)] for values in itertools.product(*ranges) if sum(values) == remainder}


@settings(max_examples=400, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=30), min_size=1, max_size=6))
def test_no_hidden_cell_of_a_partition_can_be_worked_out_from_the_total(counts: list[int]) -> None:
    """By brute force over every value the hidden cells could take: none is ever the only one."""
    texts = suppressed_texts(counts, PUBLIC, partition=True)
    total = sum(counts)
    if texts is None:  # withheld whole: nothing to work out from
        return
    for cell, text in enumerate(texts):
        if text in (FEWER_THAN_5, HIDDEN):
            assert len(feasible_values(texts, counts, total, cell)) >= 2, (counts, texts)
        else:
            assert text == f"{counts[cell]:,}"


def test_hidden_cells_worked_examples() -> None:
    assert suppressed_texts([3, 40], PUBLIC, partition=True) == [FEWER_THAN_5, HIDDEN]
    assert suppressed_texts([1, 1, 30, 8], PUBLIC, partition=True) == [FEWER_THAN_5, FEWER_THAN_5, "30", HIDDEN]
    # 1 and 5 hidden, adding up to 6: the 1 could only be 1; the 9 is hidden too.
    assert suppressed_texts([1, 5, 9], PUBLIC, partition=True) == [FEWER_THAN_5, HIDDEN, HIDDEN]
    assert suppressed_texts([1, 1, 1, 1, 1], PUBLIC, partition=True) is None  # every cell 1: withheld
    assert suppressed_texts([12, 30], PUBLIC, partition=True) == ["12", "30"]
    # Cells that add up to nothing (an entry may have several kinds of assault) hide only themselves.
    assert suppressed_texts([3, 40], PUBLIC, partition=False) == [FEWER_THAN_5, "40"]
    assert suppressed_texts([3, 40], NATIONAL_STAFF, partition=True) == ["3", "40"]
    assert suppressed_texts([3, 40], NATIONAL_STAFF.printing(), partition=True) == [FEWER_THAN_5, HIDDEN]


@pytest.mark.parametrize(
    ("counts", "hidden"),
    [
        ({"entries": 40, "reported": 20, "recorded": 10, "answered": 18}, False),
        ({"entries": 40, "reported": 20, "recorded": 1, "answered": 18}, True),  # a numerator of 1
        ({"entries": 40, "reported": 20, "recorded": 15, "answered": 18}, True),  # 3 not recorded
        ({"entries": 4, "reported": 2, "recorded": 2, "answered": 2}, True),  # a denominator of 4
        ({"entries": 40, "reported": 38, "recorded": 10, "answered": 30}, True),  # 2 not reported
    ],
)
def test_a_share_built_on_fewer_than_5_is_hidden(counts: dict[str, int], hidden: bool) -> None:
    assert share_hidden({"share_counts": counts}, PUBLIC) is hidden
    assert share_hidden({"share_counts": counts}, NATIONAL_STAFF) is False


@pytest.fixture
def small_force(officer: User) -> None:
    """Thames Valley 2020/21: 12 entries by 6 officers, one recorded; 2 bites."""
    OfficialFigureFactory(financial_year=2020, total=1101, with_injury=None, without_injury=None)
    day = datetime.date(2020, 6, 1)
    officers = [officer, *(make_officer() for _ in range(5))]
    for number in range(12):
        IncidentFactory(
            officer=officers[number % 6],
            occurred_on=day,
            reported_to_force="yes" if number < 8 else "no",
            recorded_as_crime="yes" if number == 0 else "no",
            assaults=["bite"] if number < 2 else ["push"],
        )
    snapshots_recompute()


def test_reps_and_the_briefing_never_show_a_share_of_one(small_force: None, rep: User, national_staff: User) -> None:
    url = reverse("reports:force", args=["thames-valley"])
    rep_page = staff_client(rep).get(url, {"year": 2020})
    assert rep_page.context["figures"].cells["recorded_share"] == SHARE_HIDDEN
    national_page = staff_client(national_staff).get(url, {"year": 2020})
    assert national_page.context["figures"].cells["recorded_share"].endswith("%)")
    # The briefing is for outside readers: suppressed even when national staff print it.
    briefing = staff_client(national_staff).get(reverse("reports:briefing", args=["thames-valley", "2020"]))
    text = briefing.content.decode()
    assert "fewer than 5" in text
    assert [row for table in briefing.context["breakdowns"] for row in table["rows"] if row[1] == 2][0][2] == (
        FEWER_THAN_5
    )


def test_the_figures_page_opens_on_the_latest_year_the_estimate_can_use(national_staff: User, officer: User) -> None:
    OfficialFigureFactory(area="K04000001", financial_year=2021, total=41221, with_injury=11730, without_injury=29491)
    for year in (2021, 2023):  # 2023 has entries but no official figure yet
        IncidentFactory(officer=officer, occurred_on=datetime.date(year, 6, 1))
    snapshots_recompute()
    page = staff_client(national_staff).get(reverse("reports:dashboard"))
    assert page.context["year"] == 2021
    assert staff_client(national_staff).get(reverse("reports:dashboard"), {"year": 2023}).context["year"] == 2023


def csv_table(response: HttpResponse) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_a_rows_total_cannot_be_undone_into_its_hidden_part(officer: User, rep: User, national_staff: User) -> None:
    """Logged = in scope + outside the comparison = verified + waiting: with 2 threats and 2
    waiting among 12, the rep cannot subtract their way to either 2."""
    OfficialFigureFactory(financial_year=2020, total=1101, with_injury=None, without_injury=None)
    officers = [officer, *(make_officer() for _ in range(5))]
    for number in range(12):
        IncidentFactory(
            officer=officers[number % 6],
            occurred_on=datetime.date(2020, 6, 1),
            assaults=["threat"] if number < 2 else ["push"],
            status="submitted" if number in (0, 5) else "verified",
        )
    snapshots_recompute()
    url = reverse("reports:force", args=["thames-valley"])
    cells = staff_client(rep).get(url, {"year": 2020}).context["figures"].cells
    assert cells["logged"] == "12"
    assert (cells["in_scope"], cells["out_of_scope"]) == (HIDDEN, FEWER_THAN_5)
    assert cells["verified"] == HIDDEN
    assert cells["out_of_scope_sentence"].startswith("Fewer than 5 entries are only a threat")
    row = next(
        r
        for r in csv_table(staff_client(rep).get(url, {"format": "csv", "table": "trend"}))
        if r["Financial year"] == "2020/21"
    )
    assert (row["Logged"], row["In scope of offences 8S and 104"], row["Verified"]) == ("12", HIDDEN, HIDDEN)
    assert row["Caveat"] == CAVEAT
    # National staff see every count, and their file says it must not travel.
    national = staff_client(national_staff)
    cells = national.get(url, {"year": 2020}).context["figures"].cells
    assert (cells["in_scope"], cells["out_of_scope"], cells["verified"]) == ("10", "2", "10")
    row = next(
        r for r in csv_table(national.get(url, {"format": "csv", "table": "trend"})) if r["Financial year"] == "2020/21"
    )
    assert row["Caveat"] == INTERNAL_CAVEAT and row["Caveat"].startswith("FOR NATIONAL FEDERATION STAFF ONLY")


def test_another_forces_page_does_not_show_in_which_years_its_officers_logged(
    officer: User, other_force_officer: User, rep: User
) -> None:
    """A rep of Thames Valley on Kent's page: Kent's published figures, for every year the
    dashboard knows, whether or not Kent's officers logged in it; no briefing."""
    OfficialFigureFactory(area="E23000032", financial_year=2018, total=900, with_injury=300, without_injury=600)
    IncidentFactory(officer=other_force_officer, occurred_on=datetime.date(2019, 6, 1))  # no figure that year
    IncidentFactory(officer=officer, occurred_on=datetime.date(2021, 6, 1))
    snapshots_recompute()
    client = staff_client(rep)
    page = client.get(reverse("reports:force", args=["kent"]))
    assert [value for value, _ in page.context["years"]] == snapshot_years()
    assert [item["year"] for item in page.context["trend"]] == [2018]
    assert (
        "2019/20"
        not in client.get(reverse("reports:force", args=["kent"]), {"format": "csv", "table": "trend"}).content.decode()
    )
    assert client.get(reverse("reports:briefing", args=["kent", "2018-19"])).status_code == 404
    assert client.get(reverse("reports:briefing", args=["thames-valley", "2021-22"])).status_code == 200


def test_the_share_shown_is_the_official_figure_over_the_estimate(officer: User, national_staff: User) -> None:
    """A reader who divides the official figure by the share shown gets the estimate shown,
    and the same for the interval's ends."""
    OfficialFigureFactory(financial_year=2020, total=1101, with_injury=None, without_injury=None)
    officers = [officer, *(make_officer() for _ in range(9))]
    for number in range(30):
        IncidentFactory(
            officer=officers[number % 10],
            occurred_on=datetime.date(2020, 6, 1),
            reported_to_force="yes" if number < 20 else "no",
            recorded_as_crime="yes" if number < 12 else "no",
        )
    snapshots_recompute()
    page = staff_client(national_staff).get(reverse("reports:force", args=["thames-valley"]), {"year": 2020})
    raw = page.context["figures"].raw
    for share, total in (
        ("recorded_share", "implied"),
        ("recorded_share_low", "implied_high"),
        ("recorded_share_high", "implied_low"),
    ):
        assert 1101 * 100 / raw[share] == pytest.approx(raw[total], rel=0.003)
