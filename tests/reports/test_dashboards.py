"""Dashboards: who sees what, small counts, CSVs, the briefing, constant queries."""

from __future__ import annotations

import csv
import datetime
import io
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from incidents.models import User
from reports.models import RecomputeRun, Snapshot
from reports.services import snapshots_recompute
from tests.conftest import staff_client
from tests.factories import IncidentFactory, OfficialFigureFactory, make_officer

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("reports:dashboard")


def official(area: str, year: int, total: int) -> None:
    OfficialFigureFactory(area=area, financial_year=year, total=total)


@pytest.fixture
def figures(officer: User, other_force_officer: User) -> None:
    """Thames Valley 2018/19: 20 logged by 10 officers, two each (6 recorded, 12 not, 2 don't
    know); Kent: 3 logged."""
    official("E23000029", 2018, 1057)
    official("E23000032", 2018, 1594)
    official("K04000001", 2018, 30977)
    day = datetime.date(2018, 10, 1)
    answers = [("yes", "yes")] * 6 + [("no", "no")] * 12 + [("yes", "dont_know")] * 2
    officers = [officer, *(make_officer() for _ in range(9))]
    for number, (reported, recorded) in enumerate(answers):
        IncidentFactory(
            officer=officers[number % 10], occurred_on=day, reported_to_force=reported, recorded_as_crime=recorded
        )
    for _ in range(3):
        IncidentFactory(officer=other_force_officer, occurred_on=day, recorded_as_crime="no")
    snapshots_recompute()


def officer_client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def rows_of(response: Any) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_dashboards_need_a_login(client: Client) -> None:
    for url in (DASHBOARD, reverse("reports:force", args=["kent"]), reverse("reports:briefing", args=["kent", "2018"])):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.get(reverse("reports:method")).status_code == 200


def test_officers_see_the_national_summary_only(officer: User, figures: None) -> None:
    client = officer_client(officer)
    page = client.get(DASHBOARD + "?year=2018").content.decode()
    assert "England and Wales" in page and "30,977" in page
    assert "Thames Valley" not in page
    assert client.get(reverse("reports:force", args=["thames-valley"])).status_code == 404


def test_rep_sees_own_force_in_full_and_others_as_published_totals(rep: User, figures: None) -> None:
    page = staff_client(rep).get(DASHBOARD + "?year=2018")
    rows = {row.name: row for row in page.context["rows"]}
    tvp = rows["Thames Valley"]
    assert (tvp.cells["logged"], tvp.cells["active_officers"]) == ("20", "10")
    assert 1057 < tvp.raw["implied_low"] < tvp.raw["implied"] < tvp.raw["implied_high"]
    assert rows["Kent"].cells["official"] == "1,594"
    assert rows["Kent"].cells["logged"] == "–"
    assert rows["Kent"].cells["implied"] == "–"
    kent = staff_client(rep).get(reverse("reports:force", args=["kent"]) + "?year=2018").content.decode()
    assert "1,594" in kent and "published official figures" in kent


def test_small_counts_are_suppressed_outside_national_staff(
    rep: User, national_staff: User, officer: User, figures: None
) -> None:
    for _ in range(2):
        IncidentFactory(
            officer=officer, occurred_on=datetime.date(2018, 11, 1), assaults=["bite"], recorded_as_crime="no"
        )
    snapshots_recompute()
    national = staff_client(national_staff).get(DASHBOARD + "?year=2018")
    kent = {row.name: row for row in national.context["rows"]}["Kent"]
    assert kent.cells["logged"] == "3"
    breakdown = staff_client(rep).get(reverse("reports:force", args=["thames-valley"]) + "?year=2018")
    texts = [text for table in breakdown.context["breakdowns"] for _label, count, text in table["rows"] if count < 5]
    assert texts and set(texts) == {"fewer than 5"}
    national_texts = [
        text
        for table in staff_client(national_staff)
        .get(reverse("reports:force", args=["thames-valley"]) + "?year=2018")
        .context["breakdowns"]
        for _label, count, text in table["rows"]
        if count < 5
    ]
    assert "fewer than 5" not in national_texts


