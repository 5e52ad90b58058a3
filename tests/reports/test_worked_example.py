"""The worked example of docs/method.md (section 8.9): Thames Valley 2020/21 in the demo data.

The demo is seeded here as `make run` seeds it, and the example's numbers are recomputed from
the snapshot and checked against the text of the document, so the document cannot drift from
the code."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from django.core.management import call_command
from django.urls import reverse
from scipy import stats

from incidents.choices import NATIONAL_GROUP
from reports import statistics
from reports.models import Snapshot, Tally
from tests.conftest import make_staff, staff_client

METHOD = Path(__file__).resolve().parents[2] / "docs" / "method.md"

pytestmark = pytest.mark.django_db


def example() -> str:
    text = METHOD.read_text()
    start = text.index("### 8.9 A worked example")
    return text[start : text.index("\n## ", start)]


def test_the_worked_example_in_the_method_is_the_demos_thames_valley_2020() -> None:
    call_command("seed_demo", stdout=io.StringIO())
    snapshot = Snapshot.objects.get(area="E23000029", financial_year=2020)
    estimate, implied = snapshot.data["estimate"], snapshot.data["implied"]
    share = estimate["share"]
    doc = example()

    def says(*phrases: str) -> None:
        for phrase in phrases:
            assert phrase in doc, f"docs/method.md 8.9 should say {phrase!r}"

    # Counts, the direct share and its band.
    assert (estimate["in_scope"], estimate["out_of_scope"], estimate["active_officers"]) == (23, 3, 16)
    says("n = 23", "r = 11", "y = 6", "m = 2", "d = 3", "15 officers", "16 officers")
    assert share["reported"] == pytest.approx(11 / 23) and share["recorded_if_reported"] == 0.75
    # The bias of the first method: "don't know" dropped from every entry's denominator.
    complete_case = 6 / (23 - 3)
    assert complete_case == 0.30 and share["direct"] / complete_case == pytest.approx(1.196, abs=1e-3)
    says("6 / 20 = 0.30", "20% too high")
    says("a = 11 / 23 = 0.4783", "b = 6 / 8 = 0.75", "p = 0.4783 × 0.75 = 0.3587", "6 / 23 = 0.2609", "9 / 23 = 0.3913")
    # The effective number of answers (the design effect floors at 1 here).
    assert share["design_effect"] == 1.0
    factor = (stats.t.ppf(0.975, 14) / stats.norm.ppf(0.975)) ** 2
    says(f"{factor:.4f}", f"{share['effective_answers']:.2f}", f"{share['effective_answers'] * share['direct']:.3f}")
    # The pool, the posterior and its quantiles.
    pool = estimate["pool"]
    says(f"{pool['mean']:.4f}", f"{pool['strength']:.3f}")
    alpha = pool["mean"] * pool["strength"] + share["effective_answers"] * share["direct"]
    beta = pool["strength"] + share["effective_answers"] - alpha
    assert stats.beta.ppf([0.025, 0.975], alpha, beta) == pytest.approx([share["low"], share["high"]])
    says(f"Beta({alpha:.3f}, {beta:.3f})", f"{share['estimate']:.4f}", f"{share['low']:.4f}", f"{share['high']:.4f}")
    says(f"{share['pool_weight']:.1%}")
    # Chapman's estimate, the interval, the band and what the official count leaves out.
    n = pool["strength"] + share["effective_answers"]
    assert implied["total"] == pytest.approx(statistics.chapman(1101, alpha, n))
    assert (implied["low"], implied["high"]) == pytest.approx((1101 / share["high"], 1101 / share["low"]))
    says(
        f"{implied['total']:,.1f}",
        f"{implied['low']:,.0f}",
        f"{implied['high']:,.0f}",
        f"{implied['not_in_official']:,.0f}",
        f"{implied['band_low']:,.0f}",
        f"{implied['band_high']:,.0f}",
    )
    shown = f"{implied['total']:,.0f} ({implied['low']:,.0f} to {implied['high']:,.0f})"
    says(shown)
    assert shown == "2,396 (1,759 to 4,196)"  # the page's figure, as the text gives it
    of = estimate["official_share"]
    says(f"{of['estimate']:.0%} of the estimate ({of['low']:.0%} to {of['high']:.0%})")
    # And the force page shows what the text says.
    page = staff_client(make_staff(NATIONAL_GROUP)).get(
        reverse("reports:force", args=["thames-valley"]), {"year": 2020}
    )
    cells = page.context["figures"].cells
    assert cells["implied"] == "2,396 (1,759–4,196)"
    assert cells["recorded_share"] == "46% (26%–63%)"
    says('"46% (26%–63%)"')
    assert cells["pool"] == "27% of this estimate comes from the pool of other forces' entries."
    says("27% of this estimate comes from the pool of other forces' entries")


def test_the_worked_examples_variances_from_its_table_of_officers() -> None:
    """The linearised variances of section 8.3, from the per-officer table of 8.9 with numpy,
    independently of reports.statistics."""
    table = [(1, (3, 0, 0, 0, 0)), (5, (2, 1, 1, 0, 0)), (1, (2, 1, 0, 0, 1)), (1, (1, 1, 1, 0, 0)),
             (2, (1, 1, 0, 0, 1)), (2, (1, 1, 0, 1, 0)), (3, (1, 0, 0, 0, 0))]  # fmt: skip
    officers = np.array([counts for times, counts in table for _ in range(times)], dtype=float)
    n_i, r_i, y_i, m_i, _ = officers.T
    n, r, y, q = n_i.sum(), r_i.sum(), y_i.sum(), (y_i + m_i).sum()
    a, b = (r + 0.5) / (n + 1), (y + 0.5) / (q + 1)

    def variance(n_c: np.ndarray, r_c: np.ndarray, y_c: np.ndarray, q_c: np.ndarray) -> float:
        z = b * (r_c - a * n_c) / n + a * (y_c - b * q_c) / q
        return len(z) / (len(z) - 1) * float(np.sum(z**2))

    by_officer = variance(n_i, r_i, y_i, y_i + m_i)
    # Each entry its own cluster: n rows of 0/1.
    entries = np.array(
        [(1, 1, 1, 1)] * int(y)
        + [(1, 1, 0, 1)] * int(q - y)
        + [(1, 1, 0, 0)] * int(r - q)
        + [(1, 0, 0, 0)] * int(n - r)
    ).T
    by_entry = variance(*entries)
    independent = a * b * (1 - a * b) / (b * b * a * (1 - a) / n + a * a * b * (1 - b) / q)
    doc = example()
    for value in (f"{by_entry:.6f}", f"{by_officer:.6f}", f"{independent:.2f}"):
        assert value in doc


def check_example() -> str:
    text = METHOD.read_text()
    start = text.index("### 8.11 The recording check")
    return text[start : text.index("\n## ", start)]


def test_the_recording_checks_worked_example_is_the_demos_thames_valley_2018() -> None:
    """Section 8.11's example: the demo's answered check of Thames Valley 2018/19, its rates,
    factors and Chapman's estimates by part, and what the force page shows."""
    call_command("seed_demo", stdout=io.StringIO())
    snapshot = Snapshot.objects.get(area="E23000029", financial_year=2018)
    estimate = snapshot.data["estimate"]
    verified = estimate["verified"]
    doc = check_example()

    def says(*phrases: str) -> None:
        for phrase in phrases:
            assert phrase in doc, f"docs/method.md 8.11 should say {phrase!r}"

    assert (verified["drawn"], verified["eligible"]) == (30, 35)
    says("30 of the N = 35")
    assert verified["by_answer"] == {"yes": [19, 15], "no": [3, 0], "unknown": [8, 6]}
    says("| Yes | 19 | 15 |", "| No | 3 | 0 |", "| Don't know | 8 | 6 |", "15 / 19 = 0.7895", "6 / 8 = 0.75")
    tally = Tally.objects.get(area="E23000029", financial_year=2018)
    answers = statistics.CheckAnswers(yes=(19, 15), no=(3, 0), unknown=(8, 6))
    total = 0.0
    for part, official in (("w", 198), ("o", 859)):
        sums = statistics.sums_from(tally.sums, f"{part}_")
        direct = statistics.effective(sums)
        assert direct is not None
        factor = statistics.correction(sums, *answers.rates())
        assert isinstance(factor, float)
        own = statistics.chapman(official, direct.k, direct.n)
        checked = statistics.chapman(official, factor * direct.k, direct.n)
        total += checked
        says(
            f"| {sums.y} | {sums.m} | {sums.r} | {sums.r - sums.y - sums.m} | {factor:.4f} | {direct.k:.3f} | "
            f"{direct.n:.3f} | {own:,.1f} | {checked:,.1f} |"
        )
    implied = verified["implied"]
    assert implied["total"] == pytest.approx(total)
    own_implied, own_share, share = estimate["implied"], estimate["official_share"], verified["official_share"]
    says(
        f"**{own_implied['total']:,.0f} ({own_implied['low']:,.0f} to {own_implied['high']:,.0f})**",
        f"**{implied['total']:,.0f} ({implied['low']:,.0f} to {implied['high']:,.0f})**",
        f"**{share['estimate']:.0%} ({share['low']:.0%}–{share['high']:.0%})**",
        f"{own_share['estimate']:.0%} ({own_share['low']:.0%}–{own_share['high']:.0%})",
    )
    page = staff_client(make_staff(NATIONAL_GROUP)).get(
        reverse("reports:force", args=["thames-valley"]), {"year": 2018}
    )
    cells = page.context["figures"].cells
    assert cells["verified_implied"] == f"{implied['total']:,.0f} ({implied['low']:,.0f}–{implied['high']:,.0f})"
    assert cells["verified_share"] == f"{share['estimate']:.0%} ({share['low']:.0%}–{share['high']:.0%})"
    assert "random sample of 30 crime references" in cells["verified_sentence"]
    assert "found 21 of them counted" in cells["verified_sentence"]
