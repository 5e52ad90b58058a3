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
from reports.models import OfficialFigure, RecomputeRun
from reports.services import snapshots_recompute
from tests.conftest import staff_client
from tests.factories import IncidentFactory

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("reports:dashboard")


def official(area: str, year: int, total: int) -> None:
    OfficialFigure.objects.create(
        area=area,
        financial_year=year,
        total=total,
        source_title="Police workforce",
        published_on=datetime.date(2019, 7, 18),
    )


@pytest.fixture
def figures(officer: User, other_force_officer: User) -> None:
    """Thames Valley 2018/19: 20 logged (6 recorded, 12 not, 2 don't know); Kent: 3 logged."""
    official("E23000029", 2018, 1057)
    official("E23000032", 2018, 1594)
    official("K04000001", 2018, 30977)
    day = datetime.date(2018, 10, 1)
    for _ in range(6):
        IncidentFactory(officer=officer, occurred_on=day, reported_to_force="yes", recorded_as_crime="yes")
    for _ in range(12):
        IncidentFactory(officer=officer, occurred_on=day, recorded_as_crime="no")
    for _ in range(2):
        IncidentFactory(officer=officer, occurred_on=day, reported_to_force="yes", recorded_as_crime="dont_know")
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
    assert rows["Thames Valley"].cells["logged"] == "20"
    assert rows["Thames Valley"].cells["implied"].startswith("3,171")  # 1057 / (6/18)
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
    assert by_area["Kent"][2] == "–"
    trend = rows_of(staff_client(rep).get(reverse("reports:force", args=["thames-valley"]) + "?format=csv&table=trend"))
    assert trend[1][0] == "2018/19"
    breakdowns = rows_of(
        staff_client(rep).get(
            reverse("reports:force", args=["thames-valley"]) + "?year=2018&format=csv&table=breakdowns"
        )
    )
    assert ["What happened", "Push or shove", "20"] in breakdowns


def test_briefing_headline(rep: User, figures: None) -> None:
    response = staff_client(rep).get(reverse("reports:briefing", args=["thames-valley", "2018"]))
    assert response.status_code == 200
    headline = response.context["headline"]
    assert headline.startswith("Officers in Thames Valley logged 20 assaults in 2018/19; 33% (")
    assert "say they were officially recorded; the official figure was 1,057, implying about 3,171 (" in headline
    page = response.content.decode()
    assert "Police workforce" in page  # the source
    # Its tables can be downloaded (the links are hidden in print).
    force_page = reverse("reports:force", args=["thames-valley"])
    assert f"{force_page}?format=csv&amp;table=trend" in page
    assert f"{force_page}?year=2018&amp;format=csv&amp;table=breakdowns" in page
    assert staff_client(rep).get(reverse("reports:briefing", args=["thames-valley", "1999"])).status_code == 404


def test_years_before_2017_are_marked_not_comparable(national_staff: User, officer: User) -> None:
    official("E23000029", 2015, 194)
    IncidentFactory(officer=officer, occurred_on=datetime.date(2015, 6, 1))
    snapshots_recompute()
    page = staff_client(national_staff).get(DASHBOARD + "?year=2015").content.decode()
    assert "not comparable" in page


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