def test_table_sorts_by_a_column(national_staff: User, figures: None) -> None:
    rows = staff_client(national_staff).get(DASHBOARD + "?year=2018&sort=official&dir=desc").context["rows"]
    assert [row.name for row in rows[:2]] == ["Kent", "Thames Valley"]
    page = staff_client(national_staff).get(DASHBOARD + "?year=2018&sort=official&dir=desc").content.decode()
    assert 'aria-sort="descending"' in page


def test_csv_download_of_the_table(rep: User, figures: None) -> None:
    rows = rows_of(staff_client(rep).get(DASHBOARD + "?year=2018&format=csv"))
    by_area = {row[0]: row for row in rows[1:]}
    assert rows[0][:3] == ["Area", "Financial year", "Logged"]
    assert by_area["England and Wales"][1] == "2018/19"
    assert by_area["Thames Valley"][2] == "20"
    assert by_area["Kent"][2] == ""  # a force the rep does not cover: its published figure only
    header = rows[0]
    assert by_area["Kent"][header.index("Official figure")] == "1594"  # a number, not "1,594"
    assert by_area["Kent"][header.index("Caveat")].startswith("An estimate from officers who chose to log")
    assert by_area["Thames Valley"][header.index("What the official figure counts")] == (
        "8S + 104, whole force, whole year"
    )
    trend = rows_of(staff_client(rep).get(reverse("reports:force", args=["thames-valley"]) + "?format=csv&table=trend"))
    assert trend[1][:2] == ["Thames Valley", "2018/19"]
    breakdowns = rows_of(
        staff_client(rep).get(
            reverse("reports:force", args=["thames-valley"]) + "?year=2018&format=csv&table=breakdowns"
        )
    )
    assert ["What happened", "Push or shove", "20"] in [row[:3] for row in breakdowns]
    assert breakdowns[0] == ["Breakdown", "Answer", "Reports", "Caveat"]


def test_briefing_headline(rep: User, figures: None) -> None:
    response = staff_client(rep).get(reverse("reports:briefing", args=["thames-valley", "2018"]))
    assert response.status_code == 200
    headline = response.context["headline"]
    assert headline.startswith("Officers in Thames Valley logged 20 assaults in 2018/19; the official figure was 1,057")
    assert "(Home Office); from the share of the logged assaults officers say reached it, the true number" in headline
    assert headline.endswith("This is an estimate from officers who chose to log, not a count.")
    page = response.content.decode()
    assert "Police workforce" in page  # the source
    # Its tables can be downloaded (the links are hidden in print).
    force_page = reverse("reports:force", args=["thames-valley"])
    assert f"{force_page}?format=csv&amp;table=trend" in page
    assert f"{force_page}?year=2018&amp;format=csv&amp;table=breakdowns" in page
    assert staff_client(rep).get(reverse("reports:briefing", args=["thames-valley", "1999"])).status_code == 404


def official_with(area: str, year: int, **values: object) -> None:
    OfficialFigureFactory(area=area, financial_year=year, **values)


@pytest.mark.parametrize(
    ("values", "reason"),
    [
        (
            {"total": 194, "basis": "pre_2017_estimate", "financial_year": 2015},
            "a pre-2017 estimate that mixed health-and-safety self-reports with recorded crime",
        ),
        ({"with_injury": 136, "basis": "8s_only"}, "it counts assaults with injury (offence 8S) only"),
        ({"total": 2176, "basis": "emergency_workers", "source_kind": "press"}, "an emergency-worker release"),
    ],
)
def test_a_figure_not_compared_is_shown_labelled_with_why_and_gives_no_implied_total(
    national_staff: User, rep: User, officer: User, values: dict[str, object], reason: str
) -> None:
    year = int(values.pop("financial_year", 2020))
    official_with("E23000029", year, **values)
    for _ in range(6):
        IncidentFactory(officer=officer, occurred_on=datetime.date(year, 6, 1), recorded_as_crime="yes")
    snapshots_recompute()
    snapshot = Snapshot.objects.get(area="E23000029", financial_year=year)
    assert snapshot.data["implied"] is None and snapshot.data["official"]["not_compared"]
    for page in (
        staff_client(national_staff).get(DASHBOARD, {"year": year}).content.decode(),
        staff_client(rep).get(reverse("reports:force", args=["thames-valley"]), {"year": year}).content.decode(),
        staff_client(rep).get(reverse("reports:briefing", args=["thames-valley", str(year)])).content.decode(),
    ):
        assert "not compared" in page
    force_page = staff_client(rep).get(reverse("reports:force", args=["thames-valley"]), {"year": year})
    assert reason in force_page.content.decode()
    assert "Shown, but not compared with the officers' entries" in force_page.content.decode()
    if values.get("basis") == "8s_only":
        assert "136 with injury only" in force_page.content.decode()  # published, if only in part
    download = staff_client(rep).get(DASHBOARD, {"year": year, "format": "csv"}).content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(download)))
    tvp = next(row for row in rows if row[0] == "Thames Valley")
    assert reason in tvp[rows[0].index("Why the official figure is not compared")]


def test_each_page_says_where_the_official_figure_comes_from(rep: User, figures: None) -> None:
    briefing = staff_client(rep).get(reverse("reports:briefing", args=["thames-valley", "2018"])).content.decode()
    source = "Home Office: “Police workforce”, released 18 July 2019"
    assert f"Official figure: 8S + 104, whole force, whole year, from {source}" in briefing
    force = staff_client(rep).get(reverse("reports:force", args=["thames-valley"]), {"year": 2018}).content.decode()
    assert "From Home Office: “Police workforce”, released 18 July 2019." in force
    dashboard = staff_client(rep).get(DASHBOARD, {"year": 2018}).content.decode()
    assert "<small>Home Office</small>" in dashboard


def test_pages_render_from_snapshots_with_constant_queries(national_staff: User, officer: User) -> None:
    official("E23000029", 2018, 1057)
    client = staff_client(national_staff)
    urls = [
        DASHBOARD + "?year=2018",
        reverse("reports:force", args=["thames-valley"]) + "?year=2018",
        reverse("reports:briefing", args=["thames-valley", "2018"]),
        DASHBOARD + "?year=2018&format=csv",
    ]
    IncidentFactory(officer=officer, occurred_on=datetime.date(2018, 5, 5))
    snapshots_recompute()
    counts = []
    for extra in (0, 40):
        for _ in range(extra):
            IncidentFactory(officer=officer, occurred_on=datetime.date(2018, 5, 5), assaults=["kick", "spit"])
        snapshots_recompute()
        for url in urls:
            client.get(url)
        with CaptureQueriesContext(connection) as queries:
            for url in urls:
                assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_national_staff_start_a_recompute_and_see_it_finish(
    national_staff: User, rep: User, figures: None, django_capture_on_commit_callbacks: Any
) -> None:
    client = staff_client(national_staff)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("reports:recompute"))
    response = client.get(DASHBOARD)
    run = RecomputeRun.objects.get()
    assert run.finished_at is not None  # tasks run in-process in the tests
    assert run.areas_done == run.areas_total > 0
    assert f"Recompute {run.pk}: finished" in response.content.decode()
    assert staff_client(rep).post(reverse("reports:recompute")).status_code == 403


def test_a_year_with_no_forces_own_figure_does_not_speak_of_0_forces(officer: User) -> None:
    official("K04000001", 2019, 35000)  # the national figure only
    officers = [officer, *(make_officer(slug) for slug in ("thames-valley", "kent", "kent") for _ in range(3))]
    for number in range(30):
        IncidentFactory(
            officer=officers[number % 10],
            occurred_on=datetime.date(2019, 10, 1),
            reported_to_force="yes",
            recorded_as_crime=("yes", "no", "no")[number % 3],
        )
    snapshots_recompute()
    page = officer_client(officer).get(DASHBOARD, {"year": 2019})
    national_sum = page.context["national"].cells["national_sum"]
    assert national_sum.startswith("No force has an official figure of its own for this year"), national_sum
    assert " 0 forces" not in page.content.decode()


def test_the_method_page_links_the_full_statement_anyone_can_read(client: Client) -> None:
    statement = reverse("reports:method_statement")
    assert f'href="{statement}"' in client.get(reverse("reports:method")).content.decode()
    response = client.get(statement)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    text = response.content.decode()
    assert text.startswith("#") and "Chapman" in text
    assert client.post(statement).status_code == 405
